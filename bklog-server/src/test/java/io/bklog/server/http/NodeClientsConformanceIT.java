package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.LogPlatform;
import io.bklog.es.EsFixture;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.EsCompatConfig;
import io.bklog.server.config.ServerConfig;
import org.assertj.core.api.SoftAssertions;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Issue 21, "Elasticsearch clients and logging libraries work unchanged", for Node.js: the official
 * {@code @elastic/elasticsearch} client ({@code helpers.bulk}), pino + pino-elasticsearch and winston +
 * winston-elasticsearch, as pinned by {@code src/test/node/package-lock.json}, send {@value #DEFAULT_COUNT} documents
 * each to bklog-server (basic auth with an ingest token) and then, unchanged, to the Elasticsearch fixture. On both
 * the test counts the documents found by text and by two of the library's own fields, and compares what the library
 * saw: documents sent, errors, per-item statuses of the {@code _bulk} answers.
 *
 * <p>The scripts and what they send are described in {@code src/test/node/common.mjs}; the build installs their
 * libraries before the integration tests ({@code src/test/node/install}, {@code npm ci}). Without Node.js this test
 * fails, saying how to install it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeClientsConformanceIT {
    private static final Logger log = LoggerFactory.getLogger(NodeClientsConformanceIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_COUNT = 2000;
    private static final int COUNT = Integer.getInteger("conformance.count", DEFAULT_COUNT);
    /** The node binary: {@code -Dbklog.node=/path/to/node}, default {@code node} on the PATH. */
    private static final String NODE = System.getProperty("bklog.node", "node");
    private static final Path NODE_DIR =
            Path.of(System.getProperty("bklog.node.dir", "src/test/node")).toAbsolutePath();
    private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration COUNT_TIMEOUT = Duration.ofSeconds(15);
    private static final String RUN = "r" + Long.toString(System.nanoTime() & 0xffffff, 36);

    @TempDir
    static Path dataDir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private CompletableFuture<EsFixture> es;
    private BklogServer server;
    private String admin;
    private String ingestToken;
    /** {@code os.hostname()} as node answers it: pino's {@code hostname} field. */
    private String nodeHostname;

    /** A count the test checks: a bklog keyword and the same question as an Elasticsearch query_string. */
    record Check(String name, String bklogKeyword, String esQuery, int expected) {}

    record Answer(int status, String raw, JsonNode body) {}

    @BeforeAll
    void start() throws Exception {
        requireNodeAndLibraries();
        nodeHostname = node("-p", "require('os').hostname()");
        // the Elasticsearch node starts while bklog is exercised: it takes most of this test's time
        es = CompletableFuture.supplyAsync(EsFixture::shared);
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 64 * 1024 * 1024), new AuthConfig(true),
                EsCompatConfig.defaults());
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        Answer t = bklog("POST", "/api/v1/tokens",
                "{\"name\":\"node-conformance\",\"space_uid\":\"default\",\"roles\":[\"ingest\"]}");
        assertThat(t.status()).as(t.raw()).isEqualTo(201);
        ingestToken = t.body().get("token").asText();
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
        // a node still starting when this class ends would outlive the JVM: its stop hook is added once it started
        if (es == null) return;
        EsFixture node = es.handle((n, e) -> n).get(5, TimeUnit.MINUTES);
        if (node != null) {
            // the node is shared by the JVM's ITs: leave nothing of this test on it (winston-elasticsearch may install
            // the index template template_logs, for logs-*)
            esCall(node, "DELETE", "/nodeconf_es,nodeconf_pino,nodeconf_winston?ignore_unavailable=true", null);
            esCall(node, "DELETE", "/_index_template/template_logs", null);
        }
    }

    @Test
    void elasticsearchJsHelpersBulkGetsTheSameCountsAndItemStatusesAsFromElasticsearch() throws Exception {
        IntPredicate stored = i -> i % 100 != 99; // status_code "not-a-number" on a long field: 400
        conform("es-client-bulk.mjs", "nodeconf_es",
                "{\"fields\": [{\"name\": \"log\", \"type\": \"text\"}, {\"name\": \"service\", \"type\": \"keyword\"},"
                        + " {\"name\": \"status_code\", \"type\": \"long\"}, {\"name\": \"seq\", \"type\": \"long\"}]}",
                "{\"mappings\": {\"properties\": {\"service\": {\"type\": \"keyword\"},"
                        + " \"status_code\": {\"type\": \"long\"}, \"seq\": {\"type\": \"long\"}}}}",
                List.of(
                        new Check("text", "alpha", "message:alpha", count(i -> i % 2 == 0 && stored.test(i))),
                        new Check("service", "service:checkout", "service:checkout",
                                count(i -> i % 3 == 0 && stored.test(i))),
                        new Check("status_code", "status_code:500", "status_code:500",
                                count(i -> i % 4 == 0 && stored.test(i)))),
                Map.of("201", count(stored), "400", COUNT - count(stored)));
    }

    @Test
    void pinoWithPinoElasticsearchGetsTheSameCountsAsFromElasticsearch() throws Exception {
        conform("pino.mjs", "nodeconf_pino", "", null,
                List.of(
                        new Check("text", "alpha", "msg:alpha", count(i -> i % 2 == 0)),
                        new Check("level", "level:40", "level:40", count(i -> i % 4 == 0)),
                        new Check("hostname", "hostname:\"" + nodeHostname + "\"",
                                "hostname:\"" + nodeHostname + "\"", COUNT)),
                Map.of("201", COUNT));
    }

    @Test
    void winstonWithWinstonElasticsearchGetsTheSameCountsAsFromElasticsearch() throws Exception {
        conform("winston.mjs", "nodeconf_winston", "", null,
                List.of(
                        new Check("text", "alpha", "message:alpha", count(i -> i % 2 == 0)),
                        new Check("severity", "severity:warn", "severity:warn", count(i -> i % 4 == 0)),
                        new Check("fields.tenant", "fields.tenant:acme", "fields.tenant:acme", count(i -> i % 5 == 0))),
                Map.of("201", COUNT));
    }

    /**
     * Runs {@code script} against bklog (index set {@code index} made with {@code indexSetBody}) and against the
     * Elasticsearch fixture (index {@code index} made with {@code esIndexBody}, or by the library when null), then
     * checks on both the counts, the statuses the library saw, and that both answered alike. Every difference is
     * reported at once (soft assertions); a run that fails on bklog still runs on Elasticsearch.
     */
    private void conform(String script, String index, String indexSetBody, String esIndexBody,
                         List<Check> checks, Map<String, Integer> statuses) throws Exception {
        SoftAssertions soft = new SoftAssertions();
        Answer put = bklog("PUT", "/api/v1/index_sets/" + index, indexSetBody);
        assertThat(put.status()).as(put.raw()).isIn(200, 201);
        JsonNode onBklog = runScript(script, server.uri().toString(), index, ingestToken);
        Map<String, Integer> bklogCounts = counts(soft, "bklog", checks, c -> bklogCount(index, c));

        EsFixture node = es.get(5, TimeUnit.MINUTES);
        esCall(node, "DELETE", "/" + index, null);
        if (esIndexBody != null) {
            Answer created = esCall(node, "PUT", "/" + index, esIndexBody);
            assertThat(created.status()).as(created.raw()).isEqualTo(200);
        }
        JsonNode onEs = runScript(script, node.url(), index, null);
                Map<String, Integer> esCounts = counts(soft, "elasticsearch", checks, c -> esCount(node, index, c));

        log.info("conformance {}: bklog {} counts {}; elasticsearch {} counts {}", script, onBklog, bklogCounts, onEs,
                esCounts);
        Map<String, Integer> expected = new LinkedHashMap<>();
        checks.forEach(c -> expected.put(c.name(), c.expected()));
        soft.assertThat(onEs.path("failure").asText()).as("elasticsearch: the script failed").isEmpty();
        soft.assertThat(onEs.path("sent").asInt()).as("elasticsearch: documents sent").isEqualTo(COUNT);
        soft.assertThat(statuses(onEs)).as("elasticsearch: per-item statuses").isEqualTo(statuses);
        soft.assertThat(esCounts).as("elasticsearch: counts (the test's own expectation)").isEqualTo(expected);
        soft.assertThat(onBklog.path("failure").asText()).as("bklog: the script failed").isEmpty();
        soft.assertThat(onBklog.path("sent").asInt()).as("bklog: documents sent").isEqualTo(COUNT);
        soft.assertThat(onBklog.path("request_errors")).as("bklog: failed requests").isEmpty();
        soft.assertThat(onBklog.path("errors").asInt()).as("bklog: errors the library reported (as Elasticsearch)")
                .isEqualTo(onEs.path("errors").asInt());
        soft.assertThat(onBklog.path("dropped")).as("bklog: items dropped by status (as Elasticsearch)")
                .isEqualTo(onEs.path("dropped"));
        soft.assertThat(statuses(onBklog)).as("bklog: per-item statuses (as Elasticsearch)").isEqualTo(statuses(onEs));
        soft.assertThat(onBklog.path("error_types"))
                .as("bklog: failed items by status and error.type (as Elasticsearch)")
                .isEqualTo(onEs.path("error_types"));
        soft.assertThat(onBklog.path("warnings").isEmpty())
                .as("bklog: answers with a Warning header when Elasticsearch does (Elasticsearch: %s, bklog: %s)",
                        onEs.path("warnings"), onBklog.path("warnings"))
                .isEqualTo(onEs.path("warnings").isEmpty());
        soft.assertThat(bklogCounts).as("bklog: counts by text and by the library's fields (as Elasticsearch)")
                .isEqualTo(esCounts);
        soft.assertAll();
    }

    /** Each check's count once it reaches the expected one (or the last count; -1 when the search failed). */
    private static Map<String, Integer> counts(SoftAssertions soft, String target, List<Check> checks,
                                               CountQuery query) throws Exception {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Check c : checks) {
            try {
                counts.put(c.name(), awaitCount(() -> query.count(c), c.expected()));
            } catch (AssertionError e) {
                soft.fail(target + ": search " + c.name() + " failed: " + e.getMessage());
                counts.put(c.name(), -1);
            }
        }
        return counts;
    }

    private static int count(IntPredicate p) {
        return (int) IntStream.range(0, COUNT).filter(p).count();
    }

    private static Map<String, Integer> statuses(JsonNode summary) {
        Map<String, Integer> m = new LinkedHashMap<>();
        summary.path("statuses").fields().forEachRemaining(e -> m.put(e.getKey(), e.getValue().asInt()));
        return m;
    }

    /**
     * Runs one script of {@link #NODE_DIR} with node and returns the JSON summary it printed, or {@code {"failure"}}
     * with its output when it failed.
     */
    private JsonNode runScript(String script, String url, String index, String password) throws Exception {
        List<String> command = new ArrayList<>(List.of(NODE, script, "--url", url, "--index", index,
                "--count", Integer.toString(COUNT), "--run", RUN));
        if (password != null) command.addAll(List.of("--user", "conformance", "--password", password));
        Path out = Files.createTempFile(dataDir, script, ".out");
        Path err = Files.createTempFile(dataDir, script, ".err");
        ProcessBuilder pb = new ProcessBuilder(command).directory(NODE_DIR.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("NODE_OPTIONS");
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (!p.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            fail("%s against %s did not finish within %s; stderr:%n%s", script, url, SCRIPT_TIMEOUT, tail(err));
        }
        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        ObjectNode summary = JSON.createObjectNode();
        if (!lines.isEmpty() && lines.get(lines.size() - 1).startsWith("{")) {
            summary = (ObjectNode) JSON.readTree(lines.get(lines.size() - 1));
        }
        if (p.exitValue() != 0 || summary.isEmpty()) {
            // the summary so far (statuses seen before the failure) is kept for the comparison
            summary.put("failure", String.format("%s against %s exited with %d; stdout:%n%s%nstderr:%n%s", script, url,
                    p.exitValue(), String.join("\n", lines), tail(err)));
        }
        summary.put("millis", (System.nanoTime() - t0) / 1_000_000);
        return summary;
    }

    private static String tail(Path file) throws IOException {
        String s = Files.readString(file, StandardCharsets.UTF_8);
        return s.length() <= 4000 ? s : "..." + s.substring(s.length() - 4000);
    }

    interface CountQuery {
        int count(Check c) throws Exception;
    }

    interface Count {
        int count() throws Exception;
    }

    /** The count once it reaches {@code expected} (documents become searchable within a second), or the last one. */
    private static int awaitCount(Count q, int expected) {
        AtomicInteger last = new AtomicInteger(-1);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        try {
            await().atMost(COUNT_TIMEOUT).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(250)).until(() -> {
                try {
                    last.set(q.count());
                } catch (Throwable e) {
                    failed.set(e);
                    return true;
                }
                return last.get() == expected;
            });
        } catch (ConditionTimeoutException e) {
            // the last count is reported by the comparison
        }
        if (failed.get() instanceof AssertionError e) throw e;
        if (failed.get() != null) throw new IllegalStateException("counting failed", failed.get());
        return last.get();
    }

    private int bklogCount(String index, Check c) throws Exception {
        ObjectNode body = JSON.createObjectNode().put("keyword", c.bklogKeyword())
                .put("start_time", "2000-01-01T00:00:00Z").put("end_time", "2100-01-01T00:00:00Z").put("size", 1);
        Answer a = bklog("POST", "/api/v1/index_sets/" + index + "/search", JSON.writeValueAsString(body));
        assertThat(a.status()).as("bklog search %s: %s", c.bklogKeyword(), a.raw()).isEqualTo(200);
        return a.body().path("total").asInt();
    }

    private int esCount(EsFixture node, String index, Check c) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.putObject("query").putObject("query_string").put("query", c.esQuery());
        Answer a = esCall(node, "POST", "/" + index + "/_count", JSON.writeValueAsString(body));
        assertThat(a.status()).as("elasticsearch _count %s: %s", c.esQuery(), a.raw()).isEqualTo(200);
        return a.body().path("count").asInt();
    }

    private Answer bklog(String method, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(server.uri() + path)).header("Authorization", "Bearer " + admin),
                method, body);
    }

    private Answer esCall(EsFixture node, String method, String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(node.url() + path)), method, body);
    }

    private Answer send(HttpRequest.Builder b, String method, String body) throws Exception {
        b.header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isBlank() ? null : JSON.readTree(r.body()));
    }

    private static String node(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(NODE));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("bklog-node", ".out");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IOException(command + " did not finish within 30 s");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0) throw new IOException(command + ": " + text);
            return text;
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Fails saying how to get node and the libraries when they are missing: this test never skips silently. */
    private static void requireNodeAndLibraries() throws Exception {
        String install = "install Node.js 20 or newer with npm (https://nodejs.org/en/download or NodeSource's Debian "
                + "packages; Debian 12's own nodejs 18 is too old for @elastic/elasticsearch 8.19), then run "
                + NODE_DIR.resolve("install") + " (mvn verify runs it before the integration tests)";
        String version;
        try {
            version = node("--version");
        } catch (IOException e) {
            throw new AssertionError("Node.js is needed by this test and '" + NODE + "' did not run (" + e.getMessage()
                    + "): " + install, e);
        }
        int major = Integer.parseInt(version.replaceFirst("^v(\\d+).*", "$1"));
        assertThat(major).as("node %s is too old for this test: %s", version, install).isGreaterThanOrEqualTo(20);
        Path stamp = NODE_DIR.resolve("node_modules/.bklog-lock.sha256");
        String want = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(NODE_DIR.resolve("package-lock.json"))));
        String have = Files.exists(stamp) ? Files.readString(stamp).strip() : "";
        if (!want.equals(have)) {
            throw new AssertionError("the Node.js libraries of this test are not installed as package-lock.json pins "
                    + "them: run " + NODE_DIR.resolve("install") + " (npm ci; the npm registry must be reachable; "
                    + "mvn verify runs it before the integration tests, and printed why it failed)");
        }
    }
}
