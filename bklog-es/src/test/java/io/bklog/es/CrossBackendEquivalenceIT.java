package io.bklog.es;

import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.query.QueryStringParser;
import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Sort;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same documents and the same queries and aggregations give the same hits and buckets on Elasticsearch, on the
 * embedded Lucene store and on the in-memory reference store.
 *
 * <p>The corpus is deterministic (computed from the document number): 500 documents over three days with a text
 * log line and keyword, long, double, boolean, ip and date fields, some of them missing on part of the documents.
 * Every query string goes through {@link QueryStringParser}, is searched with size 1000, a sort and every
 * aggregation of {@link #aggregations()}; totals, ordered hit ids and aggregation results must be identical
 * (percentiles within {@link #PERCENTILE_TOLERANCE}). All differences are collected and reported together, each
 * with the query and the three results.
 */
class CrossBackendEquivalenceIT {
    private static final Logger log = LoggerFactory.getLogger(CrossBackendEquivalenceIT.class);

    private static final String SET = "equiv";
    private static final String TS = IndexSetSchema.DEFAULT_TIME_FIELD;
    private static final Instant DAY0 = Instant.parse("2026-11-01T00:00:00Z");
    private static final Instant END = DAY0.plus(Duration.ofDays(3));
    private static final int DOCS = 500;
    /** Percentiles may be approximated (t-digest on Elasticsearch): allowed distance, in latency units (ms). */
    private static final double PERCENTILE_TOLERANCE = 15.0;

    private static final String[] HOSTS = {"web-01", "web-02", "web-03", "db-01", "db-02", "cache-01", "api-gw"};
    private static final long[] STATUSES = {200, 200, 201, 204, 301, 404, 429, 500, 503};
    private static final String[] USERS = {"alice", "bob", "carol", "dave"};

    @TempDir
    static Path luceneDir;

    private static final Map<String, LogStore> stores = new LinkedHashMap<>();

    @BeforeAll
    static void loadTheSameCorpusIntoEveryStore() {
        EsFixture es = EsFixture.shared();
        EsFixture.wipeBklogData(es.url());
        stores.put("elasticsearch", EsLogStore.builder().hosts(es.url()).build());
        stores.put("lucene", LuceneLogStore.builder().dataDir(luceneDir).build());
        stores.put("memory", new MemoryLogStore());

        IndexSetSchema schema = IndexSetSchema.of(SET, List.of(
                FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("host", FieldType.KEYWORD),
                FieldSpec.of("level", FieldType.KEYWORD),
                FieldSpec.of("user", FieldType.KEYWORD),
                FieldSpec.of("trace_id", FieldType.KEYWORD),
                FieldSpec.of("status", FieldType.LONG),
                FieldSpec.of("latency", FieldType.DOUBLE),
                FieldSpec.of("cached", FieldType.BOOLEAN),
                FieldSpec.of("client_ip", FieldType.IP),
                FieldSpec.of("finished_at", FieldType.DATE)));
        List<LogDocument> corpus = corpus();
        for (Map.Entry<String, LogStore> e : stores.entrySet()) {
            LogStore store = e.getValue();
            store.ensureIndexSet(schema);
            BulkResult result = store.index(SET, corpus);
            assertThat(result.items()).as("bulk result on %s", e.getKey())
                    .allSatisfy(item -> assertThat(item.status()).as(item.toString()).isEqualTo(BulkResult.Status.OK));
            store.refresh(SET);
        }
        log.info("equivalence corpus loaded docs={} stores={}", corpus.size(), stores.keySet());
    }

    @AfterAll
    static void closeStores() {
        stores.values().forEach(LogStore::close);
        stores.clear();
    }

    static List<LogDocument> corpus() {
        List<LogDocument> docs = new ArrayList<>(DOCS);
        long step = Duration.ofDays(3).toMillis() / DOCS;
        for (int i = 0; i < DOCS; i++) {
            Instant ts = DAY0.plusMillis(i * step + (i * 37L % 1000) * 100);
            String host = HOSTS[i % HOSTS.length];
            int lv = (i * 31) % 20;
            String level = lv < 2 ? "ERROR" : lv < 5 ? "WARN" : lv < 17 ? "INFO" : "DEBUG";
            long status = STATUSES[(i * 13) % STATUSES.length];
            double latency = ((i * 7919L) % 50_000) / 100.0;
            if (i % 41 == 0) latency = 1.5;
            Map<String, Object> f = new LinkedHashMap<>();
            String user = i % 5 == 0 ? null : USERS[(i / 5) % USERS.length];
            f.put("log", message(i, level, host, user, status, latency));
            f.put("host", host);
            f.put("level", level);
            if (user != null) f.put("user", user);
            if (i % 4 != 0) f.put("trace_id", "t-" + Long.toHexString(i * 2_654_435_761L));
            f.put("status", status);
            f.put("latency", latency);
            f.put("cached", i % 3 == 0);
            f.put("client_ip", i % 50 == 0 ? "2001:db8::" + Integer.toHexString(i + 1)
                    : i % 11 == 0 ? "192.168.1." + (i % 200) : "10.0.0." + (i * 17 % 120));
            if (i % 6 != 0) f.put("finished_at", ts.toEpochMilli() + Math.round(latency));
            docs.add(new LogDocument(String.format("doc-%04d", i), ts, f));
        }
        return docs;
    }

    private static String message(int i, String level, String host, String user, long status, double latency) {
        return switch (level) {
            case "ERROR" -> i % 2 == 0
                    ? "request failed: connection reset by peer on " + host
                    : "timeout while calling upstream payment service after " + Math.round(latency) + " ms";
            case "WARN" -> i % 2 == 0
                    ? "slow response from upstream took " + Math.round(latency) + " ms"
                    : "retrying connection attempt " + (i % 5 + 1) + " to " + host;
            case "INFO" -> i % 3 == 0
                    ? "user login succeeded for " + (user == null ? "anonymous" : user)
                    : "GET /api/v1/orders returned " + status + " in " + Math.round(latency) + " ms";
            default -> "cache hit for key order-" + i + " Timeout=" + (i % 7);
        };
    }

    /** The query strings compared, each with the sort it is searched with (cycled). */
    static List<String> queries() {
        return List.of(
                "*",
                // terms and phrases on the text field
                "log:error",
                "log:failed",
                "log:timeout",
                "log:Timeout",
                "log:connection",
                "log:\"connection reset\"",
                "log:\"user login succeeded\"",
                "log:\"login user\"",
                "log:orders",
                "log:\"returned 500\"",
                // keyword fields
                "level:ERROR",
                "level:error",
                "level:WARN",
                "host:web-01",
                "host:\"db-02\"",
                "user:alice",
                // wildcard and regex
                "host:web-*",
                "host:web-?2",
                "host:*-01",
                "log:time*",
                "log:conn?ction",
                "host:/db-[0-9]+/",
                "log:/conn.*/",
                "user:/[ab].*/",
                // numeric, boolean, ip and date fields
                "status:500",
                "status:[400 TO 499]",
                "status:{400 TO 500}",
                "status:[500 TO *]",
                "status:>=500",
                "status:<300",
                "status:>404",
                "latency:[10.5 TO 100]",
                "latency:>250.25",
                "latency:<=1.5",
                "latency:1.5",
                "cached:true",
                "cached:false",
                "client_ip:10.0.0.7",
                "client_ip:\"2001:db8::65\"",
                TS + ":[" + DAY0.plus(Duration.ofDays(1)).toEpochMilli() + " TO "
                        + DAY0.plus(Duration.ofHours(36)).toEpochMilli() + "}",
                TS + ":>=\"2026-11-03T12:00:00Z\"",
                "finished_at:<" + DAY0.plus(Duration.ofHours(10)).toEpochMilli(),
                // exists
                "_exists_:trace_id",
                "trace_id:*",
                "NOT _exists_:user",
                "_exists_:finished_at AND NOT _exists_:trace_id",
                // boolean combinations
                "level:ERROR AND host:web-01",
                "level:ERROR OR level:WARN",
                "level:(ERROR OR WARN)",
                "log:error AND NOT host:web-01",
                "-level:INFO",
                "(level:ERROR OR status:>=500) AND cached:false",
                "host:web-* AND NOT (status:200 OR status:201) AND latency:>100",
                "level:INFO AND -user:bob AND _exists_:trace_id",
                "log:upstream OR log:cache",
                // any field
                "error",
                "web-01",
                "alice",
                "\"request failed\"",
                "upstream AND level:WARN",
                "*:ERROR");
    }

    static List<List<Sort>> sorts() {
        return List.of(
                List.of(),
                List.of(Sort.asc("status")),
                List.of(Sort.desc("latency")),
                List.of(Sort.asc("host"), Sort.desc(TS)),
                List.of(Sort.asc("user")),
                List.of(Sort.desc("finished_at")),
                List.of(Sort.asc(TS)),
                List.of(Sort.desc("client_ip")));
    }

    static Map<String, Aggregation> aggregations() {
        Map<String, Aggregation> aggs = new LinkedHashMap<>();
        aggs.put("hosts", new Aggregation.Terms("host", 5));
        aggs.put("levels", new Aggregation.Terms("level", 10));
        aggs.put("statuses", new Aggregation.Terms("status", 3));
        aggs.put("cached", new Aggregation.Terms("cached", 2));
        aggs.put("latencies", new Aggregation.Terms("latency", 3));
        aggs.put("users", new Aggregation.Terms("user", 10));
        aggs.put("every6h", Aggregation.DateHistogram.fixed(TS, Duration.ofHours(6)));
        aggs.put("hourly", Aggregation.DateHistogram.fixed(TS, Duration.ofHours(1)));
        aggs.put("auto", Aggregation.DateHistogram.auto(TS, 30));
        aggs.put("latencyStats", new Aggregation.Stats("latency"));
        aggs.put("statusStats", new Aggregation.Stats("status"));
        aggs.put("finishedStats", new Aggregation.Stats("finished_at"));
        aggs.put("hostCount", new Aggregation.Cardinality("host"));
        aggs.put("ipCount", new Aggregation.Cardinality("client_ip"));
        aggs.put("latencyCount", new Aggregation.Cardinality("latency"));
        aggs.put("latencyPct", new Aggregation.Percentiles("latency", List.of(50.0, 95.0, 99.0)));
        return aggs;
    }

    @Test
    void sameQueriesGiveTheSameHitsAndBucketsOnEveryStore() {
        List<String> differences = compareAll(aggregations(), true);
        assertThat(differences)
                .as("%d of %d queries differ between %s:\n%s", differences.size(), queries().size(), stores.keySet(),
                        String.join("\n\n", differences))
                .isEmpty();
    }

    /**
     * Terms on an ip field, kept apart so that its difference shows on its own: buckets with the same count are
     * ordered by the key's natural order, for an address its numeric value ({@code 10.0.0.8} before
     * {@code 10.0.0.34}), as Elasticsearch and the in-memory store do.
     */
    @Test
    void termsOnAnIpFieldBreakTiesByAddressOrderOnEveryStore() {
        Map<String, Aggregation> aggs = new LinkedHashMap<>();
        aggs.put("ips", new Aggregation.Terms("client_ip", 4));
        List<String> differences = compareAll(aggs, false);
        assertThat(differences)
                .as("%d of %d queries differ between %s:\n%s", differences.size(), queries().size(), stores.keySet(),
                        String.join("\n\n", differences))
                .isEmpty();
    }

    /**
     * Runs every query on every store with {@code aggs}; every third query on a narrower time range, from hour 20 to
     * hour 47:30 of the corpus (so the auto histogram picks another interval and range edges fall inside a day).
     */
    private static List<String> compareAll(Map<String, Aggregation> aggs, boolean withHits) {
        List<String> queries = queries();
        assertThat(queries).hasSizeGreaterThanOrEqualTo(50);
        List<List<Sort>> sorts = sorts();
        List<String> differences = new ArrayList<>();
        for (int q = 0; q < queries.size(); q++) {
            String query = queries.get(q);
            List<Sort> sort = sorts.get(q % sorts.size());
            Instant from = q % 3 == 2 ? DAY0.plus(Duration.ofHours(20)) : DAY0;
            Instant to = q % 3 == 2 ? DAY0.plus(Duration.ofMinutes(47 * 60 + 30)) : END;
            SearchRequest.Builder builder = SearchRequest.builder(SET)
                    .query(QueryStringParser.parse(query))
                    .timeRange(from, to)
                    .sort(sort)
                    .size(withHits ? 1000 : 0);
            aggs.forEach(builder::aggregation);
            SearchRequest request = builder.build();
            Map<String, SearchResult> results = new LinkedHashMap<>();
            Map<String, String> failures = new LinkedHashMap<>();
            for (Map.Entry<String, LogStore> e : stores.entrySet()) {
                try {
                    results.put(e.getKey(), e.getValue().search(request));
                } catch (RuntimeException ex) {
                    failures.put(e.getKey(), ex.toString());
                }
            }
            String head = "query `" + query + "` sort " + sort + " time [" + from + ", " + to + ")";
            if (!failures.isEmpty()) {
                differences.add(head + ": search failed on " + failures + "; succeeded on " + results.keySet());
                continue;
            }
            String diff = compare(results, aggs.keySet());
            if (diff != null) differences.add(head + ":\n" + diff);
        }
        log.info("equivalence compared queries={} aggregations={} differing={}", queries.size(), aggs.keySet(),
                differences.size());
        return differences;
    }

    /** A description of every difference between the results, or null when they are equivalent. */
    private static String compare(Map<String, SearchResult> results, java.util.Set<String> aggNames) {
        StringBuilder out = new StringBuilder();
        Map<String, Long> totals = new LinkedHashMap<>();
        Map<String, List<String>> ids = new LinkedHashMap<>();
        results.forEach((store, r) -> {
            totals.put(store, r.total());
            ids.put(store, r.hits().stream().map(SearchResult.Hit::id).toList());
        });
        if (totals.values().stream().distinct().count() > 1) out.append("  totals differ: ").append(totals).append('\n');
        if (ids.values().stream().distinct().count() > 1) {
            out.append("  hit ids differ:\n");
            ids.forEach((store, list) -> out.append("    ").append(store).append(" (").append(list.size())
                    .append(" hits): ").append(around(list, firstDifference(ids))).append('\n'));
        }
        for (String agg : aggNames) {
            Map<String, AggregationResult> byStore = new LinkedHashMap<>();
            results.forEach((store, r) -> byStore.put(store, r.aggregations().get(agg)));
            AggregationResult first = byStore.values().iterator().next();
            boolean same = byStore.values().stream().allMatch(other -> equivalent(first, other));
            if (!same) {
                out.append("  aggregation ").append(agg).append(" differs:\n");
                byStore.forEach((store, r) -> out.append("    ").append(store).append(": ").append(r).append('\n'));
            }
        }
        return out.length() == 0 ? null : out.toString();
    }

    private static int firstDifference(Map<String, List<String>> ids) {
        List<List<String>> lists = new ArrayList<>(ids.values());
        int max = lists.stream().mapToInt(List::size).max().orElse(0);
        for (int i = 0; i < max; i++) {
            final int at = i;
            if (lists.stream().map(l -> at < l.size() ? l.get(at) : null).distinct().count() > 1) return i;
        }
        return max;
    }

    /** The ids around position {@code at}, e.g. {@code [#12..] doc-0003, doc-0010, ...}. */
    private static String around(List<String> ids, int at) {
        int from = Math.max(0, at - 2);
        int to = Math.min(ids.size(), at + 8);
        return "first difference at #" + at + ": [#" + from + "..] "
                + String.join(", ", ids.subList(Math.min(from, ids.size()), to));
    }

    private static boolean equivalent(AggregationResult a, AggregationResult b) {
        if (a == null || b == null) return a == b;
        if (a instanceof AggregationResult.StatsResult x && b instanceof AggregationResult.StatsResult y) {
            return x.count() == y.count() && Objects.equals(x.min(), y.min()) && Objects.equals(x.max(), y.max())
                    && close(x.avg(), y.avg()) && close(x.sum(), y.sum());
        }
        if (a instanceof AggregationResult.PercentilesResult x && b instanceof AggregationResult.PercentilesResult y) {
            if (!x.values().keySet().equals(y.values().keySet())) return false;
            for (Map.Entry<Double, Double> e : x.values().entrySet()) {
                Double u = e.getValue();
                Double v = y.values().get(e.getKey());
                if (u == null || v == null) {
                    if (u != v) return false;
                } else if (Math.abs(u - v) > PERCENTILE_TOLERANCE) {
                    return false;
                }
            }
            return true;
        }
        return a.equals(b);
    }

    /** Sums and averages of doubles may differ in the last bits with the summation order. */
    private static boolean close(Double a, Double b) {
        if (a == null || b == null) return a == b;
        return Math.abs(a - b) <= 1e-9 * Math.max(1.0, Math.max(Math.abs(a), Math.abs(b)));
    }
}
