-- A migration that fails on purpose (UpgradeServiceTest): it creates a table, then breaks.
CREATE TABLE upgrade_probe (id BIGINT NOT NULL, PRIMARY KEY (id));
INSERT INTO no_such_table_for_upgrade_test (id) VALUES (1);
