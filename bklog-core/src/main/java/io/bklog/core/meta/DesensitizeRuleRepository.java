package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Desensitize rules; reads return live rules unless they say otherwise. */
public final class DesensitizeRuleRepository {
    static final String TABLE = "desensitize_rules";
    private final Db db;
    private final Table<DesensitizeRule> table;

    DesensitizeRuleRepository(Db db) {
        this.db = db;
        this.table = Table.<DesensitizeRule>builder(db, TABLE, "desensitize rule")
                .mapper((rs, ctx) -> new DesensitizeRule(rs.getLong("id"), rs.getString("rule_name"),
                        rs.getString("operator"), db.jsonNode(rs, "params"), rs.getString("match_pattern"),
                        db.stringList(rs, "match_fields"), rs.getString("space_uid"), rs.getBoolean("is_public"),
                        rs.getBoolean("is_active"), Db.instant(rs, "deleted_at"), rs.getLong("version"),
                        Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(DesensitizeRule::id).version(DesensitizeRule::version).name(DesensitizeRule::ruleName)
                .columns(r -> Db.cols("rule_name", r.ruleName(), "operator", r.operator(),
                        "params", db.json(r.params()), "match_pattern", r.matchPattern(),
                        "match_fields", db.json(r.matchFields()), "space_uid", r.spaceUid(),
                        "is_public", r.isPublic(), "is_active", r.isActive(),
                        "name_scope", r.isPublic() || r.spaceUid() == null ? "" : r.spaceUid()))
                .build();
    }

    /**
     * Creates the rule; {@link DuplicateNameException} if a live rule of its scope has the name: names are unique
     * among the public rules and within each space (a space may reuse another space's name).
     */
    public DesensitizeRule create(DesensitizeRule rule) {
        if (rule.isDeleted()) throw new IllegalArgumentException("cannot create deleted rule '" + rule.ruleName() + "'");
        return table.insert(rule);
    }

    /** Saves the rule; a deleted rule cannot be changed ({@link MetadataNotFoundException}). */
    public DesensitizeRule update(DesensitizeRule rule) {
        requireLive(rule);
        return table.update(rule);
    }

    /** Soft-deletes the rule (optimistically locked); its name can be reused afterwards. */
    public DesensitizeRule delete(DesensitizeRule rule) {
        requireLive(rule);
        return db.write(table.entity, rule.ruleName(), () -> db.jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE " + TABLE + " SET deleted_id = id, deleted_at = :now, is_active = :f,"
                            + " version = version + 1, updated_at = :now WHERE id = :id AND version = :v AND deleted_id = 0")
                    .bind("now", Db.ts(db.now())).bind("f", false).bind("id", rule.id()).bind("v", rule.version())
                    .execute();
            if (n == 0) {
                DesensitizeRule current = table.find(h, rule.id()).orElse(null);
                if (current == null || current.isDeleted()) throw gone(rule);
                throw new MetadataConflictException(table.entity, rule.ruleName(), current.version(), rule.version());
            }
            return table.find(h, rule.id()).orElseThrow(() -> gone(rule));
        }));
    }

    private void requireLive(DesensitizeRule rule) {
        if (rule.isDeleted()) throw gone(rule);
    }

    private MetadataNotFoundException gone(DesensitizeRule rule) {
        return new MetadataNotFoundException(table.entity, rule.ruleName(), "desensitize rule '" + rule.ruleName()
                + "' (id " + rule.id() + ") was deleted");
    }

    /** The live rule with this id. */
    public Optional<DesensitizeRule> findById(long id) {
        return table.find(id).filter(r -> !r.isDeleted());
    }

    /** The rule with this id, even if deleted (field configs keep naming deleted rules). */
    public Optional<DesensitizeRule> findByIdIncludingDeleted(long id) {
        return table.find(id);
    }

    /** The live rule of that name the space sees: its own, else a public one. */
    public Optional<DesensitizeRule> findByName(String spaceUid, String ruleName) {
        return table.list("rule_name = :n AND deleted_id = 0 AND (name_scope = :s OR name_scope = '')",
                Map.of("n", ruleName, "s", spaceUid), "name_scope DESC", 1).stream().findFirst();
    }

    /** Whether any live rule, of any space or public, has the name (a new public rule's name is platform-wide). */
    public boolean anyLiveNamed(String ruleName) {
        return !table.list("rule_name = :n AND deleted_id = 0", Map.of("n", ruleName), "id", 1).isEmpty();
    }

    /** Live public rules. */
    public List<DesensitizeRule> listPublic() {
        return table.list("is_public = :t AND deleted_id = 0", Map.of("t", true), "id", 0);
    }

    /** Live rules owned by the space. */
    public List<DesensitizeRule> listBySpace(String spaceUid) {
        return table.list("space_uid = :s AND is_public = :f AND deleted_id = 0", Map.of("s", spaceUid, "f", false),
                "id", 0);
    }

    /** The space's live rules plus every live public rule, public first (bklog's match order). */
    public List<DesensitizeRule> listVisibleTo(String spaceUid) {
        return table.list("(space_uid = :s OR is_public = :t) AND deleted_id = 0", Map.of("s", spaceUid, "t", true),
                "is_public DESC, id", 0);
    }

    /** Every rule, deleted ones included. */
    public List<DesensitizeRule> listIncludingDeleted() {
        return table.all();
    }
}
