package io.bklog.server.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where archive snapshots (retention's archive-before-delete of the embedded store) are kept.
 *
 * @param store    a blob store kind: {@code dir} (setting {@code path}: a directory, e.g. on another disk) or
 *                 {@code s3} (an S3-compatible bucket, module {@code bklog-s3}, the settings of {@code backup.settings});
 *                 blank = in the store's own snapshot repository ({@code {data_dir}/lucene/snapshots})
 * @param settings the store's settings; a key ending in {@code _file} is read from that file, secrets
 *                 ({@code secret_key}) come from a file or the environment ({@code BKLOG_ARCHIVE_SETTINGS_SECRET_KEY})
 */
public record ArchiveStoreConfig(String store, Map<String, String> settings) {
    public ArchiveStoreConfig {
        store = store == null ? "" : store.trim();
        settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
    }

    public static ArchiveStoreConfig defaults() {
        return new ArchiveStoreConfig("", Map.of());
    }

    /** The settings with every {@code <key>_file} replaced by the file's content. */
    public Map<String, String> resolvedSettings() {
        return BackupConfig.resolve("archive.settings", settings);
    }
}
