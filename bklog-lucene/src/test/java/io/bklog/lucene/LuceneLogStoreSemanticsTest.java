package io.bklog.lucene;

import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class LuceneLogStoreSemanticsTest {
    static final Instant DAY1 = Instant.parse("2024-03-01T10:00:00Z");
    static final Instant DAY2 = Instant.parse("2024-03-02T10:00:00Z");
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(
            FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("level", FieldType.KEYWORD),
            FieldSpec.of("status", FieldType.LONG), FieldSpec.of("latency", FieldType.DOUBLE),
            FieldSpec.of("ok", FieldType.BOOLEAN), FieldSpec.of("ip", FieldType.IP),
            FieldSpec.of("host", FieldType.KEYWORD)));

    @TempDir
    Path dir;
    LuceneLogStore store;

    @BeforeEach
    void open() {
        store = LuceneLogStore.builder().dataDir(dir).build();
        store.ensureIndexSet(SCHEMA);
    }

    @AfterEach
    void close() {
        store.close();
    }

    static LogDocument doc(String id, Instant t, Object... kv) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return new LogDocument(id, t, m);
    }

    void seed() {
        BulkResult r = store.index("app", List.of(
                doc("a", DAY1, "log", "Connection refused by upstream", "level", "ERROR", "status", 500L,
                        "latency", 1.5, "ok", false, "ip", "10.0.0.1", "host", "web-1", "extra", "unmapped value"),
                doc("b", DAY1.plusSeconds(60), "log", "connection accepted", "level", "INFO", "status", 200L,
                        "latency", 0.25, "ok", true, "ip", "10.0.0.2", "host", "web-2"),
                doc("c", DAY2, "log", "refused: disk full", "level", "ERROR", "status", "503", "latency", 3.0,
                        "ok", "true", "ip", "::1", "host", "db-1"),
                doc("d", DAY2.plusSeconds(3600), "log", "user login ok", "level", "INFO")));
        assertThat(r.allOk()).as(r.toString()).isTrue();
        store.refresh("app");
    }

    SearchResult search(Query q) {
        return store.search(SearchRequest.builder("app").query(q).size(100).build());
    }

    List<String> ids(Query q) {
        return search(q).hits().stream().map(SearchResult.Hit::id).sorted().toList();
    }

    @Test
    void storesEachDocumentInTheDailyIndexOfItsTimestamp() {
        seed();
        assertThat(store.listIndices("app")).extracting(IndexInfo::name, IndexInfo::docCount)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("v2_app_20240301_0", 2L),
                        org.assertj.core.groups.Tuple.tuple("v2_app_20240302_0", 2L));
        SearchResult r = store.search(SearchRequest.builder("app").timeRange(DAY2, DAY2.plusSeconds(1)).build());
        assertThat(r.total()).isEqualTo(1);
        assertThat(r.hits().get(0).index()).isEqualTo("v2_app_20240302_0");
        assertThat(r.hits().get(0).source()).containsEntry("dtEventTimeStamp", DAY2.toEpochMilli())
                .containsEntry("status", 503L).containsEntry("ok", true).containsEntry("ip", "::1");
    }

    @Test
    void evaluatesQueryNodesPerFieldType() {
        seed();
        assertThat(ids(new Query.Term("log", "REFUSED"))).containsExactly("a", "c");
        assertThat(ids(new Query.Term("log", "connection refused"))).containsExactly("a");
        assertThat(ids(new Query.Phrase("log", "refused by"))).containsExactly("a");
        assertThat(ids(new Query.Phrase("log", "by refused"))).isEmpty();
        assertThat(ids(new Query.Term("level", "error"))).isEmpty();
        assertThat(ids(new Query.Term("level", "ERROR"))).containsExactly("a", "c");
        assertThat(ids(new Query.Term(null, "ERROR"))).containsExactly("a", "c");
        assertThat(ids(new Query.Term(null, "upstream"))).containsExactly("a");
        assertThat(ids(new Query.Term("extra", "unmapped"))).isEmpty();
        assertThat(ids(new Query.Wildcard("host", "web-*"))).containsExactly("a", "b");
        assertThat(ids(new Query.Wildcard("log", "CONN*"))).containsExactly("a", "b");
        assertThat(ids(new Query.Regex("host", "db-[0-9]"))).containsExactly("c");
        assertThat(ids(new Query.Term("status", "500"))).containsExactly("a");
        assertThat(ids(new Query.Term("status", "abc"))).isEmpty();
        assertThat(ids(Query.Range.atLeast("status", "500"))).containsExactly("a", "c");
        assertThat(ids(new Query.Range("status", "200", "500", false, false))).isEmpty();
        assertThat(ids(new Query.Range("latency", "0.25", "1.5", true, true))).containsExactly("a", "b");
        assertThat(ids(Query.Range.lessThan("dtEventTimeStamp", "2024-03-02T00:00:00Z"))).containsExactly("a", "b");
        assertThat(ids(new Query.Term("ok", "true"))).containsExactly("b", "c");
        assertThat(ids(new Query.Term("ip", "0:0:0:0:0:0:0:1"))).containsExactly("c");
        assertThat(ids(new Query.Range("ip", "10.0.0.0", "10.0.0.255", true, true))).containsExactly("a", "b");
        assertThat(ids(new Query.Range("host", "a", "e", true, false))).containsExactly("c");
        assertThat(ids(new Query.Exists("status"))).containsExactly("a", "b", "c");
        assertThat(ids(new Query.Exists("extra"))).isEmpty();
        assertThat(ids(new Query.Bool(List.of(new Query.Term("level", "ERROR")), List.of(),
                List.of(new Query.Term("log", "disk"))))).containsExactly("a");
        assertThat(ids(Query.Bool.or(List.of(new Query.Term("host", "web-2"), new Query.Term("host", "db-1")))))
                .containsExactly("b", "c");
        assertThat(ids(Query.Bool.not(new Query.Term("level", "INFO")))).containsExactly("a", "c");
        assertThat(ids(Query.Bool.and(List.of()))).containsExactly("a", "b", "c", "d");
    }

    @Test
    void sortsWithMissingLastAndPagesWithSearchAfter() {
        seed();
        SearchResult asc = store.search(SearchRequest.builder("app").sort(Sort.asc("status")).size(10).build());
        assertThat(asc.hits()).extracting(SearchResult.Hit::id).containsExactly("b", "a", "c", "d");
        SearchResult desc = store.search(SearchRequest.builder("app").sort(Sort.desc("status")).size(10).build());
        assertThat(desc.hits()).extracting(SearchResult.Hit::id).containsExactly("c", "a", "b", "d");
        assertThat(desc.hits().get(0).sortValues()).containsExactly(503L, "c");
        SearchResult byTime = store.search(SearchRequest.builder("app").size(10).build());
        assertThat(byTime.hits()).extracting(SearchResult.Hit::id).containsExactly("d", "c", "b", "a");

        List<String> paged = new ArrayList<>();
        List<Object> after = null;
        while (true) {
            SearchResult page = store.search(SearchRequest.builder("app").sort(Sort.asc("host")).size(1)
                    .searchAfter(after).build());
            assertThat(page.total()).isEqualTo(4);
            if (page.hits().isEmpty()) break;
            paged.add(page.hits().get(0).id());
            after = page.hits().get(0).sortValues();
        }
        assertThat(paged).containsExactly("c", "a", "b", "d");
        assertThat(store.search(SearchRequest.builder("app").sort(Sort.asc("host")).offset(1).size(2).build()).hits())
                .extracting(SearchResult.Hit::id).containsExactly("a", "b");
        assertThatThrownBy(() -> store.search(SearchRequest.builder("app").sort(Sort.asc("log")).build()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("text field 'log'");
    }

    @Test
    void aggregatesFromDocValues() {
        seed();
        SearchResult r = store.search(SearchRequest.builder("app").size(0)
                .timeRange(DAY1.minus(Duration.ofHours(10)), DAY2.plus(Duration.ofHours(14)))
                .aggregation("levels", new Aggregation.Terms("level", 1))
                .aggregation("statuses", new Aggregation.Terms("status", 5))
                .aggregation("perDay", Aggregation.DateHistogram.fixed("dtEventTimeStamp", Duration.ofHours(12)))
                .aggregation("auto", Aggregation.DateHistogram.auto("dtEventTimeStamp", 10))
                .aggregation("lat", new Aggregation.Stats("latency"))
                .aggregation("hosts", new Aggregation.Cardinality("host"))
                .aggregation("p", new Aggregation.Percentiles("latency", List.of(50.0, 100.0)))
                .aggregation("none", new Aggregation.Stats("missing"))
                .build());
        assertThat(r.total()).isEqualTo(4);
        assertThat(r.hits()).isEmpty();
        AggregationResult.TermsResult levels = (AggregationResult.TermsResult) r.aggregations().get("levels");
        assertThat(levels.buckets()).containsExactly(new AggregationResult.Bucket("ERROR", 2));
        assertThat(levels.otherCount()).isEqualTo(2);
        assertThat(((AggregationResult.TermsResult) r.aggregations().get("statuses")).buckets()).containsExactly(
                new AggregationResult.Bucket("200", 1), new AggregationResult.Bucket("500", 1),
                new AggregationResult.Bucket("503", 1));
        AggregationResult.HistogramResult perDay = (AggregationResult.HistogramResult) r.aggregations().get("perDay");
        assertThat(perDay.buckets()).extracting(AggregationResult.TimeBucket::count).containsExactly(2L, 0L, 2L, 0L);
        assertThat(perDay.buckets().get(0).start()).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
        AggregationResult.HistogramResult auto = (AggregationResult.HistogramResult) r.aggregations().get("auto");
        assertThat(auto.interval()).isEqualTo(Duration.ofHours(6));
        assertThat(auto.buckets().stream().mapToLong(AggregationResult.TimeBucket::count).sum()).isEqualTo(4);
        assertThat(r.aggregations().get("lat")).isEqualTo(new AggregationResult.StatsResult(3, 0.25, 3.0, 4.75 / 3, 4.75));
        assertThat(r.aggregations().get("hosts")).isEqualTo(new AggregationResult.CardinalityResult(3));
        assertThat(((AggregationResult.PercentilesResult) r.aggregations().get("p")).values())
                .containsEntry(50.0, 1.5).containsEntry(100.0, 3.0);
        assertThat(r.aggregations().get("none")).isEqualTo(new AggregationResult.StatsResult(0, null, null, null, null));
    }

    @Test
    void highlightsMatchedTokensInWholeFields() {
        seed();
        SearchResult r = store.search(SearchRequest.builder("app").highlight(true)
                .query(Query.Bool.and(List.of(new Query.Term(null, "refused"), new Query.Term("level", "ERROR"))))
                .sort(Sort.asc("host")).build());
        assertThat(r.hits()).hasSize(2);
        assertThat(r.hits().get(1).highlights())
                .containsEntry("log", List.of("Connection <mark>refused</mark> by upstream"))
                .containsEntry("level", List.of("<mark>ERROR</mark>"));
        assertThat(r.hits().get(0).highlights()).containsEntry("log", List.of("<mark>refused</mark>: disk full"));
    }

    @Test
    void returnsOnlyRequestedFields() {
        seed();
        SearchResult r = store.search(SearchRequest.builder("app").query(new Query.Term("host", "web-1"))
                .fields(List.of("host", "extra")).build());
        assertThat(r.hits().get(0).source()).containsOnlyKeys("host", "extra");
        assertThat(r.hits().get(0).source()).containsEntry("extra", "unmapped value");
    }

    @Test
    void rejectsBadValueAndKeepsTheRestOfTheBatch() {
        BulkResult r = store.index("app", List.of(doc("x", DAY1, "status", "not-a-number"), doc("y", DAY1, "status", 1L)));
        assertThat(r.items()).extracting(BulkResult.ItemResult::status)
                .containsExactly(BulkResult.Status.REJECTED, BulkResult.Status.OK);
        assertThat(r.items().get(0).reason()).contains("status").contains("long").contains("not-a-number");
    }

    @Test
    void replayingTheSameIdsNeverDuplicates() {
        seed();
        seed();
        assertThat(search(Query.matchAll()).total()).isEqualTo(4);
    }

    @Test
    void concurrentBatchesAreEachStoredOnceAndKeptAcrossRestart() throws Exception {
        store.close();
        store = LuceneLogStore.builder().dataDir(dir).indexingThreads(4).build();
        assertThat(store.concurrentWrites()).isEqualTo(4);
        try (LuceneLogStore three = LuceneLogStore.builder().dataDir(dir.resolve("three")).indexingThreads(3).build()) {
            assertThat(three.concurrentWrites()).isEqualTo(3);
        }
        assertThatThrownBy(() -> LuceneLogStore.builder().dataDir(dir.resolve("none")).indexingThreads(0).build())
                .hasMessageContaining("indexingThreads");
        int batches = 40;
        int size = 200;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<BulkResult>> results = new ArrayList<>();
            List<List<LogDocument>> sent = new ArrayList<>();
            for (int b = 0; b < batches; b++) {
                List<LogDocument> docs = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    docs.add(doc("c-" + b + "-" + i, (i % 2 == 0 ? DAY1 : DAY2).plusMillis(b * size + i),
                            "log", "line " + i + " of batch " + b, "status", (long) i));
                }
                sent.add(docs);
                results.add(pool.submit(() -> store.index("app", docs)));
                // a retry of the batch before, with the same ids, while others are written
                if (b % 5 == 4) results.add(pool.submit(() -> store.index("app", sent.get(sent.size() - 2))));
            }
            for (var f : results) assertThat(f.get().allOk()).isTrue();
        } finally {
            pool.shutdown();
        }
        store.refresh("app");
        assertThat(search(Query.matchAll()).total()).isEqualTo(batches * size);
        assertThat(search(new Query.Term("status", "7")).total()).isEqualTo(batches);
        store.close();
        store = LuceneLogStore.builder().dataDir(dir).build();
        assertThat(search(Query.matchAll()).total()).isEqualTo(batches * size);
    }

    @Test
    void makesDocumentsSearchableWithinOneSecondWithoutRefresh() {
        store.index("app", List.of(doc("nrt", DAY1, "log", "hello")));
        await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> search(new Query.Term("log", "hello")).total() == 1);
    }

    @Test
    void keepsDocumentsMappingAndAliasesAcrossRestart() {
        seed();
        store.addAlias("v2_app_20240301_0", "other");
        store.close();
        store = LuceneLogStore.builder().dataDir(dir).build();
        assertThat(store.indexSets()).containsExactly("app");
        assertThat(store.schema("app")).contains(SCHEMA);
        assertThat(search(Query.matchAll()).total()).isEqualTo(4);
        assertThat(store.listIndices("other")).extracting(IndexInfo::name).containsExactly("v2_app_20240301_0");
    }

    @Test
    void refusesToChangeTheTypeOfAMappedField() {
        assertThatThrownBy(() -> store.ensureIndexSet(SCHEMA.withFields(List.of(FieldSpec.of("status", FieldType.KEYWORD)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("status");
        store.ensureIndexSet(SCHEMA.withFields(List.of(FieldSpec.of("new_field", FieldType.KEYWORD))));
        assertThat(store.schema("app").orElseThrow().field("new_field")).isPresent();
        assertThat(store.schema("app").orElseThrow().field("log")).isPresent();
    }

    @Test
    void rollsOverToTheNextIndexOncePastRolloverBytes() {
        store.ensureIndexSet(new IndexSetSchema("big", null, List.of(FieldSpec.of("log", FieldType.TEXT)), 1, 0, 1));
        store.index("big", List.of(doc("1", DAY1, "log", "first")));
        store.index("big", List.of(doc("2", DAY1, "log", "second")));
        store.index("big", List.of(doc("1", DAY1, "log", "first again")));
        store.refresh("big");
        assertThat(store.listIndices("big")).extracting(IndexInfo::name)
                .contains("v2_big_20240301_0", "v2_big_20240301_1");
        SearchResult r = store.search(SearchRequest.builder("big").build());
        assertThat(r.total()).isEqualTo(2);
    }

    @Test
    void searchesAliasedAndDeletesIndices() {
        seed();
        store.ensureIndexSet(IndexSetSchema.of("other", List.of(FieldSpec.of("level", FieldType.KEYWORD))));
        store.addAlias("v2_app_20240302_0", "other");
        store.refresh("other");
        assertThat(store.search(SearchRequest.builder("other").build()).total()).isEqualTo(2);
        store.deleteIndices(List.of("v2_app_20240302_0", "missing"));
        assertThat(search(Query.matchAll()).total()).isEqualTo(2);
        assertThat(store.listIndices("*")).extracting(IndexInfo::name).containsExactly("v2_app_20240301_0");
    }
}
