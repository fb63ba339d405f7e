package io.bklog.spi.query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** Shared rule for the "auto" date-histogram interval, so every backend picks the same buckets. */
public final class Intervals {
    /** The "nice" intervals, ascending. */
    public static final List<Duration> NICE = List.of(
            Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30),
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(3), Duration.ofHours(6), Duration.ofHours(12),
            Duration.ofDays(1), Duration.ofDays(7), Duration.ofDays(30));

    private Intervals() {}

    /** The smallest nice interval giving at most {@code targetBuckets} buckets (default 60) over [from, to). */
    public static Duration auto(Instant from, Instant to, int targetBuckets) {
        int target = targetBuckets > 0 ? targetBuckets : 60;
        long span = Math.max(1, Duration.between(from, to).toMillis());
        for (Duration d : NICE) {
            if (span / d.toMillis() <= target) {
                return d;
            }
        }
        return NICE.get(NICE.size() - 1);
    }

    /** Start of the bucket holding {@code t}, aligned to the epoch. */
    public static long bucketStart(long epochMillis, Duration interval) {
        long i = interval.toMillis();
        return Math.floorDiv(epochMillis, i) * i;
    }
}
