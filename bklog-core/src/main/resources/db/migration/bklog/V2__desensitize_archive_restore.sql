-- bklog metadata, version 2: read-time desensitizing (bklog log_desensitize model), archive and restore
-- (bklog ArchiveConfig / RestoreConfig). Same conventions as V1.

-- Soft-deleted rules keep their row: deleted_id is 0 while the rule is live and the rule's id once deleted,
-- so rule names are unique among live rules only.
CREATE TABLE desensitize_rules (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    rule_name     VARCHAR(128) NOT NULL,
    operator      VARCHAR(32)  NOT NULL,
    params        LONGTEXT     NOT NULL,
    match_pattern TEXT         NULL,
    match_fields  LONGTEXT     NOT NULL,
    space_uid     VARCHAR(128) NULL,
    is_public     BOOLEAN      NOT NULL DEFAULT FALSE,
    is_active     BOOLEAN      NOT NULL DEFAULT TRUE,
    deleted_id    BIGINT       NOT NULL DEFAULT 0,
    deleted_at    DATETIME(3)  NULL,
    version       BIGINT       NOT NULL DEFAULT 1,
    created_at    DATETIME(3)  NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_desensitize_rules_name UNIQUE (rule_name, deleted_id),
    CONSTRAINT fk_desensitize_rules_space FOREIGN KEY (space_uid) REFERENCES spaces (space_uid)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE desensitize_field_configs (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    index_set_id  BIGINT       NOT NULL,
    field_name    VARCHAR(255) NOT NULL,
    rule_id       BIGINT       NULL,
    operator      VARCHAR(32)  NULL,
    params        LONGTEXT     NOT NULL,
    match_pattern TEXT         NULL,
    sort_index    INT          NOT NULL DEFAULT 0,
    version       BIGINT       NOT NULL DEFAULT 1,
    created_at    DATETIME(3)  NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_desensitize_field_configs_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
        ON DELETE CASCADE,
    CONSTRAINT fk_desensitize_field_configs_rule FOREIGN KEY (rule_id) REFERENCES desensitize_rules (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_desensitize_field_configs_set ON desensitize_field_configs (index_set_id, sort_index);

CREATE TABLE desensitize_configs (
    id           BIGINT      NOT NULL AUTO_INCREMENT,
    index_set_id BIGINT      NOT NULL,
    text_fields  LONGTEXT    NOT NULL,
    version      BIGINT      NOT NULL DEFAULT 1,
    created_at   DATETIME(3) NOT NULL,
    updated_at   DATETIME(3) NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_desensitize_configs_index_set UNIQUE (index_set_id),
    CONSTRAINT fk_desensitize_configs_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- snapshot_days: how long snapshots are kept, 0 = forever (bklog "永久").
CREATE TABLE archive_configs (
    id            BIGINT       NOT NULL AUTO_INCREMENT,
    index_set_id  BIGINT       NOT NULL,
    snapshot_days INT          NOT NULL DEFAULT 0,
    repository    VARCHAR(255) NOT NULL,
    version       BIGINT       NOT NULL DEFAULT 1,
    created_at    DATETIME(3)  NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_archive_configs_set_repository UNIQUE (index_set_id, repository),
    CONSTRAINT fk_archive_configs_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE archived_snapshots (
    id                BIGINT       NOT NULL AUTO_INCREMENT,
    archive_config_id BIGINT       NOT NULL,
    snapshot_name     VARCHAR(255) NOT NULL,
    indices           LONGTEXT     NOT NULL,
    state             VARCHAR(32)  NOT NULL,
    version           BIGINT       NOT NULL DEFAULT 1,
    created_at        DATETIME(3)  NOT NULL,
    updated_at        DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_archived_snapshots_name UNIQUE (archive_config_id, snapshot_name),
    CONSTRAINT fk_archived_snapshots_archive FOREIGN KEY (archive_config_id) REFERENCES archive_configs (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_archived_snapshots_created ON archived_snapshots (created_at);

-- index_set_id is the index set created for the restored indices ("[回溯]" + name), once it exists.
CREATE TABLE restore_jobs (
    id                 BIGINT       NOT NULL AUTO_INCREMENT,
    archive_config_id  BIGINT       NOT NULL,
    index_set_id       BIGINT       NULL,
    index_set_name     VARCHAR(255) NOT NULL,
    start_time         DATETIME(3)  NOT NULL,
    end_time           DATETIME(3)  NOT NULL,
    expired_time       DATETIME(3)  NOT NULL,
    is_done            BOOLEAN      NOT NULL DEFAULT FALSE,
    duration_ms        BIGINT       NOT NULL DEFAULT -1,
    total_store_size   BIGINT       NOT NULL DEFAULT 0,
    total_doc_count    BIGINT       NOT NULL DEFAULT 0,
    complete_doc_count BIGINT       NOT NULL DEFAULT 0,
    progress           DOUBLE       NOT NULL DEFAULT 0,
    status             VARCHAR(32)  NOT NULL,
    error              TEXT         NULL,
    version            BIGINT       NOT NULL DEFAULT 1,
    created_at         DATETIME(3)  NOT NULL,
    updated_at         DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_restore_jobs_archive FOREIGN KEY (archive_config_id) REFERENCES archive_configs (id),
    CONSTRAINT fk_restore_jobs_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
        ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_restore_jobs_expired ON restore_jobs (expired_time);
