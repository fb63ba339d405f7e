package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.CollectorsConfig;
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
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 14, critical finding: collectors read host files, so they are confined to the allowed roots, never the data
 * dir, and only a platform admin (admin of the default space) may create them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectorConfinementRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    @TempDir
    static Path logs;

    private BklogServer server;
    private String admin;
    private String adminB;
    private final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, JsonNode body, String raw) {}

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()).withCollectors(new CollectorsConfig(
                        new CollectorsConfig.FileCollectors(List.of(logs + "/**")),
                        new CollectorsConfig.SyslogCollectors("514,1024-65535"))));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call(admin, "POST", "/api/v1/spaces", q("{'space_uid': 'team_b', 'name': 'B'}")).status())
                .isEqualTo(201);
        Answer t = call(admin, "POST", "/api/v1/tokens", q("{'name': 'b-admin', 'space_uid': 'team_b', 'roles':"
                + " ['admin']}"));
        assertThat(t.status()).as(t.raw()).isEqualTo(201);
        adminB = t.body().get("token").asText();
        assertThat(call(admin, "PUT", "/api/v1/index_sets/host_a", "").status()).isEqualTo(201);
        assertThat(call(adminB, "PUT", "/api/v1/index_sets/host_b", "").status()).isEqualTo(201);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Answer call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r.body());
    }

    private static String q(String s) {
        return s.replace('\'', '"');
    }

    private Answer fileCollector(String token, String name, String set, String path) throws Exception {
        return call(token, "POST", "/api/v1/collectors", q("{'name': '" + name + "', 'index_set': '" + set + "',"
                + " 'source_type': 'file', 'source_params': {'paths': ['" + path + "'], 'tail_files': false}}"));
    }

    @Test
    void anAdminOfAnotherSpaceCannotCreateFileOrSyslogCollectorsAtAll() throws Exception {
        Answer file = fileCollector(adminB, "b_files", "host_b", logs + "/*.log");
        assertThat(file.status()).as(file.raw()).isEqualTo(403);
        assertThat(file.body().get("error").asText()).isEqualTo("forbidden");
        assertThat(file.body().get("message").asText()).contains("platform admin").contains("default");
        Answer admitToken = fileCollector(adminB, "b_token", "host_b", dataDir.resolve("admin-token").toString());
        assertThat(admitToken.status()).isEqualTo(403);
        Answer syslog = call(adminB, "POST", "/api/v1/collectors", q("{'name': 'b_sys', 'index_set': 'host_b',"
                + " 'source_type': 'syslog', 'source_params': {'syslog_port': 5599}}"));
        assertThat(syslog.status()).as(syslog.raw()).isEqualTo(403);
        assertThat(call(admin, "GET", "/api/v1/collectors", null).body().get("collectors").findValuesAsText("name"))
                .doesNotContain("b_files", "b_token", "b_sys");
    }

    @Test
    void thePlatformAdminCannotReadTheDataDirEtcPasswdOrPathsOutsideTheRoots() throws Exception {
        String token = dataDir.resolve("admin-token").toString();
        for (String path : List.of(token, dataDir + "/*", "/etc/passwd", "/etc/*", logs + "/../x/*.log",
                "/tmp/elsewhere/*.log")) {
            Answer a = fileCollector(admin, "bad_" + Math.abs(path.hashCode()), "host_a", path);
            assertThat(a.status()).as(path + " -> " + a.raw()).isEqualTo(403);
            assertThat(a.body().get("error").asText()).isEqualTo("collector_path_not_allowed");
            assertThat(a.body().get("field").asText()).isEqualTo("source_params.paths[0]");
            assertThat(a.body().get("path").asText()).isEqualTo(path);
            assertThat(a.body().get("rule").asText()).isNotBlank();
            assertThat(a.body().get("message").asText()).contains(path);
        }
        Answer mixed = call(admin, "POST", "/api/v1/collectors", q("{'name': 'mixed', 'index_set': 'host_a',"
                + " 'source_type': 'file', 'source_params': {'paths': ['" + logs + "/*.log', '/etc/passwd']}}"));
        assertThat(mixed.status()).isEqualTo(403);
        assertThat(mixed.body().get("field").asText()).isEqualTo("source_params.paths[1]");
        assertThat(call(admin, "GET", "/api/v1/collectors", null).body().get("collectors").findValuesAsText("name"))
                .doesNotContain("mixed");
    }

    @Test
    void aSyslogPortOutsideTheAllowListIsRefused() throws Exception {
        Answer a = call(admin, "POST", "/api/v1/collectors", q("{'name': 'sys80', 'index_set': 'host_a',"
                + " 'source_type': 'syslog', 'source_params': {'syslog_port': 80}}"));
        assertThat(a.status()).as(a.raw()).isEqualTo(403);
        assertThat(a.body().get("error").asText()).isEqualTo("collector_port_not_allowed");
        assertThat(a.body().get("field").asText()).isEqualTo("source_params.syslog_port");
        assertThat(a.body().get("message").asText()).contains("514,1024-65535");
    }

    @Test
    void aSymlinkUnderTheAllowedRootToTheAdminTokenIsNeverRead() throws Exception {
        Path dir = Files.createDirectories(logs.resolve("app"));
        Files.createSymbolicLink(dir.resolve("token.log"), dataDir.resolve("admin-token"));
        Files.writeString(dir.resolve("real.log"), "a real line\n");
        Answer a = fileCollector(admin, "app_files", "host_a", dir + "/*.log");
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Answer r = call(admin, "POST", "/api/v1/index_sets/host_a/search", q("{'size': 50}"));
            assertThat(r.body().get("total").asLong()).as(r.raw()).isEqualTo(1);
        });
        Answer all = call(admin, "POST", "/api/v1/index_sets/host_a/search", q("{'size': 50}"));
        assertThat(all.raw()).contains("a real line").doesNotContain(admin);
        assertThat(call(admin, "GET", "/api/v1/collectors/" + a.body().get("id").asLong(), null).body()
                .get("status").get("detail").asText()).contains("tailing 1 file");
    }
}
