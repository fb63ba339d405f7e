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
 */
public record BackupManifest(String id, String kind, String parent, String time, String schemaVersion,
                             String repository, String snapshot, Map<String, IndexEntry> indices,
                             List<String> archived, Map<String, String> files) {
    public BackupManifest {
        indices = indices == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(indices));
        archived = archived == null ? List.of() : List.copyOf(archived);
        files = files == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(files));
    }

    /** One backed-up index. */
    public record IndexEntry(long docCount, String snapshot) {}

    public long totalDocs() {
        return indices.values().stream().mapToLong(IndexEntry::docCount).sum();
    }
}
