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

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * The leak test: logs full of phone numbers, id numbers and API keys, masking rules configured, and every read
 * endpoint (search with highlight and aggregations, context, preview) checked for raw secrets; space isolation
 * and role checks; an {@code unmasked} token sees raw values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthAndMaskingLeakTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private final List<String> secrets = new ArrayList<>();

    record Answer(int status, String raw, JsonNode body) {}

    private Answer call(String token, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private String token(String space, String name, String... roles) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"space_uid\":\"" + space + "\",\"roles\":["
                + java.util.Arrays.stream(roles).map(r -> "\"" + r + "\"").collect(Collectors.joining(",")) + "]}";
        Answer a = call(admin, "POST", "/api/v1/tokens", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    private void assertNoSecret(Answer a) {
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        for (String s : secrets) assertThat(a.raw()).as("leaked " + s).doesNotContain(s);
    }

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 4 * 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call(admin, "PUT", "/api/v1/index_sets/app", "").status()).isEqualTo(201);
        assertThat(call(admin, "PUT", "/api/v1/index_sets/app", "{\"fields\": [{\"name\": \"phone\", \"type\":"
                + " \"keyword\"}, {\"name\": \"id_no\", \"type\": \"keyword\"}, {\"name\": \"api_key\", \"type\":"
                + " \"keyword\"}]}").status()).isEqualTo(200);
        Random rnd = new Random(7);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String phone = "1" + (3 + rnd.nextInt(7)) + String.format("%09d", rnd.nextInt(1_000_000_000));
            String id = String.format("11010519%08d", rnd.nextInt(100_000_000)) + String.format("%02d", i % 100);
            String key = "sk-" + Long.toString(Math.abs(rnd.nextLong()), 36) + "ABCDEFGHIJKLMNOPQRSTUVWX".substring(0, 10)
                    + String.format("%04d", i);
            secrets.addAll(List.of(phone, id, key));
            lines.add("{\"dtEventTimeStamp\": " + (T0 + i * 1000L) + ", \"serverIp\": \"10.0.0.1\", \"path\":"
                    + " \"/var/log/app.log\", \"gseIndex\": " + i + ", \"iterationIndex\": 0, \"phone\": \"" + phone
                    + "\", \"id_no\": \"" + id + "\", \"api_key\": \"" + key + "\", \"log\": \"login user phone "
                    + phone + " id " + id + " key " + key + "\"}");
        }
        Answer ing = call(admin, "POST", "/api/v1/index_sets/app/ingest?refresh=true", "[" + String.join(",", lines) + "]");
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);

        long phoneRule = rule("{\"rule_name\":\"phone\",\"operator\":\"mask_shield\",\"params\":{\"preserve_head\":3,"
                + "\"preserve_tail\":2},\"match_pattern\":\"1[3-9]\\\\d{9}\"}");
        long idRule = rule("{\"rule_name\":\"id_no\",\"operator\":\"mask_shield\",\"params\":{\"preserve_head\":4,"
                + "\"preserve_tail\":0},\"match_pattern\":\"\\\\d{17}[\\\\dX]\"}");
        long keyRule = rule("{\"rule_name\":\"api_key\",\"operator\":\"text_replace\",\"params\":{\"template_string\":"
                + "\"sk-***${tail}\"},\"match_pattern\":\"sk-[A-Za-z0-9]+(?<tail>[A-Za-z0-9]{2})\"}");
        Answer cfg = call(admin, "PUT", "/api/v1/index_sets/app/desensitize", "{\"field_configs\": ["
                + "{\"field_name\": \"id_no\", \"rule_id\": " + idRule + ", \"sort_index\": 0},"
                + "{\"field_name\": \"phone\", \"rule_id\": " + phoneRule + ", \"sort_index\": 1},"
                + "{\"field_name\": \"api_key\", \"rule_id\": " + keyRule + ", \"sort_index\": 2}],"
                + " \"text_fields\": [\"log\"]}");
        assertThat(cfg.status()).as(cfg.raw()).isEqualTo(200);
    }

    private long rule(String body) throws Exception {
        Answer a = call(admin, "POST", "/api/v1/desensitize/rules", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("id").asLong();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void missingOrWrongTokenIs401AndWrongRoleIs403() throws Exception {
        Answer none = call(null, "POST", "/api/v1/index_sets/app/search", "{}");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().get("error").asText()).isEqualTo("unauthorized");
        assertThat(call("bkl_nope", "GET", "/api/v1/index_sets", null).status()).isEqualTo(401);
        String viewer = token("default", "v403", "viewer");
        Answer ingest = call(viewer, "POST", "/api/v1/index_sets/app/ingest", "[{\"log\": \"x\"}]");
        assertThat(ingest.status()).isEqualTo(403);
        assertThat(ingest.body().get("error").asText()).isEqualTo("forbidden");
        assertThat(call(viewer, "PUT", "/api/v1/index_sets/app/desensitize", "{}").status()).isEqualTo(403);
        assertThat(call(viewer, "POST", "/api/v1/tokens", "{}").status()).isEqualTo(403);
    }

    @Test
    void noReadEndpointReturnsAnUnmaskedSecret() throws Exception {
        String viewer = token("default", "leak-viewer", "viewer");
        Answer search = call(viewer, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"login\", \"size\": 100,"
                + " \"highlight\": true, \"aggs\": {\"histogram\": {\"interval\": \"10s\"}, \"terms\": [{\"field\":"
                + " \"serverIp\", \"size\": 100}]}}");
        assertNoSecret(search);
        assertThat(search.body().get("total").asLong()).isEqualTo(60);
        assertThat(search.raw()).contains("<mark>login</mark>").contains("******").contains("sk-***");
        assertThat(search.body().get("aggregations").get("terms.serverIp").get("buckets").size()).isPositive();
        for (String field : List.of("phone", "id_no", "api_key")) {
            // terms keys of a masked field would be an oracle (docs/security.md): refused, not masked
            Answer terms = call(viewer, "POST", "/api/v1/index_sets/app/search", "{\"aggs\": {\"terms\": [{\"field\":"
                    + " \"" + field + "\"}]}}");
            assertThat(terms.status()).as(terms.raw()).isEqualTo(400);
            assertThat(terms.body().get("error").asText()).isEqualTo("masked_field");
        }

        String phone = secrets.get(0);
        Answer byPhone = call(viewer, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"log:" + phone
                + "\", \"highlight\": true, \"sort_list\": [[\"gseIndex\", \"asc\"]]}");
        assertNoSecret(byPhone);
        assertThat(byPhone.body().get("total").asLong()).isEqualTo(1);

        Answer ctx = call(viewer, "POST", "/api/v1/index_sets/app/context", "{\"server_ip\": \"10.0.0.1\", \"path\":"
                + " \"/var/log/app.log\", \"dt_event_time_stamp\": " + (T0 + 30_000) + ", \"gse_index\": 30,"
                + " \"iteration_index\": 0, \"size\": 5}");
        assertNoSecret(ctx);
        assertThat(ctx.body().get("before").findValuesAsText("gseIndex")).containsExactly("25", "26", "27", "28", "29");
        assertThat(ctx.body().get("after").findValuesAsText("gseIndex")).containsExactly("31", "32", "33", "34", "35");

        for (String field : List.of("phone", "id_no", "api_key")) {
            Answer fa = call(viewer, "POST", "/api/v1/index_sets/app/field_analysis?agg_field=" + field + "&limit=100",
                    "{\"keyword\": \"login\"}");
            assertThat(fa.status()).as(fa.raw()).isEqualTo(400);
            assertThat(fa.body().get("error").asText()).isEqualTo("masked_field");
            for (String secret : secrets) assertThat(fa.raw()).doesNotContain(secret);
        }
        Answer numbers = call(viewer, "POST", "/api/v1/index_sets/app/field_analysis?agg_field=gseIndex", "{}");
        assertThat(numbers.status()).as(numbers.raw()).isEqualTo(200);
        assertThat(numbers.body().get("numbers").get("max").asDouble()).isEqualTo(59.0);
        assertThat(numbers.body().get("numbers").get("avg").asDouble()).isEqualTo(29.5);
        assertThat(numbers.body().get("top_values").get(0).get("share").asDouble()).isEqualTo(1.0 / 60, within(1e-9));

        for (String type : List.of("csv", "jsonl")) {
            HttpResponse<String> exp = http.send(HttpRequest.newBuilder(URI.create(server.uri()
                            + "/api/v1/index_sets/app/export?file_type=" + type))
                    .header("Authorization", "Bearer " + viewer)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"keyword\": \"login\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(exp.statusCode()).as(exp.body()).isEqualTo(200);
            assertThat(exp.body().lines().count()).isEqualTo(type.equals("csv") ? 61 : 60);
            for (String s : secrets) assertThat(exp.body()).as("export leaked " + s).doesNotContain(s);
        }

        Answer preview = call(admin, "POST", "/api/v1/index_sets/app/desensitize/preview", "{\"samples\": [{\"log\":"
                + " \"call " + phone + "\"}], \"field_configs\": [{\"field_name\": \"log\", \"operator\": \"mask_shield\","
                + " \"params\": {\"preserve_head\": 3, \"preserve_tail\": 2}, \"match_pattern\": \"1[3-9]\\\\d{9}\"}]}");
        assertNoSecret(preview);
        assertThat(preview.body().get("samples").get(0).get("log").asText()).endsWith("******" + phone.substring(9));
    }

    @Test
    void unmaskedTokenSeesRawValues() throws Exception {
        String raw = token("default", "raw", "viewer", "unmasked");
        Answer search = call(raw, "POST", "/api/v1/index_sets/app/search", "{\"size\": 100}");
        assertThat(search.status()).isEqualTo(200);
        assertThat(search.raw()).contains(secrets.get(0)).contains(secrets.get(1)).contains(secrets.get(2));
    }

    private synchronized String teamB() throws Exception {
        if (teamB == null) {
            assertThat(call(admin, "POST", "/api/v1/spaces", "{\"space_uid\": \"team_b\", \"name\": \"B\"}").status())
                    .isEqualTo(201);
            teamB = token("team_b", "b-admin", "admin", "unmasked");
        }
        return teamB;
    }

    private String teamB;

    private static List<String> indexSetNames(Answer list) {
        List<String> names = new ArrayList<>();
        list.body().get("index_sets").forEach(s -> names.add(s.get("name").asText()));
        return names;
    }

    @Test
    void anotherSpacesTokenSeesNothingOfThisSpace() throws Exception {
        String b = teamB();
        Answer search = call(b, "POST", "/api/v1/index_sets/app/search", "{}");
        assertThat(search.status()).isEqualTo(404);
        assertThat(search.body().get("error").asText()).isEqualTo("index_set_not_found");
        Answer missing = call(b, "POST", "/api/v1/index_sets/nothing_here/search", "{}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(call(b, "POST", "/api/v1/index_sets/app/context", "{\"server_ip\": \"10.0.0.1\", \"path\":"
                + " \"/var/log/app.log\", \"dt_event_time_stamp\": " + T0 + "}").status()).isEqualTo(404);
        assertThat(call(b, "GET", "/api/v1/index_sets/app", null).status()).isEqualTo(404);
        assertThat(call(b, "GET", "/api/v1/index_sets/app/desensitize", null).status()).isEqualTo(404);
        assertThat(call(b, "POST", "/api/v1/index_sets/app/ingest", "[{\"log\": \"x\"}]").status()).isEqualTo(404);
        Answer list = call(b, "GET", "/api/v1/index_sets", null);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.raw()).doesNotContain("\"app\"");
        for (String s : secrets) {
            assertThat(search.raw() + list.raw()).doesNotContain(s);
        }
        assertThat(call(b, "POST", "/api/v1/spaces", "{\"space_uid\": \"team_c\"}").status()).isEqualTo(403);
        assertThat(missing.raw()).as("a not-found names only the caller's own index sets").doesNotContain("app");

        // the endpoints added later: tail, async export, favorites
        assertThat(call(b, "GET", "/api/v1/index_sets/app/tail?since=" + T0, null).status()).isEqualTo(404);
        assertThat(call(b, "POST", "/api/v1/index_sets/app/exports", "{}").status()).isEqualTo(404);
        assertThat(call(b, "POST", "/api/v1/favorites", "{\"name\": \"x\", \"index_set\": \"app\"}").status())
                .isEqualTo(404);
        assertThat(call(b, "GET", "/api/v1/index_sets/app/search_history", null).status()).isEqualTo(404);
        assertThat(call(b, "POST", "/api/v1/index_sets/app/field_analysis?agg_field=phone", "{}").status())
                .isEqualTo(404);
        assertThat(call(b, "POST", "/api/v1/index_sets/app/export", "{}").status()).isEqualTo(404);
    }

    @Test
    void indexSetsAreCreatedListedAndReadOnlyInTheTokensSpace() throws Exception {
        String b = teamB();
        Answer created = call(b, "PUT", "/api/v1/index_sets/b_logs", "");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().get("space_uid").asText()).isEqualTo("team_b");
        String bSecret = "B-ONLY-SECRET-4711";
        Answer ing = call(b, "POST", "/api/v1/index_sets/b_logs/ingest?refresh=true", "[{\"dtEventTimeStamp\": " + T0
                + ", \"log\": \"team b " + bSecret + "\", \"serverIp\": \"10.9.9.9\", \"path\": \"/b.log\"}]");
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);
        Answer own = call(b, "POST", "/api/v1/index_sets/b_logs/search", "{}");
        assertThat(own.status()).isEqualTo(200);
        assertThat(own.raw()).contains(bSecret);
        Answer bList = call(b, "GET", "/api/v1/index_sets", null);
        assertThat(indexSetNames(bList)).containsExactly("b_logs");

        // the default space (even its admin) sees nothing of space B
        String viewer = token("default", "a-viewer-iso", "viewer", "unmasked");
        for (String t : List.of(admin, viewer)) {
            Answer list = call(t, "GET", "/api/v1/index_sets", null);
            assertThat(indexSetNames(list)).contains("app").doesNotContain("b_logs");
            List<Answer> answers = List.of(
                    call(t, "GET", "/api/v1/index_sets/b_logs", null),
                    call(t, "POST", "/api/v1/index_sets/b_logs/search", "{}"),
                    call(t, "POST", "/api/v1/index_sets/b_logs/context", "{\"server_ip\": \"10.9.9.9\", \"path\":"
                            + " \"/b.log\", \"dt_event_time_stamp\": " + T0 + "}"),
                    call(t, "POST", "/api/v1/index_sets/b_logs/field_analysis?agg_field=log", "{}"),
                    call(t, "POST", "/api/v1/index_sets/b_logs/export", "{}"),
                    call(t, "POST", "/api/v1/index_sets/b_logs/exports", "{}"),
                    call(t, "GET", "/api/v1/index_sets/b_logs/tail?since=" + T0, null),
                    call(t, "GET", "/api/v1/index_sets/b_logs/desensitize", null),
                    call(t, "POST", "/api/v1/favorites", "{\"name\": \"b\", \"index_set\": \"b_logs\"}"));
            for (Answer a : answers) {
                assertThat(a.status()).as(a.raw()).isEqualTo(404);
                assertThat(a.raw()).doesNotContain(bSecret);
            }
            assertThat(call(t, "POST", "/api/v1/index_sets/b_logs/ingest", "[{\"log\": \"x\"}]").status())
                    .as("not found before any role check, so a viewer learns nothing either").isEqualTo(404);
        }
        // a search of space B never returns space A's lines, and the name of A's index set cannot be taken over
        Answer takeOver = call(b, "PUT", "/api/v1/index_sets/app", "{\"retention_days\": 1}");
        assertThat(takeOver.status()).as(takeOver.raw()).isEqualTo(409);
        assertThat(call(admin, "GET", "/api/v1/index_sets/app", null).body().get("retention_days").asInt()).isNotEqualTo(1);
        Answer bAll = call(b, "POST", "/api/v1/index_sets/b_logs/search", "{\"size\": 100}");
        assertThat(bAll.body().get("total").asLong()).isEqualTo(1);
        for (String s : secrets) assertThat(bAll.raw() + bList.raw()).doesNotContain(s);
    }

    @Test
    void searchHistoryIsKeptPerTokenForNonTrivialSearches() throws Exception {
        String mine = token("default", "hist-a", "viewer");
        String other = token("default", "hist-b", "viewer");
        call(mine, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"log:login\"}");
        call(mine, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"log:login\"}");
        call(mine, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"*\"}");
        Answer h = call(mine, "GET", "/api/v1/index_sets/app/search_history", null);
        assertThat(h.status()).as(h.raw()).isEqualTo(200);
        assertThat(h.body().get("history").findValuesAsText("keyword")).containsExactly("log:login");
        assertThat(call(other, "GET", "/api/v1/index_sets/app/search_history", null).body().get("history")).isEmpty();
    }
}
