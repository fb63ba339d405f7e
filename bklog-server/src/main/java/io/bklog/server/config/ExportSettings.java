package io.bklog.server.config;

import io.bklog.core.search.ExportJobConfig;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Async export ({@code export.*}); see {@link ExportJobConfig}.
 *
 * @param maxBytes largest compressed export file; a job passing it fails. Default 2147483648 (2 GiB)
 * @param expiry   how long a finished file can be downloaded before the cleanup deletes it: {@code 30m},
 *                 {@code 24h}, {@code 7d}; default {@code 24h}
 * @param threads  exports running at the same time; default 2
 * @param store    where finished files are kept until they expire: blank = {@code {data_dir}/exports} (only this
 *                 instance serves the download); {@code dir} (setting {@code path}: a directory every instance
 *                 mounts) or {@code s3} (a bucket) so any instance serves it
 * @param settings the store's settings (as {@code backup.settings}; secrets from a file or
 *                 {@code BKLOG_EXPORT_SETTINGS_SECRET_KEY})
 */
public record ExportSettings(Long maxBytes, String expiry, Integer threads, String store,
                             java.util.Map<String, String> settings) {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*([smhd])");

    public ExportSettings {
        maxBytes = maxBytes == null ? ExportJobConfig.DEFAULT_MAX_BYTES : maxBytes;
        expiry = expiry == null || expiry.isBlank() ? "24h" : expiry.strip();
        threads = threads == null ? ExportJobConfig.DEFAULT_THREADS : threads;
        store = store == null ? "" : store.trim();
        settings = settings == null ? java.util.Map.of()
                : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(settings));
        toCore(maxBytes, expiry, threads);
    }

    public ExportSettings(Long maxBytes, String expiry, Integer threads) {
        this(maxBytes, expiry, threads, null, null);
    }

    /** The settings with every {@code <key>_file} replaced by the file's content. */
    public java.util.Map<String, String> resolvedSettings() {
        return BackupConfig.resolve("export.settings", settings);
    }

    public static ExportSettings defaults() {
        return new ExportSettings(null, null, null);
    }

    /** The core settings. */
    public ExportJobConfig toCore() {
        return toCore(maxBytes, expiry, threads);
    }

    private static ExportJobConfig toCore(long maxBytes, String expiry, int threads) {
        Matcher m = DURATION.matcher(expiry.toLowerCase(Locale.ROOT));
        if (!m.matches() || Long.parseLong(m.group(1)) == 0) {
            throw new IllegalArgumentException("export.expiry must be a positive duration like 30m, 24h or 7d, got \""
                    + expiry + "\"");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (maxBytes < 1) throw new IllegalArgumentException("export.max_bytes must be >= 1, got " + maxBytes);
        if (threads < 1) throw new IllegalArgumentException("export.threads must be >= 1, got " + threads);
        return new ExportJobConfig(maxBytes, d, threads);
    }
}
