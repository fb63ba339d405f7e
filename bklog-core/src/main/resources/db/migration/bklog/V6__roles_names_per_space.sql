-- bklog metadata, version 6: roles, names per space and masked history (issue 14, docs/security.md).
-- Same conventions as V1; runs on MariaDB 10.4+, MySQL 8.0.19+ (DROP CONSTRAINT) and on H2 in MODE=MySQL.

-- Only a holder of 'unmasked' may grant it, so the bootstrap admin token (the platform's first token) holds it too;
-- a token made by an older bklog gets it here.
UPDATE tokens SET roles = REPLACE(roles, '"admin"', '"admin","unmasked"'), version = version + 1
 WHERE name = 'bootstrap-admin' AND space_uid = 'default' AND roles LIKE '%"admin"%'
   AND roles NOT LIKE '%"unmasked"%';

-- Names are unique per space, never across spaces (a 409 would reveal another space's names).
ALTER TABLE tokens DROP CONSTRAINT uq_tokens_name;
ALTER TABLE tokens ADD CONSTRAINT uq_tokens_space_name UNIQUE (space_uid, name);

-- A collector's space is its index set's; kept on the row so the name is unique per space.
ALTER TABLE collector_configs ADD COLUMN space_uid VARCHAR(128) NULL;
UPDATE collector_configs SET space_uid =
    (SELECT i.space_uid FROM index_sets i WHERE i.id = collector_configs.index_set_id);
-- (every collector has its index set: fk_collector_configs_index_set refuses to delete one still used)
ALTER TABLE collector_configs DROP CONSTRAINT uq_collector_configs_name;
ALTER TABLE collector_configs ADD CONSTRAINT uq_collector_configs_space_name UNIQUE (space_uid, name);

-- name_scope: '' for a public rule (its name is platform-wide: every space sees it), else the rule's space.
ALTER TABLE desensitize_rules ADD COLUMN name_scope VARCHAR(128) NOT NULL DEFAULT '';
UPDATE desensitize_rules SET name_scope = space_uid WHERE is_public = FALSE AND space_uid IS NOT NULL;
ALTER TABLE desensitize_rules DROP CONSTRAINT uq_desensitize_rules_name;
ALTER TABLE desensitize_rules ADD CONSTRAINT uq_desensitize_rules_scope_name UNIQUE (name_scope, rule_name, deleted_id);

-- unmasked: saved by a caller holding 'unmasked', so its query text may hold raw values; never shown to a masked
-- reader. Rows saved before: unmasked unless their owner is an existing token without 'unmasked' (or 'anonymous',
-- auth disabled), since a revoked token's name can be given to a new, masked token.
ALTER TABLE favorites ADD COLUMN unmasked BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE favorites SET unmasked = TRUE
 WHERE created_by <> 'anonymous' AND created_by NOT IN
    (SELECT CONCAT(t.space_uid, '/', t.name) FROM tokens t
      WHERE t.space_uid IS NOT NULL AND t.roles NOT LIKE '%"unmasked"%');
ALTER TABLE search_history ADD COLUMN unmasked BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE search_history SET unmasked = TRUE
 WHERE username <> 'anonymous' AND username NOT IN
    (SELECT CONCAT(t.space_uid, '/', t.name) FROM tokens t
      WHERE t.space_uid IS NOT NULL AND t.roles NOT LIKE '%"unmasked"%');
