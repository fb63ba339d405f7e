-- bklog metadata, version 1: the configuration aggregates.
-- Runs unchanged on MariaDB/MySQL and on H2 in MODE=MySQL. Append-only: never edit a released migration,
-- add a new V<n>__ file instead.
-- Conventions: timestamps are UTC DATETIME(3); JSON is stored as LONGTEXT; every mutable row has
-- version (optimistic locking), created_at and updated_at.

CREATE TABLE spaces (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    space_uid   VARCHAR(128) NOT NULL,
    name        VARCHAR(255) NOT NULL,
    description TEXT         NULL,
    version     BIGINT       NOT NULL DEFAULT 1,
    created_at  DATETIME(3)  NOT NULL,
    updated_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_spaces_space_uid UNIQUE (space_uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE tokens (
    id          BIGINT       NOT NULL AUTO_INCREMENT,
    name        VARCHAR(255) NOT NULL,
    token_hash  VARCHAR(128) NOT NULL,
    space_uid   VARCHAR(128) NULL,
    roles       LONGTEXT     NOT NULL,
    expires_at  DATETIME(3)  NULL,
    version     BIGINT       NOT NULL DEFAULT 1,
    created_at  DATETIME(3)  NOT NULL,
    updated_at  DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_tokens_name UNIQUE (name),
    CONSTRAINT uq_tokens_token_hash UNIQUE (token_hash),
    CONSTRAINT fk_tokens_space FOREIGN KEY (space_uid) REFERENCES spaces (space_uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE index_sets (
    id              BIGINT       NOT NULL AUTO_INCREMENT,
    name            VARCHAR(128) NOT NULL,
    space_uid       VARCHAR(128) NOT NULL,
    time_field      VARCHAR(255) NOT NULL,
    fields          LONGTEXT     NOT NULL,
    retention_days  INT          NOT NULL DEFAULT 14,
    shards          INT          NOT NULL DEFAULT 1,
    replicas        INT          NOT NULL DEFAULT 0,
    rotation        VARCHAR(16)  NOT NULL DEFAULT 'daily',
    rollover_bytes  BIGINT       NOT NULL DEFAULT 0,
    store_name      VARCHAR(64)  NOT NULL DEFAULT 'default',
    storage_cluster VARCHAR(255) NULL,
    description     TEXT         NULL,
    version         BIGINT       NOT NULL DEFAULT 1,
    created_at      DATETIME(3)  NOT NULL,
    updated_at      DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_index_sets_name UNIQUE (name),
    CONSTRAINT fk_index_sets_space FOREIGN KEY (space_uid) REFERENCES spaces (space_uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE collector_configs (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    name          VARCHAR(255) NOT NULL,
    index_set_id  BIGINT       NOT NULL,
    source_type   VARCHAR(64)  NOT NULL,
    source_params LONGTEXT     NOT NULL,
    filters       LONGTEXT     NOT NULL,
    multiline     LONGTEXT     NOT NULL,
    etl_config    VARCHAR(64)  NOT NULL,
    etl_params    LONGTEXT     NOT NULL,
    fields        LONGTEXT     NOT NULL,
    active        BOOLEAN      NOT NULL DEFAULT TRUE,
    description   TEXT         NULL,
    version       BIGINT       NOT NULL DEFAULT 1,
    created_at    DATETIME(3)  NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_collector_configs_name UNIQUE (name),
    CONSTRAINT fk_collector_configs_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
