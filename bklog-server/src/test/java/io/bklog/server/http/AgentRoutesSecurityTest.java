package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The agents' API with auth on (#19 17): a viewer token cannot pull configs or report; an ingest token of space B
 * sees none of space A's collectors or agents; only a space admin deletes an agent; a report is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentRoutesSecurityTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    @TempDir
    static Path logDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private long collectorA;

    record Answer(int status, JsonNode body, String raw) {}

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call(admin, "POST", "/api/v1/spaces", q("{'space_uid': 'team_b', 'name': 'B'}")).status())
                .isEqualTo(201);
        assertThat(call(admin, "PUT", "/api/v1/index_sets/a_logs", "").status()).isEqualTo(201);
        Answer c = call(admin, "POST", "/api/v1/collectors", q("{'name': 'a_files', 'index_set': 'a_logs',"
                + " 'source_type': 'file', 'source_params': {'paths': ['/var/log/a/*.log']}, 'targets': ['web-1']}"));
        assertThat(c.status()).as(c.raw()).isEqualTo(201);
        collectorA = c.body().get("id").asLong();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Answer call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r.body());
    }

    private static String q(String s) {
        return s.replace('\'', '"');
    }

    private String token(String space, String name, String... roles) throws Exception {
        Answer a = call(admin, "POST", "/api/v1/tokens", q("{'name': '" + name + "', 'space_uid': '" + space
                + "', 'roles': ['" + String.join("', '", roles) + "']}"));
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    private static final String CONFIGS = "/api/v1/agents/configs?name=web-1&host=web-1";

    private String report(long id) {
        return q("{'agent_id': '11111111-1111-4111-8111-111111111111', 'host': 'web-1', 'collectors': [{'id': " + id
                + ", 'state': 'running', 'lag': 0}]}");
    }

    @Test
    void aViewerTokenCannotPullConfigsNorReport() throws Exception {
        String viewer = token("default", "a-viewer", "viewer");
        assertThat(call(viewer, "GET", CONFIGS, null).status()).isEqualTo(403);
        assertThat(call(viewer, "POST", "/api/v1/agents/web-1/status", report(collectorA)).status()).isEqualTo(403);
        assertThat(call(viewer, "DELETE", "/api/v1/agents/web-1", null).status()).isEqualTo(403);
    }

    @Test
    void anIngestTokenOfSpaceBSeesNoneOfSpaceAsCollectorsOrAgents() throws Exception {
        String ingestA = token("default", "a-agents", "ingest");
        String ingestB = token("team_b", "b-agents", "ingest");
        String viewerB = token("team_b", "b-viewer", "viewer");
        Answer a = call(ingestA, "GET", CONFIGS, null);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.body().get("collectors")).extracting(n -> n.get("id").asLong()).containsExactly(collectorA);
        Answer b = call(ingestB, "GET", CONFIGS, null);
        assertThat(b.status()).as(b.raw()).isEqualTo(200);
        assertThat(b.body().get("collectors")).isEmpty();

        assertThat(call(ingestA, "POST", "/api/v1/agents/web-1/status", report(collectorA)).status()).isEqualTo(200);
        assertThat(call(viewerB, "GET", "/api/v1/agents", null).body().get("agents")).isEmpty();
        assertThat(call(ingestB, "GET", "/api/v1/agents", null).status()).as("ingest is not viewer").isEqualTo(403);
        // space B cannot take over the name, nor delete space A's agent
        Answer taken = call(ingestB, "POST", "/api/v1/agents/web-1/status", report(collectorA));
        assertThat(taken.status()).isEqualTo(409);
        assertThat(taken.body().get("error").asText()).isEqualTo("agent_name_taken");
        String adminB = token("team_b", "b-admin", "admin");
        Answer del = call(adminB, "DELETE", "/api/v1/agents/web-1", null);
        assertThat(del.status()).as(del.raw()).isEqualTo(404);
        assertThat(del.body().get("error").asText()).isEqualTo("agent_not_found");
        assertThat(call(admin, "GET", "/api/v1/agents", null).body().get("agents")).hasSize(1);

        assertThat(call(admin, "DELETE", "/api/v1/agents/web-1", null).status()).isEqualTo(204);
        assertThat(call(admin, "GET", "/api/v1/agents", null).body().get("agents")).isEmpty();
        assertThat(call(admin, "GET", "/api/v1/collectors/" + collectorA, null).body().toString())
                .doesNotContain("agent:web-1");
    }

    @Test
    void aStatusReportIsBoundedAndItsStatesChecked() throws Exception {
        String ingestA = token("default", "a-agents-2", "ingest");
        Answer big = call(ingestA, "POST", "/api/v1/agents/web-9/status", q("{'host': 'web-9', 'labels': {'x': '"
                + "y".repeat(300 << 10) + "'}}"));
        assertThat(big.status()).as(big.raw()).isEqualTo(413);
        assertThat(big.body().get("error").asText()).isEqualTo("payload_too_large");
        assertThat(big.body().get("message").asText()).contains("256 KiB");
        Answer bad = call(ingestA, "POST", "/api/v1/agents/web-9/status", q("{'host': 'web-9', 'collectors':"
                + " [{'id': 1, 'state': '<script>'}]}"));
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("collectors[0].state");
    }
}
