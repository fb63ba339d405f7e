-- Alerting (docs/alerting.md). Same conventions as V1: utf8mb4_bin, DATETIME(3) in UTC, JSON as TEXT.

-- Where notifications go, per space. settings: the channel type's settings as JSON (webhook url and secret, SMTP
-- host, port, tls, user, password, from, to...).
CREATE TABLE alert_channels (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    space_uid  VARCHAR(64)  NOT NULL,
    name       VARCHAR(128) NOT NULL,
    type       VARCHAR(64)  NOT NULL,
    settings   TEXT         NOT NULL,
    created_at DATETIME(3)  NOT NULL,
    updated_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE UNIQUE INDEX uk_alert_channels_name ON alert_channels (space_uid, name);

-- A rule: a saved search (index_set, query, filters) evaluated every `every_seconds` over the window before the
-- period's start, with a condition (JSON). unmasked: samples are sent unmasked (set only by an owner holding
-- `unmasked`; owner_token_id is re-checked at every evaluation).
CREATE TABLE alert_rules (
    id               BIGINT       NOT NULL AUTO_INCREMENT,
    space_uid        VARCHAR(64)  NOT NULL,
    name             VARCHAR(128) NOT NULL,
    index_set        VARCHAR(128) NOT NULL,
    query            TEXT         NULL,
    filters          TEXT         NULL,
    rule_condition   TEXT         NOT NULL,
    every_seconds    BIGINT       NOT NULL,
    window_seconds   BIGINT       NOT NULL,
    for_seconds      BIGINT       NOT NULL DEFAULT 0,
    repeat_seconds   BIGINT       NOT NULL DEFAULT 0,
    severity         VARCHAR(16)  NOT NULL,
    labels           TEXT         NULL,
    template         TEXT         NULL,
    samples          INT          NOT NULL DEFAULT 0,
    group_by         VARCHAR(128) NULL,
    unmasked         BOOLEAN      NOT NULL DEFAULT FALSE,
    owner            VARCHAR(255) NULL,
    owner_token_id   BIGINT       NULL,
    channels         TEXT         NOT NULL,
    enabled          BOOLEAN      NOT NULL DEFAULT TRUE,
    version          BIGINT       NOT NULL DEFAULT 1,
    created_at       DATETIME(3)  NOT NULL,
    updated_at       DATETIME(3)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE UNIQUE INDEX uk_alert_rules_name ON alert_rules (space_uid, name);

-- The state of each rule. last_period: the start of the last period evaluated (a period is committed at most once:
-- the update requires last_period < the new one); fence: the fencing token of the lock grant that committed it.
CREATE TABLE alert_state (
    rule_id        BIGINT       NOT NULL,
    state          VARCHAR(16)  NOT NULL,
    since          DATETIME(3)  NOT NULL,
    pending_since  DATETIME(3)  NULL,
    last_period    DATETIME(3)  NULL,
    last_value     DOUBLE       NULL,
    last_notified  DATETIME(3)  NULL,
    fence          BIGINT       NOT NULL DEFAULT 0,
    updated_at     DATETIME(3)  NOT NULL,
    PRIMARY KEY (rule_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Every state change of every rule.
CREATE TABLE alert_history (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    rule_id     BIGINT       NOT NULL,
    space_uid   VARCHAR(64)  NOT NULL,
    at          DATETIME(3)  NOT NULL,
    period      DATETIME(3)  NOT NULL,
    from_state  VARCHAR(16)  NOT NULL,
    to_state    VARCHAR(16)  NOT NULL,
    observed    DOUBLE       NULL,
    message     TEXT         NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_alert_history_rule ON alert_history (rule_id, at);
CREATE INDEX ix_alert_history_space ON alert_history (space_uid, at);

-- The outbox: one row per notification and channel, written in the transaction that commits the state change, then
-- claimed (claimed_until) and delivered by one instance. status: pending, delivered, dead (after max attempts) or
-- suppressed (silence or maintenance window).
CREATE TABLE alert_notifications (
    id             VARCHAR(64)  NOT NULL,
    rule_id        BIGINT       NOT NULL,
    space_uid      VARCHAR(64)  NOT NULL,
    channel        VARCHAR(128) NOT NULL,
    kind           VARCHAR(16)  NOT NULL,
    payload        LONGTEXT     NOT NULL,
    status         VARCHAR(16)  NOT NULL,
    attempts       INT          NOT NULL DEFAULT 0,
    claimed_until  DATETIME(3)  NULL,
    last_error     TEXT         NULL,
    created_at     DATETIME(3)  NOT NULL,
    updated_at     DATETIME(3)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_alert_notifications_status ON alert_notifications (status, created_at);
CREATE INDEX ix_alert_notifications_rule ON alert_notifications (rule_id, created_at);

-- Silences (rule_id, and/or label matchers as JSON, all must match) and maintenance windows (kind = maintenance: the
-- whole space), both between starts_at and ends_at.
CREATE TABLE alert_silences (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    space_uid   VARCHAR(64)  NOT NULL,
    kind        VARCHAR(16)  NOT NULL,
    rule_id     BIGINT       NULL,
    matchers    TEXT         NULL,
    starts_at   DATETIME(3)  NOT NULL,
    ends_at     DATETIME(3)  NOT NULL,
    comment     TEXT         NULL,
    created_by  VARCHAR(255) NULL,
    created_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_alert_silences_space ON alert_silences (space_uid, ends_at);
