package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The per-index-set desensitize switch and its raw-text fields. */
public final class DesensitizeConfigRepository {
    static final String TABLE = "desensitize_configs";
    private final Table<DesensitizeConfig> table;

    DesensitizeConfigRepository(Db db) {
        this.table = Table.<DesensitizeConfig>builder(db, TABLE, "desensitize config")
                .mapper((rs, ctx) -> new DesensitizeConfig(rs.getLong("id"), rs.getLong("index_set_id"),
                        db.stringList(rs, "text_fields"), rs.getLong("version"), Db.instant(rs, "created_at"),
                        Db.instant(rs, "updated_at")))
                .id(DesensitizeConfig::id).version(DesensitizeConfig::version)
                .name(c -> "of index set " + c.indexSetId())
                .columns(c -> Db.cols("index_set_id", c.indexSetId(), "text_fields", db.json(c.textFields())))
                .build();
    }

    /** Creates it; {@link DuplicateNameException} if the index set already has one. */
    public DesensitizeConfig create(DesensitizeConfig config) {
        return table.insert(config);
    }

    public DesensitizeConfig update(DesensitizeConfig config) {
        return table.update(config);
    }

    public void delete(DesensitizeConfig config) {
        table.delete(config);
    }

    public Optional<DesensitizeConfig> findByIndexSet(long indexSetId) {
        return table.findOne("index_set_id = :i", Map.of("i", indexSetId));
    }

    public List<DesensitizeConfig> list() {
        return table.all();
    }
}
