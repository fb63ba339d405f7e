-- Production topology (docs/deployment.md): what one instance learns and every other instance needs lives here.
-- Same conventions as V1: utf8mb4_bin, DATETIME(3) in UTC, JSON as LONGTEXT.

-- Resources a shipper PUTs on the Elasticsearch-compatible surface (_template, _index_template,
-- _component_template, _ilm/policy, _ingest/pipeline), so HEAD/GET on any instance answers the same.
CREATE TABLE es_compat_resources (
    id         BIGINT       NOT NULL AUTO_INCREMENT,
    kind       VARCHAR(32)  NOT NULL,
    name       VARCHAR(255) NOT NULL,
    body       LONGTEXT     NOT NULL,
    created_at DATETIME(3)  NOT NULL,
    updated_at DATETIME(3)  NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE UNIQUE INDEX uk_es_compat_resources ON es_compat_resources (kind, name);

-- The state of each collector's source on each instance that runs it (the collect role), written by that instance
-- when the state changes and every heartbeat, so the API of any instance answers which instance runs a collector
-- and how it fares. A row whose heartbeat_at is older than a few heartbeats belongs to an instance that is gone.
CREATE TABLE collector_runtime (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    collector_id BIGINT        NOT NULL,
    instance     VARCHAR(255)  NOT NULL,
    state        VARCHAR(16)   NOT NULL,
    reason       LONGTEXT      NULL,
    detail       LONGTEXT      NULL,
    config_version BIGINT      NOT NULL,
    since        DATETIME(3)   NULL,
    heartbeat_at DATETIME(3)   NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE UNIQUE INDEX uk_collector_runtime ON collector_runtime (collector_id, instance);
