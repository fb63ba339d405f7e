package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Users' search history, newest first. */
public final class SearchHistoryRepository {
    static final String TABLE = "search_history";
    private final Table<SearchHistoryEntry> table;

    SearchHistoryRepository(Db db) {
        this.table = Table.<SearchHistoryEntry>builder(db, TABLE, "search history entry").appendOnly()
                .mapper((rs, ctx) -> new SearchHistoryEntry(rs.getLong("id"), rs.getString("username"),
                        rs.getLong("index_set_id"), rs.getString("keyword"), db.jsonNode(rs, "params"),
                        Db.instant(rs, "created_at"), rs.getBoolean("unmasked")))
                .id(SearchHistoryEntry::id).name(e -> e.username() + ": " + e.keyword())
                .columns(e -> Db.cols("username", e.username(), "index_set_id", e.indexSetId(),
                        "keyword", e.keyword(), "params", db.json(e.params()), "unmasked", e.unmasked()))
                .build();
    }

    /** Appends the search. */
    public SearchHistoryEntry record(SearchHistoryEntry entry) {
        return table.insert(entry);
    }

    /** The user's searches, newest first; {@code limit} 0 = all. */
    public List<SearchHistoryEntry> listByUser(String username, int limit) {
        return table.list("username = :u", Map.of("u", username), "created_at DESC, id DESC", limit);
    }

    /** The user's searches on one index set, newest first. */
    public List<SearchHistoryEntry> listByUser(String username, long indexSetId, int limit) {
        return table.list("username = :u AND index_set_id = :i", Map.of("u", username, "i", indexSetId),
                "created_at DESC, id DESC", limit);
    }

    /**
     * The user's searches on one index set, newest first; for a {@code masked} reader without those run unmasked
     * ({@link SearchHistoryEntry#unmasked}).
     */
    public List<SearchHistoryEntry> listByUser(String username, long indexSetId, int limit, boolean masked) {
        if (!masked) return listByUser(username, indexSetId, limit);
        return table.list("username = :u AND index_set_id = :i AND unmasked = :f",
                Map.of("u", username, "i", indexSetId, "f", false), "created_at DESC, id DESC", limit);
    }

    /** Clears one user's history; returns how many entries went. */
    public int deleteByUser(String username) {
        return table.deleteWhere("username = :u", Map.of("u", username));
    }

    /** Drops entries older than {@code before}; returns how many. */
    public int deleteCreatedBefore(Instant before) {
        return table.deleteWhere("created_at < :t", Map.of("t", Db.ts(before)));
    }
}
