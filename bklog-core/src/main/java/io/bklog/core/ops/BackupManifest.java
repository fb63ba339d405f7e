package io.bklog.core.ops;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a backup holds, written as {@code manifest.json} in its directory of the backup location.
 *
 * @param id             e.g. {@code full-20260320-120000-123}; lower case so every store accepts the snapshot name
 * @param kind           {@code full} or {@code incremental}
 * @param parent         the backup an incremental one builds on; null for a full one
 * @param time           when it was taken, ISO-8601 UTC
 * @param schemaVersion  metadata schema version of the dump
 * @param repository     the snapshot repository holding the index data
 * @param snapshot       the snapshot this backup took ({@code bklog_backup_{id}}); null when nothing changed
 * @param indices        every index live at backup time: its document count and the snapshot holding it (this
 *                       backup's or an ancestor's)
 * @param archived       archive snapshots recorded since the parent (they stay in their archive repository)
 * @param files          SHA-256 (hex) of every file the backup wrote, by file name
 * @param clusters       with several storage clusters: the snapshot this backup took in each cluster's own
 *                       repository, by cluster name ({@code repository} and {@code snapshot} are then null); empty
 *                       with one cluster
 */
public record BackupManifest(String id, String kind, String parent, String time, String schemaVersion,
                             String repository, String snapshot, Map<String, IndexEntry> indices,
                             List<String> archived, Map<String, String> files, Map<String, ClusterSnapshot> clusters) {
    public BackupManifest {
        clusters = clusters == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(clusters));
        indices = indices == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(indices));
        archived = archived == null ? List.of() : List.copyOf(archived);
        files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /** A backup of one storage cluster: with one cluster, {@code repository}, {@code snapshot} and no clusters. */
    public BackupManifest(String id, String kind, String parent, String time, String schemaVersion, String repository,
                          String snapshot, Map<String, IndexEntry> indices, List<String> archived,
                          Map<String, String> files) {
        this(id, kind, parent, time, schemaVersion, repository, snapshot, indices, archived, files, null);
    }

    /**
     * One backed-up index: its document count, the snapshot holding it and, with several storage clusters, the
     * cluster it lives in (whose repository holds the snapshot); null with one cluster.
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record IndexEntry(long docCount, String snapshot, String cluster) {
        public IndexEntry(long docCount, String snapshot) {
            this(docCount, snapshot, null);
        }
    }

    /** The snapshot a backup took in one storage cluster's repository. */
    public record ClusterSnapshot(String repository, String snapshot) {}

    /** Every snapshot this backup took: the one of a single cluster, or one per cluster. */
    public List<String> ownSnapshots() {
        List<String> out = new java.util.ArrayList<>();
        if (snapshot != null) out.add(snapshot);
        clusters.values().forEach(c -> out.add(c.snapshot()));
        return out;
    }

    public long totalDocs() {
        return indices.values().stream().mapToLong(IndexEntry::docCount).sum();
    }
}
