package io.bklog.testkit;

import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.AggregationResult.Bucket;
import io.bklog.spi.query.AggregationResult.TimeBucket;
import io.bklog.spi.query.Intervals;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.spi.query.Sort;
import io.bklog.testkit.store.NginxCorpus;
import io.bklog.testkit.store.NginxCorpus.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static io.bklog.testkit.store.NginxCorpus.DAY1;
import static io.bklog.testkit.store.NginxCorpus.DAY2;
import static io.bklog.testkit.store.NginxCorpus.DAY3;
import static io.bklog.testkit.store.NginxCorpus.END;
import static io.bklog.testkit.store.NginxCorpus.START;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/**
 * The compatibility kit of {@link LogStore}: the reference semantics every store (memory, Lucene, Elasticsearch)
 * meets. A store's test extends this class and implements {@link #createStore}; everything else is inherited:
 * <pre>{@code
 * class LuceneLogStoreTest extends LogStoreContract {
 *     protected LogStore createStore(Path dir) { return LuceneLogStore.builder().dataDir(dir).build(); }
 * }
 * }</pre>
 * After each test the indices of the index sets in {@link #INDEX_SETS} are deleted and the store is closed, so a
 * store on a shared server (Elasticsearch) starts clean as long as nothing else writes those index sets.
 *
 * <p>Before each test a fresh store gets index set {@value #NGINX} with the 24 documents of {@link NginxCorpus}
 * (8 per UTC day, 2024-03-01..03) and a refresh. Expectations are computed from {@link NginxCorpus#ROWS} with
 * plain predicates or spelled out where the rule itself is the point.
 *
 * <p>Semantics pinned here beyond the SPI javadoc (each has a test named for it):
 * <ul>
 *   <li><b>Indices.</b> The first daily index of a day is {@code _0}; {@code Hit.index} is the physical index name;
 *       {@code listIndices} accepts an index name, an index set, an alias, {@code *} globs and {@code *} (order
 *       unspecified); an index set with no index searches empty (no error); with {@code rolloverBytes} a batch
 *       goes to {@code _n+1} once {@code _n} passed the size, and a replayed id still replaces its stored copy in
 *       whichever index of the day holds it.</li>
 *   <li><b>Bulk.</b> Indexing into an unknown index set throws {@link IllegalArgumentException} naming it. Values
 *       convert to the mapped type: numeric strings to long/double, long to double, {@code "true"/"false"} to
 *       boolean, numbers to keyword as their text. A value that cannot convert ({@code "abc"} for long,
 *       {@code "maybe"} for boolean, {@code 999.1.1.1} for ip) makes that item REJECTED with a reason naming the
 *       field; the other items are stored. An empty list is no value. Unmapped fields stay in the source as given
 *       and are not searchable, not even by the any-field search.</li>
 *   <li><b>Source.</b> Normalized values (long → Long, double → Double...), lists as lists in their order, the time
 *       field as epoch millis under the index set's own time field; {@code fields} keeps only the requested keys
 *       a document has.</li>
 *   <li><b>Queries.</b> Term on text = all tokens of the value present, any order, case-insensitive, whole tokens
 *       only; term on keyword/ip exact; term on long/double/date numeric ({@code "3"} equals 3.0); a query value that
 *       does not parse matches nothing (no error). Any field (null) = text fields analyzed + keyword fields exact,
 *       never long/double/boolean/ip/date. Phrase on keyword = equality. Wildcard/regex on text are lower-cased and
 *       must match one token, except a wildcard holding separators, which matches consecutive tokens in order
 *       ({@code TextAnalysis.wildcardParts}); on keyword they match the whole value case-sensitively; the regex is anchored.
 *       Range bounds parse like term values; keyword ranges compare by code point (UTF-8 byte order). Bool with
 *       must and should needs at least one should (Elasticsearch: {@code minimum_should_match: 1}); a must-not-only
 *       Bool is the complement; a field the mapping lacks matches nothing (so its negation matches all).</li>
 *   <li><b>Time range.</b> {@code [from, to)} on the time field, either bound open.</li>
 *   <li><b>Sort.</b> Empty = time descending. The id tie-break is always ascending, also under descending keys.
 *       Missing values last in both orders. Keyword by code point ({@code WEB-01 < db-01 < web-01}), boolean false
 *       first. A text sort key throws {@link IllegalArgumentException} naming the field. {@code sortValues} = one
 *       value per key, then the id; otherwise opaque (fed back verbatim to {@code searchAfter}); the total is the
 *       total of the query, also with {@code searchAfter}.</li>
 *   <li><b>Highlight.</b> Only fields matched by a positive clause (never must-not), only values with a mark; text
 *       keeps the original text with each matched token wrapped on its own
 *       ({@code <mark>refused</mark> <mark>connection</mark>}), including tokens matched by wildcard/regex;
 *       keyword values are wrapped whole. Empty map when not requested. (Phrase highlighting is not pinned.)</li>
 *   <li><b>Aggregations</b> cover the query and the time range, never the page. Terms ties by the key's natural
 *       order (numbers numerically: 99 before 1000); keys: long/date {@code Long.toString}, double
 *       {@code stripTrailingZeros().toPlainString()} ({@code 3.0 → "3"}), boolean {@code true/false}; a
 *       multi-valued field counts each value once per document; {@code otherCount} sums the counts of the
 *       remaining buckets. Date histogram: epoch-aligned buckets from the one holding {@code from} to the one
 *       holding {@code to - 1ms}, zero-filled (also when nothing matches); without a time range from the first to
 *       the last matching document (empty list when nothing matches); auto = {@link Intervals#auto} over the time
 *       range, or over {@code [first, last + 1ms)} of the matches without one, {@code targetBuckets 0 = 60}.
 *       Stats count values; all null with count 0. Cardinality exact on small sets. Percentiles: p0 = min,
 *       p100 = max, others between the two nearest ranks (linear interpolation and TDigest both pass), absent
 *       keys when no document has the field ({@code PercentilesResult} cannot hold nulls).</li>
 *   <li><b>Aliases.</b> {@code addAlias(index, set)} makes a foreign index part of that set (its own mapping
 *       applies to its documents), {@code removeAlias} takes it out; {@code IndexInfo.indexSet} stays the set the
 *       index was created for; {@code IndexInfo.aliases} lists the aliases. {@code deleteIndices} ignores missing
 *       names. Several index sets in one request are merged in one sort order; a field only one set has is
 *       matched in that set.</li>
 *   <li><b>Visibility.</b> After {@code refresh}, or within {@link #visibilityTimeout()} without it.</li>
 * </ul>
 * {@code restore_} copies being searched with their set is covered by {@link SnapshotRepositoryContract}.
 *
 * <p>The tests are grouped in {@link Nested} classes, one per concern ({@link IndexSets}, {@link Bulk},
 * {@link Queries}, {@link TimeRange}, {@link Sorting}, {@link Paging}, {@link Highlight}, {@link Aggregations},
 * {@link Aliases}, {@link Visibility}), as Micrometer's {@code MeterRegistryCompatibilityKit} groups its per-meter
 * tests: a store's test class still only extends this class, and every group runs against the store it creates.
 */
public abstract class LogStoreContract {

    protected static final String NGINX = "nginx";
    protected static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;

    /** Index sets the tests create; {@link #tearDown} deletes their indices. */
    protected static final List<String> INDEX_SETS = List.of(NGINX, "app", "legacy", "events", "paging", "empty",
            "evolving", "typed", "rolling");

    @TempDir
    protected Path tempDir;

    protected LogStore store;

    /** A new, empty store keeping its files (if any) under {@code dir}. */
    protected abstract LogStore createStore(Path dir) throws Exception;

    /** How long a document may take to become visible without {@link LogStore#refresh}; the SPI says one second. */
    protected Duration visibilityTimeout() {
        return Duration.ofSeconds(2);
    }

    @BeforeEach
    void ingestCorpus() throws Exception {
        store = createStore(tempDir);
        store.ensureIndexSet(NginxCorpus.schema(NGINX));
        BulkResult r = store.index(NGINX, NginxCorpus.documents());
        assertThat(r.items()).hasSize(NginxCorpus.ROWS.size());
        assertThat(r.allOk()).as("corpus indexed without rejections: %s", r.items()).isTrue();
        store.refresh(NGINX);
    }

    @AfterEach
    void tearDown() {
        if (store == null) return;
        try {
            List<String> indices = new ArrayList<>();
            for (String set : INDEX_SETS) {
                store.listIndices(set).forEach(i -> indices.add(i.name()));
            }
            store.deleteIndices(indices);
        } finally {
            store.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    protected SearchRequest.Builder request() {
        return SearchRequest.builder(NGINX).size(1000);
    }

    protected SearchResult search(SearchRequest.Builder b) {
        return store.search(b.build());
    }

    protected List<String> ids(SearchResult r) {
        return r.hits().stream().map(SearchResult.Hit::id).toList();
    }

    /** Ids matching {@code q} over the whole corpus. */
    protected List<String> idsOf(Query q) {
        SearchResult r = search(request().query(q));
        assertThat(r.total()).as("total equals the hits when all fit in the page").isEqualTo(r.hits().size());
        return ids(r);
    }

    protected void assertMatches(Query q, Predicate<Row> expected) {
        assertThat(idsOf(q)).as("ids matching %s", q).containsExactlyInAnyOrderElementsOf(NginxCorpus.ids(expected));
    }

    protected void assertMatchesIds(Query q, String... expected) {
        assertThat(idsOf(q)).as("ids matching %s", q).containsExactlyInAnyOrder(expected);
    }

    protected SearchResult.Hit hit(String id) {
        SearchResult r = search(request().query(Query.matchAll()));
        return r.hits().stream().filter(h -> h.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no hit with id " + id));
    }

    protected static Query term(String field, String value) {
        return new Query.Term(field, value);
    }

    protected static Query range(String field, String lower, String upper, boolean incLower, boolean incUpper) {
        return new Query.Range(field, lower, upper, incLower, incUpper);
    }

    protected static Query bool(List<Query> must, List<Query> should, List<Query> mustNot) {
        return new Query.Bool(must, should, mustNot);
    }

    protected static Instant at(String iso) {
        return Instant.parse(iso);
    }

    protected static LogDocument doc(String id, Instant t, Map<String, Object> fields) {
        return new LogDocument(id, t, fields);
    }

    protected void indexAndRefresh(String set, List<LogDocument> docs) {
        BulkResult r = store.index(set, docs);
        assertThat(r.allOk()).as("indexed: %s", r.items()).isTrue();
        store.refresh(set);
    }

    @SuppressWarnings("unchecked")
    protected <T extends AggregationResult> T agg(SearchResult r, String name) {
        assertThat(r.aggregations()).containsKey(name);
        return (T) r.aggregations().get(name);
    }

    private static <T extends Comparable<T>> Comparator<Row> missingLast(Function<Row, T> key, boolean asc) {
        Comparator<T> order = asc ? Comparator.naturalOrder() : Comparator.reverseOrder();
        return Comparator.comparing(key, Comparator.nullsLast(order));
    }

    private List<String> sortedIds(Comparator<Row> c) {
        return NginxCorpus.ROWS.stream().sorted(c.thenComparing(Row::id)).map(Row::id).toList();
    }

    /** Index sets: creation, idempotence, added fields, type changes, reindex. */
    @Nested
    class IndexSets {

        @Test
        void backendNameIsNotBlank() {
            assertThat(store.backendName()).isNotBlank();
        }

        @Test
        void ensureIndexSetIsIdempotent() {
            store.ensureIndexSet(NginxCorpus.schema(NGINX));
            store.ensureIndexSet(NginxCorpus.schema(NGINX));
            assertThat(store.indexSets()).contains(NGINX);
            assertThat(search(request()).total()).isEqualTo(24);
        }

        @Test
        void ensureIndexSetAddsAFieldThatBecomesSearchable() {
            List<FieldSpec> fields = new ArrayList<>(NginxCorpus.fields());
            store.ensureIndexSet(IndexSetSchema.of("evolving", fields));
            fields.add(FieldSpec.of("region", FieldType.KEYWORD));
            store.ensureIndexSet(IndexSetSchema.of("evolving", fields));
            indexAndRefresh("evolving", List.of(
                    doc("e1", at("2024-03-01T10:00:00Z"), Map.of("log", "a", "region", "eu-west")),
                    doc("e2", at("2024-03-01T11:00:00Z"), Map.of("log", "b", "region", "us-east"))));
            SearchResult r = store.search(SearchRequest.builder("evolving").query(term("region", "eu-west")).build());
            assertThat(ids(r)).containsExactly("e1");
            assertThat(store.indexSets()).contains("evolving", NGINX);
        }

        @Test
        void aFieldMappedAfterDocumentsWereStoredIsSearchableInThemOnceReindexed() {
            List<FieldSpec> fields = new ArrayList<>(NginxCorpus.fields());
            store.ensureIndexSet(IndexSetSchema.of("late_field", fields));
            indexAndRefresh("late_field", List.of(
                    doc("l1", at("2024-03-01T10:00:00Z"), Map.of("log", "a", "zone", "eu-west")),
                    doc("l2", at("2024-03-02T11:00:00Z"), Map.of("log", "b", "zone", "us-east"))));
            fields.add(FieldSpec.of("zone", FieldType.KEYWORD));
            store.ensureIndexSet(IndexSetSchema.of("late_field", fields));
            List<Double> progress = new ArrayList<>();
            store.reindex("late_field", (fraction, message) -> progress.add(fraction));
            store.refresh("late_field");
            SearchResult r = store.search(SearchRequest.builder("late_field").query(term("zone", "eu-west")).build());
            assertThat(ids(r)).containsExactly("l1");
            assertThat(store.search(SearchRequest.builder("late_field").build()).total()).as("nothing duplicated")
                    .isEqualTo(2);
            assertThat(progress).isNotEmpty().last().isEqualTo(1.0);
        }

        @Test
        void ensureIndexSetRejectsChangingTheTypeOfAField() {
            store.ensureIndexSet(IndexSetSchema.of("typed", List.of(FieldSpec.of("code", FieldType.LONG))));
            assertThatThrownBy(() -> store.ensureIndexSet(
                    IndexSetSchema.of("typed", List.of(FieldSpec.of("code", FieldType.KEYWORD)))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("code");
        }

        @Test
        void indexIntoUnknownIndexSetThrows() {
            assertThatThrownBy(() -> store.index("nosuchset", NginxCorpus.documents()))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("nosuchset");
        }
    }

    /** Bulk indexing: daily indices, replacement by id, per-item rejection, value conversion, source. */
    @Nested
    class Bulk {

        @Test
        void indexPutsDocumentsIntoDailyIndicesNamedByIndexNames() {
            List<IndexInfo> infos = new ArrayList<>(store.listIndices(NGINX));
            infos.sort(Comparator.comparing(IndexInfo::name));
            assertThat(infos).extracting(IndexInfo::name).containsExactly(
                    IndexNames.daily(NGINX, DAY1, 0), IndexNames.daily(NGINX, DAY2, 0), IndexNames.daily(NGINX, DAY3, 0));
            assertThat(infos).allSatisfy(i -> {
                assertThat(i.indexSet()).isEqualTo(NGINX);
                assertThat(i.docCount()).isEqualTo(8);
                assertThat(i.sizeBytes()).isPositive();
            });
        }

        @Test
        void hitNamesThePhysicalIndexOfItsDay() {
            assertThat(hit("n01").index()).isEqualTo(IndexNames.daily(NGINX, DAY1, 0));
            assertThat(hit("n08").index()).as("23:59:59.999 is still day 1").isEqualTo(IndexNames.daily(NGINX, DAY1, 0));
            assertThat(hit("n09").index()).isEqualTo(IndexNames.daily(NGINX, DAY2, 0));
            assertThat(hit("n24").index()).isEqualTo(IndexNames.daily(NGINX, DAY3, 0));
        }

        @Test
        void listIndicesAcceptsAnIndexNameAGlobAndStar() {
            String day2 = IndexNames.daily(NGINX, DAY2, 0);
            assertThat(store.listIndices(day2)).extracting(IndexInfo::name).containsExactly(day2);
            assertThat(store.listIndices("v2_nginx_2024030*")).hasSize(3);
            assertThat(store.listIndices("*")).extracting(IndexInfo::name).contains(day2);
            assertThat(store.listIndices("nosuchindex")).isEmpty();
        }

        @Test
        void indexingTheSameIdTwiceKeepsOneDocumentWithTheLatestContent() {
            Map<String, Object> changed = new LinkedHashMap<>(NginxCorpus.document(NginxCorpus.byId("n04")).fields());
            changed.put("level", "FATAL");
            indexAndRefresh(NGINX, List.of(doc("n04", NginxCorpus.byId("n04").time(), changed)));
            assertThat(search(request()).total()).isEqualTo(24);
            assertMatchesIds(term("level", "FATAL"), "n04");
            assertThat(idsOf(term("level", "ERROR"))).doesNotContain("n04");
            assertThat(store.listIndices(IndexNames.daily(NGINX, DAY1, 0)).get(0).docCount()).isEqualTo(8);
        }

        @Test
        void bulkRejectsItemsWhoseValueCannotBeConvertedAndStoresTheOthers() {
            Instant t = at("2024-03-02T12:00:00Z");
            BulkResult r = store.index(NGINX, List.of(
                    doc("good1", t, Map.of("log", "fine", "status", 200L)),
                    doc("bad-status", t, Map.of("log", "x", "status", "abc")),
                    doc("good2", t, Map.of("log", "fine", "latency", 0.5)),
                    doc("bad-ok", t, Map.of("log", "x", "ok", "maybe")),
                    doc("bad-ip", t, Map.of("log", "x", "client_ip", "999.1.1.1")),
                    doc("bad-latency", t, Map.of("log", "x", "latency", "fast"))));
            assertThat(r.items()).extracting(BulkResult.ItemResult::id)
                    .containsExactly("good1", "bad-status", "good2", "bad-ok", "bad-ip", "bad-latency");
            assertThat(r.items()).extracting(BulkResult.ItemResult::status).containsExactly(
                    BulkResult.Status.OK, BulkResult.Status.REJECTED, BulkResult.Status.OK, BulkResult.Status.REJECTED,
                    BulkResult.Status.REJECTED, BulkResult.Status.REJECTED);
            assertThat(r.items().get(1).reason()).contains("status");
            assertThat(r.items().get(3).reason()).contains("ok");
            assertThat(r.items().get(4).reason()).contains("client_ip");
            assertThat(r.items().get(5).reason()).contains("latency");
            assertThat(r.count(BulkResult.Status.REJECTED)).isEqualTo(4);
            store.refresh(NGINX);
            assertThat(search(request()).total()).isEqualTo(26);
            assertMatchesIds(term("log", "fine"), "good1", "good2");
            assertMatchesIds(term("log", "x"));
        }

        @Test
        void valuesAreConvertedToTheMappedTypeInTheSource() {
            indexAndRefresh(NGINX, List.of(doc("conv", at("2024-03-02T12:00:00Z"), Map.of(
                    "log", "converted", "status", "201", "latency", 1L, "ok", "true", "host", 42L))));
            SearchResult.Hit h = hit("conv");
            assertThat(h.source().get("status")).isEqualTo(201L);
            assertThat(h.source().get("latency")).isEqualTo(1.0d);
            assertThat(h.source().get("ok")).isEqualTo(Boolean.TRUE);
            assertThat(h.source().get("host")).isEqualTo("42");
            assertMatchesIds(term("status", "201"), "n10", "conv");
            assertMatchesIds(term("host", "42"), "conv");
        }

        @Test
        void ipValuesAreKeptInTheirCanonicalForm() {
            indexAndRefresh(NGINX, List.of(doc("v6", at("2024-03-02T12:00:00Z"),
                    Map.of("log", "ipv6 client", "client_ip", "2001:DB8:0:0:0:0:0:1"))));
            assertThat(hit("v6").source().get("client_ip")).isEqualTo("2001:db8::1");
            assertMatchesIds(term("client_ip", "2001:db8::1"), "v6");
            assertMatchesIds(term("client_ip", "2001:db8:0::1"), "v6");
        }

        @Test
        void aDateFieldBesidesTheTimeFieldTakesIso8601OrEpochMillis() {
            List<FieldSpec> fields = new ArrayList<>(NginxCorpus.fields());
            fields.add(FieldSpec.of("seen_at", FieldType.DATE));
            store.ensureIndexSet(IndexSetSchema.of("evolving", fields));
            long millis = at("2024-02-29T08:00:00Z").toEpochMilli();
            indexAndRefresh("evolving", List.of(
                    doc("d1", at("2024-03-01T10:00:00Z"), Map.of("log", "a", "seen_at", "2024-02-29T16:00:00+08:00")),
                    doc("d2", at("2024-03-01T11:00:00Z"), Map.of("log", "b", "seen_at", millis + 1))));
            SearchResult r = store.search(SearchRequest.builder("evolving").sort(Sort.asc("seen_at")).build());
            assertThat(ids(r)).containsExactly("d1", "d2");
            assertThat(r.hits().get(0).source().get("seen_at")).isEqualTo(millis);
            r = store.search(SearchRequest.builder("evolving")
                    .query(Query.Range.greaterThan("seen_at", "2024-02-29T08:00:00Z")).build());
            assertThat(ids(r)).containsExactly("d2");
        }

        @Test
        void sourceHoldsNormalizedValuesAndTheTimeFieldAsEpochMillis() {
            Map<String, Object> s = hit("n04").source();
            assertThat(s.get("log")).isEqualTo("upstream error: Connection refused while connecting to db-01");
            assertThat(s.get("host")).isEqualTo("web-02");
            assertThat(s.get("status")).isEqualTo(500L);
            assertThat(s.get("latency")).isEqualTo(1.25d);
            assertThat(s.get("ok")).isEqualTo(Boolean.FALSE);
            assertThat(s.get("client_ip")).isEqualTo("10.0.0.9");
            assertThat(s.get("tags")).isEqualTo(List.of("payment", "alert"));
            assertThat(s.get(TIME)).isEqualTo(at("2024-03-01T06:00:00Z").toEpochMilli());
            assertThat(hit("n05").source()).doesNotContainKeys("status", "latency", "path");
        }

        @Test
        void unmappedFieldsAreKeptInTheSourceButAreNotSearchable() {
            indexAndRefresh(NGINX, List.of(doc("unm", at("2024-03-02T12:00:00Z"),
                    Map.of("log", "with extra", "extra", "zebra", "extra_num", 7L))));
            assertThat(hit("unm").source()).containsEntry("extra", "zebra").containsEntry("extra_num", 7L);
            assertMatchesIds(term("extra", "zebra"));
            assertMatchesIds(term(null, "zebra"));
            assertMatchesIds(new Query.Exists("extra"));
        }
    }

    /** Queries: term, phrase, wildcard, regex, range, exists and bool on each field type. */
    @Nested
    class Queries {

        @Test
        void matchAllMatchesEveryDocument() {
            assertMatches(Query.matchAll(), r -> true);
            assertThat(search(request().size(5)).total()).isEqualTo(24);
        }

        @Test
        void termOnTextMatchesWhenEveryTokenIsPresentInAnyOrder() {
            // n08 and n18 have "refused ... connection" in the other order
            assertMatchesIds(term("log", "connection refused"), "n04", "n08", "n11", "n18");
            assertMatchesIds(term("log", "refused"), "n04", "n08", "n11", "n18");
        }

        @Test
        void termOnTextIsCaseInsensitiveAndMatchesWholeTokensOnly() {
            assertMatchesIds(term("log", "REFUSED"), "n04", "n08", "n11", "n18");
            assertMatchesIds(term("log", "refuse"));
            assertMatchesIds(term("log", "fatal"), "n12");
        }

        @Test
        void termOnTextAnalyzesTheValueLikeTheField() {
            // "db-01" is the tokens [db, 01]
            assertMatchesIds(term("log", "db-01"), "n04", "n11");
            assertMatchesIds(term("log", "/api/v1/orders"), "n02", "n10", "n20");
        }

        @Test
        void termOnKeywordIsExactAndCaseSensitive() {
            assertMatches(term("host", "web-01"), r -> r.host().equals("web-01"));
            assertMatchesIds(term("host", "WEB-01"), "n15");
            assertMatchesIds(term("host", "web"));
            assertMatchesIds(term("host", "web-01 "));
        }

        @Test
        void termOnMultiValuedKeywordMatchesAnyValue() {
            assertMatches(term("tags", "alert"), r -> r.tags().contains("alert"));
        }

        @Test
        void termOnLongIsNumericEquality() {
            assertMatches(term("status", "500"), r -> Objects.equals(r.status(), 500L));
            assertMatchesIds(term("status", "201"), "n10");
        }

        @Test
        void termWithAValueThatDoesNotParseMatchesNothing() {
            assertMatchesIds(term("status", "abc"));
            assertMatchesIds(term("latency", "fast"));
            assertMatchesIds(term(TIME, "yesterday"));
        }

        @Test
        void termOnDoubleIsNumericEquality() {
            assertMatchesIds(term("latency", "1.25"), "n04");
            assertMatchesIds(term("latency", "3"), "n23");
            assertMatchesIds(term("latency", "3.0"), "n23");
        }

        @Test
        void termOnBooleanMatchesTrueOrFalse() {
            assertMatches(term("ok", "false"), r -> Boolean.FALSE.equals(r.ok()));
            assertMatches(term("ok", "true"), r -> Boolean.TRUE.equals(r.ok()));
        }

        @Test
        void termOnIpIsExact() {
            assertMatches(term("client_ip", "10.0.0.9"), r -> "10.0.0.9".equals(r.clientIp()));
            assertMatchesIds(term("client_ip", "10.0.0"));
        }

        @Test
        void termOnDateAcceptsEpochMillisAndIso8601() {
            long millis = at("2024-03-01T06:00:00Z").toEpochMilli();
            assertMatchesIds(term(TIME, Long.toString(millis)), "n04");
            assertMatchesIds(term(TIME, "2024-03-01T06:00:00Z"), "n04");
            assertMatchesIds(term(TIME, "2024-03-01T14:00:00+08:00"), "n04");
            assertMatchesIds(term(TIME, "2024-03-01T23:59:59.999Z"), "n08");
        }

        @Test
        void termWithNullFieldSearchesEveryTextAndKeywordField() {
            // host keyword db-01 (n05, n12, n21) and log text tokens [db, 01] (n04, n11)
            assertMatchesIds(term(null, "db-01"), "n04", "n05", "n11", "n12", "n21");
            assertMatchesIds(term(null, "ERROR"), "n04", "n08", "n11", "n12", "n18", "n23");
            assertMatchesIds(term(null, "payment"), "n04", "n08", "n11", "n18", "n23");
        }

        @Test
        void termWithNullFieldDoesNotSearchNumericBooleanIpOrDateFields() {
            assertMatchesIds(term(null, "500"));
            assertMatchesIds(term(null, "1.25"));
            assertMatchesIds(term(null, "10.0.0.9"));
            assertMatchesIds(term(null, Long.toString(at("2024-03-01T06:00:00Z").toEpochMilli())));
        }

        @Test
        void phraseOnTextRequiresAdjacentTokensInOrder() {
            assertMatchesIds(new Query.Phrase("log", "connection refused"), "n04", "n11");
            assertMatchesIds(new Query.Phrase("log", "Connection Refused"), "n04", "n11");
            assertMatchesIds(new Query.Phrase("log", "refused connection"), "n08");
            assertMatchesIds(new Query.Phrase("log", "connection while refused"));
        }

        @Test
        void phraseWithNullFieldSearchesTextAndKeywordFields() {
            assertMatchesIds(new Query.Phrase(null, "too many connections"), "n12");
            assertMatchesIds(new Query.Phrase(null, "/favicon.ico"), "n03", "n19");
        }

        @Test
        void phraseOnKeywordIsExactEquality() {
            assertMatches(new Query.Phrase("path", "/api/v2/pay"), r -> "/api/v2/pay".equals(r.path()));
            assertMatchesIds(new Query.Phrase("path", "/api/v2"));
        }

        @Test
        void wildcardOnKeywordMatchesTheWholeValueCaseSensitively() {
            assertMatches(new Query.Wildcard("host", "web-*"), r -> r.host().startsWith("web-"));
            assertMatches(new Query.Wildcard("host", "web-0?"), r -> r.host().startsWith("web-"));
            assertMatches(new Query.Wildcard("path", "*.ico"), r -> "/favicon.ico".equals(r.path()));
            assertMatchesIds(new Query.Wildcard("host", "web"));
            assertMatchesIds(new Query.Wildcard("host", "WEB-*"), "n15");
        }

        @Test
        void wildcardOnTextIsLowerCasedAndMatchesOneToken() {
            assertMatchesIds(new Query.Wildcard("log", "conn*"), "n04", "n08", "n11", "n12", "n18");
            assertMatchesIds(new Query.Wildcard("log", "CONN*"), "n04", "n08", "n11", "n12", "n18");
            assertMatchesIds(new Query.Wildcard("log", "refus?d"), "n04", "n08", "n11", "n18");
            assertMatchesIds(new Query.Wildcard("log", "connection*refused"));
        }

        /**
         * A wildcard holding separators matches consecutive tokens, each part against one token, in order; a part of
         * only {@code *} at either end is dropped ({@code TextAnalysis.wildcardParts}): {@code blk_*},
         * {@code dfs.DataNode*} and {@code 10.250.*} find what Elasticsearch's standard analyzer finds.
         */
        @Test
        void wildcardOnTextWithSeparatorsMatchesConsecutiveTokens() {
            List<String> users = List.of("n01", "n06", "n09", "n14", "n17", "n22", "n24");
            assertMatchesIds(new Query.Wildcard("log", "api/v1/user*"), users.toArray(String[]::new));
            assertMatchesIds(new Query.Wildcard("log", "/API/v1/users*"), users.toArray(String[]::new));
            assertMatchesIds(new Query.Wildcard("log", "DB-0*"), "n04", "n11");
            assertMatchesIds(new Query.Wildcard("log", "db-01:*"), "n04", "n11");
            assertMatchesIds(new Query.Wildcard("log", "db-01:5432"), "n11");
            assertMatchesIds(new Query.Wildcard("log", "favicon.ic?"), "n03", "n19");
            assertMatchesIds(new Query.Wildcard("log", "*.txt"), "n13");
            assertMatchesIds(new Query.Wildcard("log", "upstream_err*"), "n04");
            assertMatches(new Query.Wildcard("log", "HTTP/1.*"), r -> r.log().contains("HTTP/1.1"));
            // in order, adjacent, whole tokens
            assertMatchesIds(new Query.Wildcard("log", "users/api*"));
            assertMatchesIds(new Query.Wildcard("log", "api/v2/user*"));
            assertMatchesIds(new Query.Wildcard("log", "connecting.*.refused"));
            assertMatchesIds(new Query.Wildcard("log", "refused.*.connecting"), "n04");
            assertMatchesIds(new Query.Wildcard("log", "refused_while_connecting"), "n04");
            assertMatchesIds(new Query.Wildcard("log", "..."));
        }

        @Test
        void wildcardWithNullFieldSearchesTextTokensAndKeywordValues() {
            // keyword path values starting with /robots, or a text token starting with robots
            assertMatchesIds(new Query.Wildcard(null, "robot*"), "n13");
            // keyword host values starting with db-0, or the text tokens db and 0* in a row
            assertMatchesIds(new Query.Wildcard(null, "db-0*"), "n04", "n05", "n11", "n12", "n21");
        }

        @Test
        void regexOnKeywordIsAnchoredToTheWholeValue() {
            assertMatches(new Query.Regex("path", "/api/v[12]/.*"), r -> r.path() != null && r.path().startsWith("/api/"));
            assertMatches(new Query.Regex("path", "/api/v2/.*"), r -> "/api/v2/pay".equals(r.path()));
            assertMatchesIds(new Query.Regex("path", "api"));
            assertMatchesIds(new Query.Regex("host", "db-[0-9]+"), "n05", "n12", "n21");
        }

        @Test
        void regexOnTextIsLowerCasedAndMatchesOneToken() {
            assertMatchesIds(new Query.Regex("log", "refus(ed|al)"), "n04", "n08", "n11", "n18");
            assertMatchesIds(new Query.Regex("log", "Conn.*"), "n04", "n08", "n11", "n12", "n18");
            assertMatchesIds(new Query.Regex("log", "connection refused"));
        }

        /**
         * A regex whose deterministic automaton would explode ({@code (a|b)*a(a|b){24}} has 2^25 states): a store on an
         * automaton engine refuses it with {@link RegexTooComplexException} (so the server answers 400, not 500); a
         * store on a linear-time engine may answer it. Any other exception fails.
         */
        @Test
        void aRegexTooComplexToDeterminizeIsRefusedWithRegexTooComplexExceptionOrAnswered() {
            String p = "(a|b)*a(a|b){24}";
            for (Query q : List.of(new Query.Regex("host", p), new Query.Regex("log", p), new Query.Regex(null, p))) {
                try {
                    assertThat(idsOf(q)).as("%s", q).isEmpty();
                } catch (RegexTooComplexException e) {
                    assertThat(e.pattern()).isEqualTo(p);
                    assertThat(e.getMessage()).contains("too complex");
                }
            }
        }

        @Test
        void rangeOnLongHonoursInclusiveAndExclusiveBounds() {
            assertMatches(range("status", "404", "500", true, true),
                    r -> r.status() != null && r.status() >= 404 && r.status() <= 500);
            assertMatches(range("status", "404", "500", false, false),
                    r -> r.status() != null && r.status() > 404 && r.status() < 500);
            assertMatches(range("status", "200", "302", true, false),
                    r -> r.status() != null && r.status() >= 200 && r.status() < 302);
            assertMatches(range("status", "302", "503", false, true),
                    r -> r.status() != null && r.status() > 302 && r.status() <= 503);
        }

        @Test
        void rangeWithAnOpenBoundIsUnboundedOnThatSide() {
            assertMatches(Query.Range.atLeast("status", "500"), r -> r.status() != null && r.status() >= 500);
            assertMatches(Query.Range.greaterThan("status", "500"), r -> r.status() != null && r.status() > 500);
            assertMatches(Query.Range.atMost("status", "302"), r -> r.status() != null && r.status() <= 302);
            assertMatches(Query.Range.lessThan("status", "302"), r -> r.status() != null && r.status() < 302);
        }

        @Test
        void rangeOnDoubleComparesNumerically() {
            assertMatches(Query.Range.atLeast("latency", "1.25"), r -> r.latency() != null && r.latency() >= 1.25);
            assertMatches(Query.Range.greaterThan("latency", "1.25"), r -> r.latency() != null && r.latency() > 1.25);
            assertMatches(range("latency", "0.002", "0.01", false, true),
                    r -> r.latency() != null && r.latency() > 0.002 && r.latency() <= 0.01);
            assertMatches(Query.Range.lessThan("latency", "1"), r -> r.latency() != null && r.latency() < 1);
        }

        @Test
        void rangeOnDateAcceptsIso8601AndEpochMillis() {
            Predicate<Row> day2 = r -> NginxCorpus.DAY2.equals(IndexNames.dayOf(r.time()));
            assertMatches(range(TIME, "2024-03-02T00:00:00Z", "2024-03-03T00:00:00Z", true, false), day2);
            assertMatches(range(TIME, Long.toString(at("2024-03-02T00:00:00Z").toEpochMilli()),
                    Long.toString(at("2024-03-03T00:00:00Z").toEpochMilli()), true, false), day2);
            assertMatchesIds(range(TIME, "2024-03-01T23:59:59.999Z", "2024-03-02T00:00:00Z", true, true), "n08", "n09");
            assertMatchesIds(range(TIME, "2024-03-01T23:59:59.999Z", "2024-03-02T00:00:00Z", false, false));
        }

        @Test
        void rangeOnKeywordIsLexicographic() {
            assertMatches(range("path", "/api", "/api/v2", true, true),
                    r -> r.path() != null && r.path().compareTo("/api") >= 0 && r.path().compareTo("/api/v2") <= 0);
            assertMatches(Query.Range.atLeast("host", "web-02"), r -> r.host().compareTo("web-02") >= 0);
            assertMatches(Query.Range.lessThan("host", "db-02"), r -> r.host().compareTo("db-02") < 0);
        }

        @Test
        void existsMatchesDocumentsWithAValue() {
            assertMatches(new Query.Exists("latency"), r -> r.latency() != null);
            assertMatches(new Query.Exists("path"), r -> r.path() != null);
            assertMatches(new Query.Exists("tags"), r -> !r.tags().isEmpty());
            assertMatches(new Query.Exists(TIME), r -> true);
        }

        @Test
        void anEmptyListIsNoValue() {
            indexAndRefresh(NGINX, List.of(doc("notags", at("2024-03-02T12:00:00Z"),
                    Map.of("log", "no tags", "tags", List.of()))));
            assertThat(idsOf(new Query.Exists("tags"))).doesNotContain("notags");
            assertThat(idsOf(Query.Bool.not(new Query.Exists("tags")))).contains("notags");
        }

        @Test
        void aFieldTheIndexSetDoesNotHaveMatchesNothing() {
            assertMatchesIds(term("nosuchfield", "web-01"));
            assertMatchesIds(new Query.Exists("nosuchfield"));
            assertMatchesIds(Query.Range.atLeast("nosuchfield", "1"));
            assertMatches(Query.Bool.not(term("nosuchfield", "x")), r -> true);
        }

        @Test
        void boolMustIsAConjunction() {
            assertMatches(Query.Bool.and(List.of(term("host", "web-02"), term("status", "500"))),
                    r -> r.host().equals("web-02") && Objects.equals(r.status(), 500L));
        }

        @Test
        void boolShouldIsADisjunction() {
            assertMatches(Query.Bool.or(List.of(term("status", "404"), term("level", "ERROR"))),
                    r -> Objects.equals(r.status(), 404L) || r.level().equals("ERROR"));
        }

        @Test
        void boolMustNotAloneMatchesTheComplement() {
            assertMatches(Query.Bool.not(term("host", "web-01")), r -> !r.host().equals("web-01"));
            assertMatches(Query.Bool.not(new Query.Exists("status")), r -> r.status() == null);
        }

        @Test
        void boolWithMustAndShouldRequiresAtLeastOneShould() {
            assertMatches(bool(List.of(term("host", "web-01")), List.of(term("status", "404"), term("status", "302")),
                            List.of()),
                    r -> r.host().equals("web-01") && (Objects.equals(r.status(), 404L) || Objects.equals(r.status(), 302L)));
        }

        @Test
        void boolCombinesMustShouldAndMustNot() {
            assertMatches(bool(List.of(new Query.Exists("status")),
                            List.of(term("level", "ERROR"), term("level", "WARN")),
                            List.of(term("host", "web-01"))),
                    r -> r.status() != null && (r.level().equals("ERROR") || r.level().equals("WARN"))
                            && !r.host().equals("web-01"));
        }

        @Test
        void emptyBoolMatchesEverything() {
            assertMatches(bool(List.of(), List.of(), List.of()), r -> true);
        }

        @Test
        void nestedBoolsCompose() {
            Query q = Query.Bool.and(List.of(
                    Query.Bool.or(List.of(term("log", "refused"), term("log", "unavailable"))),
                    Query.Bool.not(Query.Bool.and(List.of(term("host", "web-02"), Query.Range.atLeast("latency", "3"))))));
            assertMatchesIds(q, "n04", "n08", "n11");
        }

        private record Leaf(Query query, Predicate<Row> expected) {}

        private static final List<Leaf> LEAVES = List.of(
                new Leaf(term("host", "web-01"), r -> r.host().equals("web-01")),
                new Leaf(term("status", "500"), r -> Objects.equals(r.status(), 500L)),
                new Leaf(term("log", "refused"), r -> r.log().toLowerCase(java.util.Locale.ROOT).contains("refused")),
                new Leaf(new Query.Exists("latency"), r -> r.latency() != null),
                new Leaf(Query.Range.atLeast("status", "404"), r -> r.status() != null && r.status() >= 404),
                new Leaf(new Query.Wildcard("path", "/api/*"), r -> r.path() != null && r.path().startsWith("/api/")),
                new Leaf(term("ok", "true"), r -> Boolean.TRUE.equals(r.ok())),
                new Leaf(new Query.Phrase("log", "connection refused"), r -> r.id().equals("n04") || r.id().equals("n11")),
                new Leaf(term("level", "ERROR"), r -> r.level().equals("ERROR")),
                new Leaf(term("tags", "payment"), r -> r.tags().contains("payment")),
                new Leaf(term("nosuchfield", "x"), r -> false));

        private static Leaf randomTree(java.util.Random rnd, int depth) {
            if (depth == 0 || rnd.nextInt(3) == 0) return LEAVES.get(rnd.nextInt(LEAVES.size()));
            List<Leaf> must = new ArrayList<>();
            List<Leaf> should = new ArrayList<>();
            List<Leaf> mustNot = new ArrayList<>();
            for (List<Leaf> l : List.of(must, should, mustNot)) {
                int n = rnd.nextInt(3);
                for (int i = 0; i < n; i++) l.add(randomTree(rnd, depth - 1));
            }
            Query q = bool(must.stream().map(Leaf::query).toList(), should.stream().map(Leaf::query).toList(),
                    mustNot.stream().map(Leaf::query).toList());
            Predicate<Row> p = r -> must.stream().allMatch(x -> x.expected().test(r))
                    && mustNot.stream().noneMatch(x -> x.expected().test(r))
                    && (should.isEmpty() || should.stream().anyMatch(x -> x.expected().test(r)));
            return new Leaf(q, p);
        }

        @Test
        void randomBoolTreesMatchWhatTheirClausesDefine() {
            java.util.Random rnd = new java.util.Random(20240301L);
            for (int i = 0; i < 150; i++) {
                Leaf tree = randomTree(rnd, 3);
                assertMatches(tree.query(), tree.expected());
            }
        }
    }

    /** The time range {@code [from, to)} on the time field. */
    @Nested
    class TimeRange {

        @Test
        void timeRangeIncludesFromAndExcludesTo() {
            SearchResult r = search(request().timeRange(at("2024-03-01T06:00:00Z"), at("2024-03-02T00:00:00Z")));
            assertThat(ids(r)).containsExactlyInAnyOrder("n04", "n05", "n06", "n07", "n08");
            r = search(request().timeRange(at("2024-03-01T23:59:59.999Z"), at("2024-03-02T00:00:00.001Z")));
            assertThat(ids(r)).containsExactlyInAnyOrder("n08", "n09");
        }

        @Test
        void timeRangeBoundsMayBeOpen() {
            assertThat(search(request().timeRange(at("2024-03-03T00:00:00Z"), null)).total()).isEqualTo(8);
            assertThat(search(request().timeRange(null, at("2024-03-02T00:00:00Z"))).total()).isEqualTo(8);
            assertThat(search(request().timeRange(null, null)).total()).isEqualTo(24);
        }

        @Test
        void timeRangeAndQueryCombine() {
            SearchResult r = search(request().query(term("level", "ERROR"))
                    .timeRange(at("2024-03-02T00:00:00Z"), at("2024-03-04T00:00:00Z")));
            assertThat(ids(r)).containsExactlyInAnyOrder("n11", "n12", "n18", "n23");
        }
    }

    /** Sort keys, missing values, id tie-break and sort values. */
    @Nested
    class Sorting {

        @Test
        void defaultSortIsTimeDescending() {
            assertThat(ids(search(request()))).containsExactlyElementsOf(
                    sortedIds(Comparator.comparing(Row::time).reversed()));
        }

        @Test
        void sortAscendingBreaksTiesByIdAndPutsMissingValuesLast() {
            assertThat(ids(search(request().sort(Sort.asc("status")))))
                    .containsExactlyElementsOf(sortedIds(missingLast(Row::status, true)));
        }

        @Test
        void sortDescendingStillPutsMissingValuesLastAndBreaksTiesByAscendingId() {
            List<String> got = ids(search(request().sort(Sort.desc("status"))));
            assertThat(got).containsExactlyElementsOf(sortedIds(missingLast(Row::status, false)));
            assertThat(got.subList(21, 24)).containsExactly("n05", "n12", "n21");
        }

        @Test
        void sortOnDoubleKeywordBooleanAndDate() {
            assertThat(ids(search(request().sort(Sort.desc("latency")))))
                    .containsExactlyElementsOf(sortedIds(missingLast(Row::latency, false)));
            assertThat(ids(search(request().sort(Sort.asc("host")))))
                    .as("keyword order is case-sensitive: WEB-01 < db-01 < web-01")
                    .containsExactlyElementsOf(sortedIds(missingLast(Row::host, true)));
            assertThat(ids(search(request().sort(Sort.asc("ok"), Sort.desc(TIME)))))
                    .as("false before true")
                    .containsExactlyElementsOf(sortedIds(missingLast(Row::ok, true)
                            .thenComparing(Comparator.comparing(Row::time).reversed())));
            assertThat(ids(search(request().sort(Sort.asc(TIME)))))
                    .containsExactlyElementsOf(sortedIds(Comparator.comparing(Row::time)));
        }

        @Test
        void sortBySeveralKeys() {
            assertThat(ids(search(request().sort(Sort.asc("level"), Sort.desc("status"), Sort.asc("latency")))))
                    .containsExactlyElementsOf(sortedIds(missingLast(Row::level, true)
                            .thenComparing(missingLast(Row::status, false))
                            .thenComparing(missingLast(Row::latency, true))));
        }

        @Test
        void sortValuesHoldOneValuePerKeyThenTheId() {
            SearchResult r = search(request().sort(Sort.asc("status"), Sort.desc("latency")));
            assertThat(r.hits()).allSatisfy(h -> {
                assertThat(h.sortValues()).hasSize(3);
                assertThat(h.sortValues().get(2)).isEqualTo(h.id());
            });
            assertThat(search(request()).hits()).allSatisfy(h -> {
                assertThat(h.sortValues()).hasSize(2);
                assertThat(h.sortValues().get(1)).isEqualTo(h.id());
            });
        }

        @Test
        void sortOnATextFieldIsRejected() {
            assertThatThrownBy(() -> search(request().sort(Sort.asc("log"))))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("log");
        }
    }

    /** Offset and size, the result window, searchAfter. */
    @Nested
    class Paging {

        @Test
        void offsetAndSizeSliceTheSortedHitsAndTotalCountsAllMatches() {
            List<String> all = sortedIds(Comparator.comparing(Row::time).reversed());
            SearchResult r = search(request().offset(5).size(7));
            assertThat(r.total()).isEqualTo(24);
            assertThat(ids(r)).containsExactlyElementsOf(all.subList(5, 12));
            r = search(request().offset(20).size(10));
            assertThat(ids(r)).containsExactlyElementsOf(all.subList(20, 24));
            r = search(request().offset(30).size(10));
            assertThat(r.hits()).isEmpty();
            assertThat(r.total()).isEqualTo(24);
        }

        @Test
        void sizeZeroReturnsOnlyTheTotalAndAggregations() {
            SearchResult r = search(request().size(0).query(term("level", "ERROR"))
                    .aggregation("hosts", new Aggregation.Terms("host", 10)));
            assertThat(r.hits()).isEmpty();
            assertThat(r.total()).isEqualTo(6);
            AggregationResult.TermsResult hosts = agg(r, "hosts");
            assertThat(hosts.buckets()).containsExactly(new Bucket("web-02", 5), new Bucket("db-01", 1));
        }

        @Test
        void offsetPlusSizeMayNotPassTheResultWindow() {
            assertThatThrownBy(() -> request().offset(9_990).size(11).build())
                    .isInstanceOf(SearchRequest.ResultWindowTooLargeException.class);
            SearchResult r = search(request().offset(9_990).size(10));
            assertThat(r.hits()).isEmpty();
            assertThat(r.total()).isEqualTo(24);
        }

        @Test
        void searchAfterPagesThroughEveryDocumentExactlyOnceInSortOrder() {
            List<LogDocument> docs = NginxCorpus.generated(1_500);
            store.ensureIndexSet(NginxCorpus.schema("paging"));
            indexAndRefresh("paging", docs);

            Comparator<LogDocument> bySortKeys = Comparator
                    .comparing((LogDocument d) -> (Long) d.get("status"), Comparator.nullsLast(Comparator.naturalOrder()))
                    .thenComparing(d -> (Double) d.get("latency"), Comparator.reverseOrder())
                    .thenComparing(LogDocument::id);
            List<String> expected = docs.stream().sorted(bySortKeys).map(LogDocument::id).toList();

            List<String> seen = new ArrayList<>();
            List<Object> after = null;
            for (int page = 0; page < 100; page++) {
                SearchResult r = store.search(SearchRequest.builder("paging").size(97).searchAfter(after)
                        .sort(Sort.asc("status"), Sort.desc("latency")).build());
                assertThat(r.total()).isEqualTo(docs.size());
                if (r.hits().isEmpty()) break;
                r.hits().forEach(h -> seen.add(h.id()));
                after = r.hits().get(r.hits().size() - 1).sortValues();
            }
            assertThat(seen).hasSize(docs.size()).doesNotHaveDuplicates();
            assertThat(seen).containsExactlyElementsOf(expected);
        }

        @Test
        void searchAfterWithTheDefaultSortAndAQueryPagesThroughTheMatches() {
            List<LogDocument> docs = NginxCorpus.generated(1_000);
            store.ensureIndexSet(NginxCorpus.schema("paging"));
            indexAndRefresh("paging", docs);
            Set<String> expected = docs.stream().filter(d -> Boolean.TRUE.equals(d.get("ok")))
                    .map(LogDocument::id).collect(Collectors.toSet());

            List<String> seen = new ArrayList<>();
            List<Long> times = new ArrayList<>();
            List<Object> after = null;
            while (true) {
                SearchResult r = store.search(SearchRequest.builder("paging").query(term("ok", "true")).size(64)
                        .searchAfter(after).build());
                if (r.hits().isEmpty()) break;
                r.hits().forEach(h -> {
                    seen.add(h.id());
                    times.add(((Number) h.source().get(TIME)).longValue());
                });
                after = r.hits().get(r.hits().size() - 1).sortValues();
                assertThat(seen.size()).as("paging terminates").isLessThanOrEqualTo(docs.size());
            }
            assertThat(seen).doesNotHaveDuplicates();
            assertThat(new HashSet<>(seen)).isEqualTo(expected);
            assertThat(times).isSortedAccordingTo(Comparator.reverseOrder());
        }

        @Test
        void searchAfterReachesPastTheResultWindow() {
            List<LogDocument> docs = NginxCorpus.generated(10_050);
            store.ensureIndexSet(NginxCorpus.schema("paging"));
            for (int i = 0; i < docs.size(); i += 2_000) {
                BulkResult r = store.index("paging", docs.subList(i, Math.min(docs.size(), i + 2_000)));
                assertThat(r.allOk()).isTrue();
            }
            store.refresh("paging");
            Set<String> seen = new HashSet<>();
            List<Object> after = null;
            int pages = 0;
            while (pages++ < 10) {
                SearchResult r = store.search(SearchRequest.builder("paging").size(4_000).searchAfter(after)
                        .fields(List.of("host")).build());
                assertThat(r.total()).isEqualTo(docs.size());
                if (r.hits().isEmpty()) break;
                r.hits().forEach(h -> assertThat(seen.add(h.id())).as("seen once: %s", h.id()).isTrue());
                after = r.hits().get(r.hits().size() - 1).sortValues();
            }
            assertThat(seen).hasSize(docs.size());
        }

        @Test
        void searchAfterAcceptsSortValuesAfterAJsonRoundTrip() {
            List<String> all = ids(search(request().sort(Sort.asc("status"), Sort.desc("latency"))));
            SearchResult first = search(request().size(5).sort(Sort.asc("status"), Sort.desc("latency")));
            // what a JSON client sends back: small integral numbers become Integer, the rest stays
            List<Object> after = first.hits().get(4).sortValues().stream()
                    .map(v -> v instanceof Long l && l == l.intValue() ? (Object) l.intValue() : v)
                    .collect(Collectors.toCollection(ArrayList::new));
            SearchResult next = search(request().size(5).sort(Sort.asc("status"), Sort.desc("latency"))
                    .searchAfter(after));
            assertThat(ids(next)).containsExactlyElementsOf(all.subList(5, 10));
        }
    }

    /** Highlight of matched tokens and values; the field list. */
    @Nested
    class Highlight {

        @Test
        void highlightWrapsMatchedTextTokensInMarkKeepingTheOriginalText() {
            SearchResult r = search(request().query(term("log", "REFUSED")).highlight(true));
            Map<String, Map<String, List<String>>> byId = r.hits().stream()
                    .collect(Collectors.toMap(SearchResult.Hit::id, SearchResult.Hit::highlights));
            assertThat(byId.get("n04")).containsExactly(
                    Map.entry("log", List.of("upstream error: Connection <mark>refused</mark> while connecting to db-01")));
            assertThat(byId.get("n11").get("log")).containsExactly("Connection <mark>refused</mark>: db-01:5432");
        }

        @Test
        void highlightWrapsEachMatchedToken() {
            SearchResult r = search(request().query(term("log", "refused connection")).highlight(true));
            SearchResult.Hit n08 = r.hits().stream().filter(h -> h.id().equals("n08")).findFirst().orElseThrow();
            assertThat(n08.highlights().get("log")).containsExactly(
                    "Service Unavailable: <mark>refused</mark> <mark>connection</mark> from pool");
        }

        @Test
        void highlightWrapsTheWholeMatchedKeywordValue() {
            SearchResult r = search(request().query(term("host", "db-01")).highlight(true));
            assertThat(r.hits()).hasSize(3).allSatisfy(h ->
                    assertThat(h.highlights()).containsExactly(Map.entry("host", List.of("<mark>db-01</mark>"))));
        }

        @Test
        void highlightOfAnyFieldQueryNamesEachFieldThatMatched() {
            SearchResult r = search(request().query(term(null, "db-01")).highlight(true));
            Map<String, Map<String, List<String>>> byId = r.hits().stream()
                    .collect(Collectors.toMap(SearchResult.Hit::id, SearchResult.Hit::highlights));
            assertThat(byId.get("n05")).containsExactly(Map.entry("host", List.of("<mark>db-01</mark>")));
            assertThat(byId.get("n11")).containsExactly(
                    Map.entry("log", List.of("Connection refused: <mark>db</mark>-<mark>01</mark>:5432")));
        }

        @Test
        void highlightMarksTokensMatchedByAWildcard() {
            SearchResult r = search(request().query(new Query.Wildcard("log", "conn*")).highlight(true));
            SearchResult.Hit n04 = r.hits().stream().filter(h -> h.id().equals("n04")).findFirst().orElseThrow();
            assertThat(n04.highlights().get("log")).containsExactly(
                    "upstream error: <mark>Connection</mark> refused while <mark>connecting</mark> to db-01");
        }

        @Test
        void highlightsAreEmptyUnlessRequested() {
            SearchResult r = search(request().query(term("log", "refused")));
            assertThat(r.hits()).isNotEmpty().allSatisfy(h -> assertThat(h.highlights()).isEmpty());
        }

        @Test
        void highlightIgnoresMustNotClauses() {
            SearchResult r = search(request().highlight(true).query(bool(List.of(term("host", "web-02")),
                    List.of(), List.of(term("log", "refused")))));
            assertThat(r.hits()).isNotEmpty().allSatisfy(h ->
                    assertThat(h.highlights()).containsOnlyKeys("host"));
        }

        @Test
        void fieldListRestrictsTheSource() {
            SearchResult r = search(request().fields(List.of("host", "status")));
            assertThat(r.hits()).hasSize(24).allSatisfy(h -> assertThat(h.source().keySet()).isSubsetOf("host", "status"));
            Map<String, Map<String, Object>> byId = r.hits().stream()
                    .collect(Collectors.toMap(SearchResult.Hit::id, SearchResult.Hit::source));
            assertThat(byId.get("n04")).containsExactlyInAnyOrderEntriesOf(Map.of("host", "web-02", "status", 500L));
            assertThat(byId.get("n05")).containsExactlyInAnyOrderEntriesOf(Map.of("host", "db-01"));

            SearchResult.Hit withTime = search(request().query(term("host", "db-01")).fields(List.of(TIME, "level")))
                    .hits().get(0);
            assertThat(withTime.source()).containsOnlyKeys(TIME, "level");
            assertThat(withTime.source().get(TIME)).isEqualTo(at("2024-03-03T11:00:00Z").toEpochMilli());
        }
    }

    /** Terms, date histogram, stats, cardinality, percentiles. */
    @Nested
    class Aggregations {

        @Test
        void termsOrdersByCountDescendingThenKeyAndCountsTheRest() {
            SearchResult r = search(request().size(0).aggregation("hosts", new Aggregation.Terms("host", 2)));
            AggregationResult.TermsResult t = agg(r, "hosts");
            assertThat(t.buckets()).containsExactly(new Bucket("web-01", 11), new Bucket("web-02", 9));
            assertThat(t.otherCount()).isEqualTo(4);
        }

        @Test
        void termsOnALongFieldHasDecimalKeysAndBreaksTiesByNumericKey() {
            SearchResult r = search(request().size(0).aggregation("status", new Aggregation.Terms("status", 3)));
            AggregationResult.TermsResult t = agg(r, "status");
            assertThat(t.buckets()).containsExactly(new Bucket("200", 10), new Bucket("404", 3), new Bucket("500", 3));
            assertThat(t.otherCount()).as("302 x2, 503 x2, 201 x1").isEqualTo(5);

            indexAndRefresh(NGINX, List.of(
                    doc("k1", at("2024-03-02T12:00:00Z"), Map.of("log", "k", "level", "KEYS", "status", 1000L)),
                    doc("k2", at("2024-03-02T12:00:01Z"), Map.of("log", "k", "level", "KEYS", "status", 99L))));
            r = search(request().size(0).query(term("level", "KEYS"))
                    .aggregation("status", new Aggregation.Terms("status", 10)));
            AggregationResult.TermsResult numeric = agg(r, "status");
            assertThat(numeric.buckets()).containsExactly(new Bucket("99", 1), new Bucket("1000", 1));
            assertThat(numeric.otherCount()).isZero();
        }

        @Test
        void termsOnDoubleBooleanIpAndDateFieldsFormatKeys() {
            SearchResult r = search(request().size(0)
                    .query(Query.Bool.and(List.of(term("level", "ERROR"), term("host", "web-02"))))
                    .aggregation("latency", new Aggregation.Terms("latency", 10))
                    .aggregation("ok", new Aggregation.Terms("ok", 10))
                    .aggregation("time", new Aggregation.Terms(TIME, 2)));
            AggregationResult.TermsResult latency = agg(r, "latency");
            assertThat(latency.buckets()).extracting(Bucket::key).containsExactly("0.9", "1.25", "2.5", "3", "3.75");
            AggregationResult.TermsResult ok = agg(r, "ok");
            assertThat(ok.buckets()).containsExactly(new Bucket("false", 5));
            AggregationResult.TermsResult time = agg(r, "time");
            assertThat(time.buckets()).containsExactly(
                    new Bucket(Long.toString(at("2024-03-01T06:00:00Z").toEpochMilli()), 1),
                    new Bucket(Long.toString(at("2024-03-01T23:59:59.999Z").toEpochMilli()), 1));
            assertThat(time.otherCount()).isEqualTo(3);

            r = search(request().size(0).aggregation("ip", new Aggregation.Terms("client_ip", 3))
                    .aggregation("ok", new Aggregation.Terms("ok", 5)));
            AggregationResult.TermsResult ip = agg(r, "ip");
            assertThat(ip.buckets()).containsExactly(
                    new Bucket("10.0.0.1", 4), new Bucket("10.0.0.2", 3), new Bucket("10.0.0.9", 3));
            assertThat(ip.otherCount()).isEqualTo(14);
            AggregationResult.TermsResult okAll = agg(r, "ok");
            assertThat(okAll.buckets()).containsExactly(new Bucket("true", 15), new Bucket("false", 9));
        }

        @Test
        void termsCountsEachValueOfAMultiValuedField() {
            SearchResult r = search(request().size(0).aggregation("tags", new Aggregation.Terms("tags", 10)));
            AggregationResult.TermsResult t = agg(r, "tags");
            assertThat(t.buckets()).containsExactly(new Bucket("payment", 5), new Bucket("alert", 4), new Bucket("auth", 2));
            assertThat(t.otherCount()).isZero();
        }

        /** Expected histogram over [from, to): epoch-aligned buckets from the one holding from to the one holding to-1. */
        private static List<TimeBucket> expectedBuckets(Instant from, Instant to, Duration interval, Predicate<Row> p) {
            List<TimeBucket> out = new ArrayList<>();
            long i = interval.toMillis();
            for (long b = Intervals.bucketStart(from.toEpochMilli(), interval); b < to.toEpochMilli(); b += i) {
                long start = b;
                long count = NginxCorpus.ROWS.stream().filter(p)
                        .filter(r -> r.millis() >= start && r.millis() < start + i)
                        .filter(r -> r.millis() >= from.toEpochMilli() && r.millis() < to.toEpochMilli())
                        .count();
                out.add(new TimeBucket(Instant.ofEpochMilli(start), count));
            }
            return out;
        }

        @Test
        void dateHistogramWithAFixedIntervalHasEpochAlignedBuckets() {
            SearchResult r = search(request().size(0).timeRange(START, END)
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofDays(1))));
            AggregationResult.HistogramResult h = agg(r, "h");
            assertThat(h.interval()).isEqualTo(Duration.ofDays(1));
            assertThat(h.buckets()).containsExactly(new TimeBucket(START, 8),
                    new TimeBucket(at("2024-03-02T00:00:00Z"), 8), new TimeBucket(at("2024-03-03T00:00:00Z"), 8));
        }

        @Test
        void dateHistogramFillsEmptyBucketsWithinTheTimeRange() {
            Instant from = START;
            Instant to = at("2024-03-02T00:00:00Z");
            SearchResult r = search(request().size(0).timeRange(from, to)
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofHours(1))));
            AggregationResult.HistogramResult h = agg(r, "h");
            assertThat(h.buckets()).hasSize(24)
                    .containsExactlyElementsOf(expectedBuckets(from, to, Duration.ofHours(1), x -> true));
            assertThat(h.buckets()).filteredOn(b -> b.count() == 0).isNotEmpty();
        }

        @Test
        void dateHistogramFirstBucketStartsAtTheAlignedStartBeforeFrom() {
            Instant from = at("2024-03-01T01:00:00Z");
            Instant to = at("2024-03-01T13:00:00Z");
            SearchResult r = search(request().size(0).timeRange(from, to)
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofHours(6))));
            AggregationResult.HistogramResult h = agg(r, "h");
            assertThat(h.buckets()).containsExactly(
                    new TimeBucket(at("2024-03-01T00:00:00Z"), 2),
                    new TimeBucket(at("2024-03-01T06:00:00Z"), 2),
                    new TimeBucket(at("2024-03-01T12:00:00Z"), 1));
        }

        @Test
        void dateHistogramWithoutTimeRangeSpansFirstToLastMatchingDocument() {
            SearchResult r = search(request().size(0).query(term("tags", "auth"))
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofHours(12))));
            AggregationResult.HistogramResult h = agg(r, "h");
            assertThat(h.buckets()).containsExactly(
                    new TimeBucket(at("2024-03-01T12:00:00Z"), 1),
                    new TimeBucket(at("2024-03-02T00:00:00Z"), 0),
                    new TimeBucket(at("2024-03-02T12:00:00Z"), 1));
        }

        @Test
        void dateHistogramOfNoMatchesIsEmptyWithoutRangeAndZeroFilledWithOne() {
            SearchResult r = search(request().size(0).query(term("host", "nosuchhost"))
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofHours(1))));
            AggregationResult.HistogramResult h = agg(r, "h");
            assertThat(h.buckets()).isEmpty();

            r = search(request().size(0).query(term("host", "nosuchhost"))
                    .timeRange(START, at("2024-03-01T03:00:00Z"))
                    .aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofHours(1))));
            h = agg(r, "h");
            assertThat(h.buckets()).extracting(TimeBucket::count).containsExactly(0L, 0L, 0L);
        }

        @Test
        void dateHistogramAutoPicksTheIntervalOfIntervalsAutoForTheTimeRange() {
            SearchResult r = search(request().size(0).timeRange(START, END)
                    .aggregation("h", Aggregation.DateHistogram.auto(TIME, 60)));
            AggregationResult.HistogramResult h = agg(r, "h");
            Duration expected = Intervals.auto(START, END, 60);
            assertThat(expected).isEqualTo(Duration.ofHours(3));
            assertThat(h.interval()).isEqualTo(expected);
            assertThat(h.buckets()).hasSize(24).containsExactlyElementsOf(expectedBuckets(START, END, expected, x -> true));

            r = search(request().size(0).timeRange(START, END)
                    .aggregation("h", new Aggregation.DateHistogram(TIME, null, 0)));
            assertThat(((AggregationResult.HistogramResult) agg(r, "h")).interval())
                    .as("targetBuckets 0 = 60").isEqualTo(Duration.ofHours(3));
        }

        @Test
        void dateHistogramAutoWithoutTimeRangeUsesTheSpanOfMatchingDocuments() {
            SearchResult r = search(request().size(0).aggregation("h", Aggregation.DateHistogram.auto(TIME, 10)));
            AggregationResult.HistogramResult h = agg(r, "h");
            Instant first = at("2024-03-01T00:00:00Z");
            Instant last = at("2024-03-03T23:00:00Z");
            Duration expected = Intervals.auto(first, last.plusMillis(1), 10);
            assertThat(expected).isEqualTo(Duration.ofHours(12));
            assertThat(h.interval()).isEqualTo(expected);
            assertThat(h.buckets()).containsExactlyElementsOf(expectedBuckets(first, last.plusMillis(1), expected, x -> true));
        }

        @Test
        void statsOfALongAndADoubleField() {
            SearchResult r = search(request().size(0)
                    .aggregation("status", new Aggregation.Stats("status"))
                    .aggregation("latency", new Aggregation.Stats("latency")));
            AggregationResult.StatsResult s = agg(r, "status");
            List<Long> statuses = NginxCorpus.ROWS.stream().map(Row::status).filter(Objects::nonNull).toList();
            long sum = statuses.stream().mapToLong(Long::longValue).sum();
            assertThat(s.count()).isEqualTo(21);
            assertThat(s.min()).isEqualTo(200.0);
            assertThat(s.max()).isEqualTo(503.0);
            assertThat(s.sum()).isCloseTo((double) sum, within(1e-9));
            assertThat(s.avg()).isCloseTo(sum / 21.0, within(1e-9));

            AggregationResult.StatsResult l = agg(r, "latency");
            List<Double> latencies = NginxCorpus.ROWS.stream().map(Row::latency).filter(Objects::nonNull).toList();
            assertThat(l.count()).isEqualTo(20);
            assertThat(l.min()).isEqualTo(0.002);
            assertThat(l.max()).isEqualTo(3.75);
            assertThat(l.sum()).isCloseTo(latencies.stream().mapToDouble(Double::doubleValue).sum(), within(1e-9));
        }

        @Test
        void statsOfNoValuesHasCountZeroAndNulls() {
            SearchResult r = search(request().size(0).query(term("host", "db-01"))
                    .aggregation("s", new Aggregation.Stats("latency")));
            AggregationResult.StatsResult s = agg(r, "s");
            assertThat(s).isEqualTo(new AggregationResult.StatsResult(0, null, null, null, null));
        }

        @Test
        void cardinalityCountsDistinctValues() {
            SearchResult r = search(request().size(0)
                    .aggregation("hosts", new Aggregation.Cardinality("host"))
                    .aggregation("ips", new Aggregation.Cardinality("client_ip"))
                    .aggregation("tags", new Aggregation.Cardinality("tags"))
                    .aggregation("status", new Aggregation.Cardinality("status")));
            assertThat(((AggregationResult.CardinalityResult) agg(r, "hosts")).value()).isEqualTo(4);
            assertThat(((AggregationResult.CardinalityResult) agg(r, "ips")).value())
                    .isEqualTo(NginxCorpus.ROWS.stream().map(Row::clientIp).distinct().count());
            assertThat(((AggregationResult.CardinalityResult) agg(r, "tags")).value()).isEqualTo(3);
            assertThat(((AggregationResult.CardinalityResult) agg(r, "status")).value()).isEqualTo(6);
        }

        @Test
        void percentilesAreExactAtTheEndsAndTheMedianOfSmallSets() {
            // web-01 latencies, sorted: .004 .008 .010 .012 .015 .020 .025 .030 .045 .050
            SearchResult r = search(request().size(0).query(term("host", "web-01"))
                    .aggregation("p", new Aggregation.Percentiles("latency", List.of(0.0, 50.0, 90.0, 100.0))));
            AggregationResult.PercentilesResult p = agg(r, "p");
            assertThat(p.values().get(0.0)).isCloseTo(0.004, within(1e-9));
            assertThat(p.values().get(50.0)).isBetween(0.015, 0.020);
            assertThat(p.values().get(90.0)).as("between the two nearest ranks").isBetween(0.045, 0.050);
            assertThat(p.values().get(100.0)).isCloseTo(0.05, within(1e-9));

            // ERROR statuses: 500 500 500 503 503 (odd count: the median is the middle value on every definition)
            r = search(request().size(0).query(term("level", "ERROR"))
                    .aggregation("p", new Aggregation.Percentiles("status", List.of(50.0))));
            p = agg(r, "p");
            assertThat(p.values().get(50.0)).isCloseTo(500.0, within(1e-9));
        }

        @Test
        void percentilesOfNoValuesAreAbsent() {
            SearchResult r = search(request().size(0).query(term("host", "db-01"))
                    .aggregation("p", new Aggregation.Percentiles("latency", List.of(50.0, 99.0))));
            AggregationResult.PercentilesResult p = agg(r, "p");
            assertThat(p.values().get(50.0)).isNull();
            assertThat(p.values().get(99.0)).isNull();
        }

        @Test
        void aggregationsCoverTheQueryAndTimeRangeNotThePage() {
            SearchResult r = search(request().query(term("level", "ERROR")).size(1)
                    .timeRange(at("2024-03-02T00:00:00Z"), at("2024-03-03T00:00:00Z"))
                    .aggregation("hosts", new Aggregation.Terms("host", 10))
                    .aggregation("n", new Aggregation.Cardinality("client_ip")));
            assertThat(r.hits()).hasSize(1);
            assertThat(r.total()).isEqualTo(2);
            AggregationResult.TermsResult hosts = agg(r, "hosts");
            assertThat(hosts.buckets()).containsExactly(new Bucket("db-01", 1), new Bucket("web-02", 1));
            assertThat(((AggregationResult.CardinalityResult) agg(r, "n")).value()).isEqualTo(2);
            assertThat(r.aggregations().keySet()).containsExactly("hosts", "n");
        }
    }

    /** Aliases, index deletion, rollover, several index sets and custom time fields. */
    @Nested
    class Aliases {

        private static final List<LogDocument> LEGACY_DOCS = List.of(
                doc("l1", at("2024-03-02T05:00:00Z"), Map.of("log", "legacy line one", "host", "old-01", "status", 200L)),
                doc("l2", at("2024-03-02T06:00:00Z"), Map.of("log", "legacy line two", "host", "old-01", "status", 500L)));

        private String indexLegacy() {
            store.ensureIndexSet(NginxCorpus.schema("legacy"));
            indexAndRefresh("legacy", LEGACY_DOCS);
            return IndexNames.daily("legacy", DAY2, 0);
        }

        @Test
        void anAliasNamedAfterAnIndexSetMakesAForeignIndexPartOfTheSet() {
            String legacy = indexLegacy();
            store.addAlias(legacy, NGINX);
            store.refresh(NGINX);
            SearchResult r = search(request());
            assertThat(r.total()).isEqualTo(26);
            assertThat(ids(r)).contains("l1", "l2");
            assertThat(r.hits()).filteredOn(h -> h.id().equals("l1")).extracting(SearchResult.Hit::index)
                    .containsExactly(legacy);
            assertMatchesIds(term("status", "500"), "n04", "n11", "n18", "l2");
            assertThat(store.listIndices(NGINX)).extracting(IndexInfo::name).contains(legacy);
            IndexInfo info = store.listIndices(legacy).get(0);
            assertThat(info.aliases()).contains(NGINX);
            assertThat(info.indexSet()).isEqualTo("legacy");
        }

        @Test
        void removeAliasTakesTheForeignIndexOutOfTheSet() {
            String legacy = indexLegacy();
            store.addAlias(legacy, NGINX);
            store.removeAlias(legacy, NGINX);
            assertThat(search(request()).total()).isEqualTo(24);
            assertThat(store.listIndices(NGINX)).extracting(IndexInfo::name).doesNotContain(legacy);
            assertThat(store.listIndices(legacy).get(0).aliases()).doesNotContain(NGINX);
            assertThat(store.search(SearchRequest.builder("legacy").build()).total()).isEqualTo(2);
        }

        @Test
        void anyAliasIsListedAndFindsItsIndex() {
            String day1 = IndexNames.daily(NGINX, DAY1, 0);
            store.addAlias(day1, "hot");
            assertThat(store.listIndices("hot")).extracting(IndexInfo::name).containsExactly(day1);
            assertThat(store.listIndices(day1).get(0).aliases()).contains("hot");
        }

        @Test
        void deleteIndicesRemovesThemAndIgnoresMissingOnes() {
            String day1 = IndexNames.daily(NGINX, DAY1, 0);
            store.deleteIndices(List.of(day1, IndexNames.daily(NGINX, LocalDate.parse("2999-01-01"), 0)));
            assertThat(store.listIndices(NGINX)).extracting(IndexInfo::name).doesNotContain(day1).hasSize(2);
            SearchResult r = search(request());
            assertThat(r.total()).isEqualTo(16);
            assertThat(ids(r)).doesNotContain("n01", "n08");
            store.deleteIndices(List.of(day1));
        }

        @Test
        void indexingAfterDeletingADayRecreatesItsIndex() {
            String day1 = IndexNames.daily(NGINX, DAY1, 0);
            store.deleteIndices(List.of(day1));
            indexAndRefresh(NGINX, List.of(NginxCorpus.document(NginxCorpus.byId("n01"))));
            assertThat(store.listIndices(day1)).extracting(IndexInfo::docCount).containsExactly(1L);
            assertThat(search(request()).total()).isEqualTo(17);
        }

        @Test
        void rolloverStartsTheNextIndexOfTheDayOnceTheCurrentOnePassesTheSize() {
            store.ensureIndexSet(new IndexSetSchema("rolling", TIME, NginxCorpus.fields(), 1, 0, 1));
            indexAndRefresh("rolling", List.of(NginxCorpus.document(NginxCorpus.byId("n01"))));
            indexAndRefresh("rolling", List.of(NginxCorpus.document(NginxCorpus.byId("n02"))));
            assertThat(store.listIndices("rolling")).extracting(IndexInfo::name).containsExactlyInAnyOrder(
                    IndexNames.daily("rolling", DAY1, 0), IndexNames.daily("rolling", DAY1, 1));
            SearchResult r = store.search(SearchRequest.builder("rolling").build());
            assertThat(ids(r)).containsExactly("n02", "n01");
            assertThat(r.hits()).extracting(SearchResult.Hit::index).containsExactly(
                    IndexNames.daily("rolling", DAY1, 1), IndexNames.daily("rolling", DAY1, 0));

            // a replayed document stays where it is
            indexAndRefresh("rolling", List.of(NginxCorpus.document(NginxCorpus.byId("n01"))));
            assertThat(store.search(SearchRequest.builder("rolling").build()).total()).isEqualTo(2);
        }

        @Test
        void oneSearchCoversSeveralIndexSets() {
            store.ensureIndexSet(IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("level", FieldType.KEYWORD), FieldSpec.of("service", FieldType.KEYWORD))));
            indexAndRefresh("app", List.of(
                    doc("a1", at("2024-03-01T06:30:00Z"), Map.of("log", "payment failed", "level", "ERROR",
                            "service", "billing")),
                    doc("a2", at("2024-03-02T09:00:00Z"), Map.of("log", "started", "level", "INFO", "service", "billing")),
                    doc("a3", at("2024-03-05T00:00:00Z"), Map.of("log", "late", "level", "ERROR", "service", "billing"))));

            SearchResult r = store.search(SearchRequest.builder(NGINX, "app").query(term("level", "ERROR"))
                    .timeRange(START, END).size(100).build());
            assertThat(ids(r)).containsExactly("n23", "n18", "n12", "n11", "n08", "a1", "n04");
            assertThat(r.hits()).filteredOn(h -> h.id().equals("a1")).extracting(SearchResult.Hit::index)
                    .containsExactly(IndexNames.daily("app", DAY1, 0));

            // a field only one set has is evaluated in that set
            r = store.search(SearchRequest.builder(NGINX, "app").query(term("service", "billing")).build());
            assertThat(ids(r)).containsExactly("a3", "a2", "a1");
            r = store.search(SearchRequest.builder(NGINX, "app").size(0)
                    .aggregation("levels", new Aggregation.Terms("level", 5)).build());
            assertThat(((AggregationResult.TermsResult) agg(r, "levels")).buckets()).containsExactly(
                    new Bucket("INFO", 16), new Bucket("ERROR", 8), new Bucket("WARN", 3));
        }

        @Test
        void anIndexSetWithoutIndicesSearchesEmpty() {
            store.ensureIndexSet(NginxCorpus.schema("empty"));
            SearchResult r = store.search(SearchRequest.builder("empty").build());
            assertThat(r.total()).isZero();
            assertThat(r.hits()).isEmpty();
        }

        @Test
        void aCustomTimeFieldDrivesDailyIndicesTimeRangeAndDefaultSort() {
            store.ensureIndexSet(new IndexSetSchema("events", "ts",
                    List.of(FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("ts", FieldType.DATE)), 1, 0, 0));
            indexAndRefresh("events", List.of(
                    doc("v1", at("2024-03-01T10:00:00Z"), Map.of("log", "one")),
                    doc("v2", at("2024-03-02T10:00:00Z"), Map.of("log", "two")),
                    doc("v3", at("2024-03-03T10:00:00Z"), Map.of("log", "three"))));
            SearchResult r = store.search(SearchRequest.builder("events")
                    .timeRange(at("2024-03-02T00:00:00Z"), null).build());
            assertThat(ids(r)).containsExactly("v3", "v2");
            assertThat(r.hits().get(0).source()).containsEntry("ts", at("2024-03-03T10:00:00Z").toEpochMilli())
                    .doesNotContainKey(TIME);
            assertThat(store.listIndices("events")).extracting(IndexInfo::name).containsExactlyInAnyOrder(
                    IndexNames.daily("events", DAY1, 0), IndexNames.daily("events", DAY2, 0),
                    IndexNames.daily("events", DAY3, 0));
        }
    }

    /** Visibility after refresh and within the visibility timeout. */
    @Nested
    class Visibility {

        @Test
        void refreshMakesIndexedDocumentsVisible() {
            store.index(NGINX, List.of(doc("fresh", at("2024-03-02T12:00:00Z"), Map.of("log", "fresh line"))));
            store.refresh(NGINX);
            assertMatchesIds(term("log", "fresh"), "fresh");
        }

        @Test
        void indexedDocumentsBecomeVisibleWithoutRefreshWithinOneSecond() {
            store.index(NGINX, List.of(doc("lazy", at("2024-03-02T12:00:00Z"), Map.of("log", "lazy line"))));
            await().atMost(visibilityTimeout()).untilAsserted(() -> assertMatchesIds(term("log", "lazy"), "lazy"));
        }
    }
}
