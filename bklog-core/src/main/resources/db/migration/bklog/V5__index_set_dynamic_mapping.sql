-- Fields a document brings that the index set does not map: mapped on first sight ('true', Elasticsearch's
-- dynamic: true, the default), refused ('strict'), or kept in the source unsearchable ('false').
ALTER TABLE index_sets ADD COLUMN dynamic_mapping VARCHAR(8) NOT NULL DEFAULT 'true';
