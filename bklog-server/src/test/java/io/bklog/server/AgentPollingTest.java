package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.agent.Agent;
import io.bklog.core.agent.AgentConfig;
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
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An agent polls its configs: a collector that comes to target it is started and ships its file, one that no longer
 * targets it is stopped; the agent and its collector show in {@code GET /api/v1/agents}. Server and agent in this
 * JVM (AgentIT runs them as separate processes with kill -9).
 */
class AgentPollingTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode call(BklogServer s, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.uri() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isLessThan(300);
        return JSON.readTree(r.body());
    }

    private long stored(BklogServer s) throws Exception {
        call(s, "POST", "/_refresh", null);
        return call(s, "POST", "/api/v1/index_sets/polled/search", "{\"size\": 0}").get("total").asLong();
    }

    @Test
    void anAgentStartsTheCollectorsThatComeToTargetItAndStopsThoseThatNoLongerDo(@TempDir Path dataDir,
                                                                                 @TempDir Path agentDir,
                                                                                 @TempDir Path logDir)
            throws Exception {
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()).withAuth(new AuthConfig(false));
        Path file = logDir.resolve("app.log");
        Files.writeString(file, "line 1\nline 2\n");
        try (BklogServer server = BklogServer.start(config);
             Agent agent = Agent.start(new AgentConfig(List.of(URI.create(server.uri().toString())), "no-auth",
                     agentDir, "host-a", "host-a", List.of("10.9.8.7"), Map.of("role", "web"), 1 << 20,
                     Duration.ofMillis(200), Duration.ofMillis(300), 0, "test", List.of(logDir.toString()), null,
                     0), null)) {
            call(server, "PUT", "/api/v1/index_sets/polled", "");
            JsonNode c = call(server, "POST", "/api/v1/collectors", "{\"name\": \"polled_file\", \"index_set\":"
                    + " \"polled\", \"source_type\": \"file\", \"source_params\": {\"paths\": [\"" + logDir
                    + "/*.log\"], \"tail_files\": false}, \"targets\": [\"10.9.0.0/16\"]}");
            long id = c.get("id").asLong();
            assertThat(c.get("targets")).hasSize(1);

            await("the agent ships the file").atMost(Duration.ofSeconds(30)).until(() -> stored(server) == 2);
            Files.writeString(file, "line 3\n", StandardOpenOption.APPEND);
            await("and what is appended").atMost(Duration.ofSeconds(30)).until(() -> stored(server) == 3);
            await("the agent listed with its collector").atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode a = call(server, "GET", "/api/v1/agents", null).get("agents").get(0);
                assertThat(a.get("name").asText()).isEqualTo("host-a");
                assertThat(a.get("version").asText()).isEqualTo("test");
                assertThat(a.get("collectors").get(0).get("id").asLong()).isEqualTo(id);
                assertThat(a.get("lag").asLong()).isZero();
            });

            call(server, "PUT", "/api/v1/collectors/" + id, "{\"targets\": [\"host-b\"]}");
            await("the agent stops it").atMost(Duration.ofSeconds(10))
                    .until(() -> agent.status().get("collectors").isEmpty());
            await("its next heartbeat forgets it").atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(call(server, "GET", "/api/v1/collectors/" + id, null).at("/status/state").asText())
                            .as("no server runs a collector with targets").isNotEqualTo("running"));
        }
    }
}
