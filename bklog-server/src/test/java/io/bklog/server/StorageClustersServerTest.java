package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.LogStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A server configured with two storage clusters in YAML (Lucene {@code hot}, memory {@code cold}), over HTTP. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StorageClustersServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() throws IOException {
        Path yaml = Files.writeString(dataDir.resolve("bklog.yaml"), """
                server:
                  port: 0
                store:
                  clusters:
                    hot:
                      backend: lucene
                      settings:
                        path: %s
                    cold:
                      backend: memory
                  default_cluster: hot
                """.formatted(dataDir.resolve("hot")));
        BklogConfig config = ConfigLoader.load(yaml, Map.of(), Map.of("data_dir", dataDir.toString()));
        server = BklogServer.start(config);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    record Answer(int status, JsonNode body) {}

    private Answer call(String method, String path, String body) throws IOException, InterruptedException {
        String token = Files.readString(dataDir.resolve("admin-token")).strip();
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private LogStore cluster(String name) {
        return server.platform().internals().topology().storeOf(name).orElseThrow();
    }

    private static List<String> names(List<IndexInfo> indices) {
        return indices.stream().map(IndexInfo::name).toList();
    }

    @Test
    void indexSetsNameTheirClusterAndTheirDocumentsStayThere() throws Exception {
        Answer hot = call("PUT", "/api/v1/index_sets/web_hot", "");
        assertThat(hot.status()).isEqualTo(201);
        assertThat(hot.body().get("storage_cluster").asText()).isEqualTo("hot");
        Answer cold = call("PUT", "/api/v1/index_sets/web_cold", "{\"storage_cluster\": \"cold\"}");
        assertThat(cold.status()).isEqualTo(201);
        assertThat(cold.body().get("storage_cluster").asText()).isEqualTo("cold");

        String doc = "[{\"dtEventTimeStamp\": 1700000000000, \"log\": \"GET /x 200\"}]";
        assertThat(call("POST", "/api/v1/index_sets/web_hot/ingest?refresh=true", doc).status()).isEqualTo(200);
        assertThat(call("POST", "/api/v1/index_sets/web_cold/ingest?refresh=true", doc).status()).isEqualTo(200);
        String q = "{\"keyword\": \"log:200\", \"start_time\": \"2023-11-14T00:00:00Z\", \"end_time\": 1800000000000}";
        assertThat(call("POST", "/api/v1/index_sets/web_hot/search", q).body().get("total").asLong()).isEqualTo(1);
        assertThat(call("POST", "/api/v1/index_sets/web_cold/search", q).body().get("total").asLong()).isEqualTo(1);

        assertThat(cluster("hot").backendName()).isEqualTo("lucene");
        assertThat(names(cluster("hot").listIndices("*"))).containsExactly("v2_web_hot_20231114_0");
        assertThat(names(cluster("cold").listIndices("*"))).containsExactly("v2_web_cold_20231114_0");
    }

    @Test
    void anUnknownClusterIsA400ListingTheConfiguredOnes() throws Exception {
        Answer a = call("PUT", "/api/v1/index_sets/web_warm", "{\"storage_cluster\": \"warm\"}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("error").asText()).isEqualTo("invalid_index_set");
        assertThat(a.body().get("field").asText()).isEqualTo("storage_cluster");
        assertThat(a.body().get("message").asText()).contains("'warm'", "hot, cold");
        assertThat(call("GET", "/api/v1/index_sets/web_warm", null).status()).isEqualTo(404);
    }

    @Test
    void movingAnIndexSetWithDocumentsIsA400() throws Exception {
        call("PUT", "/api/v1/index_sets/moving", "{\"storage_cluster\": \"cold\"}");
        call("POST", "/api/v1/index_sets/moving/ingest?refresh=true",
                "[{\"dtEventTimeStamp\": 1700000000000, \"log\": \"kept\"}]");
        Answer a = call("PUT", "/api/v1/index_sets/moving", "{\"storage_cluster\": \"hot\"}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("message").asText()).contains("holds 1 documents", "cannot move to 'hot'");
        assertThat(call("GET", "/api/v1/index_sets/moving", null).body().get("storage_cluster").asText())
                .isEqualTo("cold");
    }
}
