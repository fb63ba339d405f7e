package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.HealthConfig;
import io.bklog.server.config.MetadataSettings;
import io.bklog.server.config.SchedulerConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
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
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * An embedding host and an HTTP client asking the same bad thing get the same {@link ErrorCode}: the library's
 * service methods throw {@link BklogException} with the code, and the server writes it as it is.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmbeddedAndHttpErrorCodesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @TempDir
    static Path dataDir;
    private BklogServer server;
    private LogPlatform platform;
    private String admin;

    @BeforeAll
    void start() throws Exception {
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1024 * 1024), dataDir.toString(),
                StoreConfig.defaults(), MetadataSettings.defaults(), new AuthConfig(true),
                new SchedulerConfig(false, 1, "1s", Map.of()), new HealthConfig("2s"));
        server = BklogServer.start(config);
        platform = server.platform();
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        platform.indexSets().put("plain", IndexSetSpec.defaults()); // no archive config: nothing to restore
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    private String http(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode json = JSON.readTree(r.body());
        ErrorCode code = ErrorCode.valueOf(json.path("error").asText().toUpperCase(java.util.Locale.ROOT));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(code.httpStatus());
        return json.path("error").asText();
    }

    private static ErrorCode library(ThrowingCallable call) {
        BklogException e = catchThrowableOfType(call, BklogException.class);
        assertThat(e).as("the library call throws a BklogException").isNotNull();
        return e.code();
    }

    private void sameCode(ThrowingCallable embedded, String method, String path, String body, ErrorCode expected)
            throws Exception {
        ErrorCode fromLibrary = library(embedded);
        assertThat(fromLibrary).isEqualTo(expected);
        assertThat(http(method, path, body)).isEqualTo(fromLibrary.code());
    }

    @Test
    void anUnknownBackupKindIsABadRequestBothWays() throws Exception {
        sameCode(() -> platform.operations().submitBackup("weekly"),
                "POST", "/api/v1/backups", "{\"kind\":\"weekly\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void anUnknownBackupIsNotFoundBothWays() throws Exception {
        String id = "full-20260101-000000-000";
        sameCode(() -> platform.operations().backups().get(id),
                "POST", "/api/v1/backups/" + id + "/verify", null, ErrorCode.OPERATION_NOT_FOUND);
    }

    @Test
    void anUnknownRestoreIsNotFoundBothWays() throws Exception {
        sameCode(() -> platform.operations().restores().delete(987_654),
                "DELETE", "/api/v1/restores/987654", null, ErrorCode.OPERATION_NOT_FOUND);
    }

    @Test
    void aRestoreOfAnIndexSetWithoutArchiveIsRefusedBothWays() throws Exception {
        Instant now = platform.clock().instant();
        Instant start = now.minus(Duration.ofDays(3));
        Instant expires = now.plus(Duration.ofDays(7));
        sameCode(() -> platform.operations().startRestore("plain", start, now, expires),
                "POST", "/api/v1/index_sets/plain/restores", "{\"start_time\":\"" + start + "\",\"end_time\":\""
                        + now + "\",\"expires_at\":\"" + expires + "\"}", ErrorCode.OPERATION_REFUSED);
    }

    @Test
    void aRestoreEndingBeforeItStartsIsABadRequestBothWays() throws Exception {
        Instant now = platform.clock().instant();
        Instant start = now.minus(Duration.ofDays(1));
        Instant end = now.minus(Duration.ofDays(3));
        Instant expires = now.plus(Duration.ofDays(7));
        sameCode(() -> platform.operations().startRestore("plain", start, end, expires),
                "POST", "/api/v1/index_sets/plain/restores", "{\"start_time\":\"" + start + "\",\"end_time\":\""
                        + end + "\",\"expires_at\":\"" + expires + "\"}", ErrorCode.BAD_REQUEST);
    }

    @Test
    void anUnknownIndexSetIsNotFoundBothWays() throws Exception {
        sameCode(() -> platform.indexSets().get("nope"), "GET", "/api/v1/index_sets/nope", null,
                ErrorCode.INDEX_SET_NOT_FOUND);
    }
}
