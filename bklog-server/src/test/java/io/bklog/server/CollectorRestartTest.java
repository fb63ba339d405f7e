package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A file collector resumes from its checkpoint after the server stops and starts on the same data dir. */
class CollectorRestartTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode call(BklogServer s, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.uri() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return JSON.readTree(r.body());
    }

    private List<String> logs(BklogServer s) throws Exception {
        JsonNode r = call(s, "POST", "/api/v1/index_sets/resume/search", "{\"size\": 100}");
        List<String> out = new ArrayList<>();
        for (JsonNode h : r.get("hits")) out.add(h.get("source").get("log").asText());
        assertThat(r.get("total").asLong()).isEqualTo(out.size());
        return out;
    }

    private static void append(Path file, int from, int to) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i <= to; i++) sb.append("line ").append(i).append('\n');
        Files.writeString(file, sb, StandardOpenOption.APPEND);
    }

    @Test
    void aFileCollectorResumesFromItsCheckpointWithoutLosingOrDuplicatingLines(@TempDir Path dataDir,
                                                                               @TempDir Path logDir) throws Exception {
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()).withAuth(new AuthConfig(false))
                .withCollectors(new io.bklog.server.config.CollectorsConfig(
                        new io.bklog.server.config.CollectorsConfig.FileCollectors(java.util.List.of(logDir.toString())), null));
        Path file = logDir.resolve("app.log");
        Files.writeString(file, "old line before the collector\n");
        try (BklogServer first = BklogServer.start(config)) {
            call(first, "PUT", "/api/v1/index_sets/resume", "");
            // tail_files (the default): what the file held when the collector first started is skipped
            JsonNode c = call(first, "POST", "/api/v1/collectors", "{\"name\": \"resume_file\", \"index_set\":"
                    + " \"resume\", \"source_type\": \"file\", \"source_params\": {\"paths\": [\"" + logDir
                    + "/*.log\"]}}");
            long id = c.get("id").asLong();
            await().atMost(Duration.ofSeconds(20)).until(() -> call(first, "GET", "/api/v1/collectors/" + id, null)
                    .get("status").get("detail").asText().contains("tailing 1 file"));
            append(file, 1, 5);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logs(first)).hasSize(5));
        }
        assertThat(dataDir.resolve("collectors").resolve("resume_file.offsets.json")).exists();
        append(file, 6, 8); // written while the server is down

        try (BklogServer second = BklogServer.start(config)) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logs(second)).hasSize(8));
            append(file, 9, 9);
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(logs(second)).hasSize(9));
            assertThat(logs(second)).containsExactlyInAnyOrder("line 1", "line 2", "line 3", "line 4", "line 5",
                    "line 6", "line 7", "line 8", "line 9");
            JsonNode status = call(second, "GET", "/api/v1/collectors", null).get("collectors").get(0).get("status");
            assertThat(status.get("state").asText()).isEqualTo("running");
        }
    }
}
