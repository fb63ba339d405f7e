package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Synced index set sizes; one row per index set, last writer wins. */
public final class IndexSetCapacityRepository {
    static final String TABLE = "index_set_capacity";
    private final Db db;
    private final Table<IndexSetCapacity> table;

    IndexSetCapacityRepository(Db db) {
        this.db = db;
        this.table = Table.<IndexSetCapacity>builder(db, TABLE, "index set capacity").assignedId("index_set_id")
                .mapper((rs, ctx) -> new IndexSetCapacity(rs.getLong("index_set_id"), rs.getLong("doc_count"),
                        rs.getLong("size_bytes"), rs.getInt("index_count"), Db.instant(rs, "synced_at"),
                        rs.getLong("version"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(IndexSetCapacity::indexSetId).version(IndexSetCapacity::version)
                .name(c -> "of index set " + c.indexSetId())
                .columns(c -> Db.cols("doc_count", c.docCount(), "size_bytes", c.sizeBytes(),
                        "index_count", c.indexCount(), "synced_at", c.syncedAt()))
                .build();
    }

    /**
     * Stores the latest figures for the index set, creating the row the first time (no optimistic check: the
     * newest sync wins).
     */
    public IndexSetCapacity record(IndexSetCapacity capacity) {
        for (int attempt = 0; ; attempt++) {
            Optional<IndexSetCapacity> current = table.find(capacity.indexSetId());
            try {
                if (current.isPresent()) {
                    IndexSetCapacity c = capacity;
                    return table.update(new IndexSetCapacity(c.indexSetId(), c.docCount(), c.sizeBytes(),
                            c.indexCount(), c.syncedAt(), current.get().version(), null, null));
                }
                return table.insert(capacity);
            } catch (DuplicateNameException | MetadataConflictException e) {
                if (attempt >= 3) throw e; // another sync raced us; read again and overwrite
            }
        }
    }

    public Optional<IndexSetCapacity> findByIndexSet(long indexSetId) {
        return table.find(indexSetId);
    }

    public List<IndexSetCapacity> list() {
        return table.list(null, Map.of(), "index_set_id", 0);
    }

    /** Sum of the size of every index set. */
    public long totalSizeBytes() {
        return db.jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(size_bytes), 0) FROM " + TABLE)
                .mapTo(Long.class).one());
    }
}
