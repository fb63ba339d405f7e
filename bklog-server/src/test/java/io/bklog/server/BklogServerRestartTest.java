package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** What the server accepted is still there after it stops and starts again on the same data dir. */
class BklogServerRestartTest {
    private final HttpClient http = HttpClient.newHttpClient();

    private JsonNode call(BklogServer s, String method, String path, String body) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.uri() + path))
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        return new ObjectMapper().readTree(r.body());
    }

    @Test
    void everyAcceptedDocumentAndTheIndexSetSurviveARestart(@TempDir Path dataDir) throws Exception {
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()).withAuth(new io.bklog.server.config.AuthConfig(false));
        String batch = IntStream.range(0, 500).mapToObj(i -> "{\"gseIndex\": " + i + ", \"log\": \"line " + i + "\"}")
                .collect(Collectors.joining("\n"));
        try (BklogServer first = BklogServer.start(config)) {
            call(first, "PUT", "/api/v1/index_sets/durable", "{\"retention_days\": 3}");
            JsonNode r = call(first, "POST", "/api/v1/index_sets/durable/ingest", batch);
            assertThat(r.get("accepted").asInt()).isEqualTo(500);
        }
        try (BklogServer second = BklogServer.start(config)) {
            assertThat(call(second, "GET", "/api/v1/index_sets/durable", "").get("retention_days").asInt())
                    .isEqualTo(3);
            assertThat(call(second, "POST", "/api/v1/index_sets/durable/search", "{\"size\": 0}")
                    .get("total").asLong()).isEqualTo(500);
        }
    }
}
