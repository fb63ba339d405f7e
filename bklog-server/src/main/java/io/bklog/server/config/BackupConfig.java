package io.bklog.server.config;

import java.util.Map;
import java.util.TreeMap;

/**
 * Where backups go and how many are kept.
 *
 * @param location a local directory for the backups; blank = {@code {data_dir}/backups} (with {@code store} blank)
 * @param store    the blob store kind holding the backups instead of a directory: {@code s3} (an S3-compatible bucket,
 *                 module {@code bklog-s3}); blank = the directory {@code location}
 * @param settings the store's settings: for {@code s3} {@code bucket}, {@code prefix}, {@code endpoint},
 *                 {@code region}, {@code access_key}, {@code secret_key}, {@code path_style}, {@code part_size},
 *                 {@code timeout}; a key ending in {@code _file} is read from that file ({@code secret_key_file:
 *                 /run/secrets/s3}), so secrets come from a file or the environment
 *                 ({@code BKLOG_BACKUP_SETTINGS_SECRET_KEY}), never from the YAML itself
 * @param keepFull retention: after each scheduled backup keep the newest this many full backups (with their
 *                 incremental ones) and delete the older ones; 0 = keep all
 */
public record BackupConfig(String location, String store, Map<String, String> settings, int keepFull) {
    /** Settings holding a secret: refused in a YAML file (give them as {@code <key>_file} or by environment). */
    public static final java.util.Set<String> SECRET_SETTINGS = java.util.Set.of("secret_key");

    public BackupConfig {
        location = location == null ? "" : location.trim();
        store = store == null ? "" : store.trim();
        settings = settings == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(settings));
        if (keepFull < 0) {
            throw new IllegalArgumentException("backup.keep_full must be 0 (keep all) or more, got " + keepFull);
        }
        if (!store.isEmpty() && !location.isEmpty()) {
            throw new IllegalArgumentException("give either backup.location (a directory) or backup.store (e.g. s3),"
                    + " not both");
        }
    }

    public static BackupConfig defaults() {
        return new BackupConfig("", "", Map.of(), 0);
    }

    /** The settings with every {@code <key>_file} replaced by {@code <key>} = the file's content (trimmed). */
    public Map<String, String> resolvedSettings() {
        return resolve("backup.settings", settings);
    }

    /** {@code settings} with every {@code <key>_file} replaced by {@code <key>} = the file's content (trimmed). */
    static Map<String, String> resolve(String path, Map<String, String> settings) {
        Map<String, String> out = new TreeMap<>();
        settings.forEach((k, v) -> {
            if (k.endsWith("_file")) {
                String key = k.substring(0, k.length() - "_file".length());
                try {
                    out.put(key, java.nio.file.Files.readString(java.nio.file.Path.of(v)).trim());
                } catch (java.io.IOException e) {
                    throw new ConfigException("cannot read " + path + "." + k + " (" + v + "): " + e);
                }
            } else {
                out.put(k, v);
            }
        });
        return out;
    }
}
