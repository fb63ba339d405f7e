package io.bklog.benchmarks.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.es.EsFixture;
import io.bklog.es.EsLogStore;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.EsCompatConfig;
import io.bklog.server.config.ServerConfig;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What the ES-side drivers share: an Elasticsearch node (the test fixture, or {@code -Des.url}), a bklog server in
 * this JVM with {@code store.backend: elasticsearch} on that node (auth off, H2 metadata in a temporary data dir,
 * {@code _bulk} auto-creating index sets; {@code -Dbench.concurrentBulks=1} for one bulk in flight, as before issue
 * 26), the HDFS corpus as {@code _bulk} bodies, and plain HTTP to both.
 */
final class EsSideBySide implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    /** the loghub HDFS sample, repeated with a sequence number */
    static final Path HDFS = Path.of(System.getProperty("hdfs.log", "../shared/loghub/HDFS/HDFS_2k.log"));
    static final Instant DAY = Instant.parse("2024-06-01T00:00:00Z");

    final EsFixture node;
    final String esUrl;
    final BklogServer server;
    final String serverUrl;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Path dataDir;

    EsSideBySide() throws IOException {
        String url = System.getProperty("es.url");
        if (url == null || url.isBlank()) {
            node = EsFixture.create(Path.of(System.getProperty("es.dist.dir",
                    "bklog-es/target/es-dist/elasticsearch-8.19.21")), Path.of("benchmarks/target/es-node"));
            node.start();
            url = node.url();
        } else {
            node = null;
        }
        esUrl = url.replaceAll("/+$", "");
        dataDir = Files.createTempDirectory("bklog-es-bench");
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir)
                .store(EsLogStore.builder().hosts(esUrl).concurrentBulks(Integer.getInteger("bench.concurrentBulks",
                        EsLogStore.DEFAULT_CONCURRENT_BULKS)).build()).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 64 * 1024 * 1024),
                new AuthConfig(false), new EsCompatConfig(true, "", Map.of(), "bklog-bench", "8.19.21"));
        serverUrl = server.uri().toString().replaceAll("/+$", "");
    }

    /** The HDFS lines. */
    static List<String> hdfsLines() throws IOException {
        return Files.readAllLines(HDFS);
    }

    /**
     * Documents {@code from .. from+n-1} as {@code _bulk} bodies of {@code batch} items into {@code index}: line
     * {@code i % lines} of the sample as {@code message}, {@code seq: i}, {@code @timestamp} 10 ms apart from
     * {@link #DAY} (one daily index for up to 8.6 M documents). No {@code _id}: both sides make their own.
     */
    static List<String> bulkBodies(List<String> lines, String index, long from, int n, int batch) throws IOException {
        return bulkBodies(lines, index, from, n, batch, "message");
    }

    /** The same bodies with the line under {@code textField} instead of {@code message}. */
    static List<String> bulkBodies(List<String> lines, String index, long from, int n, int batch, String textField)
            throws IOException {
        List<String> bodies = new ArrayList<>();
        StringBuilder sb = new StringBuilder();
        String action = "{\"index\":{\"_index\":\"" + index + "\"}}\n";
        int inBatch = 0;
        for (long i = from; i < from + n; i++) {
            sb.append(action);
            Map<String, Object> doc = new java.util.LinkedHashMap<>();
            doc.put("@timestamp", DAY.plusMillis(i * 10).toString());
            doc.put(textField, lines.get((int) (i % lines.size())));
            doc.put("seq", i);
            sb.append(JSON.writeValueAsString(doc)).append('\n');
            if (++inBatch == batch) {
                bodies.add(sb.toString());
                sb.setLength(0);
                inBatch = 0;
            }
        }
        if (inBatch > 0) bodies.add(sb.toString());
        return bodies;
    }

    /** Sends one {@code _bulk} body; fails on an HTTP error or any item error (the load must be all acknowledged). */
    int bulk(String base, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/_bulk"))
                .header("Content-Type", "application/x-ndjson").timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException(base + " _bulk: " + r.statusCode() + " " + r.body());
        JsonNode n = JSON.readTree(r.body());
        if (n.path("errors").asBoolean()) {
            throw new IllegalStateException(base + " _bulk item errors: " + r.body().substring(0,
                    Math.min(2000, r.body().length())));
        }
        return n.path("items").size();
    }

    /** One request to Elasticsearch; the parsed answer; fails on a status >= 300. */
    JsonNode es(String method, String path, String body) throws IOException, InterruptedException {
        return call(esUrl, method, path, body);
    }

    /** A GET whose answer is read as a string and not parsed; fails on a status >= 300. */
    String raw(String base, String path) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path)).GET()
                .timeout(Duration.ofMinutes(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) throw new IllegalStateException("GET " + base + path + ": " + r.statusCode());
        return r.body();
    }

    JsonNode call(String base, String method, String path, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json").timeout(Duration.ofMinutes(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() >= 300) {
            throw new IllegalStateException(method + " " + base + path + ": " + r.statusCode() + " " + r.body());
        }
        return r.body().isBlank() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /**
     * Deletes what an earlier run left of {@code directIndex} and of index set {@code indexSet}'s indices, and
     * creates {@code directIndex} with the plain explicit mapping ({@code @timestamp: date}, {@code message: text},
     * {@code seq: long}), 1 shard, 0 replicas, default codec, {@code index.translog.durability: request}
     * (Elasticsearch's default, stated: acknowledged = fsynced).
     */
    void startFresh(String directIndex, String indexSet) throws IOException, InterruptedException {
        deleteIndices(directIndex);
        deleteIndices("v2_" + indexSet + "_*");
        es("PUT", "/" + directIndex, "{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":0,"
                + "\"index.translog.durability\":\"request\"},"
                + "\"mappings\":{\"properties\":{\"@timestamp\":{\"type\":\"date\"},"
                + "\"message\":{\"type\":\"text\"},\"seq\":{\"type\":\"long\"}}}}");
    }

    /** Deletes indices matching {@code pattern} on the node (ignoring none). */
    void deleteIndices(String pattern) throws IOException, InterruptedException {
        es("DELETE", "/" + pattern + "?ignore_unavailable=true&allow_no_indices=true&expand_wildcards=all", null);
    }

    @Override
    public void close() {
        server.close();
        if (node != null) node.stop();
    }

    /** User + system CPU time of a process so far, in ms (from {@code /proc/<pid>/stat}, 100 ticks a second), or -1. */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // utime, stime (fields 14, 15)
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** The node's CPU time in ns when {@code -Dbench.esPid} names its process, else -1. */
    static long nodeCpuNanos() {
        String pid = System.getProperty("bench.esPid");
        if (pid == null) return -1;
        try {
            long ms = cpuMillis(Long.parseLong(pid.strip()));
            return ms < 0 ? -1 : ms * 1_000_000L;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
