package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Collector configs. */
public final class CollectorConfigRepository {
    static final String TABLE = "collector_configs";
    private final Table<CollectorConfig> table;

    CollectorConfigRepository(Db db) {
        this.table = Table.<CollectorConfig>builder(db, TABLE, "collector config")
                .mapper((rs, ctx) -> new CollectorConfig(rs.getLong("id"), rs.getString("name"),
                        rs.getLong("index_set_id"), rs.getString("source_type"), db.jsonNode(rs, "source_params"),
                        db.jsonNode(rs, "filters"), db.jsonNode(rs, "multiline"), rs.getString("etl_config"),
                        db.jsonNode(rs, "etl_params"), db.jsonNode(rs, "fields"), rs.getBoolean("active"),
                        rs.getString("description"), rs.getLong("version"), Db.instant(rs, "created_at"),
                        Db.instant(rs, "updated_at")))
                .id(CollectorConfig::id).version(CollectorConfig::version).name(CollectorConfig::name)
                .columns(c -> Db.cols("name", c.name(), "index_set_id", c.indexSetId(),
                        "source_type", c.sourceType(), "source_params", db.json(c.sourceParams()),
                        "filters", db.json(c.filters()), "multiline", db.json(c.multiline()),
                        "etl_config", c.etlConfig(), "etl_params", db.json(c.etlParams()),
                        "fields", db.json(c.fields()), "active", c.active(), "description", c.description(),
                        "space_uid", spaceOf(db, c.indexSetId())))
                .build();
    }

    /** The space of the index set (the collector's space, kept on its row: names are unique per space). */
    private static String spaceOf(Db db, long indexSetId) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT space_uid FROM index_sets WHERE id = :i")
                .bind("i", indexSetId).mapTo(String.class).findOne().orElse(null));
    }

    /**
     * Creates the collector; {@link DuplicateNameException} if its space has a collector of that name,
     * {@link MetadataReferenceException} if the index set does not exist.
     */
    public CollectorConfig create(CollectorConfig config) {
        return table.insert(config);
    }

    public CollectorConfig update(CollectorConfig config) {
        return table.update(config);
    }

    public void delete(CollectorConfig config) {
        table.delete(config);
    }

    public Optional<CollectorConfig> findById(long id) {
        return table.find(id);
    }

    /** The collector of that name in the space (names are unique per space only). */
    public Optional<CollectorConfig> findByName(String spaceUid, String name) {
        return table.findOne("space_uid = :s AND name = :name", Map.of("s", spaceUid, "name", name));
    }

    public CollectorConfig getByName(String spaceUid, String name) {
        return findByName(spaceUid, name).orElseThrow(() -> new MetadataNotFoundException("collector config", name));
    }

    public List<CollectorConfig> listByIndexSet(long indexSetId) {
        return table.list("index_set_id = :i", Map.of("i", indexSetId), "name", 0);
    }

    public List<CollectorConfig> listActive() {
        return table.list("active = :a", Map.of("a", true), "name", 0);
    }

    public List<CollectorConfig> list() {
        return table.list(null, Map.of(), "name", 0);
    }
}
