package io.bklog.spi.query;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The result of one {@link Aggregation}. */
public sealed interface AggregationResult
        permits AggregationResult.TermsResult, AggregationResult.HistogramResult, AggregationResult.StatsResult,
                AggregationResult.CardinalityResult, AggregationResult.PercentilesResult {

    /**
     * A terms bucket; {@code key} is the value as a string: long/date as {@link Long#toString}, double as
     * {@code BigDecimal.valueOf(d).stripTrailingZeros().toPlainString()}, boolean {@code true}/{@code false}.
     */
    record Bucket(String key, long count) {}

    record TermsResult(List<Bucket> buckets, long otherCount) implements AggregationResult {
        public TermsResult {
            buckets = List.copyOf(buckets);
        }
    }

    record TimeBucket(Instant start, long count) {}

    record HistogramResult(Duration interval, List<TimeBucket> buckets) implements AggregationResult {
        public HistogramResult {
            buckets = List.copyOf(buckets);
        }
    }

    /** min/max/avg/sum are null when count is 0. */
    record StatsResult(long count, Double min, Double max, Double avg, Double sum) implements AggregationResult {}

    record CardinalityResult(long value) implements AggregationResult {}

    /** percent → value; empty when no matching document has the field (every store leaves the keys out). */
    record PercentilesResult(Map<Double, Double> values) implements AggregationResult {
        public PercentilesResult {
            values = Map.copyOf(values);
        }
    }
}
