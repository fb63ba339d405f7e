package io.bklog.benchmarks.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The production path of issue 26: the bklog server with {@code store.backend: elasticsearch} next to the same
 * Elasticsearch node, sent the same {@code _bulk} load over HTTP (HDFS lines with a sequence number, 1,000-document
 * batches, {@code clients} connections), alternating rounds (direct first in even rounds, the server first in odd
 * ones); prints acknowledged docs/s of both per round and the median ratio. Then the same searches through the
 * server ({@code POST /api/v1/index_sets/{name}/search}: top 50 newest + a 30 s histogram) and directly
 * ({@code _search} with the same query string, time range, sort and {@code date_histogram}), alternating, and
 * prints the p50 of each and their ratio (a term, a phrase, a range on {@code seq} and {@code *}; the segment count of
 * both indices first; {@code -Dbench.slowlog=true} logs the server's queries in the node's search slow log, to
 * replay them with {@code "profile": true}). Before the searches, the HTTP floor of each side (the server's
 * {@code GET /livez} against the node's {@code GET /_cluster/health}, alternating); with each query, in process, the
 * search service, the store alone, the caller's masker (the route's fresh read of the index set) and the answer's JSON,
 * and the answer's size on each side. The direct index has an explicit mapping and
 * {@code index.translog.durability: request} (Elasticsearch's default: acknowledged = fsynced), as the server's
 * indices do. A third index takes the same load directly with bklog's text analysis on {@code message} (the pattern
 * tokenizer the server's indices use), to show what the analysis costs Elasticsearch itself.
 *
 * <p>Usage (from the repository root): {@code java -cp $CP io.bklog.benchmarks.es.EsServerVsDirectDriver
 * [docsPerRound=50000] [rounds=5] [clients=2] [batch=1000] [searches=30]}; {@code -Des.url=...} to use a running
 * node, else the bklog-es fixture's node is started. The machine is usually shared: read the ratio, not the
 * absolute figures.
 */
public final class EsServerVsDirectDriver {
    private static final String DIRECT = "hdfs-ingest-direct";
    private static final String BKLOG = "hdfsingest";
    private static final String DIRECT_BKLOG_ANALYSIS = "hdfs-ingest-direct-bklog-analysis";
    private static final String[] QUERIES = {"PacketResponder AND terminating", "\"Received block\"",
            "seq:[10000 TO 30000]", "*"};

    /**
     * Searches of each kind run before the measured ones ({@code -Dbench.searchWarmup}, default 3): a few hundred let
     * the JIT compile the server's search path, which the ingest before does not warm.
     */
    private static final int WARMUP = Integer.getInteger("bench.searchWarmup", 3);

    private EsServerVsDirectDriver() {}

    public static void main(String[] args) throws Exception {
        int perRound = args.length > 0 ? Integer.parseInt(args[0]) : 50_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int clients = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        int batch = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
        int searches = args.length > 4 ? Integer.parseInt(args[4]) : 30;
        List<String> lines = EsSideBySide.hdfsLines();
        try (EsSideBySide s = new EsSideBySide()) {
            s.startFresh(DIRECT, BKLOG);
            // the same, with bklog's text analysis (a pattern tokenizer on TextAnalysis.SEPARATOR): what Elasticsearch
            // itself spends on the analysis the server asks of it
            s.deleteIndices(DIRECT_BKLOG_ANALYSIS);
            s.es("PUT", "/" + DIRECT_BKLOG_ANALYSIS, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
                    + "\"analysis\":{\"tokenizer\":{\"t\":{\"type\":\"pattern\",\"pattern\":" + EsSideBySide.JSON
                    .writeValueAsString(io.bklog.spi.query.TextAnalysis.SEPARATOR) + "}},\"analyzer\":{\"a\":{"
                    + "\"type\":\"custom\",\"tokenizer\":\"t\",\"filter\":[\"lowercase\"]}}}},"
                    + "\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"date\"},"
                    + "\"message\":{\"type\":\"text\",\"analyzer\":\"a\"},\"seq\":{\"type\":\"long\"}}}}");
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            double[] ratios = new double[rounds];
            double[] serverCpu = new double[rounds];
            double[] nodeCpuRatio = new double[rounds];
            long next = 0;
            for (int r = -1; r < rounds; r++) { // round -1 warms both sides up
                List<String> direct = EsSideBySide.bulkBodies(lines, DIRECT, next, perRound, batch);
                List<String> bklog = EsSideBySide.bulkBodies(lines, BKLOG, next, perRound, batch);
                next += perRound;
                List<String> directBklog = EsSideBySide.bulkBodies(lines, DIRECT_BKLOG_ANALYSIS, next - perRound,
                        perRound, batch);
                double d;
                double b;
                double a;
                double[] dCpu;
                double[] bCpu;
                if (r % 2 == 0) {
                    d = send(s, pool, clients, s.esUrl, direct, perRound);
                    dCpu = new double[] {lastJvmCpu, lastEsCpu};
                    b = send(s, pool, clients, s.serverUrl, bklog, perRound);
                    bCpu = new double[] {lastJvmCpu, lastEsCpu};
                    a = send(s, pool, clients, s.esUrl, directBklog, perRound);
                } else {
                    a = send(s, pool, clients, s.esUrl, directBklog, perRound);
                    b = send(s, pool, clients, s.serverUrl, bklog, perRound);
                    bCpu = new double[] {lastJvmCpu, lastEsCpu};
                    d = send(s, pool, clients, s.esUrl, direct, perRound);
                    dCpu = new double[] {lastJvmCpu, lastEsCpu};
                }
                System.out.printf(Locale.ROOT, "round %d: direct %.0f docs/s, bklog server over ES %.0f docs/s, "
                        + "ratio %.2f; direct with bklog's analysis %.0f docs/s (server / that %.2f), load %s%n", r, d,
                        b, b / d, a, b / a, load());
                // CPU-s per 100k docs: this JVM (clients only when direct; clients + server through the server) and
                // the node (-Dbench.esPid): the server's own share is the JVM's difference between the two
                System.out.printf(Locale.ROOT, "  cpu-s/100k docs: direct: driver %.2f, node %.2f; through the server:"
                        + " driver+server %.2f, node %.2f (server's own ~%.2f)%n", dCpu[0], dCpu[1], bCpu[0], bCpu[1],
                        bCpu[0] - dCpu[0]);
                if (r >= 0) {
                    ratios[r] = b / d;
                    serverCpu[r] = bCpu[0] - dCpu[0];
                    nodeCpuRatio[r] = bCpu[1] / dCpu[1];
                }
            }
            Arrays.sort(ratios);
            System.out.printf(Locale.ROOT, "es-server-bulk/direct-bulk = %.2f (rounds %s)%n", ratios[rounds / 2],
                    Arrays.toString(ratios));
            Arrays.sort(serverCpu);
            Arrays.sort(nodeCpuRatio);
            System.out.printf(Locale.ROOT, "server's own cpu-s/100k docs = %.2f (rounds %s); node cpu through the "
                    + "server / direct = %.2f (rounds %s)%n", serverCpu[rounds / 2], Arrays.toString(serverCpu),
                    nodeCpuRatio[rounds / 2], Arrays.toString(nodeCpuRatio));
            pool.shutdown();
            pool.awaitTermination(1, TimeUnit.MINUTES);
            s.es("POST", "/" + DIRECT + "/_refresh", null);
            s.es("POST", "/v2_" + BKLOG + "_*/_refresh", null);
            if (Boolean.getBoolean("bench.slowlog")) { // the server's queries in the node's search slow log
                s.es("PUT", "/v2_" + BKLOG + "_*/_settings", "{\"index.search.slowlog.threshold.query.trace\":\"0ms\","
                        + "\"index.search.slowlog.threshold.fetch.trace\":\"0ms\"}");
            }
            java.util.Map<String, Integer> segments = new java.util.TreeMap<>();
            for (JsonNode seg : s.es("GET", "/_cat/segments/" + DIRECT + ",v2_" + BKLOG + "_*?h=index&format=json",
                    null)) {
                segments.merge(seg.path("index").asText(), 1, Integer::sum);
            }
            System.out.println("segments before the searches: " + segments);
            searchRounds(s, next, searches);
        }
    }

    /** CPU seconds per 100k documents of the last {@link #send}: this JVM (driver + in-process server), the node */
    private static double lastJvmCpu;
    private static double lastEsCpu;

    /** This JVM's CPU time in ns (the clients, and the server when it is the one loaded). */
    private static long jvmCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Sends the bodies over {@code clients} connections; answers acknowledged docs/s, and leaves the CPU seconds
     * per 100k documents of this JVM and of the node in {@link #lastJvmCpu} / {@link #lastEsCpu}.
     */
    private static double send(EsSideBySide s, ExecutorService pool, int clients, String base, List<String> bodies,
                               int docs) throws Exception {
        AtomicInteger nextBody = new AtomicInteger();
        long cpu0 = jvmCpuNanos();
        long es0 = EsSideBySide.nodeCpuNanos();
        long t0 = System.nanoTime();
        List<Future<Integer>> fs = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            fs.add(pool.submit(() -> {
                int acked = 0;
                for (int i = nextBody.getAndIncrement(); i < bodies.size(); i = nextBody.getAndIncrement()) {
                    acked += s.bulk(base, bodies.get(i));
                }
                return acked;
            }));
        }
        int acked = 0;
        for (Future<Integer> f : fs) acked += f.get(10, TimeUnit.MINUTES);
        if (acked != docs) throw new IllegalStateException(base + " acknowledged " + acked + " of " + docs);
        double rate = docs / ((System.nanoTime() - t0) / 1e9);
        lastJvmCpu = (jvmCpuNanos() - cpu0) / 1e9 * 100_000 / docs;
        long es1 = EsSideBySide.nodeCpuNanos();
        lastEsCpu = es0 < 0 || es1 < 0 ? Double.NaN : (es1 - es0) / 1e9 * 100_000 / docs;
        return rate;
    }

    /** The same searches through the server and directly, alternating; p50 of each and the ratio per query. */
    private static void searchRounds(EsSideBySide s, long docs, int searches) throws Exception {
        // the HTTP floor of each side: the server's cheapest route (GET /livez, no JSON, no store) against the
        // node's (GET /_cluster/health), alternating, so the route's own cost shows apart from the transport's
        long[] floorServer = new long[searches];
        long[] floorNode = new long[searches];
        for (int i = -WARMUP; i < searches; i++) {
            long t0 = System.nanoTime();
            s.raw(s.serverUrl, "/livez");
            long t1 = System.nanoTime();
            s.raw(s.esUrl, "/_cluster/health");
            long t2 = System.nanoTime();
            if (i < 0) continue;
            floorServer[i] = t1 - t0;
            floorNode[i] = t2 - t1;
        }
        Arrays.sort(floorServer);
        Arrays.sort(floorNode);
        System.out.printf(Locale.ROOT, "http floor: server GET /livez p50 %.2f ms, node GET /_cluster/health p50 %.2f ms, load %s%n",
                floorServer[searches / 2] / 1e6, floorNode[searches / 2] / 1e6, load());
        long from = EsSideBySide.DAY.toEpochMilli();
        long to = from + docs * 10;
        for (String q : QUERIES) {
            String viaServer = EsSideBySide.JSON.writeValueAsString(java.util.Map.of("keyword", q,
                    "start_time", from, "end_time", to, "size", 50,
                    "aggs", java.util.Map.of("histogram", java.util.Map.of("interval", "30s"))));
            String direct = "{\"size\":50,\"track_total_hits\":true,\"sort\":[{\"@timestamp\":\"desc\"}],"
                    + "\"query\":{\"bool\":{\"must\":{\"query_string\":{\"query\":" + EsSideBySide.JSON
                    .writeValueAsString(q) + ",\"default_field\":\"message\"}},\"filter\":{\"range\":{\"@timestamp\":"
                    + "{\"gte\":" + from + ",\"lt\":" + to + ",\"format\":\"epoch_millis\"}}}}},"
                    + "\"aggs\":{\"h\":{\"date_histogram\":{\"field\":\"@timestamp\",\"fixed_interval\":\"30s\"}}}}";
            long[] ours = new long[searches];
            long[] theirs = new long[searches];
            long[] oursTook = new long[searches]; // Elasticsearch's own "took" of the server's query
            long[] theirsTook = new long[searches];
            long hitsOurs = -1;
            long hitsTheirs = -1;
            for (int i = -WARMUP; i < searches; i++) { // warm-up searches first (-Dbench.searchWarmup, 3)
                long t0 = System.nanoTime();
                JsonNode a = s.call(s.serverUrl, "POST", "/api/v1/index_sets/" + BKLOG + "/search", viaServer);
                long t1 = System.nanoTime();
                JsonNode b = s.es("POST", "/" + DIRECT + "/_search", direct);
                long t2 = System.nanoTime();
                if (i < 0) continue;
                ours[i] = t1 - t0;
                theirs[i] = t2 - t1;
                oursTook[i] = a.path("took").asLong();
                theirsTook[i] = b.path("took").asLong();
                if (i == searches - 1) {
                    System.out.printf(Locale.ROOT, "search %-40s answer bytes: server %d, direct %d%n", q,
                            EsSideBySide.JSON.writeValueAsBytes(a).length, EsSideBySide.JSON.writeValueAsBytes(b).length);
                }
                hitsOurs = a.path("total").asLong();
                hitsTheirs = b.at("/hits/total/value").asLong();
            }
            // the same search in process, without HTTP to the server: the search service (request checks, masking,
            // the store) and the store alone (query DSL, the Elasticsearch call, reading the hits)
            io.bklog.core.search.SearchService service = s.server.platform().search();
            io.bklog.core.search.SearchParams params = new ObjectMapper().setPropertyNamingStrategy(
                    com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE).readValue(viaServer,
                    io.bklog.core.search.SearchParams.class);
            io.bklog.spi.SearchRequest storeRequest = service.request(BKLOG, params);
            long[] inService = new long[searches];
            long[] inStore = new long[searches];
            long[] inMasker = new long[searches]; // the route's steps around the service: the caller's masker,
            long[] inJson = new long[searches]; // the answer's JSON (the server's mapper)
            com.fasterxml.jackson.databind.ObjectMapper api = io.bklog.server.http.Json.mapper();
            io.bklog.core.mask.MaskingService masking = s.server.platform().masking();
            for (int i = -WARMUP; i < searches; i++) {
                long t0 = System.nanoTime();
                Object answer = service.search(BKLOG, params);
                long t1 = System.nanoTime();
                service.execute(storeRequest);
                long t2 = System.nanoTime();
                masking.masker(BKLOG);
                long t3 = System.nanoTime();
                api.writeValueAsString(answer);
                long t4 = System.nanoTime();
                if (i < 0) continue;
                inService[i] = t1 - t0;
                inStore[i] = t2 - t1;
                inMasker[i] = t3 - t2;
                inJson[i] = t4 - t3;
            }
            Arrays.sort(inService);
            Arrays.sort(inStore);
            Arrays.sort(inMasker);
            Arrays.sort(inJson);
            System.out.printf(Locale.ROOT, "search %-40s in process: search service p50 %.1f ms, store alone p50 %.1f"
                    + " ms, the caller's masker p50 %.2f ms, the answer's JSON p50 %.2f ms%n", q,
                    inService[searches / 2] / 1e6, inStore[searches / 2] / 1e6, inMasker[searches / 2] / 1e6,
                    inJson[searches / 2] / 1e6);
            Arrays.sort(ours);
            Arrays.sort(theirs);
            Arrays.sort(oursTook);
            Arrays.sort(theirsTook);
            double po = ours[searches / 2] / 1e6;
            double pt = theirs[searches / 2] / 1e6;
            System.out.printf(Locale.ROOT, "search %-40s server p50 %.1f ms (%d hits), direct p50 %.1f ms (%d hits),"
                    + " ratio %.2f; p99 %.1f vs %.1f ms; Elasticsearch took p50 %d vs %d ms%n", q, po, hitsOurs, pt,
                    hitsTheirs, po / pt, ours[searches - 1 - searches / 100] / 1e6,
                    theirs[searches - 1 - searches / 100] / 1e6, oursTook[searches / 2], theirsTook[searches / 2]);
        }
    }

    private static String load() {
        return String.format(Locale.ROOT, "%.1f",
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
