-- Alerting (docs/alerting.md), after V8. claimed_by: the claim token of the delivery holding a pending notification
-- until claimed_until (renewed by its holder before each attempt; a renewal, or the final status, by anyone else's
-- token changes nothing). The indexes serve the retention task, which deletes history and finished notifications
-- older than alerting.retention_days.
ALTER TABLE alert_notifications ADD COLUMN claimed_by VARCHAR(64) NULL;

CREATE INDEX ix_alert_history_at ON alert_history (at);
CREATE INDEX ix_alert_notifications_updated ON alert_notifications (updated_at);
