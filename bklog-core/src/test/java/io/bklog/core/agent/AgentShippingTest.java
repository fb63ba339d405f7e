package io.bklog.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The agent against a small HTTP peer that answers as the servers do ({@code /api/v1/agents/configs},
 * {@code /_bulk} with per-item statuses, status reports) and lets each test choose the per-item answer: what a
 * refused collector reports, which ids it sends, what it does with 4xx items, a 413 and a buffer that cannot commit.
 * The server's real answers are covered by AgentPollingTest and AgentIT (bklog-server).
 */
class AgentShippingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private HttpServer peer;
    private volatile String configs = "{\"collectors\": []}";
    /** the status of item (id, attempt), 201 unless a test says otherwise */
    private volatile Function<JsonNode, Integer> itemStatus = doc -> 201;
    /** the status of a whole _bulk request by its document count, 200 unless a test says otherwise */
    private volatile Function<Integer, Integer> requestStatus = n -> 200;
    private final List<String> storedIds = new CopyOnWriteArrayList<>();
    private final List<Integer> requestSizes = new CopyOnWriteArrayList<>();
    private final Map<String, JsonNode> stored = new ConcurrentHashMap<>();
    private final List<JsonNode> reports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void startPeer() throws IOException {
        peer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        peer.createContext("/api/v1/agents/configs", ex -> answer(ex, 200, configs));
        peer.createContext("/api/v1/agents/", ex -> {
            reports.add(JSON.readTree(ex.getRequestBody().readAllBytes()));
            answer(ex, 204, "");
        });
        peer.createContext("/_bulk", ex -> {
            String[] lines = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8).split("\n");
            int docs = lines.length / 2;
            requestSizes.add(docs);
            int whole = requestStatus.apply(docs);
            if (whole != 200) {
                answer(ex, whole, "{\"error\": \"refused\"}");
                return;
            }
            ObjectNode body = JSON.createObjectNode();
            ArrayNode items = body.putArray("items");
            for (int i = 0; i + 1 < lines.length; i += 2) {
                JsonNode action = JSON.readTree(lines[i]).get("index");
                JsonNode doc = JSON.readTree(lines[i + 1]);
                int st = itemStatus.apply(doc);
                ObjectNode it = items.addObject().putObject("index");
                it.put("_id", action.get("_id").asText()).put("status", st);
                if (st / 100 == 2) {
                    storedIds.add(action.get("_id").asText());
                    stored.put(action.get("_id").asText(), doc);
                } else {
                    it.putObject("error").put("type", "mapper_parsing_exception").put("reason", "refused " + st);
                }
            }
            answer(ex, 200, JSON.writeValueAsString(body));
        });
        peer.start();
    }

    @AfterEach
    void stopPeer() {
        peer.stop(0);
    }

    private static void answer(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, status == 204 ? -1 : b.length);
        if (status != 204) ex.getResponseBody().write(b);
        ex.close();
    }

    private Agent agent(Path dataDir, List<String> allowedPaths) {
        return agent(dataDir, allowedPaths, 0);
    }

    private Agent agent(Path dataDir, List<String> allowedPaths, long batchBytes) {
        return Agent.start(new AgentConfig(List.of(URI.create("http://127.0.0.1:" + peer.getAddress().getPort())),
                "t", dataDir, "host-a", "host-a", List.of("10.0.0.1"), Map.of(), 1 << 20, Duration.ofMillis(100),
                Duration.ofMillis(100), 0, "test", allowedPaths, null, batchBytes), null);
    }

    @Test
    void requestsStayUnderTheBatchByteBound() throws Exception {
        Path f = logFile("app.log", 0);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 40; i++) b.append("line ").append(i).append(' ').append("y".repeat(1000)).append('\n');
        Files.writeString(f, b);
        configs = "{\"collectors\": [" + fileCollector(1, f.toString()) + "]}";
        try (Agent a = agent(tmp.resolve("data"), List.of(f.getParent().toString()), 8 << 10)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> stored.size() == 40 && a.buffer().pending() == 0);
        }
        // about 1.3 KB a document with its action line: at most 6 in 8 KiB
        assertThat(requestSizes).allMatch(n -> n <= 6);
        assertThat(requestSizes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
    }

    private static String fileCollector(long id, String glob) {
        return fileCollector(id, glob, "bk_log_text", "{}");
    }

    private static String fileCollector(long id, String glob, String etl, String etlParams) {
        return "{\"id\": " + id + ", \"name\": \"c" + id + "\", \"version\": 1, \"index_set\": \"app\","
                + " \"index_set_id\": 1, \"space\": \"default\", \"source_type\": \"file\", \"source_params\":"
                + " {\"paths\": [\"" + glob + "\"], \"tail_files\": false}, \"etl_config\": \"" + etl + "\","
                + " \"etl_params\": " + etlParams + "}";
    }

    private static JsonNode collectorStatus(Agent a, long id) {
        for (JsonNode c : a.status().get("collectors")) if (c.get("id").asLong() == id) return c;
        return null;
    }

    private Path logFile(String name, int lines) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("logs"));
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= lines; i++) b.append("line ").append(i).append('\n');
        return Files.writeString(dir.resolve(name), b);
    }

    @Test
    void aCollectorOutsideTheAgentsAllowListOrInItsDataDirIsReportedFailedWithTheReason() throws Exception {
        Path data = tmp.resolve("data");
        Path secret = Files.createDirectories(tmp.resolve("etc"));
        Files.writeString(secret.resolve("shadow"), "root:x:0\n");
        configs = "{\"collectors\": [" + fileCollector(1, secret + "/shadow") + ", "
                + fileCollector(2, data + "/agent-id") + ", " + syslog(3, 22) + "]}";
        // the allow-list names the temp root, so only the data dir rule refuses collector 2
        try (Agent a = agent(data, List.of(tmp.resolve("logs").toString()))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(collectorStatus(a, 1)).isNotNull();
                assertThat(collectorStatus(a, 1).get("state").asText()).isEqualTo("failed");
                assertThat(collectorStatus(a, 1).get("detail").asText()).contains("shadow").contains("outside --allowed-paths");
                assertThat(collectorStatus(a, 3).get("state").asText()).isEqualTo("failed");
                assertThat(collectorStatus(a, 3).get("detail").asText()).contains("22").contains("--allowed-ports");
            });
        }
        Path data2 = tmp.resolve("data2");
        configs = "{\"collectors\": [" + fileCollector(2, data2 + "/agent-id") + "]}";
        try (Agent a = agent(data2, List.of(tmp.toString()))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(collectorStatus(a, 2)).isNotNull();
                assertThat(collectorStatus(a, 2).get("state").asText()).isEqualTo("failed");
                assertThat(collectorStatus(a, 2).get("detail").asText()).contains("agent-id");
            });
            await().atMost(Duration.ofSeconds(5)).until(() -> reports.stream().anyMatch(r ->
                    r.path("collectors").size() == 1 && r.at("/collectors/0/state").asText().equals("failed")));
        }
        assertThat(storedIds).isEmpty();
    }

    private static String syslog(long id, int port) {
        return "{\"id\": " + id + ", \"name\": \"s" + id + "\", \"version\": 1, \"index_set\": \"app\","
                + " \"index_set_id\": 1, \"space\": \"default\", \"source_type\": \"syslog\", \"source_params\":"
                + " {\"syslog_port\": " + port + ", \"syslog_protocol\": \"udp\"}}";
    }

    @Test
    void documentIdsDifferBetweenAgentsReadingTheSameFileAndStayTheSameAcrossARestart() throws Exception {
        Path f = logFile("app.log", 3);
        configs = "{\"collectors\": [" + fileCollector(1, f.toString()) + "]}";
        List<String> allowed = List.of(f.getParent().toString());
        List<String> first;
        try (Agent a = agent(tmp.resolve("a"), allowed)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> storedIds.size() == 3);
            first = List.copyOf(storedIds);
            assertThat(a.agentId()).matches("[0-9a-f-]{36}");
            await().atMost(Duration.ofSeconds(5)).until(() -> reports.stream()
                    .anyMatch(r -> a.agentId().equals(r.path("agent_id").asText())));
        }
        // a clone of the host (same device and inode) with an agent of its own
        storedIds.clear();
        try (Agent b = agent(tmp.resolve("b"), allowed)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> storedIds.size() == 3);
            assertThat(storedIds).doesNotContainAnyElementsOf(first);
        }
        // the first agent again, its offsets forgotten: it reads the file again under the same ids
        storedIds.clear();
        deleteRecursively(tmp.resolve("a/collectors"));
        try (Agent a = agent(tmp.resolve("a"), allowed)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> storedIds.size() == 3);
            assertThat(storedIds).containsExactlyInAnyOrderElementsOf(first);
        }
        if (Files.getFileStore(tmp).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a"))))
                    .isEqualTo("rwx------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a/agent-id"))))
                    .isEqualTo("rw-------");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("a/configs.json"))))
                    .isEqualTo("rw-------");
        }
    }

    private static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            List<Path> all = new ArrayList<>(s.toList());
            Collections.reverse(all);
            for (Path x : all) Files.delete(x);
        }
    }

    @Test
    void aRefusedItemGoesToTheRejectedFileAndAnIndexSetNotFoundIsHeldAndRetried() throws Exception {
        Path f = logFile("app.log", 4);
        Map<String, Integer> attempts = new ConcurrentHashMap<>();
        itemStatus = doc -> {
            String line = doc.path("log").asText();
            int n = attempts.merge(line, 1, Integer::sum);
            if (line.equals("line 2")) return 400; // a mapping refusal: for good
            if (line.equals("line 3") && n <= 3) return 404; // the index set not there yet
            return 201;
        };
        configs = "{\"collectors\": [" + fileCollector(1, f.toString()) + "]}";
        try (Agent a = agent(tmp.resolve("data"), List.of(f.getParent().toString()))) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(stored.values().stream().map(d -> d.get("log").asText()))
                        .containsExactlyInAnyOrder("line 1", "line 3", "line 4");
                assertThat(a.buffer().pending()).isZero();
            });
            assertThat(attempts.get("line 3")).isEqualTo(4);
            assertThat(attempts.get("line 2")).as("refused for good: sent once").isEqualTo(1);
            assertThat(a.status().get("rejected").asLong()).isEqualTo(1);
            assertThat(a.status().at("/buffer/rejected").asLong()).isEqualTo(1);
            List<String> rejected = Files.readAllLines(tmp.resolve("data/rejected/rejected.jsonl"));
            assertThat(rejected).hasSize(1);
            JsonNode r = JSON.readTree(rejected.get(0));
            assertThat(r.get("status").asInt()).isEqualTo(400);
            assertThat(r.get("collector").asText()).isEqualTo("c1");
            assertThat(r.at("/fields/log").asText()).isEqualTo("line 2");
            assertThat(r.get("reason").asText()).contains("mapper_parsing_exception");
        }
    }

    @Test
    void parseFailuresWithRetainContentOffStayInTheRejectedFileInsteadOfADeadLetterIndexSet() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("logs"));
        Path f = Files.writeString(dir.resolve("app.log"), "{\"a\": 1}\nnot json\n");
        configs = "{\"collectors\": [" + fileCollector(1, f.toString(), "bk_log_json",
                "{\"enable_retain_content\": false, \"retain_extra_json\": true}") + "]}";
        try (Agent a = agent(tmp.resolve("data"), List.of(dir.toString()))) {
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(storedIds).hasSize(1);
                assertThat(a.status().get("rejected").asLong()).isEqualTo(1);
            });
            assertThat(requestSizes).allMatch(n -> n == 1);
            JsonNode r = JSON.readTree(Files.readAllLines(tmp.resolve("data/rejected/rejected.jsonl")).get(0));
            assertThat(r.get("index_set").asText()).isEqualTo("bklog_dead_letter");
            assertThat(r.toString()).contains("not json");
        }
    }

    @Test
    void a413HalvesTheRequestDownToOneDocumentAndASingleRefusedDocumentIsRejected() throws Exception {
        Path f = logFile("app.log", 8);
        Files.writeString(f, "x".repeat(5000) + "\n", java.nio.file.StandardOpenOption.APPEND);
        // a server that takes at most 2 documents a request, and no document over 4 KB
        requestStatus = n -> n > 2 ? 413 : 200;
        itemStatus = doc -> doc.path("log").asText().length() > 4096 ? 413 : 201;
        configs = "{\"collectors\": [" + fileCollector(1, f.toString()) + "]}";
        try (Agent a = agent(tmp.resolve("data"), List.of(f.getParent().toString()))) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                assertThat(stored).hasSize(8);
                assertThat(a.status().get("rejected").asLong()).isEqualTo(1);
                assertThat(a.buffer().pending()).isZero();
            });
        }
    }

    @Test
    void theShipperSurvivesABufferThatCannotCommitAndReportsTheError() throws Exception {
        Path f = logFile("app.log", 2);
        configs = "{\"collectors\": [" + fileCollector(1, f.toString()) + "]}";
        Path data = tmp.resolve("data");
        try (Agent a = agent(data, List.of(f.getParent().toString()))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> a.buffer().pending() == 0 && stored.size() == 2);
            // the commit file cannot be written: a directory where its temp file goes (as ENOSPC or EIO would)
            Files.createDirectories(data.resolve("buffer/committed.tmp/x"));
            Files.writeString(f, "line 3\n", java.nio.file.StandardOpenOption.APPEND);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode s = a.status();
                assertThat(s.at("/shipper/last_error").asText()).contains("committed");
                assertThat(s.get("shipper_alive").asBoolean()).isTrue();
            });
            deleteRecursively(data.resolve("buffer/committed.tmp"));
            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(a.buffer().pending()).isZero();
                assertThat(a.status().get("shipper_alive").asBoolean()).isTrue();
                assertThat(a.status().path("shipper").has("last_error")).isFalse();
            });
            assertThat(stored).hasSize(3);
        }
    }
}
