package io.bklog.core.memory;

import io.bklog.spi.FieldType;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Intervals;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Computes {@link Aggregation}s over the documents a search matched, exactly. */
final class MemoryAggregator {

    /** Elasticsearch's default {@code search.max_buckets}. */
    static final int MAX_BUCKETS = 65_536;

    /** A matched document with the type of each field in its index's mapping. */
    record Match(MemoryDocument doc, Function<String, FieldType> types) {}

    private final List<Match> matches;
    private final Instant from;
    private final Instant to;

    MemoryAggregator(List<Match> matches, Instant from, Instant to) {
        this.matches = matches;
        this.from = from;
        this.to = to;
    }

    AggregationResult compute(String name, Aggregation a) {
        if (a instanceof Aggregation.Terms t) return terms(name, t);
        if (a instanceof Aggregation.DateHistogram h) return histogram(name, h);
        if (a instanceof Aggregation.Stats s) return stats(s);
        if (a instanceof Aggregation.Cardinality c) return cardinality(name, c);
        if (a instanceof Aggregation.Percentiles p) return percentiles(p);
        throw new IllegalArgumentException("unknown aggregation " + a.getClass().getName());
    }

    /** The type the field has in the first mapping that has it, or null. */
    private FieldType typeOf(String field) {
        for (Match m : matches) {
            FieldType t = m.types().apply(field);
            if (t != null) return t;
        }
        return null;
    }

    private void rejectText(String name, String kind, String field) {
        if (typeOf(field) == FieldType.TEXT) {
            throw new IllegalArgumentException(kind + " aggregation '" + name + "' on text field '" + field
                    + "' is not supported; aggregate a keyword field");
        }
    }

    /** The values of {@code field} in a matched document, only when its mapping has the field. */
    private static List<Object> values(Match m, String field) {
        FieldType t = m.types().apply(field);
        if (t == null) return List.of();
        return DocumentValues.values(m.doc().get(field));
    }

    private AggregationResult terms(String name, Aggregation.Terms t) {
        rejectText(name, "terms", t.field());
        Map<Object, Long> counts = new HashMap<>();
        for (Match m : matches) {
            for (Object v : new LinkedHashSet<>(values(m, t.field()))) {
                counts.merge(v, 1L, Long::sum);
            }
        }
        FieldType type = typeOf(t.field());
        List<Map.Entry<Object, Long>> entries = new ArrayList<>(counts.entrySet());
        entries.sort((x, y) -> {
            int c = Long.compare(y.getValue(), x.getValue());
            return c != 0 ? c : DocumentValues.compare(type, x.getKey(), y.getKey());
        });
        List<AggregationResult.Bucket> buckets = new ArrayList<>();
        long other = 0;
        for (int i = 0; i < entries.size(); i++) {
            Map.Entry<Object, Long> e = entries.get(i);
            if (i < t.size()) {
                buckets.add(new AggregationResult.Bucket(DocumentValues.key(e.getKey()), e.getValue()));
            } else {
                other += e.getValue();
            }
        }
        return new AggregationResult.TermsResult(buckets, other);
    }

    private AggregationResult histogram(String name, Aggregation.DateHistogram h) {
        rejectText(name, "date_histogram", h.field());
        Long min = null;
        Long max = null;
        List<long[]> perDoc = new ArrayList<>();
        for (Match m : matches) {
            List<Object> vs = values(m, h.field());
            long[] millis = new long[vs.size()];
            int n = 0;
            for (Object v : vs) {
                if (!(v instanceof Number num) || v instanceof Double) continue;
                long x = num.longValue();
                millis[n++] = x;
                min = min == null ? x : Math.min(min, x);
                max = max == null ? x : Math.max(max, x);
            }
            if (n > 0) perDoc.add(java.util.Arrays.copyOf(millis, n));
        }
        Long lo = from != null ? Long.valueOf(from.toEpochMilli()) : min;
        Long hi = to != null ? Long.valueOf(to.toEpochMilli() - 1) : max;
        Duration interval = h.interval();
        if (interval == null) {
            interval = lo == null || hi == null
                    ? Intervals.auto(Instant.EPOCH, Instant.EPOCH, h.targetBuckets())
                    : Intervals.auto(Instant.ofEpochMilli(lo), Instant.ofEpochMilli(hi + 1), h.targetBuckets());
        }
        if (lo == null || hi == null) {
            return new AggregationResult.HistogramResult(interval, List.of());
        }
        // buckets cover the time range and every value (Elasticsearch's extended bounds)
        long first = Intervals.bucketStart(min == null ? lo : Math.min(lo, min), interval);
        long last = Intervals.bucketStart(max == null ? hi : Math.max(hi, max), interval);
        long step = interval.toMillis();
        long count = (last - first) / step + 1;
        if (count > MAX_BUCKETS) {
            throw new IllegalArgumentException("date_histogram '" + name + "' would have " + count
                    + " buckets, more than " + MAX_BUCKETS + "; use a larger interval or a shorter time range");
        }
        TreeMap<Long, Long> buckets = new TreeMap<>();
        for (long b = first; b <= last; b += step) {
            buckets.put(b, 0L);
        }
        for (long[] millis : perDoc) {
            Set<Long> seen = new HashSet<>();
            for (long x : millis) {
                long b = Intervals.bucketStart(x, interval);
                if (seen.add(b)) buckets.merge(b, 1L, Long::sum);
            }
        }
        List<AggregationResult.TimeBucket> out = new ArrayList<>(buckets.size());
        buckets.forEach((b, c) -> out.add(new AggregationResult.TimeBucket(Instant.ofEpochMilli(b), c)));
        return new AggregationResult.HistogramResult(interval, out);
    }

    private List<Double> numbers(String field) {
        List<Double> out = new ArrayList<>();
        for (Match m : matches) {
            for (Object v : values(m, field)) {
                if (v instanceof Number n) out.add(n.doubleValue());
            }
        }
        return out;
    }

    private AggregationResult stats(Aggregation.Stats s) {
        List<Double> xs = numbers(s.field());
        if (xs.isEmpty()) return new AggregationResult.StatsResult(0, null, null, null, null);
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        double sum = 0;
        for (double x : xs) {
            min = Math.min(min, x);
            max = Math.max(max, x);
            sum += x;
        }
        return new AggregationResult.StatsResult(xs.size(), min, max, sum / xs.size(), sum);
    }

    private AggregationResult cardinality(String name, Aggregation.Cardinality c) {
        rejectText(name, "cardinality", c.field());
        Set<Object> distinct = new HashSet<>();
        for (Match m : matches) {
            distinct.addAll(values(m, c.field()));
        }
        return new AggregationResult.CardinalityResult(distinct.size());
    }

    /** Linear interpolation between the closest ranks ({@code (n - 1) * p / 100}); absent when there is no value. */
    private AggregationResult percentiles(Aggregation.Percentiles p) {
        for (double pct : p.percents()) {
            if (!(pct >= 0 && pct <= 100)) {
                throw new IllegalArgumentException("percentile " + pct + " of field '" + p.field()
                        + "' must be between 0 and 100");
            }
        }
        List<Double> xs = numbers(p.field());
        Map<Double, Double> out = new LinkedHashMap<>();
        if (!xs.isEmpty()) {
            double[] sorted = xs.stream().mapToDouble(Double::doubleValue).sorted().toArray();
            for (double pct : p.percents()) {
                double rank = (sorted.length - 1) * pct / 100.0;
                int lo = (int) Math.floor(rank);
                int hi = (int) Math.ceil(rank);
                double v = sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
                out.put(pct, v);
            }
        }
        return new AggregationResult.PercentilesResult(out);
    }
}
