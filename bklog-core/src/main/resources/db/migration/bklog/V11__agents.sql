-- Agents (docs/deployment.md "Agents"): `bklog agent` processes on log hosts that run the file and syslog collectors
-- targeting them and ship through the ingest API. Same conventions as V1: utf8mb4_bin, DATETIME(3) in UTC, JSON as
-- LONGTEXT.

-- The hosts a collector runs on: a JSON list of host names, IPs, CIDRs or `label:key=value`. NULL or [] = no targets:
-- the collector runs on the server instances with the collect role, as before.
ALTER TABLE collector_configs ADD COLUMN targets LONGTEXT NULL;

-- The last status each agent reported (POST /api/v1/agents/{id}/status), one row per agent name.
CREATE TABLE agents (
    id           BIGINT        NOT NULL AUTO_INCREMENT,
    name         VARCHAR(255)  NOT NULL,
    space_uid    VARCHAR(128)  NOT NULL,
    host         VARCHAR(255)  NOT NULL,
    ips          LONGTEXT      NOT NULL,
    labels       LONGTEXT      NOT NULL,
    agent_version VARCHAR(64)  NOT NULL,
    status       LONGTEXT      NOT NULL,
    first_seen   DATETIME(3)   NOT NULL,
    last_seen    DATETIME(3)   NOT NULL,
    PRIMARY KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE UNIQUE INDEX uk_agents_name ON agents (name);
