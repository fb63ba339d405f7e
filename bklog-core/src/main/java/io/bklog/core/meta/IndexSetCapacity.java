package io.bklog.core.meta;

import java.time.Instant;

/** The size of an index set as last synced from the store (capacity-sync task). */
public record IndexSetCapacity(long indexSetId, long docCount, long sizeBytes, int indexCount, Instant syncedAt,
                               long version, Instant createdAt, Instant updatedAt) {

    public IndexSetCapacity {
        java.util.Objects.requireNonNull(syncedAt, "capacity syncedAt");
        if (docCount < 0 || sizeBytes < 0 || indexCount < 0) {
            throw new IllegalArgumentException("capacity of index set " + indexSetId + " cannot be negative");
        }
        syncedAt = Rows.ms(syncedAt);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static IndexSetCapacity of(long indexSetId, long docCount, long sizeBytes, int indexCount,
                                      Instant syncedAt) {
        return new IndexSetCapacity(indexSetId, docCount, sizeBytes, indexCount, syncedAt, 0, null, null);
    }
}
