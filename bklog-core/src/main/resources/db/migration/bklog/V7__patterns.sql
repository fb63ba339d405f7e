-- Log clustering (docs/patterns.md). index_sets.patterns: the index set's settings as JSON
-- ({"enabled":..,"field":..,"maskers":[..],"precision":..}); NULL = off.
ALTER TABLE index_sets ADD COLUMN patterns TEXT NULL;

-- The patterns mined for each index set, shared by every instance: a row is inserted when a pattern is first
-- created (insert-if-absent, so two instances creating the same id keep one row); count, last_seen and merged_into
-- are updated in batches. merged_into: the id of the pattern that absorbed this one (searches by this id find the
-- lines of that one). No foreign key: patterns are keyed by index set name, like the physical indices.
CREATE TABLE patterns (
    index_set   VARCHAR(128)  NOT NULL,
    id          VARCHAR(64)   NOT NULL,
    template    TEXT          NOT NULL,
    merged_into VARCHAR(64)   NULL,
    count       BIGINT        NOT NULL DEFAULT 0,
    first_seen  DATETIME(3)   NOT NULL,
    last_seen   DATETIME(3)   NOT NULL,
    label       VARCHAR(255)  NULL,
    updated_at  DATETIME(3)   NOT NULL,
    PRIMARY KEY (index_set, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_patterns_updated ON patterns (index_set, updated_at);
