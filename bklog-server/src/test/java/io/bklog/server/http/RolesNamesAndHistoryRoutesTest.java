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
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, the rest of it (docs/security.md): platform routes need a platform admin, only a holder of
 * {@code unmasked} grants it, names are unique per space, and what an unmasked caller typed (search history,
 * favorites) never reaches a masked reader. Everything over HTTP, as a user calls it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RolesNamesAndHistoryRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000L;
    /** A real-looking API key, stored in the {@code token} field that is masked for viewers. */
    private static final String SECRET = "sk-abc123QrStUvWxYz9876";

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    /** The bootstrap token: platform admin, holds unmasked. */
    private String admin;
    /** Admin of team_b (no unmasked). */
    private String adminB;

    record Answer(int status, JsonNode body, String raw) {}

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call(admin, "POST", "/api/v1/spaces", q("{'space_uid': 'team_b', 'name': 'B'}")).status())
                .isEqualTo(201);
        adminB = token(admin, "team_b", "b-admin", "admin");
        assertThat(call(admin, "PUT", "/api/v1/index_sets/a_secret_logs", "").status()).isEqualTo(201);
        Answer b = call(adminB, "PUT", "/api/v1/index_sets/b_logs", q("{'fields': [{'name': 'token', 'type':"
                + " 'keyword'}]}"));
        assertThat(b.status()).as(b.raw()).isEqualTo(201);
        Answer ing = call(adminB, "POST", "/api/v1/index_sets/b_logs/ingest?refresh=true", q("[{'dtEventTimeStamp': "
                + T0 + ", 'log': 'login ok', 'token': '" + SECRET + "'}]"));
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);
        Answer rule = call(adminB, "POST", "/api/v1/desensitize/rules", q("{'rule_name': 'api_key', 'operator':"
                + " 'mask_shield', 'params': {'preserve_head': 3, 'preserve_tail': 2, 'replace_mark': '*'}}"));
        assertThat(rule.status()).as(rule.raw()).isEqualTo(201);
        Answer cfg = call(adminB, "PUT", "/api/v1/index_sets/b_logs/desensitize", q("{'field_configs': [{'field_name':"
                + " 'token', 'rule_id': " + rule.body().get("id").asLong() + ", 'sort_index': 0}]}"));
        assertThat(cfg.status()).as(cfg.raw()).isEqualTo(200);
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

    private Answer makeToken(String caller, String space, String name, String... roles) throws Exception {
        return call(caller, "POST", "/api/v1/tokens", q("{'name': '" + name + "', 'space_uid': '" + space
                + "', 'roles': ['" + String.join("', '", roles) + "']}"));
    }

    private String token(String caller, String space, String name, String... roles) throws Exception {
        Answer a = makeToken(caller, space, name, roles);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    private static void assertForbiddenNamingTheRule(Answer a, String rule) {
        assertThat(a.status()).as(a.raw()).isEqualTo(403);
        assertThat(a.body().get("error").asText()).isEqualTo("forbidden");
        assertThat(a.body().get("message").asText()).contains("rule:").contains(rule);
    }

    // ---- 1. platform vs space roles

    @Test
    void anAdminOfAnotherSpaceGets403OnEveryPlatformRouteAndSeesNothingOfTheDefaultSpace() throws Exception {
        String restore = q("{'start_time': " + (T0 - 3_600_000) + ", 'end_time': " + T0 + "}");
        List<String[]> routes = List.of(
                new String[] {"GET", "/api/v1/backups", null},
                new String[] {"POST", "/api/v1/backups", q("{'kind': 'full'}")},
                new String[] {"POST", "/api/v1/backups/full-1/verify", null},
                new String[] {"GET", "/api/v1/restores", null},
                new String[] {"DELETE", "/api/v1/restores/1", null},
                new String[] {"POST", "/api/v1/index_sets/b_logs/restores", restore},
                new String[] {"GET", "/api/v1/tasks", null},
                new String[] {"POST", "/api/v1/tasks/capacity_sync/run", "{}"},
                new String[] {"GET", "/api/v1/tasks/status/some-id", null},
                new String[] {"GET", "/api/v1/task_runs", null},
                new String[] {"GET", "/api/v1/task_runs?task=capacity_sync", null});
        for (String[] r : routes) {
            Answer a = call(adminB, r[0], r[1], r[2]);
            assertForbiddenNamingTheRule(a, "platform admin");
            assertThat(a.raw()).as(r[0] + " " + r[1]).doesNotContain("a_secret_logs")
                    .doesNotContain(dataDir.toString()).doesNotContain("capacity_sync\",");
        }
        assertForbiddenNamingTheRule(call(adminB, "POST", "/api/v1/spaces", q("{'space_uid': 'team_c'}")),
                "platform admin");
        assertForbiddenNamingTheRule(makeToken(adminB, "default", "b-into-default", "viewer"), "platform admin");
        // the platform admin still may, for every space's index sets
        assertThat(call(admin, "GET", "/api/v1/backups", null).status()).isEqualTo(200);
        assertThat(call(admin, "GET", "/api/v1/tasks", null).status()).isEqualTo(200);
        assertThat(call(admin, "GET", "/api/v1/task_runs", null).status()).isEqualTo(200);
        assertThat(call(admin, "GET", "/api/v1/restores", null).status()).isEqualTo(200);
        Answer restoreB = call(admin, "POST", "/api/v1/index_sets/b_logs/restores", restore);
        assertThat(restoreB.status()).as(restoreB.raw()).isNotIn(401, 403, 404);
        // a space admin keeps what is its own: the capacity of its index sets
        assertThat(call(adminB, "GET", "/api/v1/index_sets/b_logs/capacity", null).status()).isEqualTo(200);
        assertThat(call(adminB, "GET", "/api/v1/index_sets/a_secret_logs/capacity", null).status()).isEqualTo(404);
    }

    // ---- 2. only a holder of unmasked grants it

    @Test
    void onlyAHolderOfUnmaskedMayGrantIt() throws Exception {
        assertForbiddenNamingTheRule(makeToken(adminB, "team_b", "b-raw", "viewer", "unmasked"),
                "only a token holding 'unmasked'");
        assertForbiddenNamingTheRule(makeToken(adminB, "team_b", "b-raw", "unmasked"), "'unmasked'");
        assertThat(makeToken(adminB, "team_b", "b-viewer", "viewer").status()).isEqualTo(201);

        Answer tokens = call(admin, "GET", "/api/v1/tokens", null);
        JsonNode boot = null;
        for (JsonNode t : tokens.body().get("tokens")) if (t.get("name").asText().equals("bootstrap-admin")) boot = t;
        assertThat(boot).as(tokens.raw()).isNotNull();
        assertThat(boot.get("roles").toString()).contains("admin").contains("unmasked");

        // the bootstrap token grants it, and who holds it may pass it on within its space
        String rawAdminB = token(admin, "team_b", "b-raw-admin", "admin", "unmasked");
        assertThat(makeToken(rawAdminB, "team_b", "b-raw", "viewer", "unmasked").status()).isEqualTo(201);
    }

    // ---- 3. names per space

    @Test
    void namesAreUniquePerSpaceAndA409NeverRevealsAnotherSpace() throws Exception {
        // tokens
        assertThat(makeToken(admin, "default", "ci", "viewer").status()).isEqualTo(201);
        assertThat(makeToken(adminB, "team_b", "ci", "viewer").status()).isEqualTo(201);
        Answer again = makeToken(adminB, "team_b", "ci", "viewer");
        assertThat(again.status()).as(again.raw()).isEqualTo(409);
        assertThat(again.raw()).doesNotContain("default");
        assertThat(call(adminB, "DELETE", "/api/v1/tokens/ci", null).status()).isEqualTo(204);
        assertThat(call(admin, "GET", "/api/v1/tokens", null).body().get("tokens").findValuesAsText("name"))
                .as("revoking team_b's 'ci' leaves default's").contains("ci");

        // collectors (kafka: no host resource, so a space admin may make them)
        String kafka = "'source_type': 'kafka', 'active': false, 'source_params': {'bootstrap_servers':"
                + " ['127.0.0.1:1'], 'topic': 'app'}";
        Answer ca = call(admin, "POST", "/api/v1/collectors", q("{'name': 'app_kafka', 'index_set': 'a_secret_logs', "
                + kafka + "}"));
        assertThat(ca.status()).as(ca.raw()).isEqualTo(201);
        Answer cb = call(adminB, "POST", "/api/v1/collectors", q("{'name': 'app_kafka', 'index_set': 'b_logs', "
                + kafka + "}"));
        assertThat(cb.status()).as(cb.raw()).isEqualTo(201);
        Answer cb2 = call(adminB, "POST", "/api/v1/collectors", q("{'name': 'app_kafka', 'index_set': 'b_logs', "
                + kafka + "}"));
        assertThat(cb2.status()).as(cb2.raw()).isEqualTo(409);
        assertThat(cb2.raw()).doesNotContain("a_secret_logs").doesNotContain("default");

        // desensitize rules: per space; a public rule's name is platform-wide (every space sees it anyway)
        String shield = "'operator': 'mask_shield', 'params': {'preserve_head': 1, 'preserve_tail': 1}";
        assertThat(call(admin, "POST", "/api/v1/desensitize/rules", q("{'rule_name': 'phone', " + shield + "}"))
                .status()).isEqualTo(201);
        Answer rb = call(adminB, "POST", "/api/v1/desensitize/rules", q("{'rule_name': 'phone', " + shield + "}"));
        assertThat(rb.status()).as(rb.raw()).isEqualTo(201);
        Answer rb2 = call(adminB, "POST", "/api/v1/desensitize/rules", q("{'rule_name': 'phone', " + shield + "}"));
        assertThat(rb2.status()).as(rb2.raw()).isEqualTo(409);
        assertThat(call(admin, "POST", "/api/v1/desensitize/rules", q("{'rule_name': 'email_pub', 'is_public': true, "
                + shield + "}")).status()).isEqualTo(201);
        Answer pub = call(adminB, "POST", "/api/v1/desensitize/rules", q("{'rule_name': 'email_pub', " + shield + "}"));
        assertThat(pub.status()).as(pub.raw()).isEqualTo(409);
        assertThat(pub.body().get("message").asText()).contains("public");

        // favorites
        String fav = "{'name': 'errors', 'index_set': '%s', 'keyword': 'error'}";
        assertThat(call(admin, "POST", "/api/v1/favorites", q(fav.formatted("a_secret_logs"))).status()).isEqualTo(201);
        assertThat(call(adminB, "POST", "/api/v1/favorites", q(fav.formatted("b_logs"))).status()).isEqualTo(201);
        assertThat(call(adminB, "POST", "/api/v1/favorites", q(fav.formatted("b_logs"))).status()).isEqualTo(409);
    }

    // ---- 4. masked history and favorites

    @Test
    void aRawSecretTypedByAnUnmaskedUserNeverReachesAMaskedReader() throws Exception {
        String raw = token(admin, "team_b", "alice", "viewer", "unmasked");
        String reader = token(adminB, "team_b", "bob", "viewer");
        Answer hit = call(raw, "POST", "/api/v1/index_sets/b_logs/search", q("{'keyword': 'token:\\\"" + SECRET
                + "\\\"'}"));
        assertThat(hit.status()).as(hit.raw()).isEqualTo(200);
        assertThat(hit.raw()).contains(SECRET);
        assertThat(call(raw, "GET", "/api/v1/index_sets/b_logs/search_history", null).raw()).contains(SECRET);
        Answer saved = call(raw, "POST", "/api/v1/favorites", q("{'name': 'leaky', 'index_set': 'b_logs',"
                + " 'keyword': 'token:\\\"" + SECRET + "\\\"', 'visible_type': 'public'}"));
        assertThat(saved.status()).as(saved.raw()).isEqualTo(201);
        long leaky = saved.body().get("id").asLong();
        Answer mine = call(reader, "POST", "/api/v1/favorites", q("{'name': 'mine', 'index_set': 'b_logs',"
                + " 'keyword': 'login', 'visible_type': 'public'}"));
        assertThat(mine.status()).as(mine.raw()).isEqualTo(201);

        // a masked reader of the same space: the public favorite is not listed, not readable by id
        Answer list = call(reader, "GET", "/api/v1/favorites", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.raw()).doesNotContain(SECRET).doesNotContain("leaky").contains("mine");
        Answer byId = call(reader, "GET", "/api/v1/favorites/" + leaky, null);
        assertThat(byId.status()).isEqualTo(404);
        assertThat(byId.raw()).doesNotContain(SECRET);
        // the unmasked author and other unmasked readers still have it, and see the masked users' public ones
        assertThat(call(raw, "GET", "/api/v1/favorites", null).raw()).contains(SECRET).contains("mine");

        // the token is revoked and its name given to a masked token: it inherits none of the raw history
        assertThat(call(adminB, "DELETE", "/api/v1/tokens/alice", null).status()).isEqualTo(204);
        String heir = token(adminB, "team_b", "alice", "viewer");
        Answer history = call(heir, "GET", "/api/v1/index_sets/b_logs/search_history", null);
        assertThat(history.status()).as(history.raw()).isEqualTo(200);
        assertThat(history.raw()).doesNotContain(SECRET);
        assertThat(call(heir, "GET", "/api/v1/favorites", null).raw()).doesNotContain(SECRET);
        assertThat(call(heir, "GET", "/api/v1/favorites/" + leaky, null).status()).isEqualTo(404);
        assertThat(call(heir, "DELETE", "/api/v1/favorites/" + leaky, null).status()).isEqualTo(404);
        // its own searches are remembered as usual
        assertThat(call(heir, "POST", "/api/v1/index_sets/b_logs/search", q("{'keyword': 'login'}")).status())
                .isEqualTo(200);
        assertThat(call(heir, "GET", "/api/v1/index_sets/b_logs/search_history", null).body().get("history")
                .findValuesAsText("keyword")).containsExactly("login");
    }
}
