package io.bklog.core.meta;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.IndexSetSchema;

import java.time.Instant;
import java.util.List;

/**
 * An index set: a named set of daily indices with one mapping, owned by a space. Its name, time field, fields,
 * shards, replicas and rollover size are validated as an {@link IndexSetSchema} (see {@link #schema()}).
 *
 * @param name           unique, {@code [a-z0-9][a-z0-9_]*}, also the store-side name
 * @param timeField      default {@value IndexSetSchema#DEFAULT_TIME_FIELD}; always present in {@code fields}
 * @param retentionDays  days indices are kept before archive/delete; default 14 (bklog {@code DEFAULT_RETENTION})
 * @param shards         default 1
 * @param replicas       default 0
 * @param rotation       how new physical indices start: {@code daily} (default)
 * @param rolloverBytes  start a new index of the day past this size; 0 = never by size
 * @param storeName      which configured {@code LogStore} holds it; default {@code default}
 * @param storageCluster optional cluster name within that store
 * @param dynamic        fields a document brings that {@code fields} lacks: {@code true} (default) maps them on first
 *                       sight with an inferred type, {@code strict} refuses the document, {@code false} keeps them in
 *                       the source, unsearchable (Elasticsearch's {@code dynamic})
 * @param patterns       log clustering (docs/patterns.md); default off
 */
public record IndexSet(long id, String name, String spaceUid, String timeField, List<FieldSpec> fields,
                       int retentionDays, int shards, int replicas, String rotation, long rolloverBytes,
                       String storeName, String storageCluster, String description, String dynamic, long version,
                       Instant createdAt, Instant updatedAt, io.bklog.core.patterns.PatternConfig patterns) {

    /** Without log clustering (off). */
    public IndexSet(long id, String name, String spaceUid, String timeField, List<FieldSpec> fields,
                    int retentionDays, int shards, int replicas, String rotation, long rolloverBytes,
                    String storeName, String storageCluster, String description, String dynamic, long version,
                    Instant createdAt, Instant updatedAt) {
        this(id, name, spaceUid, timeField, fields, retentionDays, shards, replicas, rotation, rolloverBytes,
                storeName, storageCluster, description, dynamic, version, createdAt, updatedAt, null);
    }

    public static final int DEFAULT_RETENTION_DAYS = 14;
    public static final String DEFAULT_ROTATION = "daily";
    public static final String DEFAULT_STORE = "default";
    /** The values of {@code dynamic}. */
    public static final String DYNAMIC_TRUE = "true";
    public static final String DYNAMIC_STRICT = "strict";
    public static final String DYNAMIC_FALSE = "false";

    public IndexSet {
        Rows.required(spaceUid, "space uid of index set '" + name + "'");
        IndexSetSchema schema = new IndexSetSchema(name, timeField, fields == null ? List.of() : fields,
                shards, replicas, rolloverBytes);
        timeField = schema.timeField();
        fields = schema.fields();
        if (retentionDays < 0) {
            throw new IllegalArgumentException("index set '" + name + "' retention_days must be >= 0 (0 keeps the"
                    + " indices forever), got " + retentionDays);
        }
        rotation = rotation == null || rotation.isBlank() ? DEFAULT_ROTATION : rotation;
        storeName = storeName == null || storeName.isBlank() ? DEFAULT_STORE : storeName;
        dynamic = dynamic == null || dynamic.isBlank() ? DYNAMIC_TRUE : dynamic.trim().toLowerCase(java.util.Locale.ROOT);
        if (!dynamic.equals(DYNAMIC_TRUE) && !dynamic.equals(DYNAMIC_STRICT) && !dynamic.equals(DYNAMIC_FALSE)) {
            throw new IllegalArgumentException("index set '" + name + "' dynamic must be true, strict or false, got '"
                    + dynamic + "'");
        }
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
        patterns = patterns == null ? io.bklog.core.patterns.PatternConfig.off() : patterns;
    }

    /** A new index set with every default. */
    public static IndexSet of(String name, String spaceUid, List<FieldSpec> fields) {
        return new IndexSet(0, name, spaceUid, null, fields, DEFAULT_RETENTION_DAYS, 1, 0, DEFAULT_ROTATION, 0,
                DEFAULT_STORE, null, null, null, 0, null, null);
    }

    /** What the store needs to create and write the indices. */
    public IndexSetSchema schema() {
        return new IndexSetSchema(name, timeField, fields, shards, replicas, rolloverBytes);
    }

    public IndexSet withFields(List<FieldSpec> newFields) {
        return new IndexSet(id, name, spaceUid, timeField, newFields, retentionDays, shards, replicas, rotation,
                rolloverBytes, storeName, storageCluster, description, dynamic, version, createdAt, updatedAt, patterns);
    }

    public IndexSet withRetentionDays(int days) {
        return new IndexSet(id, name, spaceUid, timeField, fields, days, shards, replicas, rotation,
                rolloverBytes, storeName, storageCluster, description, dynamic, version, createdAt, updatedAt, patterns);
    }

    public IndexSet withStorage(int newShards, int newReplicas, long newRolloverBytes) {
        return new IndexSet(id, name, spaceUid, timeField, fields, retentionDays, newShards, newReplicas, rotation,
                newRolloverBytes, storeName, storageCluster, description, dynamic, version, createdAt, updatedAt, patterns);
    }

    public IndexSet withStore(String newStoreName, String newStorageCluster) {
        return new IndexSet(id, name, spaceUid, timeField, fields, retentionDays, shards, replicas, rotation,
                rolloverBytes, newStoreName, newStorageCluster, description, dynamic, version, createdAt, updatedAt, patterns);
    }

    public IndexSet withDynamic(String newDynamic) {
        return new IndexSet(id, name, spaceUid, timeField, fields, retentionDays, shards, replicas, rotation,
                rolloverBytes, storeName, storageCluster, description, newDynamic, version, createdAt, updatedAt, patterns);
    }

    public IndexSet withDescription(String newDescription) {
        return new IndexSet(id, name, spaceUid, timeField, fields, retentionDays, shards, replicas, rotation,
                rolloverBytes, storeName, storageCluster, newDescription, dynamic, version, createdAt, updatedAt, patterns);
    }

    public IndexSet withPatterns(io.bklog.core.patterns.PatternConfig newPatterns) {
        return new IndexSet(id, name, spaceUid, timeField, fields, retentionDays, shards, replicas, rotation,
                rolloverBytes, storeName, storageCluster, description, dynamic, version, createdAt, updatedAt,
                newPatterns);
    }
}
