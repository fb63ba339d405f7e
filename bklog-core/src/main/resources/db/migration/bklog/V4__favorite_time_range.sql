-- The time range a favorite (saved search) opens with: absolute (ISO-8601, epoch millis) or relative (now-15m).
ALTER TABLE favorites ADD COLUMN start_time VARCHAR(64) NULL;
ALTER TABLE favorites ADD COLUMN end_time VARCHAR(64) NULL;
