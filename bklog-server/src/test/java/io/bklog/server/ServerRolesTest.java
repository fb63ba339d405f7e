package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigException;
import io.bklog.server.config.ConfigLoader;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.ServerRoles;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code server.roles}: what an instance serves and runs, and what it refuses naming the role it lacks. */
class ServerRolesTest {
    private final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpResponse<String> call(BklogServer s, String method, String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(s.uri() + path)).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static BklogConfig config(Path dataDir, String roles) {
        return new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20).withRoles(roles), dataDir.toString(),
                StoreConfig.defaults()).withAuth(new AuthConfig(false));
    }

    @Test
    void anIngestInstanceTakesWritesOnlyAndAnApiInstanceServesSearchesOnly(@TempDir Path dataDir) throws Exception {
        try (BklogServer all = BklogServer.start(config(dataDir, "all"))) {
            assertThat(call(all, "PUT", "/api/v1/index_sets/app", "{}").statusCode()).isBetween(200, 201);
            assertThat(JSON.readTree(call(all, "GET", "/healthz", "").body()).get("roles")).hasSize(5);
        }
        try (BklogServer ingest = BklogServer.start(config(dataDir, "ingest"))) {
            assertThat(call(ingest, "POST", "/api/v1/index_sets/app/ingest", "{\"log\": \"one\"}").statusCode())
                    .isEqualTo(200);
            assertThat(call(ingest, "POST", "/_bulk?refresh=true", "{\"index\": {\"_index\": \"app\"}}\n{\"log\": \"two\"}\n")
                    .statusCode()).isEqualTo(200);
            HttpResponse<String> search = call(ingest, "POST", "/api/v1/index_sets/app/search", "{}");
            assertThat(search.statusCode()).isEqualTo(404);
            JsonNode err = JSON.readTree(search.body());
            assertThat(err.get("error").asText()).isEqualTo("route_not_found");
            assertThat(err.get("message").asText()).contains("needs the role 'api'").contains("server.roles are ingest");
            assertThat(call(ingest, "GET", "/ui/", "").statusCode()).isEqualTo(404);
            HttpResponse<String> health = call(ingest, "GET", "/healthz?format=text", "");
            assertThat(health.body()).endsWith("roles: ingest\n");
            assertThat(health.headers().firstValue("X-Bklog-Roles")).contains("ingest");
            assertThat(call(ingest, "GET", "/readyz", "").statusCode()).isEqualTo(200);
            // no beat, no workers on an ingest-only instance
            assertThat(ingest.platform().scheduler().runsBeat()).isFalse();
            assertThat(ingest.platform().scheduler().runsWorkers()).isFalse();
        }
        try (BklogServer api = BklogServer.start(config(dataDir, "api,beat"))) {
            JsonNode found = JSON.readTree(call(api, "POST", "/api/v1/index_sets/app/search", "{}").body());
            assertThat(found.get("total").asLong()).isEqualTo(2);
            HttpResponse<String> ingest = call(api, "POST", "/api/v1/index_sets/app/ingest", "{\"log\": \"three\"}");
            assertThat(ingest.statusCode()).isEqualTo(404);
            assertThat(ingest.body()).contains("needs the role 'ingest'");
            assertThat(call(api, "POST", "/_bulk", "{\"index\": {\"_index\": \"app\"}}\n{\"log\": \"x\"}\n")
                    .statusCode()).isEqualTo(404);
            assertThat(JSON.readTree(call(api, "GET", "/healthz", "").body()).get("roles").toString())
                    .isEqualTo("[\"api\",\"beat\"]");
            assertThat(api.platform().scheduler().runsBeat()).isTrue();
            assertThat(api.platform().scheduler().runsWorkers()).isFalse();
        }
    }

    @Test
    void anUnknownRoleIsAConfigErrorNamingTheKnownRoles() {
        assertThatThrownBy(() -> ServerRoles.parse("api,injest"))
                .hasMessageContaining("unknown role 'injest'").hasMessageContaining("api, ingest, collect, beat, worker");
        assertThatThrownBy(() -> ConfigLoader.load(null, Map.of("BKLOG_SERVER_ROLES", "api,injest"), Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("server.roles")
                .hasMessageContaining("unknown role 'injest'");
        assertThat(ConfigLoader.check(null, null, List.of(), Map.of(), Map.of("server.roles", "worker,bogus")))
                .singleElement().satisfies(p -> {
                    assertThat(p.path()).startsWith("server");
                    assertThat(p.message()).contains("server.roles: unknown role 'bogus'");
                });
        assertThat(ServerRoles.parse(" Worker , beat ").ids()).containsExactly("beat", "worker");
        assertThat(ServerRoles.parse("all").ids()).containsExactly("api", "ingest", "collect", "beat", "worker");
    }

    @Test
    void durationsOfShutdownAndStartupAreChecked() {
        assertThat(new ServerConfig("h", 1, 1).withShutdownTimeout("5s").shutdownTimeoutDuration().toSeconds())
                .isEqualTo(5);
        assertThat(new ServerConfig("h", 1, 1).withStartupWait("0").startupWaitDuration().isZero()).isTrue();
        assertThatThrownBy(() -> new ServerConfig("h", 1, 1).withShutdownTimeout("soon"))
                .hasMessageContaining("server.shutdown_timeout must be a duration");
    }
}
