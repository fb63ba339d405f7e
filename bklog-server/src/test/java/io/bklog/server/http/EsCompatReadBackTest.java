package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.EsCompatConfig;
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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Elasticsearch surface beyond {@code _bulk} (issue 21): lenient action lines, the shippers' time and text
 * conventions, index-level calls ({@code _refresh}, {@code HEAD/GET/PUT /{index}}, {@code _mapping},
 * {@code _data_stream}), reading back with {@code _search} / {@code _count} under the token's space, role and masking,
 * and Elasticsearch's error shape on every other path.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsCompatReadBackTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Event times: two days back, on the hour, fixed for the run (inside any retention, and no assertion depends on
     * the hour, date or time zone).
     */
    private static final long T0 = java.time.Instant.now().minus(java.time.Duration.ofDays(2))
            .truncatedTo(java.time.temporal.ChronoUnit.HOURS).toEpochMilli();

    private static String iso(long millis) {
        return java.time.Instant.ofEpochMilli(millis).toString();
    }

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private String rw;        // ingest + viewer, default space, masked
    private String ingestOnly;
    private String otherSpace; // ingest + viewer + unmasked, space team_b

    record Answer(int status, String raw, JsonNode body, HttpResponse<String> response) {
        String warning() {
            return response.headers().firstValue("Warning").orElse("");
        }
    }

    private Answer call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json");
        if (token != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("u:" + token)
                    .getBytes(StandardCharsets.UTF_8)));
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n = r.body().isEmpty() ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), r.body(), n, r);
    }

    private Answer api(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + admin);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    private String token(String space, String name, String... roles) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"space_uid\":\"" + space + "\",\"roles\":["
                + java.util.Arrays.stream(roles).map(r -> "\"" + r + "\"").collect(Collectors.joining(",")) + "]}";
        Answer a = api("POST", "/api/v1/tokens", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    private long bklogCount(String indexSet, String keyword) throws Exception {
        Answer a = api("POST", "/api/v1/index_sets/" + indexSet + "/search",
                "{\"keyword\": " + JSON.writeValueAsString(keyword) + ", \"size\": 5}");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        return a.body().get("total").asLong();
    }

    private static String ndjson(Object... lines) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (Object l : lines) sb.append(l instanceof String s ? s : JSON.writeValueAsString(l)).append('\n');
        return sb.toString();
    }

    @BeforeAll
    void start() throws Exception {
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 16 * 1024 * 1024), new AuthConfig(true),
                new EsCompatConfig(true, "", Map.of("pinolog-*", "pino"), "bklog-test", "8.19.30"));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        for (String set : new String[]{"app", "pino", "winston", "ecs"}) {
            assertThat(api("PUT", "/api/v1/index_sets/" + set, "").status()).isEqualTo(201);
        }
        assertThat(api("POST", "/api/v1/spaces", "{\"space_uid\": \"team_b\", \"name\": \"B\"}").status())
                .isIn(200, 201);
        rw = token("default", "reader-writer", "ingest", "viewer");
        ingestOnly = token("default", "shipper", "ingest");
        otherSpace = token("team_b", "b-rw", "ingest", "viewer", "unmasked");
        Answer rule = api("POST", "/api/v1/desensitize/rules", "{\"rule_name\":\"phone\",\"operator\":\"mask_shield\","
                + "\"params\":{\"preserve_head\":3,\"preserve_tail\":2},\"match_pattern\":\"1[3-9]\\\\d{9}\"}");
        assertThat(rule.status()).as(rule.raw()).isEqualTo(201);
        Answer bulk = call(rw, "POST", "/_bulk?refresh=true", ndjson(
                Map.of("index", Map.of("_index", "app")),
                Map.of("@timestamp", iso(T0), "message", "order paid", "phone", "13812345678",
                        "level", "info"),
                Map.of("index", Map.of("_index", "app")),
                Map.of("@timestamp", iso(T0 + 1000), "message", "order shipped", "phone", "13900001111",
                        "level", "warn"),
                Map.of("index", Map.of("_index", "app")),
                Map.of("@timestamp", iso(T0 + 2000), "message", "order lost", "phone", "13700002222",
                        "level", "error")));
        assertThat(bulk.body().get("errors").asBoolean()).as(bulk.raw()).isFalse();
        Answer cfg = api("PUT", "/api/v1/index_sets/app/desensitize", "{\"field_configs\": [{\"field_name\":"
                + " \"phone\", \"rule_id\": " + rule.body().get("id").asLong() + ", \"sort_index\": 0}],"
                + " \"text_fields\": [\"log\"]}");
        assertThat(cfg.status()).as(cfg.raw()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void extraKeysOfAnActionLineAreIgnoredWithAWarningAsElasticsearch8Does() throws Exception {
        // winston-elasticsearch's action lines
        Answer a = call(ingestOnly, "POST", "/_bulk?refresh=true", ndjson(
                "{\"index\":{\"_index\":\"winston\"},\"attempts\":0}",
                Map.of("@timestamp", iso(T0), "message", "winston says hi", "severity", "info"),
                "{\"index\":{\"_index\":\"winston\",\"pipeline\":\"p\",\"routing\":\"r\",\"require_alias\":false,"
                        + "\"op_type\":\"create\"}}",
                Map.of("@timestamp", iso(T0 + 1000), "message", "winston again")));
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.body().get("errors").asBoolean()).as(a.raw()).isFalse();
        assertThat(a.body().get("items").get(1).has("create")).isTrue(); // op_type create
        assertThat(a.warning()).startsWith("299 Elasticsearch-8.19.30")
                .contains("A bulk action object contained multiple keys").contains("[attempts]").contains("line 1");
        assertThat(bklogCount("winston", "winston")).isEqualTo(2);
    }

    @Test
    void aMalformedActionLineRefusesTheRequestNamingTheLineAndTheKey() throws Exception {
        Answer unknownParam = call(rw, "POST", "/_bulk", ndjson(Map.of("index", Map.of("_index", "app")),
                Map.of("message", "never stored one"), "{\"index\":{\"_index\":\"app\",\"attempts\":0}}",
                Map.of("message", "never stored two")));
        assertThat(unknownParam.status()).isEqualTo(400);
        assertThat(unknownParam.body().at("/error/type").asText()).isEqualTo("illegal_argument_exception");
        assertThat(unknownParam.body().at("/error/reason").asText())
                .contains("line [3]").contains("unknown parameter [attempts]");

        Answer unknownAction = call(rw, "POST", "/_bulk", ndjson("{\"indx\":{}}", Map.of("message", "x")));
        assertThat(unknownAction.body().at("/error/reason").asText()).contains("line [1]").contains("[indx]");
        Answer notSimple = call(rw, "POST", "/_bulk", ndjson("{\"index\":{\"_id\":{\"a\":1}}}", Map.of("m", "x")));
        assertThat(notSimple.body().at("/error/reason").asText()).contains("simple value for field [_id]");
        Answer notJson = call(rw, "POST", "/_bulk", "{\"index\": oops}\n{}\n");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.body().at("/error/type").asText()).isEqualTo("x_content_parse_exception");
        assertThat(bklogCount("app", "\"never stored\"")).isZero();
    }

    @Test
    void shipperTimeAndTextConventionsMakeEveryLibrarysDocumentsSearchable() throws Exception {
        Map<String, Object> pino = new LinkedHashMap<>();
        pino.put("level", 30);
        pino.put("time", T0 + 123);        // epoch ms
        pino.put("pid", 4242);
        pino.put("hostname", "pino-host");
        pino.put("msg", "pino request completed");
        Map<String, Object> seconds = Map.of("timestamp", (T0 / 1000) + 60, "MESSAGE", "syslog-ng style line");
        Map<String, Object> ecs = Map.of("@timestamp", iso(T0 + 120_000), "message", "ecs structured line",
                "log", Map.of("level", "warn", "logger", "checkout"), "host", Map.of("name", "ecs-host"),
                "service", Map.of("name", "checkout"));
        Answer a = call(ingestOnly, "POST", "/pinolog-2026.12.01/_bulk?refresh=true", ndjson(
                Map.of("index", Map.of()), pino, Map.of("create", Map.of()), seconds,
                Map.of("index", Map.of("_index", "ecs")), ecs));
        assertThat(a.body().get("errors").asBoolean()).as(a.raw()).isFalse();

        assertThat(bklogCount("pino", "request")).isEqualTo(1);
        assertThat(bklogCount("pino", "level:30 AND hostname:\"pino-host\" AND pid:4242")).isEqualTo(1);
        assertThat(bklogCount("pino", "dtEventTimeStamp:" + (T0 + 123))).isEqualTo(1);
        assertThat(bklogCount("pino", "\"syslog-ng style\"")).isEqualTo(1);
        assertThat(bklogCount("pino", "dtEventTimeStamp:" + (T0 + 60_000))).isEqualTo(1);
        assertThat(bklogCount("ecs", "structured AND log.level:warn AND host.name:\"ecs-host\""
                + " AND service.name:checkout")).isEqualTo(1);
    }

    @Test
    void indexLevelCallsAnswerAsElasticsearchDoes() throws Exception {
        Answer put = call(ingestOnly, "PUT", "/orders-api", "{\"mappings\":{\"properties\":{\"pid\":{\"type\":"
                + "\"integer\"},\"host\":{\"properties\":{\"name\":{\"type\":\"keyword\"}}}}}}");
        assertThat(put.status()).as(put.raw()).isEqualTo(200);
        assertThat(put.body().get("acknowledged").asBoolean()).isTrue();
        assertThat(put.body().get("index").asText()).isEqualTo("orders-api");
        Answer again = call(ingestOnly, "PUT", "/orders-api", null);
        assertThat(again.status()).isEqualTo(400);
        assertThat(again.body().at("/error/type").asText()).isEqualTo("resource_already_exists_exception");

        assertThat(call(ingestOnly, "HEAD", "/orders-api", null).status()).isEqualTo(200);
        assertThat(call(ingestOnly, "HEAD", "/orders_api", null).status()).isEqualTo(200);
        assertThat(call(ingestOnly, "HEAD", "/no-such-index", null).status()).isEqualTo(404);
        Answer get = call(ingestOnly, "GET", "/orders-api", null);
        assertThat(get.body().at("/orders_api/mappings/properties/pid/type").asText()).isEqualTo("long");
        Answer mapping = call(ingestOnly, "GET", "/orders-api/_mapping", null);
        assertThat(mapping.body().at("/orders_api/mappings/properties/host/properties/name/type").asText())
                .isEqualTo("keyword");
        Answer missing = call(ingestOnly, "GET", "/no-such-index", null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().at("/error/type").asText()).isEqualTo("index_not_found_exception");
        assertThat(missing.body().at("/error/index").asText()).isEqualTo("no-such-index");

        for (String path : new String[]{"/app/_refresh", "/_refresh", "/ap*/_refresh", "/app/_flush", "/_flush"}) {
            for (String method : new String[]{"GET", "POST"}) {
                Answer r = call(ingestOnly, method, path, null);
                assertThat(r.status()).as(method + " " + path + " " + r.raw()).isEqualTo(200);
                assertThat(r.body().at("/_shards/failed").asInt()).isZero();
            }
        }
        assertThat(call(ingestOnly, "POST", "/nope/_refresh", null).status()).isEqualTo(404);
        assertThat(call(ingestOnly, "POST", "/nope*/_refresh", null).body().at("/_shards/total").asInt()).isZero();

        Answer ds = call(ingestOnly, "PUT", "/_data_stream/logs-payments-default", null);
        assertThat(ds.status()).as(ds.raw()).isEqualTo(200);
        Answer dsGet = call(ingestOnly, "GET", "/_data_stream/logs-payments-default", null);
        assertThat(dsGet.body().at("/data_streams/0/name").asText()).isEqualTo("payments");
        assertThat(bklogCount("payments", "*")).isZero();
    }

    @Test
    void searchAndCountReadBackWithTheViewerRoleMaskedAndOnlyInTheTokensSpace() throws Exception {
        Answer count = call(rw, "POST", "/app/_count", "{\"query\":{\"query_string\":{\"query\":\"order\"}}}");
        assertThat(count.status()).as(count.raw()).isEqualTo(200);
        assertThat(count.body().get("count").asLong()).isEqualTo(3);
        Answer range = call(rw, "POST", "/app/_count", "{\"query\":{\"bool\":{\"filter\":[{\"range\":{\"@timestamp\":"
                + "{\"gte\":\"" + iso(T0 + 1000) + "\",\"lte\":" + (T0 + 2000) + "}}},"
                + "{\"match\":{\"level\":\"warn\"}}]}}}");
        assertThat(range.body().get("count").asLong()).as(range.raw()).isEqualTo(1);

        Answer hits = call(rw, "POST", "/app/_search", "{\"query\":{\"match_all\":{}},\"size\":2,"
                + "\"sort\":[{\"@timestamp\":{\"order\":\"asc\"}}]}");
        assertThat(hits.status()).as(hits.raw()).isEqualTo(200);
        assertThat(hits.body().at("/hits/total/value").asLong()).isEqualTo(3);
        assertThat(hits.body().at("/hits/hits")).hasSize(2);
        assertThat(hits.body().at("/hits/hits/0/_source/log").asText()).isEqualTo("order paid");
        assertThat(hits.body().at("/hits/hits/0/_index").asText()).isEqualTo("app");
        // a viewer without unmasked sees masked values, in fields and inside the text
        assertThat(hits.raw()).doesNotContain("13812345678").contains("138******78");
        Answer onMasked = call(rw, "POST", "/app/_search", "{\"query\":{\"term\":{\"phone\":\"13812345678\"}}}");
        assertThat(onMasked.status()).isEqualTo(400);
        assertThat(onMasked.raw()).doesNotContain("13812345678\"]");

        Answer some = call(rw, "POST", "/app/_search", "{\"_source\":[\"level\",\"no_such_field\"],"
                + "\"query\":{\"match\":{\"level\":\"error\"}}}");
        assertThat(some.body().at("/hits/total/value").asLong()).as(some.raw()).isEqualTo(1);
        assertThat(some.body().at("/hits/hits/0/_source/level").asText()).isEqualTo("error");
        assertThat(some.body().at("/hits/hits/0/_source").has("log")).isFalse();

        // no oracle: free text never matches a masked field's raw value, through _count either
        String phone = "{\"query\":{\"query_string\":{\"query\":\"13812345678\"}}}";
        Answer oracle = call(rw, "POST", "/app/_count", phone);
        assertThat(oracle.status() == 400 || oracle.body().get("count").asLong() == 0).as(oracle.raw()).isTrue();
        assertThat(call(otherSpace, "POST", "/_count", phone).body().get("count").asLong()).isZero();

        Answer uri = call(rw, "GET", "/app/_search?q=lost&size=5", null);
        assertThat(uri.body().at("/hits/total/value").asLong()).isEqualTo(1);

        // writing does not let you read
        Answer denied = call(ingestOnly, "POST", "/app/_search", "{}");
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.body().at("/error/type").asText()).isEqualTo("security_exception");
        assertThat(denied.body().at("/error/reason").asText()).contains("viewer");

        // another space: the index set is missing, wildcards and _all skip it
        Answer cross = call(otherSpace, "POST", "/app/_search", "{}");
        assertThat(cross.status()).isEqualTo(404);
        assertThat(cross.body().at("/error/type").asText()).isEqualTo("index_not_found_exception");
        assertThat(cross.raw()).doesNotContain("order");
        assertThat(call(otherSpace, "POST", "/_all/_count", "{}").body().get("count").asLong()).isZero();
        assertThat(call(otherSpace, "POST", "/*/_search", "{}").body().at("/hits/total/value").asLong()).isZero();
        assertThat(call(otherSpace, "GET", "/_search?q=order", null).body().at("/hits/total/value").asLong())
                .isZero();
        assertThat(call(otherSpace, "HEAD", "/app", null).status()).isEqualTo(404);
        assertThat(call(otherSpace, "GET", "/app/_mapping", null).status()).isEqualTo(404);
        assertThat(call(otherSpace, "POST", "/app/_refresh", null).status()).isEqualTo(404);
        Answer write = call(otherSpace, "POST", "/app/_bulk", ndjson(Map.of("index", Map.of()),
                Map.of("message", "cross write")));
        assertThat(write.raw()).contains("\"errors\":true");
        assertThat(bklogCount("app", "cross")).isZero();
    }

    @Test
    void anyOtherPathAnswersInTheElasticsearchErrorShape() throws Exception {
        Answer a = call(rw, "GET", "/_foo/bar/baz", null);
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("error").asText()).contains("no handler found for uri [/_foo/bar/baz]");
        assertThat(a.body().get("status").asInt()).isEqualTo(400);
        assertThat(a.response().headers().firstValue("X-Elastic-Product")).contains("Elasticsearch");
        Answer badName = call(rw, "GET", "/_foo", null);
        assertThat(badName.body().at("/error/type").asText()).isEqualTo("invalid_index_name_exception");
        Answer badQuery = call(rw, "POST", "/app/_search", "{\"query\":{\"bogus\":{}}}");
        assertThat(badQuery.status()).isEqualTo(400);
        assertThat(badQuery.body().at("/error/type").asText()).isEqualTo("parsing_exception");
        assertThat(badQuery.body().at("/error/reason").asText()).contains("[bogus]");
        Answer anonymous = call(null, "GET", "/app/_refresh", null);
        assertThat(anonymous.status()).isEqualTo(401);
        assertThat(anonymous.body().at("/error/type").asText()).isEqualTo("security_exception");
        // bklog's own API keeps its own shape, and its paths are never taken for index names
        Answer own = api("GET", "/api/v1/nothing_here", null);
        assertThat(own.body().get("error").asText()).isEqualTo("route_not_found");
        for (String method : new String[]{"GET", "HEAD", "PUT"}) {
            for (String path : new String[]{"/api", "/metrics/_search", "/healthz/_bulk", "/api/_refresh"}) {
                Answer notEs = call(null, method, path, method.equals("PUT") ? "{}" : null);
                if (!method.equals("HEAD")) { // Javalin answers HEAD itself (200, no body) where a GET pattern matches
                    assertThat(notEs.status()).as(method + " " + path).isIn(401, 404, 405);
                }
                assertThat(notEs.raw()).as(method + " " + path).doesNotContain("acknowledged");
            }
        }
        assertThat(api("GET", "/api/v1/index_sets/api", null).status()).isEqualTo(404);
    }
}
