package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import io.bklog.server.http.ApiCalls.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The patterns API over HTTP: settings on index sets, listing, search by id and label, roles, spaces, masking. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PatternRoutesTest {
    private static final long T0 = 1_700_000_000_000L;
    private static final String PHONE = "13812345678";

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private ApiCalls api;
    private String admin;

    private Answer call(String token, String method, String path, String body) throws IOException, InterruptedException {
        return api.call(token, method, path, body);
    }

    private String token(String space, String name, String... roles) throws Exception {
        return api.token(admin, space, name, roles);
    }

    private static String q(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 4 * 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        api = new ApiCalls(server.uri());
        Answer created = call(admin, "PUT", "/api/v1/index_sets/app", "{\"patterns\": {\"enabled\": true}}");
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().at("/patterns/enabled").asBoolean()).isTrue();
        assertThat(created.body().at("/patterns/field").asText()).isEqualTo("log");
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            lines.add("{\"dtEventTimeStamp\": " + (T0 + i * 1000L) + ", \"log\": \"request " + i + " took " + (10 + i)
                    + " ms\"}");
        }
        lines.add("{\"dtEventTimeStamp\": " + (T0 + 10_000) + ", \"log\": \"sms sent to " + PHONE + " ok\"}");
        lines.add("{\"dtEventTimeStamp\": " + (T0 + 11_000) + ", \"log\": \"sms sent to " + PHONE + " ok\"}");
        Answer ing = call(admin, "POST", "/api/v1/index_sets/app/ingest?refresh=true", "[" + String.join(",", lines)
                + "]");
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);
        Answer rule = call(admin, "POST", "/api/v1/desensitize/rules", "{\"rule_name\":\"phone\",\"operator\":"
                + "\"mask_shield\",\"params\":{\"preserve_head\":3,\"preserve_tail\":2},\"match_pattern\":"
                + "\"1[3-9]\\\\d{9}\"}");
        assertThat(rule.status()).as(rule.raw()).isEqualTo(201);
        Answer cfg = call(admin, "PUT", "/api/v1/index_sets/app/desensitize", "{\"field_configs\": [{\"field_name\":"
                + " \"log\", \"rule_id\": " + rule.body().get("id").asLong() + ", \"sort_index\": 0}],"
                + " \"text_fields\": [\"log\"]}");
        assertThat(cfg.status()).as(cfg.raw()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private JsonNode patterns(String token, String query) throws Exception {
        Answer a = call(token, "GET", "/api/v1/index_sets/app/patterns" + query, null);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        return a.body();
    }

    @Test
    void listsPatternsAndSearchesByIdWithTheSameParametersAsASearch() throws Exception {
        String viewer = token("default", "p-viewer", "viewer", "unmasked");
        JsonNode all = patterns(viewer, "?start_time=" + T0 + "&end_time=" + (T0 + 60_000));
        assertThat(all.get("total").asLong()).isEqualTo(8);
        JsonNode top = all.get("items").get(0);
        assertThat(top.get("count").asLong()).isEqualTo(6);
        assertThat(top.get("template").asText()).startsWith("request").doesNotContain("took 10");
        assertThat(top.get("new").asBoolean()).isTrue();
        assertThat(top.get("trend").size()).isPositive();
        assertThat(top.get("first_seen").asText()).isEqualTo(java.time.Instant.ofEpochMilli(T0).toString());
        String id = top.get("id").asText();
        // the query narrows, and the POST form takes a search body
        Answer post = call(viewer, "POST", "/api/v1/index_sets/app/patterns", "{\"keyword\": \"sms\", \"size\": 5}");
        assertThat(post.status()).as(post.raw()).isEqualTo(200);
        assertThat(post.body().get("items")).hasSize(1);
        Answer search = call(viewer, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"__pattern:" + id
                + "\", \"size\": 100}");
        assertThat(search.status()).as(search.raw()).isEqualTo(200);
        assertThat(search.body().get("hits")).hasSize(6);
        Answer bad = call(viewer, "GET", "/api/v1/index_sets/app/patterns?sort=growth", null);
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("compare_to");
        Answer badSize = call(viewer, "GET", "/api/v1/index_sets/app/patterns?size=many", null);
        assertThat(badSize.status()).isEqualTo(400);
        assertThat(badSize.body().get("field").asText()).isEqualTo("size");
        Answer compare = call(viewer, "GET", "/api/v1/index_sets/app/patterns?start_time=" + T0 + "&end_time="
                + (T0 + 60_000) + "&compare_start_time=" + (T0 - 60_000) + "&compare_end_time=" + T0
                + "&sort=growth", null);
        assertThat(compare.status()).as(compare.raw()).isEqualTo(200);
        assertThat(compare.body().get("items")).allSatisfy(i -> assertThat(i.get("appeared").asBoolean()).isTrue());
    }

    @Test
    void settingsAreValidatedWithA400NamingTheField() throws Exception {
        Answer a = call(admin, "PUT", "/api/v1/index_sets/other", "{\"patterns\": {\"enabled\": true, \"maskers\":"
                + " [\"number\", \"nope\"]}}");
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("error").asText()).isEqualTo("invalid_index_set");
        assertThat(a.body().get("field").asText()).isEqualTo("patterns.maskers[1]");
        Answer f = call(admin, "PUT", "/api/v1/index_sets/other", "{\"patterns\": {\"enabled\": true, \"field\":"
                + " \"missing\"}}");
        assertThat(f.body().get("field").asText()).isEqualTo("patterns.field");
        Answer off = call(admin, "PUT", "/api/v1/index_sets/plain", "");
        assertThat(off.status()).isEqualTo(201);
        Answer none = call(admin, "GET", "/api/v1/index_sets/plain/patterns", null);
        assertThat(none.status()).isEqualTo(400);
        assertThat(none.body().get("error").asText()).isEqualTo("patterns_off");
    }

    @Test
    void labelsNeedAdminAreSearchableAndAMaskedReaderNeverSeesTheRawValue() throws Exception {
        String viewer = token("default", "masked-viewer", "viewer");
        JsonNode sms = patterns(viewer, "?keyword=sms").get("items").get(0);
        String id = sms.get("id").asText();
        assertThat(call(viewer, "PUT", "/api/v1/index_sets/app/patterns/" + id + "/label",
                "{\"label\": \"sms\"}").status()).isEqualTo(403);
        Answer labelled = call(admin, "PUT", "/api/v1/index_sets/app/patterns/" + id + "/label",
                "{\"label\": \"sms to " + PHONE + "\"}");
        assertThat(labelled.status()).as(labelled.raw()).isEqualTo(200);
        Answer missing = call(admin, "PUT", "/api/v1/index_sets/app/patterns/nosuch/label", "{\"label\": \"x\"}");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().get("error").asText()).isEqualTo("pattern_not_found");

        Answer listed = call(viewer, "GET", "/api/v1/index_sets/app/patterns?label=" + q("sms to " + PHONE), null);
        assertThat(listed.status()).as(listed.raw()).isEqualTo(200);
        assertThat(listed.raw()).doesNotContain(PHONE).contains("138******78");
        assertThat(listed.body().get("items")).hasSize(1);
        assertThat(call(viewer, "GET", "/api/v1/index_sets/app/patterns", null).raw()).doesNotContain(PHONE);
        Answer search = call(viewer, "POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"__pattern_label:\\\"sms to "
                + PHONE + "\\\"\", \"size\": 100}");
        assertThat(search.status()).as(search.raw()).isEqualTo(200);
        assertThat(search.body().get("hits")).hasSize(2);
        assertThat(search.raw()).doesNotContain(PHONE);
        String unmasked = token("default", "raw-viewer", "viewer", "unmasked");
        assertThat(call(unmasked, "GET", "/api/v1/index_sets/app/patterns?keyword=sms", null).raw()).contains(PHONE);
    }

    @Test
    void anotherSpaceGets404AsElsewhere() throws Exception {
        assertThat(call(admin, "POST", "/api/v1/spaces", "{\"space_uid\": \"team_p\", \"name\": \"P\"}").status())
                .isEqualTo(201);
        String other = token("team_p", "p-other", "viewer", "admin");
        Answer a = call(other, "GET", "/api/v1/index_sets/app/patterns", null);
        assertThat(a.status()).isEqualTo(404);
        assertThat(a.body().get("error").asText()).isEqualTo("index_set_not_found");
        assertThat(call(other, "PUT", "/api/v1/index_sets/app/patterns/x/label", "{\"label\": \"y\"}").status())
                .isEqualTo(404);
    }

    @Test
    void reminingIsATaskWhoseProgressTheTasksApiShows() throws Exception {
        Answer r = call(admin, "POST", "/api/v1/index_sets/app/patterns/remine", null);
        assertThat(r.status()).as(r.raw()).isEqualTo(202);
        String id = r.body().get("task_id").asText();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Answer s = call(admin, "GET", "/api/v1/tasks/status/" + id, null);
            assertThat(s.status()).as(s.raw()).isEqualTo(200);
            assertThat(s.body().get("state").asText()).isEqualToIgnoringCase("done");
            assertThat(s.body().get("progress").asDouble()).isEqualTo(1.0);
        });
        String viewer = token("default", "after-remine", "viewer");
        assertThat(patterns(viewer, "").get("total").asLong()).isEqualTo(8);
    }
}
