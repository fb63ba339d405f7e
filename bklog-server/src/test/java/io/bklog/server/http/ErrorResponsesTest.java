package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.jdbi.v3.core.ConnectionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;

import static org.assertj.core.api.Assertions.assertThat;

/** How unexpected exceptions are answered: a metadata database that cannot be reached is a 503, not a bug. */
class ErrorResponsesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();
    private Javalin app;

    @BeforeEach
    void start() {
        app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
        });
        ErrorResponses.register(app);
        // what Jdbi throws when the pool times out waiting for a connection to a stopped MariaDB
        app.get("/pool-timeout", ctx -> {
            throw new ConnectionException(new SQLTransientConnectionException(
                    "bklog-meta - Connection is not available, request timed out after 10000ms"));
        });
        // what the MariaDB driver throws when the server goes away under a pooled connection
        app.get("/socket-error", ctx -> {
            throw new IllegalStateException("statement failed", new SQLNonTransientConnectionException(
                    "(conn=7) Socket error", "08000"));
        });
        app.get("/sql-state-08", ctx -> {
            throw new IllegalStateException(new SQLException("Communications link failure\nmore", "08S01"));
        });
        app.get("/bug", ctx -> {
            throw new IllegalStateException("a bug", new SQLException("syntax error", "42000"));
        });
        // what a store throws for a request it cannot run (a search_after that does not fit the sort ...)
        app.get("/invalid-request", ctx -> {
            throw new io.bklog.spi.SearchRequest.InvalidRequestException("searchAfter has 1 values but the sort has 4"
                    + " keys", "search_after", null);
        });
        app.get("/typed/{id}", ctx -> ctx.result(String.valueOf(ctx.pathParamAsClass("id", Long.class).get())));
        app.get("/backend-down", ctx -> {
            throw new io.bklog.spi.BackendException("lucene search failed: disk gone", new java.io.IOException("x"));
        });
        app.start("127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        app.stop();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.port() + path)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void answersAnUnreachableMetadataDatabaseAsRetryableBackendUnavailable() throws Exception {
        for (String path : new String[] {"/pool-timeout", "/socket-error", "/sql-state-08"}) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(503);
            JsonNode body = JSON.readTree(r.body());
            assertThat(body.path("error").asText()).as(path).isEqualTo("backend_unavailable");
            assertThat(body.path("retryable").asBoolean()).as(path).isTrue();
            assertThat(body.path("message").asText()).as(path).startsWith("the metadata database is unreachable: ")
                    .contains("/healthz").doesNotContain("\n");
            assertThat(body.has("error_id")).as(path).isFalse();
        }
    }

    @Test
    void answersOtherUnexpectedExceptionsAsInternalWithAnErrorId() throws Exception {
        HttpResponse<String> r = get("/bug");
        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).isEqualTo("internal");
        assertThat(body.path("error_id").asText()).isNotBlank();
    }

    @Test
    void aStoreRefusingTheRequestIsA400NamingTheParameterButAFailingStoreStaysA503() throws Exception {
        HttpResponse<String> r = get("/invalid-request");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("error").asText()).isEqualTo("bad_request");
        assertThat(body.path("field").asText()).isEqualTo("search_after");
        HttpResponse<String> typed = get("/typed/abc");
        assertThat(typed.statusCode()).as(typed.body()).isEqualTo(400);
        assertThat(JSON.readTree(typed.body()).path("field").asText()).isEqualTo("id");
        HttpResponse<String> down = get("/backend-down");
        assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
        assertThat(JSON.readTree(down.body()).path("error").asText()).isEqualTo("backend_unavailable");
    }
}
