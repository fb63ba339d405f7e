package io.bklog.lucene;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LuceneLogStore} makes an acknowledged batch durable.
 *
 * <ul>
 *   <li>{@link #writeAheadLog(Duration)} (default, every 30 s): each batch is appended to a write-ahead log and
 *       fsynced before {@code index} returns (concurrent batches share one fsync); Lucene commits every
 *       {@code commitInterval} — or sooner once the log passes {@code maxLogBytes} — and the log is replayed on
 *       open.</li>
 *   <li>{@link #commitEveryBatch()}: a Lucene commit of the touched indices before {@code index} returns; no log,
 *       much slower for small batches.</li>
 * </ul>
 *
 * @param writeAheadLog whether batches go through the write-ahead log
 * @param commitInterval how often Lucene commits in write-ahead-log mode
 * @param maxLogBytes log size that triggers an early commit (default 256 MiB)
 */
public record CommitPolicy(boolean writeAheadLog, Duration commitInterval, long maxLogBytes) {
    public static final Duration DEFAULT_COMMIT_INTERVAL = Duration.ofSeconds(30);
    public static final long DEFAULT_MAX_LOG_BYTES = 256L << 20;

    public CommitPolicy {
        Objects.requireNonNull(commitInterval, "commitInterval");
        if (commitInterval.isNegative() || commitInterval.isZero()) {
            throw new IllegalArgumentException("commitInterval must be positive, was " + commitInterval);
        }
        if (maxLogBytes < 1) throw new IllegalArgumentException("maxLogBytes must be >= 1, was " + maxLogBytes);
    }

    public static CommitPolicy writeAheadLog(Duration commitInterval) {
        return new CommitPolicy(true, commitInterval, DEFAULT_MAX_LOG_BYTES);
    }

    public static CommitPolicy commitEveryBatch() {
        return new CommitPolicy(false, DEFAULT_COMMIT_INTERVAL, DEFAULT_MAX_LOG_BYTES);
    }

    public static CommitPolicy defaults() {
        return writeAheadLog(DEFAULT_COMMIT_INTERVAL);
    }

    /** Parses {@code wal} or {@code every_batch} (config key {@code commit.mode}). */
    public static CommitPolicy parse(String mode, Duration commitInterval) {
        return switch (mode.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "wal", "write_ahead_log" -> writeAheadLog(commitInterval);
            case "every_batch", "every_bulk", "commit" -> new CommitPolicy(false, commitInterval, DEFAULT_MAX_LOG_BYTES);
            default -> throw new IllegalArgumentException("commit mode '" + mode + "' is unknown; use wal or every_batch");
        };
    }
}
