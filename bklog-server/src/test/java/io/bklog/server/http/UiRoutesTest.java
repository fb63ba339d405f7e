package io.bklog.server.http;

import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI's files at {@code /ui/} (docs/ui.md): a browser asking {@code /} for HTML is sent there without a
 * token, while Elasticsearch clients keep the ES root and its auth; the files carry a strict CSP, and only the UI's
 * own file names are served. The browser flows are in {@code io.bklog.server.ui.*UiIT}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UiRoutesTest {
    @TempDir
    static Path dataDir;
    private BklogServer server;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    void start() {
        server = BklogServer.start(LogPlatform.builder().dataDir(dataDir).build(),
                new ServerConfig("127.0.0.1", 0, 1024 * 1024), new AuthConfig(true));
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    private HttpResponse<String> get(String method, String path, String accept) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.noBody());
        if (accept != null) b.header("Accept", accept);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aBrowserAskingTheRootIsSentToTheUiWithoutAToken() throws Exception {
        HttpResponse<String> r = get("GET", "/", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertThat(r.statusCode()).isEqualTo(302);
        assertThat(r.headers().firstValue("Location")).contains("/ui/");
    }

    @Test
    void elasticsearchClientsStillGetTheRootAndItsAuth() throws Exception {
        HttpResponse<String> json = get("GET", "/", "application/json");
        assertThat(json.statusCode()).as("the ES root needs credentials, as before").isEqualTo(401);
        assertThat(json.body()).contains("security_exception");
        assertThat(get("GET", "/", null).statusCode()).isEqualTo(401);
        assertThat(get("HEAD", "/", "text/html").statusCode()).as("HEAD / stays the ES ping").isEqualTo(401);
    }

    @Test
    void theUiFilesAreServedWithAStrictContentSecurityPolicy() throws Exception {
        HttpResponse<String> page = get("GET", "/ui/", "text/html");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).contains("<script type=\"module\" src=\"/ui/app.js\">").doesNotContain("http://",
                "https://");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElse(""))
                .contains("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'");
        HttpResponse<String> js = get("GET", "/ui/search.js", null);
        assertThat(js.statusCode()).isEqualTo(200);
        assertThat(js.headers().firstValue("Content-Type").orElse("")).startsWith("text/javascript");
        assertThat(js.headers().firstValue("X-Content-Type-Options")).contains("nosniff");
    }

    @Test
    void onlyTheUisOwnFilesAreServed() throws Exception {
        for (String path : new String[] {"/ui/nope.js", "/ui/..%2Flogback.xml", "/ui/%2e%2e%2fversion.properties",
                "/ui/logback.xml", "/ui/UiRoutes.class"}) {
            HttpResponse<String> r = get("GET", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(r.body()).as(path).contains("route_not_found").doesNotContain("<configuration");
        }
    }

    @Test
    void anIndexNamedUiStaysOnTheElasticsearchSurface() {
        // a shipper writing to index "ui" authenticates and fails as with Elasticsearch, not as a bklog page
        assertThat(EsCompatRoutes.handles("/ui/_bulk")).isTrue();
        assertThat(EsCompatRoutes.handles("/ui/_doc/1")).isTrue();
        assertThat(EsCompatRoutes.handles("/ui/_create/1")).isTrue();
        assertThat(EsCompatRoutes.handles("/ui/a/b")).isTrue();
        assertThat(EsCompatRoutes.handles("/ui")).isFalse();
        assertThat(EsCompatRoutes.handles("/ui/")).isFalse();
        assertThat(EsCompatRoutes.handles("/ui/app.js")).isFalse();
    }
}
