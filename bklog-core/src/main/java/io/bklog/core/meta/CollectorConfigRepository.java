package io.bklog.core.meta;

import org.jdbi.v3.core.Handle;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Collector configs. */
public final class CollectorConfigRepository {
    static final String TABLE = "collector_configs";
    private final Db db;
    private final Table<CollectorConfig> table;

    CollectorConfigRepository(Db db) {
        this.db = db;
        this.table = Table.<CollectorConfig>builder(db, TABLE, "collector config")
                .mapper((rs, ctx) -> new CollectorConfig(rs.getLong("id"), rs.getString("name"),
                        rs.getLong("index_set_id"), rs.getString("source_type"), db.jsonNode(rs, "source_params"),
                        db.jsonNode(rs, "filters"), db.jsonNode(rs, "multiline"), rs.getString("etl_config"),
                        db.jsonNode(rs, "etl_params"), db.jsonNode(rs, "fields"), rs.getBoolean("active"),
                        rs.getString("description"), rs.getLong("version"), Db.instant(rs, "created_at"),
                        Db.instant(rs, "updated_at"), db.jsonNode(rs, "targets")))
                .id(CollectorConfig::id).version(CollectorConfig::version).name(CollectorConfig::name)
                .columns(c -> Db.cols("name", c.name(), "index_set_id", c.indexSetId(),
                        "source_type", c.sourceType(), "source_params", db.json(c.sourceParams()),
                        "filters", db.json(c.filters()), "multiline", db.json(c.multiline()),
                        "etl_config", c.etlConfig(), "etl_params", db.json(c.etlParams()),
                        "fields", db.json(c.fields()), "active", c.active(), "description", c.description(),
                        "targets", db.json(c.targets())))
                .build();
    }

    /**
     * Sets the row's {@code space_uid} to its index set's, in the same transaction: the space is kept on the row so
     * that the name is unique per space ({@code uq_collector_configs_space_name}).
     */
    private static CollectorConfig withSpace(Handle h, CollectorConfig saved) {
        h.createUpdate("UPDATE " + TABLE + " SET space_uid = (SELECT i.space_uid FROM index_sets i"
                + " WHERE i.id = " + TABLE + ".index_set_id) WHERE id = :id").bind("id", saved.id()).execute();
        return saved;
    }

    /**
     * Creates the collector; {@link DuplicateNameException} if its space has a collector of that name,
     * {@link MetadataReferenceException} if the index set does not exist.
     */
    public CollectorConfig create(CollectorConfig config) {
        return db.write(table.entity, config.name(), () -> db.jdbi.inTransaction(h ->
                withSpace(h, table.insert(h, config))));
    }

    public CollectorConfig update(CollectorConfig config) {
        return db.write(table.entity, config.name(), () -> db.jdbi.inTransaction(h ->
                withSpace(h, table.update(h, config))));
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

    /**
     * A stamp of the table that changes whenever a collector is created, updated (its version grows), started,
     * stopped or deleted: one small aggregate query, so a reader may keep what it derived from {@link #listActive()}
     * until the stamp changes.
     */
    public String changeStamp() {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) AS n, COALESCE(SUM(version), 0) AS v,"
                        + " COALESCE(MAX(id), 0) AS m, COALESCE(SUM(CASE WHEN active THEN id ELSE 0 END), 0) AS a FROM "
                        + TABLE)
                .map((rs, ctx) -> rs.getLong("n") + ":" + rs.getLong("v") + ":" + rs.getLong("m") + ":"
                        + rs.getLong("a"))
                .one());
    }
}
