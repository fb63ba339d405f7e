package io.bklog.spi.query;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** Aggregations a store computes over the documents a search matches. */
public sealed interface Aggregation
        permits Aggregation.Terms, Aggregation.DateHistogram, Aggregation.Stats, Aggregation.Cardinality,
                Aggregation.Percentiles {

    String field();

    /** Top {@code size} values by count (ties: smaller key first), with the count of the rest. */
    record Terms(String field, int size) implements Aggregation {
        public Terms {
            Objects.requireNonNull(field, "field");
            if (size < 1) throw new IllegalArgumentException("terms size must be >= 1, was " + size);
        }
    }

    /**
     * Buckets of a fixed {@code interval} aligned to the epoch (UTC). A null interval means "auto": the store picks
     * {@link Intervals#auto} for the search's time range and {@code targetBuckets}. Empty buckets inside the time
     * range are returned with count 0.
     */
    record DateHistogram(String field, Duration interval, int targetBuckets) implements Aggregation {
        public DateHistogram {
            Objects.requireNonNull(field, "field");
            if (interval != null && (interval.isZero() || interval.isNegative())) {
                throw new IllegalArgumentException("interval must be positive, was " + interval);
            }
        }

        public static DateHistogram fixed(String field, Duration interval) { return new DateHistogram(field, interval, 0); }
        public static DateHistogram auto(String field, int targetBuckets) { return new DateHistogram(field, null, targetBuckets); }
    }

    /** count, min, max, avg, sum of a numeric field. */
    record Stats(String field) implements Aggregation {
        public Stats {
            Objects.requireNonNull(field, "field");
        }
    }

    /** Number of distinct values (exact up to 10,000 distinct values on every backend). */
    record Cardinality(String field) implements Aggregation {
        public Cardinality {
            Objects.requireNonNull(field, "field");
        }
    }

    /** Percentiles (0..100) of a numeric field. Backends may approximate; exact on small sets. */
    record Percentiles(String field, List<Double> percents) implements Aggregation {
        public Percentiles {
            Objects.requireNonNull(field, "field");
            percents = List.copyOf(percents);
        }
    }
}
