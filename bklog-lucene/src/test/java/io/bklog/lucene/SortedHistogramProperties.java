package io.bklog.lucene;

import io.bklog.spi.FieldType;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NoMergePolicy;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.FixedBitSet;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The date histogram over segments sorted by time (bucket runs of document ids found by binary search, no doc values
 * read per document) gives exactly what the general path gives over the same documents in an unsorted index, and
 * what counting the live documents' times by hand gives: random times (equal ones, ones outside the search range),
 * intervals, ranges, either sort direction, several segments, deletions.
 */
class SortedHistogramProperties {
    static final String TIME = "t";
    static final long T0 = Instant.parse("2024-03-01T00:00:00Z").toEpochMilli();

    record Case(List<Long> offsets, List<Boolean> deleted, List<Integer> keys, long fromOffset, long span,
                Duration interval, boolean ascending, int segmentEvery) {}

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<List<Long>> offsets = Arbitraries.longs().between(-7_200_000L, 93_600_000L).list().ofMaxSize(400);
        return offsets.flatMap(o -> Combinators.combine(
                Arbitraries.of(true, false).list().ofSize(o.size()),
                Arbitraries.integers().between(0, 2).list().ofSize(o.size()),
                Arbitraries.longs().between(-3_600_000L, 43_200_000L),
                Arbitraries.longs().between(1L, 90_000_000L),
                Arbitraries.of(Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(7),
                        Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(3), Duration.ofDays(1)),
                Arbitraries.of(true, false),
                Arbitraries.integers().between(25, 500))
                .as((d, k, from, span, iv, asc, every) -> new Case(o, d, k, from, span, iv, asc, every)));
    }

    @Property(tries = 100)
    void sortedSegmentsCountAsTheGeneralPathAndByHand(@ForAll("cases") Case c) throws IOException {
        Instant from = Instant.ofEpochMilli(T0 + c.fromOffset());
        Instant to = from.plusMillis(c.span());
        try (Directory sortedDir = new ByteBuffersDirectory(); Directory plainDir = new ByteBuffersDirectory()) {
            write(sortedDir, c, true);
            write(plainDir, c, false);
            try (DirectoryReader sorted = DirectoryReader.open(sortedDir);
                 DirectoryReader plain = DirectoryReader.open(plainDir)) {
                for (LeafReaderContext leaf : sorted.leaves()) {
                    assertThat(TimeSortedLeaf.of(leaf.reader(), TIME)).isNotNull();
                }
                for (LeafReaderContext leaf : plain.leaves()) {
                    assertThat(TimeSortedLeaf.of(leaf.reader(), TIME)).isNull();
                }
                long lo = from.toEpochMilli();
                long hi = to.toEpochMilli() - 1;
                Query inRange = LongPoint.newRangeQuery(TIME, lo, hi);
                // the collector: every document in range, and the documents of one key
                for (Query q : List.of(inRange, new MatchAllDocsQuery(), new BooleanQuery.Builder()
                        .add(new TermQuery(new Term("k", "1")), Occur.FILTER).add(inRange, Occur.FILTER).build())) {
                    AggregationResult fast = collect(sorted, q, c, from, to);
                    AggregationResult general = collect(plain, q, c, from, to);
                    assertThat(fast).as("%s", q).isEqualTo(general);
                    if (q == inRange) assertThat(fast).isEqualTo(byHand(c, from, to, lo, hi));
                }
                // the time-range-only path: counts without collecting, total included
                var counted = histogram(c, from, to);
                long total = counted.countTimeRange(sorted.leaves(), lo, hi);
                assertThat(counted.result()).isEqualTo(byHand(c, from, to, lo, hi));
                assertThat(total).isEqualTo(new IndexSearcher(plain).count(inRange));
            }
        }
    }

    private static AggregationCollector.HistogramCollector histogram(Case c, Instant from, Instant to) {
        return (AggregationCollector.HistogramCollector) AggregationCollector.create("h",
                Aggregation.DateHistogram.fixed(TIME, c.interval()), FieldType.DATE, from, to);
    }

    private static AggregationResult collect(DirectoryReader reader, Query q, Case c, Instant from, Instant to)
            throws IOException {
        var h = histogram(c, from, to);
        new IndexSearcher(reader).search(q, h);
        return h.result();
    }

    private static AggregationResult byHand(Case c, Instant from, Instant to, long lo, long hi) {
        long step = c.interval().toMillis();
        TreeMap<Long, Long> buckets = new TreeMap<>();
        long first = Math.floorDiv(from.toEpochMilli(), step) * step;
        long last = Math.floorDiv(to.toEpochMilli() - 1, step) * step;
        for (long b = first; b <= last; b += step) buckets.put(b, 0L);
        for (int i = 0; i < c.offsets().size(); i++) {
            long t = T0 + c.offsets().get(i);
            if (c.deleted().get(i) || t < lo || t > hi) continue;
            buckets.merge(Math.floorDiv(t, step) * step, 1L, Long::sum);
        }
        return new AggregationResult.HistogramResult(c.interval(), buckets.entrySet().stream()
                .map(e -> new AggregationResult.TimeBucket(Instant.ofEpochMilli(e.getKey()), e.getValue())).toList());
    }

    private static void write(Directory dir, Case c, boolean sorted) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig();
        config.setMergePolicy(NoMergePolicy.INSTANCE); // keep the segments, and their deletions, apart
        if (sorted) {
            SortedNumericSortField time = new SortedNumericSortField(TIME, SortField.Type.LONG, !c.ascending());
            time.setMissingValue(c.ascending() ? Long.MAX_VALUE : Long.MIN_VALUE);
            config.setIndexSort(new Sort(time, new SortField("id", SortField.Type.STRING)));
        }
        try (IndexWriter w = new IndexWriter(dir, config)) {
            for (int i = 0; i < c.offsets().size(); i++) {
                long t = T0 + c.offsets().get(i);
                Document d = new Document();
                d.add(new StringField("id", String.format("%05d", i), Field.Store.NO));
                d.add(new org.apache.lucene.document.SortedDocValuesField("id",
                        new org.apache.lucene.util.BytesRef(String.format("%05d", i))));
                d.add(new StringField("k", Integer.toString(c.keys().get(i)), Field.Store.NO));
                d.add(new LongPoint(TIME, t));
                d.add(new SortedNumericDocValuesField(TIME, t));
                w.addDocument(d);
                if ((i + 1) % c.segmentEvery() == 0) w.flush();
            }
            w.flush();
            for (int i = 0; i < c.offsets().size(); i++) {
                if (c.deleted().get(i)) w.deleteDocuments(new Term("id", String.format("%05d", i)));
            }
        }
    }

    @Property(tries = 300)
    void liveCountCountsTheSetBitsOfARange(@ForAll("bits") FixedBitSet bits, @ForAll("positions") int a,
                                           @ForAll("positions") int b) {
        int from = Math.min(a, b) % (bits.length() + 1);
        int to = Math.min(bits.length(), Math.max(a, b));
        int expected = 0;
        for (int d = from; d < to; d++) if (bits.get(d)) expected++;
        assertThat(TimeSortedLeaf.liveCount(bits, from, to)).isEqualTo(expected);
        assertThat(TimeSortedLeaf.liveCount(bits.asReadOnlyBits(), from, to)).isEqualTo(expected);
        assertThat(TimeSortedLeaf.liveCount(null, from, to)).isEqualTo(Math.max(0, to - from));
    }

    @Provide
    Arbitrary<FixedBitSet> bits() {
        return Arbitraries.of(true, false).list().ofMinSize(1).ofMaxSize(300).map(l -> {
            FixedBitSet s = new FixedBitSet(l.size());
            for (int i = 0; i < l.size(); i++) if (l.get(i)) s.set(i);
            return s;
        });
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 300);
    }
}
