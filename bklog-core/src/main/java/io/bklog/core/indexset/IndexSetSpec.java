package io.bklog.core.indexset;

import io.bklog.spi.FieldSpec;

import java.util.List;

/**
 * What a caller asks for when creating or updating an index set. Every component may be null, meaning "the
 * default" on create and "unchanged" on update. Defaults: {@link IndexSetService#DEFAULT_TIME_FIELD},
 * {@link IndexSetService#DEFAULT_FIELDS}, retention {@value IndexSetService#DEFAULT_RETENTION_DAYS} days,
 * {@value IndexSetService#DEFAULT_SHARDS} shard, {@value IndexSetService#DEFAULT_REPLICAS} replicas.
 *
 * @param fields on create, the mapping (the time field is added when missing); on update, fields to add — a field
 *               that exists keeps its type (changing it is refused)
 */
public record IndexSetSpec(String timeField, List<FieldSpec> fields, Integer retentionDays, Integer shards,
                           Integer replicas, String description) {

    public IndexSetSpec {
        fields = fields == null ? null : List.copyOf(fields);
    }

    /** All defaults. */
    public static IndexSetSpec defaults() {
        return new IndexSetSpec(null, null, null, null, null, null);
    }

    public static IndexSetSpec withFields(List<FieldSpec> fields) {
        return new IndexSetSpec(null, fields, null, null, null, null);
    }
}
