package io.bklog.benchmarks.es;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Operator;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.json.JsonData;
import co.elastic.clients.util.NamedValue;
import io.bklog.es.EsFixture;
import io.bklog.es.EsLogStore;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * {@link EsLogStore} against the raw elasticsearch-java client doing the same work on the same node, alternating
 * batch by batch (the machine is shared, so A/B/B/A evens out the noise):
 * <ul>
 *   <li>bulk: the same documents in the same batch size, store {@code index()} (source maps built from
 *       {@link LogDocument}s, per-item results) vs one {@code client.bulk()} of prebuilt maps into the same
 *       mapping; printed as {@code es-store-bulk/raw-client-bulk = throughput ratio};</li>
 *   <li>search: a bool query (analyzed term + range) with sort, tie-break, a terms aggregation and an exact total,
 *       store {@code search()} vs the same DSL sent directly; printed as
 *       {@code es-store-search/raw-client-search = time ratio} (overhead).</li>
 * </ul>
 * Usage: {@code -Des.url=http://127.0.0.1:9200} to use a running node, else a node is started from
 * {@code -Des.dist.dir} (default {@code bklog-es/target/es-dist/elasticsearch-8.19.21}, unpacked by
 * {@code mvn -pl bklog-es verify}); {@code -Dbench.raw.alias=true} sends the raw bulk through the same write alias
 * (with {@code require_alias}) instead of the concrete index. Optional args: docs per round (10,000), batch size
 * (500), rounds (6), searches per round (200).
 */
public final class EsStoreVsRawClientBenchmark {
    private static final Logger log = LoggerFactory.getLogger(EsStoreVsRawClientBenchmark.class);
    private static final Instant DAY = Instant.parse("2024-06-01T00:00:00Z");
    private static final String[] HOSTS = {"web-1", "web-2", "db-1", "cache-1", "api-3"};
    private static final String[] WORDS = {"GET", "POST", "/api/v1/users", "/login", "failed", "ok", "timeout",
            "connection", "refused", "error", "retry", "user", "session", "started", "stopped"};

    private EsStoreVsRawClientBenchmark() {}

    /**
     * The test fixture's node started from {@code -Des.dist.dir} (default: the unpacked integ-test distribution), or
     * null when {@code -Des.url} names a running node. The caller stops it.
     */
    public static EsFixture startNodeUnlessGiven() {
        String url = System.getProperty("es.url");
        if (url != null && !url.isBlank()) return null;
        EsFixture node = EsFixture.create(Path.of(System.getProperty("es.dist.dir",
                "bklog-es/target/es-dist/elasticsearch-8.19.21")), Path.of("benchmarks/target/es-node"));
        node.start();
        return node;
    }

    public static void main(String[] args) throws Exception {
        int docsPerRound = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 500;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 6;
        int searches = args.length > 3 ? Integer.parseInt(args[3]) : 200;

        EsFixture node = startNodeUnlessGiven();
        String url = node == null ? System.getProperty("es.url") : node.url();
        try (EsLogStore store = EsLogStore.builder().hosts(url).build()) {
            ElasticsearchClient raw = store.connection().client();
            List<FieldSpec> fields = List.of(FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("host", FieldType.KEYWORD),
                    FieldSpec.of("status", FieldType.LONG), FieldSpec.of("latency", FieldType.DOUBLE));
            // start from empty indices, so both paths create documents rather than replace them
            store.deleteIndices(List.of(IndexNames.daily("bench_store", IndexNames.dayOf(DAY), 0),
                    IndexNames.daily("bench_raw", IndexNames.dayOf(DAY), 0)));
            store.ensureIndexSet(new IndexSetSchema("bench_store", null, fields, 1, 0, 0));
            store.ensureIndexSet(new IndexSetSchema("bench_raw", null, fields, 1, 0, 0));
            // create the raw set's daily index (same template, so the same mapping) and aim raw writes at it
            store.index("bench_raw", List.of(new LogDocument("seed", DAY, Map.of("log", "seed"))));
            String rawIndex = IndexNames.daily("bench_raw", IndexNames.dayOf(DAY), 0);
            boolean viaAlias = Boolean.getBoolean("bench.raw.alias");
            String rawTarget = viaAlias ? "write_" + IndexNames.DAY.format(IndexNames.dayOf(DAY)) + "_bench_raw" : rawIndex;

            Random rnd = new Random(42);
            long storeNanos = 0;
            long rawNanos = 0;
            long storeDocs = 0;
            long rawDocs = 0;
            for (int round = -1; round < rounds; round++) { // round -1 warms both paths up
                List<LogDocument> docs = documents(rnd, "r" + round + "-", docsPerRound);
                List<Map<String, Object>> sources = new ArrayList<>(docs.size());
                for (LogDocument d : docs) {
                    Map<String, Object> src = new LinkedHashMap<>(d.fields());
                    src.put(IndexSetSchema.DEFAULT_TIME_FIELD, d.timestamp().toEpochMilli());
                    src.put("__doc_id", d.id());
                    sources.add(src);
                }
                // batch by batch, alternating which path goes first, so both see the same load on the shared machine
                for (int from = 0, k = 0; from < docs.size(); from += batch, k++) {
                    int to = Math.min(docs.size(), from + batch);
                    for (int leg = 0; leg < 2; leg++) {
                        boolean viaStore = (leg == 0) == (k % 2 == 0);
                        long t = System.nanoTime();
                        if (viaStore) {
                            BulkResult r = store.index("bench_store", docs.subList(from, to));
                            if (!r.allOk()) throw new IllegalStateException("store bulk failed: " + r.items().get(0));
                        } else {
                            List<BulkOperation> ops = new ArrayList<>(to - from);
                            for (int i = from; i < to; i++) {
                                String id = docs.get(i).id();
                                Map<String, Object> src = sources.get(i);
                                ops.add(BulkOperation.of(b -> b.index(ix -> ix.index(rawTarget).id(id).requireAlias(viaAlias)
                                        .document(src))));
                            }
                            BulkResponse r = raw.bulk(b -> b.operations(ops));
                            if (r.errors()) throw new IllegalStateException("raw bulk failed: " + r.items().get(0));
                        }
                        long took = System.nanoTime() - t;
                        if (round >= 0) {
                            if (viaStore) { storeNanos += took; storeDocs += to - from; }
                            else { rawNanos += took; rawDocs += to - from; }
                        }
                    }
                }
            }
            double storeRate = storeDocs / (storeNanos / 1e9);
            double rawRate = rawDocs / (rawNanos / 1e9);
            System.out.printf(Locale.ROOT, "es-store-bulk/raw-client-bulk = %.2f   (store %.0f docs/s, raw %.0f docs/s, "
                    + "batch %d, %d docs)%n", storeRate / rawRate, storeRate, rawRate, batch, storeDocs);

            store.refresh("bench_store");
            SearchRequest request = SearchRequest.builder("bench_store")
                    .query(new Query.Bool(List.of(new Query.Term("log", "connection refused"),
                            Query.Range.atLeast("status", "400")), List.of(), List.of()))
                    .sort(Sort.desc(IndexSetSchema.DEFAULT_TIME_FIELD)).size(50)
                    .aggregation("hosts", new Aggregation.Terms("host", 5)).build();
            long storeSearch = 0;
            long rawSearch = 0;
            long storeTotal = -1;
            long rawTotal = -1;
            for (int round = -1; round < rounds; round++) {
                for (int i = 0; i < searches; i++) {
                    for (int leg = 0; leg < 2; leg++) {
                        boolean viaStore = (leg == 0) == (i % 2 == 0);
                        long t = System.nanoTime();
                        if (viaStore) {
                            storeTotal = store.search(request).total();
                        } else {
                            rawTotal = rawSearch(raw);
                        }
                        long took = System.nanoTime() - t;
                        if (round >= 0) {
                            if (viaStore) storeSearch += took; else rawSearch += took;
                        }
                    }
                }
            }
            if (storeTotal != rawTotal) {
                throw new IllegalStateException("store and raw searches disagree: " + storeTotal + " vs " + rawTotal);
            }
            long n = (long) rounds * searches;
            System.out.printf(Locale.ROOT, "es-store-search/raw-client-search = %.2f   (store %.2f ms, raw %.2f ms per "
                    + "search, %d hits total, %d searches)%n", (double) storeSearch / rawSearch,
                    storeSearch / 1e6 / n, rawSearch / 1e6 / n, storeTotal, n);
        } finally {
            if (node != null) node.stop();
        }
        log.info("es-benchmark-done");
    }

    /** The DSL EsLogStore sends for the benchmark's request, written by hand against the raw client. */
    private static long rawSearch(ElasticsearchClient raw) throws java.io.IOException {
        var r = raw.search(s -> s.index("bench_store").ignoreUnavailable(true).allowNoIndices(true)
                .query(q -> q.bool(b -> b
                        .must(m -> m.match(x -> x.field("log").query("connection refused").operator(Operator.And)))
                        .must(m -> m.range(x -> x.untyped(u -> u.field("status").gte(JsonData.of(400)))))))
                .sort(o -> o.field(f -> f.field(IndexSetSchema.DEFAULT_TIME_FIELD).order(SortOrder.Desc).missing("_last")))
                .sort(o -> o.field(f -> f.field("__doc_id").order(SortOrder.Asc)))
                .size(50).from(0).trackTotalHits(t -> t.enabled(true))
                .aggregations("hosts", a -> a.terms(t -> t.field("host").size(5).shardSize(100)
                        .order(List.of(NamedValue.of("_count", SortOrder.Desc), NamedValue.of("_key", SortOrder.Asc))))),
                Map.class);
        return r.hits().total().value();
    }

    private static List<LogDocument> documents(Random rnd, String prefix, int n) {
        List<LogDocument> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            StringBuilder line = new StringBuilder();
            for (int w = 0; w < 12; w++) line.append(WORDS[rnd.nextInt(WORDS.length)]).append(' ');
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("log", line.toString().trim());
            f.put("host", HOSTS[rnd.nextInt(HOSTS.length)]);
            f.put("status", (long) (rnd.nextBoolean() ? 200 : 400 + rnd.nextInt(104)));
            f.put("latency", rnd.nextDouble() * 1000);
            out.add(new LogDocument(prefix + i, DAY.plusMillis(rnd.nextInt(86_400_000)), f));
        }
        return out;
    }
}
