package io.bklog.core.indexset;

import io.bklog.spi.FieldSpec;

import java.util.List;

/**
 * What a caller asks for when creating or updating an index set. Every component may be null, meaning "the
 * default" on create and "unchanged" on update. Defaults: {@link IndexSetService#DEFAULT_TIME_FIELD},
 * {@link IndexSetService#DEFAULT_FIELDS}, retention {@value IndexSetService#DEFAULT_RETENTION_DAYS} days,
 * {@value IndexSetService#DEFAULT_SHARDS} shard, {@value IndexSetService#DEFAULT_REPLICAS} replicas.
 *
 * @param fields         on create, the mapping (the time field is added when missing); on update, fields to add — a
 *                       field that exists keeps its type (changing it is refused)
 * @param storageCluster the storage cluster that holds the index set's indices ({@code storage_cluster}); null = the
 *                       default cluster on create, unchanged on update. Unknown names are refused, and so is moving an
 *                       index set that holds documents to another cluster.
 * @param dynamic        fields documents bring that the index set lacks: {@code true} (default: mapped on first sight),
 *                       {@code strict} (refused) or {@code false} (kept unsearchable); null = default / unchanged
 * @param patterns       log clustering settings (docs/patterns.md); null = off on create, unchanged on update (and
 *                       each of its components likewise)
 */
public record IndexSetSpec(String timeField, List<FieldSpec> fields, Integer retentionDays, Integer shards,
                           Integer replicas, String description, String storageCluster, String dynamic,
                           io.bklog.core.patterns.PatternConfig.Spec patterns) {

    /** Without log clustering settings (off on create, unchanged on update). */
    public IndexSetSpec(String timeField, List<FieldSpec> fields, Integer retentionDays, Integer shards,
                        Integer replicas, String description, String storageCluster, String dynamic) {
        this(timeField, fields, retentionDays, shards, replicas, description, storageCluster, dynamic, null);
    }

    @com.fasterxml.jackson.annotation.JsonCreator
    public IndexSetSpec {
        fields = fields == null ? null : List.copyOf(fields);
        storageCluster = storageCluster == null || storageCluster.isBlank() ? null : storageCluster.trim();
        dynamic = dynamic == null || dynamic.isBlank() ? null : dynamic.trim();
    }

    /** Without a dynamic setting (the default on create, unchanged on update). */
    public IndexSetSpec(String timeField, List<FieldSpec> fields, Integer retentionDays, Integer shards,
                        Integer replicas, String description, String storageCluster) {
        this(timeField, fields, retentionDays, shards, replicas, description, storageCluster, null);
    }

    /** Without a storage cluster (the default one on create, unchanged on update). */
    public IndexSetSpec(String timeField, List<FieldSpec> fields, Integer retentionDays, Integer shards,
                        Integer replicas, String description) {
        this(timeField, fields, retentionDays, shards, replicas, description, null);
    }

    /** This spec with the index set's storage cluster. */
    public IndexSetSpec withStorageCluster(String cluster) {
        return new IndexSetSpec(timeField, fields, retentionDays, shards, replicas, description, cluster, dynamic,
                patterns);
    }

    /** This spec with log clustering settings. */
    public IndexSetSpec withPatterns(io.bklog.core.patterns.PatternConfig.Spec newPatterns) {
        return new IndexSetSpec(timeField, fields, retentionDays, shards, replicas, description, storageCluster,
                dynamic, newPatterns);
    }

    /** All defaults. */
    public static IndexSetSpec defaults() {
        return new IndexSetSpec(null, null, null, null, null, null);
    }

    public static IndexSetSpec withFields(List<FieldSpec> fields) {
        return new IndexSetSpec(null, fields, null, null, null, null);
    }
}
