package io.bklog.core.meta;

import org.jdbi.v3.core.statement.PreparedBatch;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The patterns mined per index set (log clustering, docs/patterns.md), shared by every instance. Writes are batched
 * upserts: a new id is inserted (a concurrent insert of the same id by another instance keeps one row), a known one
 * gets its count added to, its last-seen time advanced and its merge recorded.
 */
public final class PatternRepository {
    static final String TABLE = "patterns";
    private final Db db;

    PatternRepository(Db db) {
        this.db = db;
    }

    /**
     * Writes a batch in one transaction: each record's {@code count} is added to the stored count (a delta), the
     * template replaced, {@code merged_into} set when given, {@code last_seen} advanced; {@code first_seen} and
     * {@code label} are kept as they are.
     */
    public void upsert(Collection<PatternRecord> batch) {
        if (batch.isEmpty()) return;
        Instant now = db.now();
        db.jdbi.useTransaction(h -> {
            PreparedBatch b = h.prepareBatch("INSERT INTO " + TABLE + " (index_set, id, template, merged_into, count,"
                    + " first_seen, last_seen, updated_at) VALUES (:index_set, :id, :template, :merged_into, :count,"
                    + " :first_seen, :last_seen, :updated_at) ON DUPLICATE KEY UPDATE count = count + VALUES(count),"
                    + " template = VALUES(template), merged_into = COALESCE(VALUES(merged_into), merged_into),"
                    + " last_seen = GREATEST(last_seen, VALUES(last_seen)), updated_at = VALUES(updated_at)");
            for (PatternRecord r : batch) {
                b.bind("index_set", r.indexSet()).bind("id", r.id()).bind("template", r.template())
                        .bind("merged_into", r.mergedInto()).bind("count", r.count())
                        .bind("first_seen", Db.ts(r.firstSeen() == null ? now : r.firstSeen()))
                        .bind("last_seen", Db.ts(r.lastSeen() == null ? now : r.lastSeen()))
                        .bind("updated_at", Db.ts(now)).add();
            }
            b.execute();
        });
    }

    /** Every pattern of the index set, merged ones included, by id. */
    public List<PatternRecord> list(String indexSet) {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT * FROM " + TABLE + " WHERE index_set = :s ORDER BY id")
                .bind("s", indexSet).map((rs, ctx) -> new PatternRecord(rs.getString("index_set"), rs.getString("id"),
                        rs.getString("template"), rs.getString("merged_into"), rs.getLong("count"),
                        Db.instant(rs, "first_seen"), Db.instant(rs, "last_seen"), rs.getString("label")))
                .list());
    }

    public Optional<PatternRecord> find(String indexSet, String id) {
        return list(indexSet).stream().filter(p -> p.id().equals(id)).findFirst();
    }

    /** Sets (or with null clears) the label of a pattern; false when the index set has no such pattern. */
    public boolean label(String indexSet, String id, String label) {
        return db.jdbi.withHandle(h -> h.createUpdate("UPDATE " + TABLE + " SET label = :label, updated_at = :now"
                + " WHERE index_set = :s AND id = :id").bind("label", label).bind("now", Db.ts(db.now()))
                .bind("s", indexSet).bind("id", id).execute()) > 0;
    }

    /** Forgets every pattern of the index set (it was deleted). */
    public int deleteIndexSet(String indexSet) {
        return db.jdbi.withHandle(h -> h.createUpdate("DELETE FROM " + TABLE + " WHERE index_set = :s")
                .bind("s", indexSet).execute());
    }
}
