package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time field is written without points (its doc values answer time ranges: a run of document ids in a
 * time-sorted segment). Indices written before, with points, sorted or not, and with new documents added to them
 * (segments of both kinds, and merged ones holding points for only part of their documents) must find exactly the
 * documents of every time range: the search's time filter, a range or a value of the time field in the query, the
 * time-range-only path with its histogram, sort and search_after.
 */
class TimeWithoutPointsTest {
    static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("n", FieldType.LONG)));
    static final Instant DAY = Instant.parse("2024-03-01T00:00:00Z");
    static final String INDEX = IndexNames.daily("app", LocalDate.of(2024, 3, 1), 0);

    @TempDir
    Path dir;

    /** Documents at seconds of the day drawn from {@code rnd}, some sharing a time. */
    static List<LogDocument> docs(String prefix, int n, Random rnd) {
        List<LogDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant t = DAY.plusSeconds(rnd.nextInt(3_600));
            out.add(new LogDocument(prefix + i, t, Map.of("log", "line " + prefix + " " + (i % 7), "n", i)));
        }
        return out;
    }

    @Test
    void aNewIndexHasNoTimePointsAndFindsEveryTimeRange() throws Exception {
        Random rnd = new Random(1);
        List<LogDocument> all = new ArrayList<>();
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            for (int batch = 0; batch < 3; batch++) { // three segments
                List<LogDocument> docs = docs("b" + batch + "-", 200, rnd);
                all.addAll(docs);
                store.index("app", docs);
                store.refresh("app");
            }
            assertRangesFound(store, all, rnd);
            store.forceMerge("app", 1);
            store.refresh("app");
            assertRangesFound(store, all, rnd);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            for (LeafReaderContext leaf : r.leaves()) {
                assertThat(leaf.reader().getPointValues(TIME)).isNull();
                assertThat(leaf.reader().getPointValues("n")).isNotNull();
            }
        }
    }

    @Test
    void aSortedIndexWrittenWithTimePointsFindsTheSameBeforeAndAfterNewDocumentsAndAMerge() throws Exception {
        olderIndexThenNewDocuments(true);
    }

    @Test
    void anUnsortedIndexWrittenWithTimePointsFindsTheSameBeforeAndAfterNewDocumentsAndAMerge() throws Exception {
        olderIndexThenNewDocuments(false);
    }

    private void olderIndexThenNewDocuments(boolean sorted) throws Exception {
        Random rnd = new Random(sorted ? 2 : 3);
        Path path = dir.resolve("indices").resolve(INDEX);
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
        }
        // documents as the build before wrote them: the time field with a point next to its doc value
        List<LogDocument> all = new ArrayList<>(docs("old", 300, rnd));
        IndexSetMapping mapping = IndexSetMapping.of(SCHEMA);
        IndexWriterConfig c = PhysicalIndex.config(new TextAnalyzer(), 16);
        if (sorted) c.setIndexSort(SearchSort.descendingIndexSort(TIME));
        try (FSDirectory d = FSDirectory.open(path); IndexWriter w = new IndexWriter(d, c)) {
            for (int i = 0; i < all.size(); i++) {
                LogDocument ld = all.get(i);
                Document lucene = DocumentMapper.prepare(mapping, ld).document();
                DocumentMapper.addTimePoints(lucene, TIME);
                DocumentMapper.addId(lucene, ld.id(), false); // no id format in the commit: ids as text
                w.addDocument(lucene);
                if (i % 100 == 99) w.commit(); // three segments
            }
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertRangesFound(store, all, rnd);
            for (int batch = 0; batch < 2; batch++) {
                List<LogDocument> docs = docs("new" + batch + "-", 150, rnd);
                all.addAll(docs);
                store.index("app", docs);
                store.refresh("app");
            }
            assertRangesFound(store, all, rnd);
            store.forceMerge("app", 1); // one segment; the index kept writing time points, so every document has one
            store.refresh("app");
            assertRangesFound(store, all, rnd);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(path))) {
            assertThat(r.leaves()).hasSize(1);
            assertThat(r.leaves().get(0).reader().getMetaData().getSort())
                    .isEqualTo(sorted ? SearchSort.descendingIndexSort(TIME) : null);
            // the index keeps the time's points for its new documents too (a field keeps its structures)
            assertThat(r.leaves().get(0).reader().getPointValues(TIME).getDocCount()).isEqualTo(600);
        }
    }

    /** Random time ranges, each searched the ways that use the time field, against a count of the documents. */
    private static void assertRangesFound(LuceneLogStore store, List<LogDocument> all, Random rnd) {
        for (int k = 0; k < 25; k++) {
            long a = DAY.toEpochMilli() + rnd.nextInt(3_700_000) - 50_000;
            long b = k == 0 ? a : a + rnd.nextInt(k % 5 == 0 ? 20_000 : 2_000_000);
            Instant from = Instant.ofEpochMilli(a);
            Instant to = Instant.ofEpochMilli(b);
            List<LogDocument> expected = all.stream().filter(d -> !d.timestamp().isBefore(from)
                    && d.timestamp().isBefore(to)).toList();
            // the search's time filter: the time-range-only path (histogram) and the general path (a query)
            SearchRequest rangeOnly = SearchRequest.builder("app").timeRange(from, to).size(20)
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofMinutes(5))).build();
            SearchResult fast = store.search(rangeOnly);
            SearchResult general = store.search(rangeOnly.toBuilder().query(new Query.Exists("n")).build());
            assertThat(fast.total()).isEqualTo(expected.size());
            assertThat(general.total()).isEqualTo(expected.size());
            assertThat(fast.hits()).isEqualTo(general.hits());
            assertThat(fast.aggregations()).isEqualTo(general.aggregations());
            long bucketed = ((AggregationResult.HistogramResult) fast.aggregations().get("h")).buckets().stream()
                    .mapToLong(AggregationResult.TimeBucket::count).sum();
            assertThat(bucketed).isEqualTo(expected.size());
            // the next page by search_after, oldest first
            SearchResult asc = store.search(SearchRequest.builder("app").timeRange(from, to).size(7)
                    .sort(Sort.asc(TIME)).build());
            if (!asc.hits().isEmpty()) {
                SearchResult next = store.search(SearchRequest.builder("app").timeRange(from, to).size(1_000)
                        .sort(Sort.asc(TIME)).searchAfter(asc.hits().get(asc.hits().size() - 1).sortValues())
                        .build());
                assertThat(asc.hits().size() + next.hits().size()).isEqualTo(expected.size());
            }
            // a range and a value of the time field in the query, no time filter
            Query.Range inQuery = new Query.Range(TIME, Long.toString(a), Long.toString(b), true, false);
            assertThat(store.search(SearchRequest.builder("app").query(inQuery).build()).total())
                    .isEqualTo(expected.size());
            long exact = all.get(k).timestamp().toEpochMilli();
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Term(TIME, Long.toString(exact)))
                    .build()).total()).isEqualTo(all.stream().filter(d -> d.timestamp().toEpochMilli() == exact)
                    .count());
            // open-ended ranges
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Range(TIME, null,
                    Long.toString(b), true, false)).build()).total())
                    .isEqualTo(all.stream().filter(d -> d.timestamp().toEpochMilli() < b).count());
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Range(TIME, Long.toString(a),
                    null, true, true)).build()).total())
                    .isEqualTo(all.stream().filter(d -> d.timestamp().toEpochMilli() >= a).count());
        }
        assertThat(store.search(SearchRequest.builder("app").build()).total()).isEqualTo(all.size());
        assertThat(Files.exists(store.dataDir())).isTrue();
    }
}
