package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.bklog.core.alert.WebhookChannel;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The alerting API over HTTP: rules, channels, silences, roles and spaces, and a rule firing to a real webhook. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PHONE = "13812345678";

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private HttpServer receiver;
    private final List<String[]> received = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newHttpClient();
    private ApiCalls api;
    private String admin;

    private Answer call(String token, String method, String path, String body) throws IOException, InterruptedException {
        return api.call(token, method, path, body);
    }

    private String token(String space, String name, String... roles) throws Exception {
        return api.token(admin, space, name, roles);
    }

    @BeforeAll
    void start() throws Exception {
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", ex -> { // keeps what the channel ops (/hook) receives; other paths are answered only
            if (ex.getRequestURI().getPath().equals("/hook")) {
                received.add(new String[]{new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8),
                        ex.getRequestHeaders().getFirst(WebhookChannel.SIGNATURE_HEADER)});
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        receiver.start();
        // the receiver is on loopback, which webhooks may reach only when allowed explicitly
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 4 * 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()).withAlerting(new io.bklog.server.config.AlertingSettings(
                null, List.of("127.0.0.1"), null)));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        api = new ApiCalls(server.uri());
        assertThat(call(admin, "PUT", "/api/v1/index_sets/app", "{}").status()).isEqualTo(201);
        Answer rule = call(admin, "POST", "/api/v1/desensitize/rules", "{\"rule_name\":\"phone\",\"operator\":"
                + "\"mask_shield\",\"params\":{\"preserve_head\":3,\"preserve_tail\":2},\"match_pattern\":"
                + "\"1[3-9]\\\\d{9}\"}");
        assertThat(rule.status()).as(rule.raw()).isEqualTo(201);
        Answer cfg = call(admin, "PUT", "/api/v1/index_sets/app/desensitize", "{\"field_configs\": [{\"field_name\":"
                + " \"log\", \"rule_id\": " + rule.body().get("id").asLong() + ", \"sort_index\": 0}],"
                + " \"text_fields\": [\"log\"]}");
        assertThat(cfg.status()).as(cfg.raw()).isEqualTo(200);
        Answer ch = call(admin, "PUT", "/api/v1/alerts/channels/ops", "{\"type\": \"webhook\", \"settings\": {\"url\": \""
                + "http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\", \"secret\": \"k1\"}}");
        assertThat(ch.status()).as(ch.raw()).isEqualTo(200);
        assertThat(ch.body().at("/settings/secret").asText()).isEqualTo("******");
    }

    @AfterAll
    void stop() {
        server.close();
        receiver.stop(0);
    }

    /** Ingests a line stamped 30 s ago (by the server's clock) into the index set app. */
    private void ingestRecent(String log) throws Exception {
        Answer ing = call(admin, "POST", "/api/v1/index_sets/app/ingest?refresh=true", "[{\"dtEventTimeStamp\": "
                + (server.platform().clock().millis() - 30_000) + ", \"log\": \"" + log + "\"}]");
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);
    }

    @Test
    void aRuleMadeOverHttpFiresToTheWebhookWithMaskedSamples() throws Exception {
        ingestRecent("sms to " + PHONE + " failed");
        Answer r = call(admin, "POST", "/api/v1/alerts/rules", "{\"name\": \"sms failures\", \"index_set\": \"app\","
                + " \"query\": \"failed\", \"condition\": {\"type\": \"count_above\", \"threshold\": 0},"
                + " \"every\": \"PT10S\", \"window\": \"PT5M\", \"severity\": \"critical\", \"labels\": {\"team\":"
                + " \"sms\"}, \"template\": \"{{rule}}: {{count}}{{samples}}\", \"channels\": [\"ops\"]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        assertThat(r.body().at("/rule/every").asText()).isEqualTo("PT10S");
        assertThat(r.body().at("/rule/for").asText()).isEqualTo("PT0S");
        assertThat(r.body().at("/rule/owner").asText()).isEqualTo("bootstrap-admin");
        assertThat(r.body().at("/state/state").asText()).isEqualTo("ok");
        long id = r.body().at("/rule/id").asLong();

        assertThat(call(admin, "POST", "/api/v1/tasks/alerts.evaluate/run", null).status()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(20)).until(() -> !received.isEmpty());
        String[] hook = received.get(0);
        assertThat(hook[1]).isEqualTo(WebhookChannel.signature("k1", hook[0].getBytes(StandardCharsets.UTF_8)));
        JsonNode body = JSON.readTree(hook[0]);
        assertThat(body.path("status").asText()).isEqualTo("firing");
        assertThat(body.path("message").asText()).startsWith("sms failures: 1").contains("138******78");
        assertThat(hook[0]).doesNotContain(PHONE);
        Answer state = call(admin, "GET", "/api/v1/alerts/rules/" + id, null);
        assertThat(state.body().at("/state/state").asText()).isEqualTo("firing");
        Answer history = call(admin, "GET", "/api/v1/alerts/rules/" + id + "/history", null);
        assertThat(history.body().at("/history/0/to").asText()).isEqualTo("firing");
        await().atMost(Duration.ofSeconds(10)).until(() -> call(admin, "GET",
                "/api/v1/alerts/notifications?status=delivered", null).body().path("notifications").size() > 0);

        Answer health = call(admin, "GET", "/healthz", null);
        assertThat(health.raw()).contains("alerting", "evaluation_lag_seconds", "failed_deliveries_last_hour");
        String metrics = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/metrics"))
                .header("Authorization", "Bearer " + admin).build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("bklog_alert_evaluations_total", "bklog_alert_firings_total",
                "bklog_alert_deliveries_total{channel=\"webhook\",outcome=\"delivered\"");
    }

    @Test
    void rolesAndSpacesBoundWhoSeesAndChangesWhat() throws Exception {
        Answer r = call(admin, "POST", "/api/v1/alerts/rules", "{\"name\": \"roles\", \"index_set\": \"app\","
                + " \"condition\": {\"type\": \"absence\"}, \"channels\": [\"ops\"]}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        long id = r.body().at("/rule/id").asLong();
        String viewer = token("default", "alert-viewer", "viewer");
        assertThat(call(viewer, "GET", "/api/v1/alerts/rules/" + id, null).status()).isEqualTo(200);
        assertThat(call(viewer, "GET", "/api/v1/alerts/rules", null).body().path("rules").size()).isPositive();
        assertThat(call(viewer, "DELETE", "/api/v1/alerts/rules/" + id, null).status()).isEqualTo(403);
        assertThat(call(viewer, "GET", "/api/v1/alerts/channels", null).status()).isEqualTo(403);
        assertThat(call(viewer, "POST", "/api/v1/alerts/silences", "{\"rule_id\": " + id + ", \"ends_at\":"
                + " \"2999-01-01T00:00:00Z\"}").status()).isEqualTo(403);
        // another space sees none of it
        call(admin, "POST", "/api/v1/spaces", "{\"space_uid\": \"other\", \"name\": \"Other\"}");
        String other = token("other", "other-admin", "admin");
        Answer missing = call(other, "GET", "/api/v1/alerts/rules/" + id, null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("error").asText()).isEqualTo("alert_not_found");
        assertThat(call(other, "GET", "/api/v1/alerts/rules", null).body().path("rules")).isEmpty();
        assertThat(call(other, "DELETE", "/api/v1/alerts/rules/" + id, null).status()).isEqualTo(404);
        Answer foreignSet = call(other, "POST", "/api/v1/alerts/rules", "{\"name\": \"x\", \"index_set\": \"app\","
                + " \"condition\": {\"type\": \"absence\"}, \"channels\": [\"ops\"]}");
        assertThat(foreignSet.status()).isEqualTo(404);
        assertThat(foreignSet.body().path("error").asText()).isEqualTo("index_set_not_found");
        // raw samples need unmasked (which admin does not imply)
        String plainAdmin = token("default", "plain-admin", "admin");
        Answer raw = call(plainAdmin, "POST", "/api/v1/alerts/rules", "{\"name\": \"raw\", \"index_set\": \"app\","
                + " \"condition\": {\"type\": \"absence\"}, \"channels\": [\"ops\"], \"unmasked\": true}");
        assertThat(raw.status()).isEqualTo(400);
        assertThat(raw.body().path("field").asText()).isEqualTo("unmasked");
        // a silence, listed and removed
        Answer s = call(admin, "POST", "/api/v1/alerts/silences", "{\"matchers\": {\"team\": \"sms\"}, \"ends_at\":"
                + " \"2999-01-01T00:00:00Z\", \"comment\": \"known issue\"}");
        assertThat(s.status()).as(s.raw()).isEqualTo(201);
        assertThat(call(viewer, "GET", "/api/v1/alerts/silences", null).body().path("silences").size()).isEqualTo(1);
        assertThat(call(admin, "DELETE", "/api/v1/alerts/silences/" + s.body().path("id").asLong(), null).status())
                .isEqualTo(204);
        assertThat(call(admin, "DELETE", "/api/v1/alerts/rules/" + id, null).status()).isEqualTo(204);
    }

    @Test
    void aDeletedRawRulesNotificationBodiesStayHiddenFromMaskedViewers() throws Exception {
        ingestRecent("otp to " + PHONE + " bounced");
        String rawAdmin = token("default", "raw-admin", "admin", "unmasked");
        Answer ch = call(admin, "PUT", "/api/v1/alerts/channels/raw-sink", "{\"type\": \"webhook\", \"settings\":"
                + " {\"url\": \"http://127.0.0.1:" + receiver.getAddress().getPort() + "/raw\"}}");
        assertThat(ch.status()).as(ch.raw()).isEqualTo(200);
        Answer r = call(rawAdmin, "POST", "/api/v1/alerts/rules", "{\"name\": \"raw bounces\", \"index_set\":"
                + " \"app\", \"query\": \"bounced\", \"condition\": {\"type\": \"count_above\", \"threshold\": 0},"
                + " \"every\": \"PT10S\", \"window\": \"PT5M\", \"template\": \"{{rule}}{{samples}}\","
                + " \"channels\": [\"raw-sink\"], \"unmasked\": true}");
        assertThat(r.status()).as(r.raw()).isEqualTo(201);
        long id = r.body().at("/rule/id").asLong();
        server.platform().alerts().evaluateDue(server.platform().clock().instant());
        String viewer = token("default", "notification-viewer", "viewer");
        assertThat(bodyOf(rawAdmin, id)).isNotNull().contains(PHONE);
        assertThat(bodyOf(viewer, id)).isNull();
        assertThat(call(admin, "DELETE", "/api/v1/alerts/rules/" + id, null).status()).isEqualTo(204);
        // the rule is gone: whether it sent raw values is unknown, its bodies stay hidden from masked callers
        assertThat(bodyOf(viewer, id)).isNull();
        assertThat(bodyOf(rawAdmin, id)).isNotNull().contains(PHONE);
    }

    /** The body of the rule's first listed notification as {@code token} sees it (null when hidden). */
    private String bodyOf(String token, long ruleId) throws Exception {
        Answer a = call(token, "GET", "/api/v1/alerts/notifications", null);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        for (JsonNode n : a.body().path("notifications")) {
            if (n.path("rule_id").asLong() == ruleId) return n.has("body") ? n.path("body").asText() : null;
        }
        throw new AssertionError("no notification of rule " + ruleId + " in " + a.raw());
    }

    @Test
    void badRulesAnswer400NamingTheField() throws Exception {
        Answer unknownType = call(admin, "POST", "/api/v1/alerts/rules", "{\"name\": \"b\", \"index_set\": \"app\","
                + " \"condition\": {\"type\": \"count_sideways\"}, \"channels\": [\"ops\"]}");
        assertThat(unknownType.status()).isEqualTo(400);
        assertThat(unknownType.body().path("error").asText()).isEqualTo("invalid_alert");
        assertThat(unknownType.body().path("field").asText()).isEqualTo("condition.type");
        Answer fast = call(admin, "POST", "/api/v1/alerts/rules", "{\"name\": \"b\", \"index_set\": \"app\","
                + " \"condition\": {\"type\": \"absence\"}, \"every\": \"PT1S\", \"channels\": [\"ops\"]}");
        assertThat(fast.body().path("field").asText()).isEqualTo("every");
        Answer unknownKey = call(admin, "POST", "/api/v1/alerts/rules", "{\"name\": \"b\", \"index_set\": \"app\","
                + " \"condition\": {\"type\": \"absence\"}, \"channels\": [\"ops\"], \"colour\": \"red\"}");
        assertThat(unknownKey.status()).isEqualTo(400);
        assertThat(unknownKey.body().path("error").asText()).isEqualTo("bad_request");
        Answer badQuery = call(admin, "POST", "/api/v1/alerts/rules", "{\"name\": \"b\", \"index_set\": \"app\","
                + " \"query\": \"log:(\", \"condition\": {\"type\": \"absence\"}, \"channels\": [\"ops\"]}");
        assertThat(badQuery.body().path("error").asText()).isEqualTo("bad_query");
        assertThat(badQuery.body().path("field").asText()).isEqualTo("query");
        Answer badChannel = call(admin, "PUT", "/api/v1/alerts/channels/x", "{\"type\": \"webhook\", \"settings\":"
                + " {\"url\": \"ftp://example.org\"}}");
        assertThat(badChannel.status()).isEqualTo(400);
        assertThat(badChannel.body().path("field").asText()).isEqualTo("settings");
        Answer notNumber = call(admin, "GET", "/api/v1/alerts/rules/abc", null);
        assertThat(notNumber.status()).isEqualTo(400);
    }

    @Test
    void aWebhookToTheCloudMetadataAddressIsRefusedAndWebhookUrlsAreShownWithoutTheirPath() throws Exception {
        Answer meta = call(admin, "PUT", "/api/v1/alerts/channels/meta", "{\"type\": \"webhook\", \"settings\":"
                + " {\"url\": \"http://169.254.169.254/latest/meta-data/\"}}");
        assertThat(meta.status()).as(meta.raw()).isEqualTo(400);
        assertThat(meta.body().path("error").asText()).isEqualTo("invalid_alert");
        assertThat(meta.body().path("message").asText()).contains("169.254.169.254", "link-local",
                "alerting.webhook_allowed_destinations");
        assertThat(call(admin, "GET", "/api/v1/alerts/channels/meta", null).status()).isEqualTo(404);
        // the channel ops has the path /hook: answers show scheme://host:port/… only, to admins too
        String port = String.valueOf(receiver.getAddress().getPort());
        Answer ops = call(admin, "GET", "/api/v1/alerts/channels/ops", null);
        assertThat(ops.body().at("/settings/url").asText()).isEqualTo("http://127.0.0.1:" + port + "/\u2026");
        assertThat(ops.raw()).doesNotContain("/hook");
    }
}
