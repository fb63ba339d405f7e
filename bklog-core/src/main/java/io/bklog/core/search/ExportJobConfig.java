package io.bklog.core.search;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of async exports ({@code export.*} in the server config).
 *
 * @param maxBytes largest compressed file an export may write; a job passing it fails, naming the limit. Default
 *                 {@value #DEFAULT_MAX_BYTES} (2 GiB)
 * @param expiry   how long a finished file can be downloaded before the cleanup deletes it; default 24 h
 * @param threads  exports that run at the same time; more wait in a queue. Default {@value #DEFAULT_THREADS}
 */
public record ExportJobConfig(long maxBytes, Duration expiry, int threads) {
    public static final long DEFAULT_MAX_BYTES = 2L * 1024 * 1024 * 1024;
    public static final Duration DEFAULT_EXPIRY = Duration.ofHours(24);
    public static final int DEFAULT_THREADS = 2;

    public ExportJobConfig {
        if (maxBytes < 1) throw new IllegalArgumentException("export maxBytes must be >= 1, got " + maxBytes);
        Objects.requireNonNull(expiry, "expiry");
        if (expiry.isNegative() || expiry.isZero()) {
            throw new IllegalArgumentException("export expiry must be positive, got " + expiry);
        }
        if (threads < 1) throw new IllegalArgumentException("export threads must be >= 1, got " + threads);
    }

    public static ExportJobConfig defaults() {
        return new ExportJobConfig(DEFAULT_MAX_BYTES, DEFAULT_EXPIRY, DEFAULT_THREADS);
    }

    public ExportJobConfig withMaxBytes(long newMaxBytes) {
        return new ExportJobConfig(newMaxBytes, expiry, threads);
    }

    public ExportJobConfig withExpiry(Duration newExpiry) {
        return new ExportJobConfig(maxBytes, newExpiry, threads);
    }
}
