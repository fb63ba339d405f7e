package io.bklog.core.indexset;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.IndexSetSchema;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A named set of daily indices with one mapping: its time field, fields, retention and layout.
 *
 * @param retentionDays daily indices older than this are deleted (after archiving, when configured)
 * @param shards        primary shards of each new daily index
 * @param replicas      replicas of each new daily index (0 on the embedded store)
 */
public record IndexSet(String name, String timeField, List<FieldSpec> fields, int retentionDays, int shards,
                       int replicas, Instant createdAt, Instant updatedAt) {

    public IndexSet {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(timeField, "timeField");
        fields = List.copyOf(fields);
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** What the store needs to know. */
    public IndexSetSchema schema() {
        return new IndexSetSchema(name, timeField, fields, shards, replicas, 0);
    }

    public Optional<FieldSpec> field(String fieldName) {
        return fields.stream().filter(f -> f.name().equals(fieldName)).findFirst();
    }
}
