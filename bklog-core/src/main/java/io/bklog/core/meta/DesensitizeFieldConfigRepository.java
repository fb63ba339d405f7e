package io.bklog.core.meta;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Per-field masking steps of an index set, in {@code sortIndex} order. */
public final class DesensitizeFieldConfigRepository {
    static final String TABLE = "desensitize_field_configs";
    private final Db db;
    private final Table<DesensitizeFieldConfig> table;

    DesensitizeFieldConfigRepository(Db db) {
        this.db = db;
        this.table = Table.<DesensitizeFieldConfig>builder(db, TABLE, "desensitize field config")
                .mapper((rs, ctx) -> new DesensitizeFieldConfig(rs.getLong("id"), rs.getLong("index_set_id"),
                        rs.getString("field_name"), Db.nullableLong(rs, "rule_id"), rs.getString("operator"),
                        db.jsonNode(rs, "params"), rs.getString("match_pattern"), rs.getInt("sort_index"),
                        rs.getLong("version"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(DesensitizeFieldConfig::id).version(DesensitizeFieldConfig::version)
                .name(c -> c.indexSetId() + "/" + c.fieldName())
                .columns(c -> Db.cols("index_set_id", c.indexSetId(), "field_name", c.fieldName(),
                        "rule_id", c.ruleId(), "operator", c.operator(), "params", db.json(c.params()),
                        "match_pattern", c.matchPattern(), "sort_index", c.sortIndex()))
                .build();
    }

    public DesensitizeFieldConfig create(DesensitizeFieldConfig config) {
        return table.insert(config);
    }

    public DesensitizeFieldConfig update(DesensitizeFieldConfig config) {
        return table.update(config);
    }

    public void delete(DesensitizeFieldConfig config) {
        table.delete(config);
    }

    public Optional<DesensitizeFieldConfig> findById(long id) {
        return table.find(id);
    }

    /** The index set's steps, lowest {@code sortIndex} first. */
    public List<DesensitizeFieldConfig> listByIndexSet(long indexSetId) {
        return table.list("index_set_id = :i", Map.of("i", indexSetId), "sort_index, id", 0);
    }

    /** Steps that apply the rule (to find what a rule change affects). */
    public List<DesensitizeFieldConfig> listByRule(long ruleId) {
        return table.list("rule_id = :r", Map.of("r", ruleId), "index_set_id, sort_index", 0);
    }

    /**
     * Replaces all of the index set's steps in one transaction (how bklog saves a desensitize config); every
     * given step must belong to that index set.
     */
    public List<DesensitizeFieldConfig> replaceAll(long indexSetId, List<DesensitizeFieldConfig> configs) {
        for (DesensitizeFieldConfig c : configs) {
            if (c.indexSetId() != indexSetId) {
                throw new IllegalArgumentException("desensitize config of field '" + c.fieldName()
                        + "' belongs to index set " + c.indexSetId() + ", not " + indexSetId);
            }
        }
        return db.write(table.entity, "index set " + indexSetId, () -> db.jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM " + TABLE + " WHERE index_set_id = :i").bind("i", indexSetId).execute();
            List<DesensitizeFieldConfig> saved = new ArrayList<>(configs.size());
            for (DesensitizeFieldConfig c : configs) saved.add(table.insert(h, c));
            return saved;
        }));
    }
}
