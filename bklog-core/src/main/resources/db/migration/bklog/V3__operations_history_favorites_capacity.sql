-- bklog metadata, version 3: operations records (backups, task runs, async tasks, exports) and user data
-- (search history, favorites), plus the synced capacity of index sets. Same conventions as V1.

-- parent_id: the backup an incremental backup builds on (not a foreign key: old backups may be pruned).
CREATE TABLE backup_records (
    id         VARCHAR(64) NOT NULL,
    kind       VARCHAR(16) NOT NULL,
    parent_id  VARCHAR(64) NULL,
    manifest   LONGTEXT    NOT NULL,
    status     VARCHAR(32) NOT NULL,
    error      TEXT        NULL,
    version    BIGINT      NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_backup_records_created ON backup_records (created_at);

CREATE TABLE task_runs (
    run_id        VARCHAR(64)  NOT NULL,
    task          VARCHAR(255) NOT NULL,
    queue         VARCHAR(32)  NOT NULL,
    scheduled_for DATETIME(3)  NULL,
    started_at    DATETIME(3)  NULL,
    ended_at      DATETIME(3)  NULL,
    outcome       VARCHAR(32)  NOT NULL,
    attempts      INT          NOT NULL DEFAULT 0,
    error         TEXT         NULL,
    duration_ms   BIGINT       NULL,
    version       BIGINT       NOT NULL DEFAULT 1,
    created_at    DATETIME(3)  NOT NULL,
    updated_at    DATETIME(3)  NOT NULL,
    PRIMARY KEY (run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_task_runs_task ON task_runs (task, created_at);
CREATE INDEX ix_task_runs_created ON task_runs (created_at);

CREATE TABLE async_tasks (
    id         VARCHAR(64) NOT NULL,
    kind       VARCHAR(64) NOT NULL,
    status     VARCHAR(32) NOT NULL,
    progress   DOUBLE      NOT NULL DEFAULT 0,
    message    TEXT        NULL,
    result     LONGTEXT    NULL,
    version    BIGINT      NOT NULL DEFAULT 1,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_async_tasks_status ON async_tasks (status, updated_at);

-- No foreign key to index_sets: the export file outlives its index set until it expires.
CREATE TABLE export_jobs (
    id           VARCHAR(64)   NOT NULL,
    space_uid    VARCHAR(128)  NULL,
    index_set_id BIGINT        NOT NULL,
    request      LONGTEXT      NOT NULL,
    status       VARCHAR(32)   NOT NULL,
    file_path    VARCHAR(1024) NULL,
    size_bytes   BIGINT        NOT NULL DEFAULT 0,
    row_count    BIGINT        NOT NULL DEFAULT 0,
    error        TEXT          NULL,
    expires_at   DATETIME(3)   NULL,
    version      BIGINT        NOT NULL DEFAULT 1,
    created_at   DATETIME(3)   NOT NULL,
    updated_at   DATETIME(3)   NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_export_jobs_expires ON export_jobs (expires_at);
CREATE INDEX ix_export_jobs_space ON export_jobs (space_uid, created_at);

-- Append-only: no version / updated_at.
CREATE TABLE search_history (
    id           BIGINT       NOT NULL AUTO_INCREMENT,
    username     VARCHAR(255) NOT NULL,
    index_set_id BIGINT       NOT NULL,
    keyword      TEXT         NOT NULL,
    params       LONGTEXT     NOT NULL,
    created_at   DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT fk_search_history_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE INDEX ix_search_history_user ON search_history (username, created_at);
CREATE INDEX ix_search_history_created ON search_history (created_at);

CREATE TABLE favorites (
    id             BIGINT       NOT NULL AUTO_INCREMENT,
    name           VARCHAR(255) NOT NULL,
    space_uid      VARCHAR(128) NOT NULL,
    index_set_id   BIGINT       NOT NULL,
    visible_type   VARCHAR(16)  NOT NULL DEFAULT 'private',
    keyword        TEXT         NOT NULL,
    addition       LONGTEXT     NOT NULL,
    display_fields LONGTEXT     NOT NULL,
    group_name     VARCHAR(255) NULL,
    created_by     VARCHAR(255) NOT NULL,
    version        BIGINT       NOT NULL DEFAULT 1,
    created_at     DATETIME(3)  NOT NULL,
    updated_at     DATETIME(3)  NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_favorites_space_name UNIQUE (space_uid, name),
    CONSTRAINT fk_favorites_space FOREIGN KEY (space_uid) REFERENCES spaces (space_uid),
    CONSTRAINT fk_favorites_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE index_set_capacity (
    index_set_id BIGINT      NOT NULL,
    doc_count    BIGINT      NOT NULL DEFAULT 0,
    size_bytes   BIGINT      NOT NULL DEFAULT 0,
    index_count  INT         NOT NULL DEFAULT 0,
    synced_at    DATETIME(3) NOT NULL,
    version      BIGINT      NOT NULL DEFAULT 1,
    created_at   DATETIME(3) NOT NULL,
    updated_at   DATETIME(3) NOT NULL,
    PRIMARY KEY (index_set_id),
    CONSTRAINT fk_index_set_capacity_index_set FOREIGN KEY (index_set_id) REFERENCES index_sets (id)
        ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
