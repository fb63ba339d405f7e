package io.bklog.es;

import co.elastic.clients.transport.BackoffPolicy;

import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How {@link EsLogStore#index} retries bulk items Elasticsearch could not take now (429, 503,
 * {@code es_rejected_execution_exception}, node unreachable): up to {@code maxRetries} more attempts, waiting an
 * exponentially growing delay (the client's {@link BackoffPolicy#exponentialBackoff}) from {@code initialBackoff},
 * capped at {@code maxBackoff}, each with up to 50 % random jitter. Items still not taken are reported
 * {@code RETRYABLE}. Default: 3 retries from 100 ms, at most 5 s.
 */
public record BulkRetryPolicy(int maxRetries, Duration initialBackoff, Duration maxBackoff) {
    public static final BulkRetryPolicy DEFAULT = new BulkRetryPolicy(3, Duration.ofMillis(100), Duration.ofSeconds(5));
    public static final BulkRetryPolicy NONE = new BulkRetryPolicy(0, Duration.ZERO, Duration.ZERO);

    public BulkRetryPolicy {
        if (maxRetries < 0) throw new IllegalArgumentException("maxRetries must be >= 0, was " + maxRetries);
        if (initialBackoff == null || initialBackoff.isNegative()) {
            throw new IllegalArgumentException("initialBackoff must be >= 0, was " + initialBackoff);
        }
        if (maxBackoff == null || maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff must be >= initialBackoff, was " + maxBackoff);
        }
    }

    /** The delays (millis) before each retry, jitter included. */
    Iterator<Long> delays() {
        if (maxRetries == 0) return java.util.Collections.emptyIterator();
        Iterator<Long> base = BackoffPolicy.exponentialBackoff(Math.max(1, initialBackoff.toMillis()), maxRetries).iterator();
        long cap = maxBackoff.toMillis();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return base.hasNext();
            }

            @Override
            public Long next() {
                long d = Math.min(cap, base.next());
                return d + (d > 1 ? ThreadLocalRandom.current().nextLong(d / 2 + 1) : 0);
            }
        };
    }
}
