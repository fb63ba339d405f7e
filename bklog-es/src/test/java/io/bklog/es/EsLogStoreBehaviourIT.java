package io.bklog.es;

import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.junit.jupiter.api.AfterAll;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Elasticsearch-specific behaviour of {@link EsLogStore} on the real node (the shared contract is EsLogStoreIT). */
class EsLogStoreBehaviourIT {
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Instant T0 = Instant.parse("2024-03-01T10:00:00Z");
    private static final List<FieldSpec> FIELDS = List.of(
            FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("host", FieldType.KEYWORD),
            FieldSpec.of("status", FieldType.LONG), FieldSpec.of("latency", FieldType.DOUBLE),
            FieldSpec.of("ok", FieldType.BOOLEAN), FieldSpec.of("ip", FieldType.IP));
    private static EsLogStore store;
    private static String corpus;

    @BeforeAll
    static void setUp() {
        store = EsLogStore.builder().hosts(EsFixture.shared().url()).build();
        corpus = newSet();
        List<LogDocument> docs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            docs.add(new LogDocument("d" + String.format("%02d", i), T0.plusSeconds(i * 60L), Map.of(
                    "log", i % 2 == 0 ? "GET /api/v1/users failed: Connection refused" : "user Zoë_42 logged in ok",
                    "host", i % 3 == 0 ? "web-1" : "db-2",
                    "status", i % 2 == 0 ? 500L : 200L,
                    "latency", i * 1.5,
                    "ok", i % 2 != 0,
                    "ip", "10.0.0." + i,
                    "extra", "unmapped-" + i)));
        }
        BulkResult indexed = store.index(corpus, docs);
        assertThat(indexed.allOk()).as("%s", indexed.items()).isTrue();
        store.refresh(corpus);
    }

    @AfterAll
    static void tearDown() {
        if (store != null) store.close();
    }

    private static String newSet() {
        String name = "es_it_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
        store.ensureIndexSet(new IndexSetSchema(name, null, FIELDS, 1, 0, 0));
        return name;
    }

    private static SearchResult search(Query q) {
        return store.search(SearchRequest.builder(corpus).query(q).size(100).build());
    }

    /** DEFLATE stored fields and merges of 10 segments (issue 26: the fetch of scattered hits, the segment count). */
    @Test
    void newIndicesTakeTheCodecAndMergeFactorOfTheTemplate() throws Exception {
        com.fasterxml.jackson.databind.JsonNode all = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                java.net.URI.create(EsFixture.shared().url() + "/v2_" + corpus + "_*/_settings?flat_settings=true")
                        .toURL());
        assertThat(all.size()).isEqualTo(1);
        com.fasterxml.jackson.databind.JsonNode settings = all.elements().next().path("settings");
        assertThat(settings.path("index.codec").asText()).isEqualTo("legacy_best_compression");
        assertThat(settings.path("index.merge.policy.merge_factor").asText()).isEqualTo("10");
    }

    @Test
    void textTermMatchesAnalyzedTokensCaseInsensitively() {
        assertThat(search(new Query.Term("log", "REFUSED")).total()).isEqualTo(10);
        assertThat(search(new Query.Term("log", "connection refused")).total()).isEqualTo(10);
        assertThat(search(new Query.Term("log", "zoë")).total()).isEqualTo(10);
        assertThat(search(new Query.Term("log", "42")).total()).isEqualTo(10);
    }

    @Test
    void keywordAndNumericTermsAreExactAndUnparsableValuesMatchNothing() {
        assertThat(search(new Query.Term("host", "web-1")).total()).isEqualTo(7);
        assertThat(search(new Query.Term("host", "WEB-1")).total()).isZero();
        assertThat(search(new Query.Term("status", "500")).total()).isEqualTo(10);
        assertThat(search(new Query.Term("status", "abc")).total()).isZero();
        assertThat(search(new Query.Term("ip", "10.0.0.3")).total()).isEqualTo(1);
        assertThat(search(new Query.Term("ip", "not-an-ip")).total()).isZero();
        assertThat(search(new Query.Term("ok", "true")).total()).isEqualTo(10);
        assertThat(search(new Query.Term("nope", "x")).total()).isZero();
        assertThat(search(new Query.Term("extra", "unmapped-1")).total()).isZero();
    }

    @Test
    void nullFieldSearchesTextAndKeywordFields() {
        assertThat(search(new Query.Term(null, "db-2")).total()).isEqualTo(13);
        assertThat(search(new Query.Term(null, "users")).total()).isEqualTo(10);
    }

    @Test
    void phraseWildcardRegexRangeExistsAndBool() {
        assertThat(search(new Query.Phrase("log", "connection refused")).total()).isEqualTo(10);
        assertThat(search(new Query.Phrase("log", "refused connection")).total()).isZero();
        assertThat(search(new Query.Wildcard("log", "CONN*")).total()).isEqualTo(10);
        assertThat(search(new Query.Wildcard("host", "web-*")).total()).isEqualTo(7);
        assertThat(search(new Query.Regex("log", "zo.")).total()).isEqualTo(10);
        assertThat(search(new Query.Range("latency", "3", "6", true, false)).total()).isEqualTo(2);
        assertThat(search(Query.Range.atLeast("status", "500")).total()).isEqualTo(10);
        assertThat(search(new Query.Range("dtEventTimeStamp", T0.toString(), null, false, false)).total()).isEqualTo(19);
        assertThat(search(new Query.Exists("extra")).total()).isZero();
        assertThat(search(new Query.Exists("host")).total()).isEqualTo(20);
        assertThat(search(new Query.Bool(List.of(new Query.Term("host", "db-2")),
                List.of(new Query.Term("status", "500"), new Query.Term("status", "404")),
                List.of(new Query.Term("log", "users")))).total()).isZero();
        assertThat(search(Query.Bool.not(new Query.Term("host", "db-2"))).total()).isEqualTo(7);
    }

    @Test
    void hitsCarrySourceNormalizedToMappedTypesAndHighlights() {
        SearchResult r = store.search(SearchRequest.builder(corpus).query(new Query.Term("log", "refused"))
                .sort(Sort.asc("dtEventTimeStamp")).size(1).highlight(true).build());
        SearchResult.Hit hit = r.hits().get(0);
        assertThat(hit.id()).isEqualTo("d00");
        assertThat(hit.index()).isEqualTo(IndexNames.daily(corpus, IndexNames.dayOf(T0), 0));
        assertThat(hit.source()).containsEntry("status", 500L).containsEntry("latency", 0.0)
                .containsEntry("ok", false).containsEntry("dtEventTimeStamp", T0.toEpochMilli())
                .containsEntry("extra", "unmapped-0").doesNotContainKey(EsMappings.DOC_ID);
        assertThat(hit.highlights().get("log"))
                .containsExactly("GET /api/v1/users failed: Connection <mark>refused</mark>");
    }

    @Test
    void sortsWithDocIdTieBreakAndPagesWithSearchAfter() {
        List<String> ids = new ArrayList<>();
        List<Object> after = null;
        for (int page = 0; page < 5; page++) {
            SearchRequest.Builder b = SearchRequest.builder(corpus).sort(Sort.desc("status")).size(5);
            if (after != null) b.searchAfter(after);
            SearchResult r = store.search(b.build());
            r.hits().forEach(h -> ids.add(h.id()));
            if (r.hits().isEmpty()) break;
            after = r.hits().get(r.hits().size() - 1).sortValues();
        }
        assertThat(ids).hasSize(20).doesNotHaveDuplicates();
        assertThat(ids.subList(0, 3)).containsExactly("d00", "d02", "d04");
    }

    /**
     * Indices made before issue 26's fourth pass left the id's sort copy out of {@code _source}
     * ({@code _source.excludes}); new ones keep it there (the exclusion made Elasticsearch rewrite every source as it
     * indexed it). Both read back the same: the copy never shows in a hit, and sorting and paging on it work.
     */
    @Test
    void indicesWithAndWithoutTheIdCopyInSourceReadBackAlike() {
        String older = newSet();
        LocalDate day = IndexNames.dayOf(T0);
        // the day's index as an older version made it: the template's mapping plus the exclusion
        com.fasterxml.jackson.databind.node.ObjectNode body = new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode();
        body.putObject("mappings").putObject("_source").putArray("excludes").add(EsMappings.DOC_ID);
        com.fasterxml.jackson.databind.node.ObjectNode aliases = body.putObject("aliases");
        aliases.putObject(EsBulkWriter.writeAlias(older, day)).put("is_write_index", true);
        aliases.putObject(EsBulkWriter.readAlias(older, day));
        aliases.putObject(older);
        EsHttp http = new EsHttp(store.connection());
        http.perform("PUT", "/" + IndexNames.daily(older, day, 0), body);
        String newer = newSet();
        for (String set : List.of(older, newer)) {
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                docs.add(new LogDocument("x" + i, T0.plusSeconds(i / 2), Map.of("log", "line " + i, "status",
                        (long) (i % 2))));
            }
            assertThat(store.index(set, docs).allOk()).isTrue();
            store.refresh(set);
            JsonNode raw = http.perform("GET", "/" + set + "/_doc/x3", null).path("_source");
            assertThat(raw.has(EsMappings.DOC_ID)).as("%s: %s", set, raw).isEqualTo(set.equals(newer));
            List<String> ids = new ArrayList<>();
            List<Object> after = null;
            for (int page = 0; page < 5; page++) {
                SearchRequest.Builder b = SearchRequest.builder(set).sort(Sort.desc("dtEventTimeStamp")).size(2);
                if (after != null) b.searchAfter(after);
                SearchResult r = store.search(b.build());
                if (r.hits().isEmpty()) break;
                for (SearchResult.Hit h : r.hits()) {
                    ids.add(h.id());
                    assertThat(h.source()).as(set).containsOnlyKeys("log", "status", "dtEventTimeStamp")
                            .containsEntry("log", "line " + h.id().substring(1));
                }
                after = r.hits().get(r.hits().size() - 1).sortValues();
            }
            assertThat(ids).as(set).containsExactly("x6", "x4", "x5", "x2", "x3", "x0", "x1");
            assertThat(store.search(SearchRequest.builder(set).fields(List.of("log")).size(1).build()).hits().get(0)
                    .source()).as(set).containsOnlyKeys("log");
        }
    }

    @Test
    void aggregatesTermsHistogramStatsCardinalityPercentiles() {
        SearchResult r = store.search(SearchRequest.builder(corpus).size(0)
                .timeRange(T0, T0.plus(Duration.ofMinutes(30)))
                .aggregation("hosts", new Aggregation.Terms("host", 1))
                .aggregation("status", new Aggregation.Terms("status", 5))
                .aggregation("ok", new Aggregation.Terms("ok", 5))
                .aggregation("lat", new Aggregation.Terms("latency", 2))
                .aggregation("hist", Aggregation.DateHistogram.fixed("dtEventTimeStamp", Duration.ofMinutes(10)))
                .aggregation("auto", Aggregation.DateHistogram.auto("dtEventTimeStamp", 10))
                .aggregation("stats", new Aggregation.Stats("latency"))
                .aggregation("card", new Aggregation.Cardinality("host"))
                .aggregation("pct", new Aggregation.Percentiles("status", List.of(50.0, 99.0)))
                .aggregation("nopct", new Aggregation.Percentiles("nope", List.of(50.0)))
                .build());
        assertThat(r.total()).isEqualTo(20);
        var hosts = (AggregationResult.TermsResult) r.aggregations().get("hosts");
        assertThat(hosts.buckets()).containsExactly(new AggregationResult.Bucket("db-2", 13));
        assertThat(hosts.otherCount()).isEqualTo(7);
        assertThat(((AggregationResult.TermsResult) r.aggregations().get("status")).buckets())
                .containsExactly(new AggregationResult.Bucket("200", 10), new AggregationResult.Bucket("500", 10));
        assertThat(((AggregationResult.TermsResult) r.aggregations().get("ok")).buckets())
                .containsExactly(new AggregationResult.Bucket("false", 10), new AggregationResult.Bucket("true", 10));
        assertThat(((AggregationResult.TermsResult) r.aggregations().get("lat")).buckets())
                .containsExactly(new AggregationResult.Bucket("0", 1), new AggregationResult.Bucket("1.5", 1));
        var hist = (AggregationResult.HistogramResult) r.aggregations().get("hist");
        assertThat(hist.buckets()).extracting(AggregationResult.TimeBucket::count).containsExactly(10L, 10L, 0L);
        var auto = (AggregationResult.HistogramResult) r.aggregations().get("auto");
        assertThat(auto.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(auto.buckets()).hasSize(6);
        var stats = (AggregationResult.StatsResult) r.aggregations().get("stats");
        assertThat(stats.count()).isEqualTo(20);
        assertThat(stats.max()).isEqualTo(28.5);
        assertThat(((AggregationResult.CardinalityResult) r.aggregations().get("card")).value()).isEqualTo(2);
        var pct = (AggregationResult.PercentilesResult) r.aggregations().get("pct");
        assertThat(pct.values()).containsKeys(50.0, 99.0);
        assertThat(pct.values().get(99.0)).isEqualTo(500.0);
        assertThat(((AggregationResult.PercentilesResult) r.aggregations().get("nopct")).values().get(50.0)).isNull();
    }

    @Test
    void rejectsBulkItemWithMappingConflictAndKeepsTheOthers() {
        String set = newSet();
        BulkResult r = store.index(set, List.of(
                new LogDocument("a", T0, Map.of("status", 1L)),
                new LogDocument("b", T0, Map.of("status", "not-a-number")),
                new LogDocument("c", T0, Map.of("ip", "999.1.1.1"))));
        assertThat(r.items()).extracting(BulkResult.ItemResult::status).containsExactly(
                BulkResult.Status.OK, BulkResult.Status.REJECTED, BulkResult.Status.REJECTED);
        assertThat(r.items().get(1).reason()).contains("status");
    }

    @Test
    void aValueJsonCannotHoldRefusesThatDocumentOnly() {
        String set = newSet();
        java.util.Map<String, Object> odd = new java.util.HashMap<>();
        odd.put("blob", new Object()); // no JSON form
        BulkResult r = store.index(set, List.of(new LogDocument("ok", T0, Map.of("host", "a")),
                new LogDocument("odd", T0, odd)));
        assertThat(r.items()).extracting(BulkResult.ItemResult::status).containsExactly(
                BulkResult.Status.OK, BulkResult.Status.REJECTED);
        assertThat(r.items().get(1).reason()).contains("cannot write the document as JSON");
    }

    @Test
    void aBulkElasticsearchRefusesWholeIsRejectedWithItsReason() {
        String set = newSet();
        BulkResult r = store.index(set, List.of(new LogDocument("x".repeat(600), T0, Map.of("host", "a"))));
        assertThat(r.items()).extracting(BulkResult.ItemResult::status).containsExactly(BulkResult.Status.REJECTED);
        assertThat(r.items().get(0).reason()).contains("400").contains("too long");
    }

    @Test
    void replayingADocumentKeepsOneCopy() {
        String set = newSet();
        LogDocument d = new LogDocument("same", T0, Map.of("host", "a"));
        store.index(set, List.of(d));
        store.index(set, List.of(new LogDocument("same", T0, Map.of("host", "b"))));
        store.refresh(set);
        SearchResult r = store.search(SearchRequest.builder(set).build());
        assertThat(r.total()).isEqualTo(1);
        assertThat(r.hits().get(0).source()).containsEntry("host", "b");
    }

    @Test
    void rollsOverToTheNextIndexOfTheDayWhenFull() {
        String set = "es_it_roll_" + ProcessHandle.current().pid();
        store.ensureIndexSet(new IndexSetSchema(set, null, FIELDS, 1, 0, 1));
        store.index(set, List.of(new LogDocument("r1", T0, Map.of("log", "first"))));
        store.index(set, List.of(new LogDocument("r2", T0, Map.of("log", "second"))));
        store.refresh(set);
        assertThat(store.listIndices(set)).extracting(IndexInfo::name)
                .contains(IndexNames.daily(set, IndexNames.dayOf(T0), 0), IndexNames.daily(set, IndexNames.dayOf(T0), 1));
        assertThat(store.search(SearchRequest.builder(set).build()).total()).isEqualTo(2);
    }

    @Test
    void addsFieldsButRefusesATypeChange() {
        String set = newSet();
        store.index(set, List.of(new LogDocument("x", T0, Map.of("later", "v1"))));
        store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("later", FieldType.KEYWORD))));
        store.index(set, List.of(new LogDocument("y", T0, Map.of("later", "v2"))));
        store.refresh(set);
        assertThat(store.search(SearchRequest.builder(set).query(new Query.Term("later", "v2")).build()).total())
                .isEqualTo(1);
        assertThatThrownBy(() -> store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("status", FieldType.KEYWORD)))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("status");
        assertThat(store.indexSets()).contains(set);
    }

    @Test
    void anIndexAliasedToTheSetIsSearchedWithItAndAliasesCanBeRemoved() {
        String set = newSet();
        String other = newSet();
        store.index(other, List.of(new LogDocument("o1", T0, Map.of("host", "h"))));
        String otherIndex = IndexNames.daily(other, IndexNames.dayOf(T0), 0);
        store.addAlias(otherIndex, set);
        store.refresh(set);
        assertThat(store.search(SearchRequest.builder(set).build()).total()).isEqualTo(1);
        assertThat(store.listIndices(set)).extracting(IndexInfo::name).contains(otherIndex);
        store.removeAlias(otherIndex, set);
        store.removeAlias(otherIndex, set);
        assertThat(store.search(SearchRequest.builder(set).build()).total()).isZero();
        store.deleteIndices(List.of(otherIndex, "v2_missing_20240101_1"));
        assertThat(store.listIndices(other)).isEmpty();
        store.index(other, List.of(new LogDocument("o2", T0, Map.of("host", "h"))));
        assertThat(store.listIndices(other)).extracting(IndexInfo::name).containsExactly(otherIndex);
    }

    @Test
    void aRawLineCopiedFromMessageIsStoredOnceAndStillReadAndSearchedAsLog() {
        String set = "es_it_derived_" + ProcessHandle.current().pid() + "_" + SEQ.incrementAndGet();
        store.ensureIndexSet(new IndexSetSchema(set, null, List.of(FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("message", FieldType.TEXT)), 1, 0, 0));
        String line = "PacketResponder 1 for block blk_42 terminating";
        BulkResult r = store.index(set, List.of(
                new LogDocument("copied", T0, Map.of("message", line, "log", line)),
                new LogDocument("own", T0.plusSeconds(1), Map.of("log", "own raw line terminating")),
                new LogDocument("differs", T0.plusSeconds(2), Map.of("message", "client text",
                        "log", "raw differs terminating")),
                // a client cannot mark its own document as "log copied from message"
                new LogDocument("spoof", T0.plusSeconds(3), Map.of("message", "client words",
                        "log", "raw spoof terminating", EsMappings.LOG_FROM, "message"))));
        assertThat(r.allOk()).as("%s", r.items()).isTrue();
        store.refresh(set);

        JsonNode raw = new EsHttp(store.connection()).perform("GET", "/" + set + "/_doc/copied", null).path("_source");
        assertThat(raw.has("log")).as("%s", raw).isFalse();
        assertThat(raw.path("message").asText()).isEqualTo(line);
        assertThat(raw.path(EsMappings.DOC_ID).asText()).as("the id's sort copy is kept in _source: %s", raw)
                .isEqualTo("copied");

        SearchResult all = store.search(SearchRequest.builder(set).query(new Query.Term("log", "terminating"))
                .size(10).highlight(true).build());
        assertThat(all.hits()).extracting(SearchResult.Hit::id).containsExactlyInAnyOrder("copied", "own", "differs",
                "spoof");
        SearchResult.Hit copied = all.hits().stream().filter(h -> h.id().equals("copied")).findFirst().orElseThrow();
        assertThat(copied.source()).containsEntry("log", line).containsEntry("message", line)
                .doesNotContainKey(EsMappings.LOG_FROM);
        assertThat(copied.highlights().get("log")).anySatisfy(h -> assertThat(h).contains("<mark>terminating</mark>"));
        assertThat(store.search(SearchRequest.builder(set).query(new Query.Phrase("log", "blk 42 terminating"))
                .size(10).build()).hits()).extracting(SearchResult.Hit::id).containsExactly("copied");
        assertThat(store.search(SearchRequest.builder(set).query(new Query.Term("log", "client")).size(10).build())
                .total()).as("a message that is not the raw line is not searched as log").isZero();
        assertThat(store.search(SearchRequest.builder(set).query(new Query.Exists("log")).size(10).build()).total())
                .isEqualTo(4);
        SearchResult onlyLog = store.search(SearchRequest.builder(set).query(new Query.Term("log", "blk"))
                .fields(List.of("log")).size(10).build());
        assertThat(onlyLog.hits()).singleElement().satisfies(h -> assertThat(h.source()).isEqualTo(Map.of("log", line)));
    }

    @Test
    void aDayIndexRefusedAtTheShardLimitLeavesItsDocumentsRetryableWithTheReason() throws Exception {
        EsHttp http = new EsHttp(store.connection());
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        try (EsLogStore noRetry = EsLogStore.builder().hosts(EsFixture.shared().url())
                .bulkRetry(io.bklog.es.BulkRetryPolicy.NONE).build()) {
            String set = newSet();
            JsonNode h = http.perform("GET", "/_cluster/health", null);
            long open = h.path("active_shards").asLong() + h.path("unassigned_shards").asLong();
            try {
                http.perform("PUT", "/_cluster/settings", om.createObjectNode().set("persistent",
                        om.createObjectNode().put("cluster.max_shards_per_node", open)));
                BulkResult r = noRetry.index(set, List.of(new LogDocument("s1", T0, Map.of("log", "x"))));
                assertThat(r.items()).singleElement().satisfies(item -> {
                    assertThat(item.status()).isEqualTo(BulkResult.Status.RETRYABLE);
                    assertThat(item.reason()).contains("shard limit").contains("cluster.max_shards_per_node");
                });
            } finally {
                http.perform("PUT", "/_cluster/settings", om.createObjectNode().set("persistent",
                        om.createObjectNode().putNull("cluster.max_shards_per_node")));
            }
            assertThat(noRetry.index(set, List.of(new LogDocument("s1", T0, Map.of("log", "x")))).allOk()).isTrue();
        }
    }
}
