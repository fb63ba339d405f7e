package io.bklog.benchmarks.lucene;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.benchmarks.es.EsStoreVsRawClientBenchmark;
import io.bklog.core.query.QueryStringParser;
import io.bklog.es.EsFixture;
import io.bklog.lucene.LuceneLogStore;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The embedded Lucene store next to one Elasticsearch node (the test fixture's, 512 MB heap) on the same HDFS
 * documents ({@code log} text + {@code seq} long + time, spread over one day): bytes per document after a force-merge
 * to one segment (Elasticsearch with a plain mapping, default codec, and with {@code best_compression}), what the
 * wildcards {@code blk_*}, {@code dfs.DataNode*}, {@code 10.250.*} find on each (Elasticsearch: {@code standard}
 * analyzer, {@code query_string}), and search latency: the 50 newest hits plus a 30 s date histogram over the day,
 * for a term, a phrase, a field range and {@code *}, in alternating rounds, printed as p50/p99 and the ratio
 * Lucene / Elasticsearch. Lucene is called in process, Elasticsearch over HTTP (about 1 ms of the difference).
 *
 * <p>The lines are the LogHub HDFS sample ({@code bklog-core/src/test/resources/loghub/HDFS/HDFS_2k.log}) cycled,
 * each copy with its own block ids (a block recurs in about 8 lines, as in HDFS) and a sequence number.
 *
 * <p>Args: {@code [docs=200000] [rounds=5] [perRound=20] [hdfsLog=bklog-core/.../HDFS_2k.log]}; system property
 * {@code es.dist.dir} as for {@code EsStoreVsRawClientBenchmark}, or {@code es.url} for a running node.
 */
public final class LuceneVsElasticsearchDriver {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SET = "hdfs";
    private static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    private static final Instant START = Instant.parse("2024-03-01T00:00:00Z");
    private static final long SPAN = 86_400_000L;
    private static final Pattern BLOCK = Pattern.compile("blk_-?\\d+");
    private static final List<String> WILDCARDS = List.of("blk_*", "dfs.DataNode*", "10.250.*");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String es;

    private LuceneVsElasticsearchDriver(String es) {
        this.es = es;
    }

    public static void main(String[] args) throws Exception {
        int docs = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        Path log = Path.of(args.length > 3 ? args[3] : "bklog-core/src/test/resources/loghub/HDFS/HDFS_2k.log");
        List<String> templates = Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank()).toList();

        EsFixture node = EsStoreVsRawClientBenchmark.startNodeUnlessGiven();
        String url = node == null ? System.getProperty("es.url") : node.url();
        Path dir = Files.createTempDirectory("bench-lucene-vs-es");
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            new LuceneVsElasticsearchDriver(url).run(store, templates, docs, rounds, perRound);
        } finally {
            LuceneIngestVsIndexWriterBenchmark.deleteRecursively(dir);
            if (node != null) node.stop();
        }
    }

    static LogDocument document(List<String> templates, int i, int total) {
        String line = templates.get(i % templates.size());
        int copy = i / templates.size();
        Matcher m = BLOCK.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            long block = new SplittableRandom((m.group().hashCode() * 31L + copy) * 0x9E3779B97F4A7C15L).nextLong();
            m.appendReplacement(sb, "blk_" + block);
        }
        m.appendTail(sb);
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("log", sb.toString());
        f.put("seq", (long) i);
        return new LogDocument(id(i), Instant.ofEpochMilli(START.toEpochMilli() + (long) i * (SPAN - 1) / total), f);
    }

    /**
     * The platform's ids, 128-bit hex, as {@code -Dbench.ids} says: {@code random} (default; a hashed file or Kafka
     * position, {@code DocumentIds.of}: murmur3-128, random-looking), {@code unique} ({@code DocumentIds.unique()}:
     * 64 random bits per process + a counter, what HTTP, syslog and OTLP documents without a client id get) or
     * {@code mixed} (every other document of each).
     */
    static String id(int i) {
        String kind = System.getProperty("bench.ids", "random");
        boolean unique = kind.equals("unique") || kind.equals("mixed") && (i & 1) == 0;
        if (unique) {
            return HexFormat.of().toHexDigits(0x5DEECE66D2B7E151L) + HexFormat.of().toHexDigits(0x3A5F1C2B00L + i);
        }
        SplittableRandom ids = new SplittableRandom(i * 0x9E3779B97F4A7C15L + 7);
        return HexFormat.of().toHexDigits(ids.nextLong()) + HexFormat.of().toHexDigits(ids.nextLong());
    }

    private void run(LuceneLogStore store, List<String> templates, int docs, int rounds, int perRound)
            throws Exception {
        System.out.printf(Locale.ROOT, "lucene-vs-es: docs=%d load=%.1f%n", docs, load());
        store.ensureIndexSet(IndexSetSchema.of(SET, List.of(FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("seq", FieldType.LONG))));
        // hdfs_direct: the same documents with the same ids; hdfs_direct_auto: ids Elasticsearch makes up
        List<String> esIndices = new ArrayList<>(List.of("hdfs_direct"));
        if (docs <= 300_000) esIndices.add("hdfs_direct_auto");
        for (String index : esIndices) createEsIndex(index);

        int batch = 5_000;
        long luceneNanos = 0;
        long esNanos = 0;
        for (int from = 0; from < docs; from += batch) {
            List<LogDocument> chunk = new ArrayList<>();
            for (int i = from; i < Math.min(docs, from + batch); i++) chunk.add(document(templates, i, docs));
            long t = System.nanoTime();
            BulkResult r = store.index(SET, chunk);
            luceneNanos += System.nanoTime() - t;
            if (!r.allOk()) throw new IllegalStateException("lucene bulk failed: " + r.items().get(0));
            for (String index : esIndices) {
                String body = bulkBody(chunk, !index.endsWith("_auto"));
                t = System.nanoTime();
                JsonNode resp = call("POST", "/" + index + "/_bulk", body, "application/x-ndjson");
                if (index.equals("hdfs_direct")) esNanos += System.nanoTime() - t;
                if (resp.path("errors").asBoolean()) throw new IllegalStateException("es bulk failed: " + resp);
            }
        }
        System.out.printf(Locale.ROOT, "lucene-vs-es: ingest (1 thread, 5,000-doc batches) lucene %.0f docs/s,"
                + " es %.0f docs/s%n", docs / (luceneNanos / 1e9), docs / (esNanos / 1e9));

        // bytes per document after merging to one segment
        long t0 = System.nanoTime();
        store.forceMerge(SET, 1);
        System.out.printf(Locale.ROOT, "lucene-vs-es: lucene force-merge %.1f s%n", (System.nanoTime() - t0) / 1e9);
        long luceneBytes = store.listIndices(SET).stream().mapToLong(IndexInfo::sizeBytes).sum();
        long luceneDocs = store.listIndices(SET).stream().mapToLong(IndexInfo::docCount).sum();
        Map<String, Long> esBytes = new LinkedHashMap<>();
        for (String index : esIndices) {
            call("PUT", "/" + index + "/_settings", "{\"index\":{\"refresh_interval\":\"1s\"}}", null);
            call("POST", "/" + index + "/_refresh", "", null);
            call("POST", "/" + index + "/_forcemerge?max_num_segments=1", "", null);
            call("POST", "/" + index + "/_flush", "", null);
            // merged-away files go once no reader and no commit holds them: read the size when one segment is left
            // and it is steady over three reads a second apart, each after a forced flush (a new commit lets the
            // commit from before the merge go; without it two runs in five read about twice the size)
            JsonNode stats = null;
            long previous = -1;
            int steady = 0;
            for (int attempt = 0; attempt < 60; attempt++) {
                call("POST", "/" + index + "/_refresh", "", null);
                call("POST", "/" + index + "/_flush?force=true", "", null);
                stats = call("GET", "/" + index + "/_stats/store,docs,segments", null, null).path("indices")
                        .path(index).path("primaries");
                long size = stats.path("store").path("size_in_bytes").asLong();
                steady = stats.path("segments").path("count").asLong() == 1 && size == previous ? steady + 1 : 0;
                if (steady == 2) break;
                previous = size;
                Thread.sleep(1_000);
            }
            esBytes.put(index, stats.path("store").path("size_in_bytes").asLong());
            if (stats.path("docs").path("count").asLong() != docs) {
                throw new IllegalStateException(index + " holds " + stats.path("docs") + ", expected " + docs);
            }
        }
        System.out.printf(Locale.ROOT, "lucene-vs-es: bytes/doc lucene=%.1f (%d docs, %d bytes) es=%.1f%s"
                        + " -> lucene/es = %.2f%n", (double) luceneBytes / luceneDocs, luceneDocs, luceneBytes,
                (double) esBytes.get("hdfs_direct") / docs,
                esBytes.containsKey("hdfs_direct_auto") ? String.format(Locale.ROOT, " es-with-its-own-ids=%.1f",
                        (double) esBytes.get("hdfs_direct_auto") / docs) : "",
                (double) luceneBytes / esBytes.get("hdfs_direct"));
        System.out.println("lucene-vs-es: lucene bytes/doc by file kind " + fileKinds(store, docs));

        // what the wildcards find: the Lucene store with bklog's analysis vs Elasticsearch's standard analyzer
        Instant from = START;
        Instant to = START.plusMillis(SPAN);
        for (String w : WILDCARDS) {
            long lucene = luceneSearch(store, w, from, to).total();
            long direct = esSearch(w, from, to).path("hits").path("total").path("value").asLong();
            System.out.printf(Locale.ROOT, "lucene-vs-es: wildcard %-15s lucene=%d es-standard=%d%n", w, lucene, direct);
        }

        // latency in alternating rounds
        List<String> queries = List.of("PacketResponder AND terminating", "\"Received block\"",
                "seq:[" + docs / 4 + " TO " + docs / 2 + "]", "*", "blk_*");
        for (String q : queries) {
            for (int i = 0; i < perRound; i++) { // warm-up
                luceneSearch(store, q, from, to);
                esSearch(q, from, to);
            }
        }
        for (String q : queries) {
            long[] l = new long[rounds * perRound];
            long[] e = new long[rounds * perRound];
            long lt = 0;
            long et = 0;
            for (int round = 0, k = 0; round < rounds; round++) {
                for (int leg = 0; leg < 2; leg++) {
                    boolean luceneLeg = (leg == 0) == (round % 2 == 0);
                    for (int i = 0; i < perRound; i++) {
                        long t = System.nanoTime();
                        if (luceneLeg) {
                            lt = luceneSearch(store, q, from, to).total();
                            l[k + i] = System.nanoTime() - t;
                        } else {
                            et = esSearch(q, from, to).path("hits").path("total").path("value").asLong();
                            e[k + i] = System.nanoTime() - t;
                        }
                    }
                }
                k += perRound;
            }
            Arrays.sort(l);
            Arrays.sort(e);
            int p99 = Math.min(l.length - 1, (int) Math.ceil(l.length * 0.99) - 1);
            System.out.printf(Locale.ROOT, "lucene-vs-es: search [%s] hits lucene=%d es=%d p50 %.1f vs %.1f ms"
                            + " (%.2f) p99 %.1f vs %.1f ms (%.2f) load=%.1f%n", q, lt, et, l[l.length / 2] / 1e6,
                    e[e.length / 2] / 1e6, (double) l[l.length / 2] / e[e.length / 2], l[p99] / 1e6, e[p99] / 1e6,
                    (double) l[p99] / e[p99], load());
        }
        for (String index : esIndices) call("DELETE", "/" + index, null, null);
    }

    /** Bytes per document of the Lucene store's files, by extension (stored fields, terms, postings...). */
    static Map<String, String> fileKinds(LuceneLogStore store, int docs) throws IOException {
        Map<String, Long> bytes = new java.util.TreeMap<>();
        try (var files = Files.walk(store.dataDir().resolve("indices"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String n = f.getFileName().toString();
                String ext = n.contains(".") ? n.substring(n.lastIndexOf('.') + 1) : n;
                bytes.merge(ext, Files.size(f), Long::sum);
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        bytes.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .filter(e -> e.getValue() * 10 >= docs)
                .forEach(e -> out.put(e.getKey(), String.format(Locale.ROOT, "%.1f", (double) e.getValue() / docs)));
        return out;
    }

    private static double load() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    private static SearchResult luceneSearch(LuceneLogStore store, String q, Instant from, Instant to) {
        return store.search(SearchRequest.builder(SET).query(QueryStringParser.parse(q, "log")).timeRange(from, to)
                .size(50).aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofSeconds(30))).build());
    }

    private JsonNode esSearch(String q, Instant from, Instant to) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.put("size", 50);
        body.put("track_total_hits", true);
        body.putArray("sort").addObject().put(TIME, "desc");
        var filter = body.putObject("query").putObject("bool").putArray("filter");
        if (q.equals("*")) {
            filter.addObject().putObject("match_all");
        } else {
            filter.addObject().putObject("query_string").put("query", q).put("default_field", "log")
                    .put("default_operator", "AND");
        }
        filter.addObject().putObject("range").putObject(TIME).put("gte", from.toEpochMilli())
                .put("lt", to.toEpochMilli()).put("format", "epoch_millis");
        body.putObject("aggs").putObject("h").putObject("date_histogram").put("field", TIME)
                .put("fixed_interval", "30s").put("min_doc_count", 0).putObject("extended_bounds")
                .put("min", from.toEpochMilli()).put("max", to.toEpochMilli() - 1);
        return call("POST", "/hdfs_direct/_search", JSON.writeValueAsString(body), null);
    }

    private void createEsIndex(String index) throws IOException, InterruptedException {
        call("DELETE", "/" + index + "?ignore_unavailable=true", null, null);
        ObjectNode body = JSON.createObjectNode();
        ObjectNode settings = body.putObject("settings").putObject("index");
        settings.put("number_of_shards", 1).put("number_of_replicas", 0).put("refresh_interval", "-1");
        ObjectNode props = body.putObject("mappings").putObject("properties");
        props.putObject(TIME).put("type", "date");
        props.putObject("log").put("type", "text");
        props.putObject("seq").put("type", "long");
        call("PUT", "/" + index, JSON.writeValueAsString(body), null);
    }

    private static String bulkBody(List<LogDocument> docs, boolean withIds) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (LogDocument d : docs) {
            sb.append(withIds ? "{\"index\":{\"_id\":\"" + d.id() + "\"}}\n" : "{\"index\":{}}\n");
            Map<String, Object> src = new LinkedHashMap<>(d.fields());
            src.put(TIME, d.timestamp().toEpochMilli());
            sb.append(JSON.writeValueAsString(src)).append('\n');
        }
        return sb.toString();
    }

    private JsonNode call(String method, String path, String body, String contentType)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(es + path)).timeout(Duration.ofMinutes(10))
                .header("Content-Type", contentType == null ? "application/json" : contentType);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300 && !(method.equals("DELETE") && r.statusCode() == 404)) {
            throw new IllegalStateException(method + " " + path + " -> " + r.statusCode() + ": " + r.body());
        }
        return r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
    }
}
