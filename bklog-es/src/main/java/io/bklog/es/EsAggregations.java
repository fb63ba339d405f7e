package io.bklog.es;

import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.aggregations.Aggregate;
import co.elastic.clients.elasticsearch._types.aggregations.ArrayPercentilesItem;
import co.elastic.clients.elasticsearch._types.aggregations.FieldDateMath;
import co.elastic.clients.util.NamedValue;
import io.bklog.spi.FieldType;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.AggregationResult.Bucket;
import io.bklog.spi.query.AggregationResult.TimeBucket;
import io.bklog.spi.query.Intervals;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * bklog aggregations as Elasticsearch aggregations and back: terms ordered by count then key with the count of the
 * rest, date histograms on a fixed interval aligned to the epoch with empty buckets over the searched range,
 * stats, cardinality (precision threshold 10,000, exact below it) and percentiles.
 */
final class EsAggregations {
    /** Hidden companion counts: percentiles report null when no document has the field. */
    static final String COUNT_SUFFIX = "__bklog_count";
    private static final int PRECISION_THRESHOLD = 10_000;

    private final Map<String, FieldType> fields;

    EsAggregations(Map<String, FieldType> fields) {
        this.fields = fields;
    }

    /** The histogram interval an aggregation uses for the time range {@code [from, to)}. */
    static Duration interval(Aggregation.DateHistogram h, Instant from, Instant to) {
        if (h.interval() != null) return h.interval();
        return Intervals.auto(from, to, h.targetBuckets());
    }

    Map<String, co.elastic.clients.elasticsearch._types.aggregations.Aggregation> build(
            Map<String, Aggregation> aggs, Instant from, Instant to, Map<String, Duration> intervals) {
        Map<String, co.elastic.clients.elasticsearch._types.aggregations.Aggregation> out = new LinkedHashMap<>();
        aggs.forEach((name, a) -> {
            if (name.endsWith(COUNT_SUFFIX)) {
                throw new IllegalArgumentException("aggregation name '" + name + "' must not end with " + COUNT_SUFFIX);
            }
            if (fields.get(a.field()) == FieldType.TEXT) {
                throw new IllegalArgumentException("aggregation '" + name + "' is on text field '" + a.field()
                        + "'; aggregate a keyword, numeric, boolean, ip or date field");
            }
            if (a instanceof Aggregation.Terms t) {
                out.put(name, co.elastic.clients.elasticsearch._types.aggregations.Aggregation.of(x -> x.terms(tt -> tt
                        .field(t.field()).size(t.size()).shardSize(Math.max(t.size() * 10, 100))
                        .order(List.of(NamedValue.of("_count", SortOrder.Desc), NamedValue.of("_key", SortOrder.Asc))))));
            } else if (a instanceof Aggregation.DateHistogram h) {
                Duration interval = intervals.get(name);
                out.put(name, co.elastic.clients.elasticsearch._types.aggregations.Aggregation.of(x -> x.dateHistogram(d -> {
                    d.field(h.field()).fixedInterval(ti -> ti.time(interval.toMillis() + "ms")).minDocCount(0);
                    if (from != null && to != null && to.isAfter(from)) {
                        d.extendedBounds(eb -> eb.min(FieldDateMath.of(f -> f.value(from.toEpochMilli())))
                                .max(FieldDateMath.of(f -> f.value(to.toEpochMilli() - 1))));
                    }
                    return d;
                })));
            } else if (a instanceof Aggregation.Stats s) {
                out.put(name, co.elastic.clients.elasticsearch._types.aggregations.Aggregation.of(x -> x.stats(st -> st.field(s.field()))));
            } else if (a instanceof Aggregation.Cardinality c) {
                out.put(name, co.elastic.clients.elasticsearch._types.aggregations.Aggregation.of(x -> x.cardinality(cc -> cc
                        .field(c.field()).precisionThreshold(PRECISION_THRESHOLD))));
            } else if (a instanceof Aggregation.Percentiles p) {
                out.put(name, co.elastic.clients.elasticsearch._types.aggregations.Aggregation.of(x -> x.percentiles(pp -> pp
                        .field(p.field()).percents(p.percents()).keyed(false))));
                out.put(name + COUNT_SUFFIX, co.elastic.clients.elasticsearch._types.aggregations.Aggregation.of(x -> x
                        .valueCount(v -> v.field(p.field()))));
            }
        });
        return out;
    }

    Map<String, AggregationResult> parse(Map<String, Aggregation> aggs, Map<String, Aggregate> results,
                                         Map<String, Duration> intervals) {
        Map<String, AggregationResult> out = new LinkedHashMap<>();
        aggs.forEach((name, a) -> {
            Aggregate r = results.get(name);
            if (r == null) throw new IllegalStateException("Elasticsearch returned no aggregation '" + name + "'");
            if (a instanceof Aggregation.Terms t) {
                out.put(name, terms(r, fields.get(t.field())));
            } else if (a instanceof Aggregation.DateHistogram) {
                List<TimeBucket> buckets = new ArrayList<>();
                for (var b : r.dateHistogram().buckets().array()) {
                    buckets.add(new TimeBucket(Instant.ofEpochMilli(b.key()), b.docCount()));
                }
                out.put(name, new AggregationResult.HistogramResult(intervals.get(name), buckets));
            } else if (a instanceof Aggregation.Stats) {
                var s = r.stats();
                out.put(name, s.count() == 0 ? new AggregationResult.StatsResult(0, null, null, null, null)
                        : new AggregationResult.StatsResult(s.count(), s.min(), s.max(), s.avg(), s.sum()));
            } else if (a instanceof Aggregation.Cardinality) {
                out.put(name, new AggregationResult.CardinalityResult(r.cardinality().value()));
            } else if (a instanceof Aggregation.Percentiles p) {
                long count = (long) results.get(name + COUNT_SUFFIX).valueCount().value();
                Map<Double, Double> values = new HashMap<>();
                Map<Double, Double> byKey = new HashMap<>();
                if (count > 0) {
                    for (ArrayPercentilesItem item : r.tdigestPercentiles().values().array()) {
                        byKey.put(item.key(), item.value());
                    }
                }
                // no value (no document has the field) is left out: PercentilesResult's map takes no nulls
                if (count > 0) {
                    for (Double pct : p.percents()) {
                        Double v = byKey.get(pct);
                        if (v != null && !v.isNaN()) values.put(pct, v);
                    }
                }
                out.put(name, new AggregationResult.PercentilesResult(values));
            }
        });
        return out;
    }

    private static AggregationResult.TermsResult terms(Aggregate r, FieldType type) {
        List<Bucket> buckets = new ArrayList<>();
        long other;
        if (r.isSterms()) {
            for (var b : r.sterms().buckets().array()) buckets.add(new Bucket(b.key().stringValue(), b.docCount()));
            other = r.sterms().sumOtherDocCount() == null ? 0 : r.sterms().sumOtherDocCount();
        } else if (r.isLterms()) {
            for (var b : r.lterms().buckets().array()) {
                String key = type == FieldType.BOOLEAN ? String.valueOf(b.key() != 0) : Long.toString(b.key());
                buckets.add(new Bucket(key, b.docCount()));
            }
            other = r.lterms().sumOtherDocCount() == null ? 0 : r.lterms().sumOtherDocCount();
        } else if (r.isDterms()) {
            for (var b : r.dterms().buckets().array()) {
                buckets.add(new Bucket(BigDecimal.valueOf(b.key()).stripTrailingZeros().toPlainString(), b.docCount()));
            }
            other = r.dterms().sumOtherDocCount() == null ? 0 : r.dterms().sumOtherDocCount();
        } else {
            other = 0; // unmapped field: no buckets
        }
        return new AggregationResult.TermsResult(buckets, other);
    }
}
