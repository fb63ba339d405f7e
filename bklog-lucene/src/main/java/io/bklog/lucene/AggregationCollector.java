package io.bklog.lucene;

import io.bklog.spi.FieldType;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Intervals;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedNumericDocValues;
import org.apache.lucene.index.SortedSetDocValues;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.util.NumericUtils;

import java.io.IOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Computes one {@link Aggregation} from doc values while the search collects. Keyword and ip fields read
 * {@link SortedSetDocValues}; long, date, double and boolean fields read {@link SortedNumericDocValues}. A field
 * without doc values (unmapped) yields empty results; a text field cannot be aggregated.
 */
abstract class AggregationCollector implements Collector {
    protected final String field;
    protected final FieldType type;

    AggregationCollector(String field, FieldType type) {
        this.field = field;
        this.type = type;
    }

    abstract AggregationResult result();

    @Override
    public ScoreMode scoreMode() {
        return ScoreMode.COMPLETE_NO_SCORES;
    }

    static AggregationCollector create(String name, Aggregation a, FieldType type, Instant from, Instant to) {
        if (type == FieldType.TEXT) {
            throw new IllegalArgumentException("aggregation '" + name + "' cannot use text field '" + a.field()
                    + "'; aggregate a keyword field instead");
        }
        if (a instanceof Aggregation.Terms t) return new TermsCollector(t.field(), type, t.size());
        if (a instanceof Aggregation.Cardinality c) return new CardinalityCollector(c.field(), type);
        if (type == FieldType.KEYWORD || type == FieldType.IP) {
            throw new IllegalArgumentException("aggregation '" + name + "' needs a numeric or date field, but '"
                    + a.field() + "' is " + type.wireName());
        }
        if (a instanceof Aggregation.Stats s) return new StatsCollector(s.field(), type);
        if (a instanceof Aggregation.Percentiles p) return new PercentilesCollector(p.field(), type, p.percents());
        if (a instanceof Aggregation.DateHistogram h) {
            return new HistogramCollector(h.field(), type, h.interval(), h.targetBuckets(), from, to);
        }
        throw new IllegalArgumentException("unknown aggregation " + a.getClass().getName());
    }

    /** The bucket key of a set-field doc value: IP doc values are address bytes, keywords are UTF-8 text. */
    static String keyOf(FieldType type, org.apache.lucene.util.BytesRef value) {
        return type == FieldType.IP ? LuceneValues.ipFromDocValue(value) : value.utf8ToString();
    }

    /** Visits the values of each collected document (deduplicated per document for set fields). */
    abstract static class ValueCollector extends AggregationCollector {
        ValueCollector(String field, FieldType type) {
            super(field, type);
        }

        /** Called with each numeric value as the raw doc-values long (sortable bits for doubles). */
        void onLong(long raw) {
        }

        /** Called once per document with its number of values. */
        void onDoc(int valueCount) {
        }

        /** Called for each ordinal of a set field; {@code dv} is the current leaf's doc values. */
        void onOrd(SortedSetDocValues dv, long ord) throws IOException {
        }

        void finishLeaf(SortedSetDocValues dv) throws IOException {
        }

        void startLeaf(SortedSetDocValues dv) throws IOException {
        }

        @Override
        public LeafCollector getLeafCollector(LeafReaderContext ctx) throws IOException {
            if (type == null) return NOOP;
            if (type == FieldType.KEYWORD || type == FieldType.IP) {
                SortedSetDocValues dv = DocValues.getSortedSet(ctx.reader(), field);
                startLeaf(dv);
                return new LeafCollector() {
                    @Override
                    public void setScorer(Scorable scorer) {
                    }

                    @Override
                    public void collect(int doc) throws IOException {
                        if (!dv.advanceExact(doc)) {
                            onDoc(0);
                            return;
                        }
                        int n = dv.docValueCount();
                        onDoc(n);
                        for (int i = 0; i < n; i++) onOrd(dv, dv.nextOrd());
                    }

                    @Override
                    public void finish() throws IOException {
                        finishLeaf(dv);
                    }
                };
            }
            SortedNumericDocValues dv = DocValues.getSortedNumeric(ctx.reader(), field);
            return new LeafCollector() {
                @Override
                public void setScorer(Scorable scorer) {
                }

                @Override
                public void collect(int doc) throws IOException {
                    if (!dv.advanceExact(doc)) {
                        onDoc(0);
                        return;
                    }
                    int n = dv.docValueCount();
                    onDoc(n);
                    for (int i = 0; i < n; i++) onLong(dv.nextValue());
                }
            };
        }

        double toDouble(long raw) {
            return type == FieldType.DOUBLE ? NumericUtils.sortableLongToDouble(raw) : raw;
        }

        String key(long raw) {
            return switch (type) {
                case DOUBLE -> BigDecimal.valueOf(NumericUtils.sortableLongToDouble(raw)).stripTrailingZeros()
                        .toPlainString();
                case BOOLEAN -> raw != 0 ? "true" : "false";
                default -> Long.toString(raw);
            };
        }
    }

    private static final LeafCollector NOOP = new LeafCollector() {
        @Override
        public void setScorer(Scorable scorer) {
        }

        @Override
        public void collect(int doc) {
        }
    };

    /** Top values by document count; ties by smaller key (numeric order for numeric fields). */
    static final class TermsCollector extends ValueCollector {
        private final int size;
        private final Map<String, long[]> byKey = new HashMap<>();
        private final Map<Long, long[]> byLong = new HashMap<>();
        private long[] ordCounts;
        private long previousRaw;
        private boolean first;

        TermsCollector(String field, FieldType type, int size) {
            super(field, type);
            this.size = size;
        }

        @Override
        void startLeaf(SortedSetDocValues dv) {
            ordCounts = new long[(int) Math.min(Integer.MAX_VALUE - 8, dv.getValueCount())];
        }

        @Override
        void onOrd(SortedSetDocValues dv, long ord) {
            ordCounts[(int) ord]++;
        }

        @Override
        void finishLeaf(SortedSetDocValues dv) throws IOException {
            for (int ord = 0; ord < ordCounts.length; ord++) {
                if (ordCounts[ord] > 0) {
                    byKey.computeIfAbsent(keyOf(type, dv.lookupOrd(ord)), k -> new long[1])[0] += ordCounts[ord];
                }
            }
        }

        @Override
        void onDoc(int valueCount) {
            first = true;
        }

        @Override
        void onLong(long raw) {
            // values of one document come sorted: count each distinct value once
            if (!first && raw == previousRaw) return;
            first = false;
            previousRaw = raw;
            byLong.computeIfAbsent(raw, k -> new long[1])[0]++;
        }

        @Override
        AggregationResult result() {
            List<AggregationResult.Bucket> all = new ArrayList<>();
            if (!byLong.isEmpty()) {
                List<Map.Entry<Long, long[]>> entries = new ArrayList<>(byLong.entrySet());
                Comparator<Map.Entry<Long, long[]>> byValue = type == FieldType.DOUBLE
                        ? Comparator.comparingDouble(e -> NumericUtils.sortableLongToDouble(e.getKey()))
                        : Comparator.comparingLong(Map.Entry::getKey);
                entries.sort(Comparator.<Map.Entry<Long, long[]>>comparingLong(e -> -e.getValue()[0]).thenComparing(byValue));
                for (Map.Entry<Long, long[]> e : entries) all.add(new AggregationResult.Bucket(key(e.getKey()), e.getValue()[0]));
            } else {
                List<Map.Entry<String, long[]>> entries = new ArrayList<>(byKey.entrySet());
                Comparator<String> keyOrder = type == FieldType.IP ? LuceneValues.IP_ORDER : Comparator.naturalOrder();
                entries.sort(Comparator.<Map.Entry<String, long[]>>comparingLong(e -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey, keyOrder));
                for (Map.Entry<String, long[]> e : entries) all.add(new AggregationResult.Bucket(e.getKey(), e.getValue()[0]));
            }
            List<AggregationResult.Bucket> top = all.subList(0, Math.min(size, all.size()));
            long other = 0;
            for (int i = top.size(); i < all.size(); i++) other += all.get(i).count();
            return new AggregationResult.TermsResult(top, other);
        }
    }

    /** Exact number of distinct values. */
    static final class CardinalityCollector extends ValueCollector {
        private final Set<String> keys = new HashSet<>();
        private final Set<Long> longs = new HashSet<>();
        private boolean[] seen;

        CardinalityCollector(String field, FieldType type) {
            super(field, type);
        }

        @Override
        void startLeaf(SortedSetDocValues dv) {
            seen = new boolean[(int) Math.min(Integer.MAX_VALUE - 8, dv.getValueCount())];
        }

        @Override
        void onOrd(SortedSetDocValues dv, long ord) {
            seen[(int) ord] = true;
        }

        @Override
        void finishLeaf(SortedSetDocValues dv) throws IOException {
            for (int ord = 0; ord < seen.length; ord++) {
                if (seen[ord]) keys.add(keyOf(type, dv.lookupOrd(ord)));
            }
        }

        @Override
        void onLong(long raw) {
            longs.add(raw);
        }

        @Override
        AggregationResult result() {
            return new AggregationResult.CardinalityResult(keys.size() + longs.size());
        }
    }

    /** count (of values), min, max, avg, sum. */
    static final class StatsCollector extends ValueCollector {
        private long count;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private double sum;

        StatsCollector(String field, FieldType type) {
            super(field, type);
        }

        @Override
        void onLong(long raw) {
            double v = toDouble(raw);
            count++;
            min = Math.min(min, v);
            max = Math.max(max, v);
            sum += v;
        }

        @Override
        AggregationResult result() {
            if (count == 0) return new AggregationResult.StatsResult(0, null, null, null, null);
            return new AggregationResult.StatsResult(count, min, max, sum / count, sum);
        }
    }

    /**
     * Exact percentiles with linear interpolation between the closest ranks ({@code rank = p/100 * (n-1)}).
     */
    static final class PercentilesCollector extends ValueCollector {
        private final List<Double> percents;
        private double[] values = new double[64];
        private int n;

        PercentilesCollector(String field, FieldType type, List<Double> percents) {
            super(field, type);
            for (Double p : percents) {
                if (p == null || p < 0 || p > 100) {
                    throw new IllegalArgumentException("percentile " + p + " of field '" + field + "' is not in 0..100");
                }
            }
            this.percents = percents;
        }

        @Override
        void onLong(long raw) {
            if (n == values.length) values = Arrays.copyOf(values, n * 2);
            values[n++] = toDouble(raw);
        }

        @Override
        AggregationResult result() {
            Map<Double, Double> out = new LinkedHashMap<>();
            if (n == 0) return new AggregationResult.PercentilesResult(out);
            double[] sorted = Arrays.copyOf(values, n);
            Arrays.sort(sorted);
            for (Double p : percents) {
                double rank = p / 100.0 * (n - 1);
                int lo = (int) Math.floor(rank);
                int hi = (int) Math.ceil(rank);
                out.put(p, sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo));
            }
            return new AggregationResult.PercentilesResult(out);
        }
    }

    /** Buckets aligned to the epoch; every bucket in the search's time range is returned, empty ones with 0. */
    static final class HistogramCollector extends ValueCollector {
        private final Duration fixed;
        private final int target;
        private final Instant from;
        private final Instant to;
        private final Map<Long, long[]> counts = new HashMap<>();
        /** Dense counts of the buckets inside [from, to) when both are known; others go to {@link #counts}. */
        private final long[] dense;
        private final long denseBase;
        private final long step;
        private long[] raw = new long[0];
        private int n;
        private long lastBucket;
        private boolean firstOfDoc;
        private boolean cached;
        private long cachedStart;
        private long cachedSlot;

        HistogramCollector(String field, FieldType type, Duration interval, int target, Instant from, Instant to) {
            super(field, type);
            if (type != FieldType.DATE && type != FieldType.LONG && type != null) {
                throw new IllegalArgumentException("date histogram needs a date or long field, but '" + field
                        + "' is " + type.wireName());
            }
            this.fixed = interval;
            this.target = target;
            this.from = from;
            this.to = to;
            if (!needsValues() && from != null && to != null && to.isAfter(from)) {
                Duration i = interval();
                step = i.toMillis();
                denseBase = Intervals.bucketStart(from.toEpochMilli(), i);
                long buckets = (Intervals.bucketStart(to.toEpochMilli() - 1, i) - denseBase) / step + 1;
                dense = buckets <= 100_000 ? new long[(int) buckets] : null;
            } else {
                step = 0;
                denseBase = 0;
                dense = null;
            }
        }

        private boolean needsValues() {
            return fixed == null && (from == null || to == null);
        }

        @Override
        void onDoc(int valueCount) {
            firstOfDoc = true;
        }

        @Override
        void onLong(long v) {
            if (needsValues()) {
                if (n == raw.length) raw = Arrays.copyOf(raw, Math.max(64, n * 2));
                raw[n++] = v;
                return;
            }
            long b;
            long slot;
            if (dense != null) {
                // time-sorted indices hand values bucket by bucket: divide only when a value leaves the last bucket
                if (!cached || v < cachedStart || v - cachedStart >= step || v - cachedStart < 0) {
                    cachedStart = Math.floorDiv(v, step) * step;
                    cachedSlot = (cachedStart - denseBase) / step;
                    cached = true;
                }
                b = cachedStart;
                slot = cachedSlot;
            } else {
                b = Intervals.bucketStart(v, interval());
                slot = -1;
            }
            if (!firstOfDoc && b == lastBucket) return;
            firstOfDoc = false;
            lastBucket = b;
            if (slot >= 0 && slot < (dense != null ? dense.length : 0)) {
                dense[(int) slot]++;
            } else {
                counts.computeIfAbsent(b, k -> new long[1])[0]++;
            }
        }

        /**
         * Reads a segment kept in this field's order without its doc values: when its first sort key is this
         * single-valued field, each bucket is one run of document ids (found by a binary search, {@link
         * TimeSortedLeaf}), and as documents are collected in id order the bucket only moves on when a document
         * passes the run's end. Documents outside the runs (values outside the known buckets) take the general path.
         */
        @Override
        public LeafCollector getLeafCollector(LeafReaderContext ctx) throws IOException {
            LeafCollector general = super.getLeafCollector(ctx);
            if (dense == null || type == null) return general;
            TimeSortedLeaf sorted = TimeSortedLeaf.of(ctx.reader(), field);
            int[] bounds = sorted == null ? null
                    : sorted.bucketBounds(denseBase, step, dense.length, Long.MIN_VALUE, Long.MAX_VALUE);
            if (bounds == null) return general;
            int slots = dense.length;
            // runs in doc order: run j holds slot j ascending, slot slots-1-j descending
            int[] ends = new int[slots];
            boolean asc = sorted.ascending();
            for (int j = 0; j < slots; j++) ends[j] = asc ? bounds[j + 1] : bounds[slots - 1 - j];
            int start = asc ? bounds[0] : bounds[slots];
            int end = asc ? bounds[slots] : bounds[0];
            return new LeafCollector() {
                private int run;

                @Override
                public void setScorer(Scorable scorer) {
                }

                @Override
                public void collect(int doc) throws IOException {
                    if (doc < start || doc >= end) {
                        general.collect(doc);
                        return;
                    }
                    if (run > 0 && doc < ends[run - 1]) run = 0; // documents come in id order; stay correct if not
                    while (doc >= ends[run]) run++;
                    dense[asc ? run : slots - 1 - run]++;
                }
            };
        }

        /**
         * Counts the buckets of a search whose matches are exactly the time range {@code [lo, hi]} of this field
         * without visiting documents: in a segment sorted by this field, each bucket is a run of document ids
         * (minus its deleted documents); in another segment (no deletions, one value per document) one BKD count
         * of the field's points per bucket. Returns the number of documents counted, or -1 (nothing counted) when
         * the buckets are not known up front.
         */
        long countTimeRange(List<LeafReaderContext> leaves, long lo, long hi) throws IOException {
            if (dense == null || !counts.isEmpty()) return -1;
            long total = 0;
            for (LeafReaderContext leaf : leaves) {
                TimeSortedLeaf sorted = TimeSortedLeaf.of(leaf.reader(), field);
                int[] bounds = sorted == null ? null : sorted.bucketBounds(denseBase, step, dense.length, lo, hi + 1);
                if (bounds != null) {
                    org.apache.lucene.util.Bits live = leaf.reader().getLiveDocs();
                    for (int k = 0; k < dense.length; k++) {
                        int n = sorted.ascending() ? TimeSortedLeaf.liveCount(live, bounds[k], bounds[k + 1])
                                : TimeSortedLeaf.liveCount(live, bounds[k + 1], bounds[k]);
                        dense[k] += n;
                        total += n;
                    }
                    continue;
                }
                org.apache.lucene.search.IndexSearcher one = new org.apache.lucene.search.IndexSearcher(leaf.reader());
                one.setQueryCache(null);
                for (int i = 0; i < dense.length; i++) {
                    long a = Math.max(lo, denseBase + i * step);
                    long b = Math.min(hi, denseBase + (i + 1) * step - 1);
                    if (a <= b) {
                        int n = one.count(LongRangeQuery.of(field, a, b));
                        dense[i] += n;
                        total += n;
                    }
                }
            }
            return total;
        }

        /** Whether the buckets are known before the search (both bounds given, at most 100,000). */
        boolean hasDenseBuckets() {
            return dense != null;
        }

        /** Whether the buckets are known before the search (both bounds given) and few enough to count one by one. */
        boolean denseBuckets() {
            return dense != null && dense.length <= 1_000;
        }

        private Duration resolved;

        private Duration interval() {
            if (resolved == null) resolved = fixed != null ? fixed : Intervals.auto(from, to, target);
            return resolved;
        }

        @Override
        AggregationResult result() {
            Duration interval;
            TreeMap<Long, Long> buckets = new TreeMap<>();
            if (needsValues()) {
                if (n == 0) return new AggregationResult.HistogramResult(Intervals.auto(
                        from != null ? from : Instant.EPOCH, to != null ? to : Instant.EPOCH, target), List.of());
                long min = Long.MAX_VALUE;
                long max = Long.MIN_VALUE;
                for (int i = 0; i < n; i++) {
                    min = Math.min(min, raw[i]);
                    max = Math.max(max, raw[i]);
                }
                Instant lo = from != null ? from : Instant.ofEpochMilli(min);
                Instant hi = to != null ? to : Instant.ofEpochMilli(max + 1);
                interval = Intervals.auto(lo, hi, target);
                for (int i = 0; i < n; i++) buckets.merge(Intervals.bucketStart(raw[i], interval), 1L, Long::sum);
            } else {
                interval = interval();
                counts.forEach((k, v) -> buckets.put(k, v[0]));
                if (dense != null) {
                    for (int i = 0; i < dense.length; i++) {
                        if (dense[i] > 0) buckets.merge(denseBase + i * step, dense[i], Long::sum);
                    }
                }
            }
            long step = interval.toMillis();
            Long first = from != null ? Long.valueOf(Intervals.bucketStart(from.toEpochMilli(), interval))
                    : buckets.isEmpty() ? null : buckets.firstKey();
            Long last = to != null ? Long.valueOf(Intervals.bucketStart(to.toEpochMilli() - 1, interval))
                    : buckets.isEmpty() ? null : buckets.lastKey();
            List<AggregationResult.TimeBucket> out = new ArrayList<>();
            if (first != null && last != null) {
                if (!buckets.isEmpty()) {
                    first = Math.min(first, buckets.firstKey());
                    last = Math.max(last, buckets.lastKey());
                }
                long count = (last - first) / step + 1;
                if (count > SearchRequest.MAX_BUCKETS || count < 0) {
                    throw new SearchRequest.InvalidRequestException("date histogram on '" + field + "' would have "
                            + count + " buckets (max " + SearchRequest.MAX_BUCKETS + "); use a larger interval or a"
                            + " shorter time range", "aggs.histogram.interval", null);
                }
                for (long b = first; b <= last; b += step) {
                    out.add(new AggregationResult.TimeBucket(Instant.ofEpochMilli(b), buckets.getOrDefault(b, 0L)));
                }
            }
            return new AggregationResult.HistogramResult(interval, out);
        }
    }
}
