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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-item truth of ingest, end to end over HTTP on the embedded Lucene store: every item's answer says what
 * happened to it (a value the store refuses is answered rejected and kept in the dead letters, never "created"),
 * identical events are distinct documents, a reserved field name is refused before anything is stored, a
 * 40,000-character word is stored, and the dead letters can be listed and replayed by who may read raw documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IngestTruthTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private String rawAdmin;
    private String ingest;

    record Answer(int status, String raw, JsonNode body) {}

    private Answer call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private String token(String name, String... roles) throws Exception {
        Answer a = call(admin, "POST", "/api/v1/tokens", JSON.writeValueAsString(Map.of("name", name,
                "space_uid", "default", "roles", List.of(roles))));
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    @BeforeAll
    void start() throws Exception {
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).meterRegistry(MetricsRoutes.registry()).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 16 * 1024 * 1024), new AuthConfig(true),
                new EsCompatConfig(true, "", Map.of(), "bklog-test", "8.19.30"));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call(admin, "PUT", "/api/v1/index_sets/truth", "{\"fields\": [{\"name\": \"log\", \"type\":"
                + " \"text\"}, {\"name\": \"client_ip\", \"type\": \"ip\"}]}").status()).isEqualTo(201);
        ingest = token("shipper", "ingest");
        rawAdmin = token("operator", "admin", "unmasked");
    }

    @AfterAll
    void stop() {
        if (server != null) server.close();
    }

    private long total(String keyword) throws Exception {
        Answer a = call(admin, "POST", "/api/v1/index_sets/truth/search", JSON.writeValueAsString(Map.of(
                "keyword", keyword, "start_time", "2000-01-01T00:00:00Z", "end_time", "2100-01-01T00:00:00Z")));
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        return a.body().get("total").asLong();
    }

    private static String bulkLine(Map<String, Object> source) throws Exception {
        return "{\"index\":{\"_index\":\"truth\"}}\n" + JSON.writeValueAsString(source) + "\n";
    }

    private static List<JsonNode> items(Answer bulk) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode item : bulk.body().get("items")) out.add(item.get("index"));
        return out;
    }

    @Test
    void everyBulkItemIsAnsweredWithWhatHappenedToIt() throws Exception {
        String word = "Z".repeat(40_000);
        String body = bulkLine(Map.of("message", "accepted line", "client_ip", "10.0.0.1"))
                + bulkLine(Map.of("message", "bulk bad address", "client_ip", "999.1.1.1"))
                + bulkLine(Map.of("message", "carries an id field", "_id", "abc"))
                + bulkLine(Map.of("message", "huge " + word))
                + bulkLine(Map.of("message", "repeated failure"))
                + bulkLine(Map.of("message", "repeated failure"));
        Answer a = call(ingest, "POST", "/_bulk?refresh=true", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.body().get("errors").asBoolean()).isTrue();
        List<JsonNode> items = items(a);
        assertThat(items.get(0).get("status").asInt()).isEqualTo(201);
        assertThat(items.get(1).get("status").asInt()).as("a value the store refuses is not 'created'").isEqualTo(400);
        assertThat(items.get(1).get("error").get("reason").asText()).contains("client_ip").contains("999.1.1.1")
                .contains("dead letters");
        assertThat(items.get(2).get("status").asInt()).isEqualTo(400);
        assertThat(items.get(2).get("error").get("reason").asText()).contains("'_id', a metadata field");
        assertThat(items.get(3).get("status").asInt()).as("a 40,000-character word is stored").isEqualTo(201);
        assertThat(items.get(4).get("status").asInt()).isEqualTo(201);
        assertThat(items.get(5).get("status").asInt()).isEqualTo(201);
        assertThat(items.get(4).get("_id").asText()).as("identical events are two documents")
                .isNotEqualTo(items.get(5).get("_id").asText());

        assertThat(total("log:\"repeated failure\"")).isEqualTo(2);
        assertThat(total("log:huge")).isEqualTo(1);
        assertThat(total("log:" + "z".repeat(300))).as("the long word is found by its first 255 characters")
                .isEqualTo(1);
        assertThat(total("log:\"carries an id field\"")).as("refused before anything was stored").isZero();
        assertThat(total("log:\"bulk bad address\"")).isZero();
        String metrics = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).as("every refused _bulk item is counted").containsPattern(
                "bklog_es_bulk_refused_total\\{[^}]*status=\"400\"[^}]*type=\"document_parsing_exception\"[^}]*} [2-9]");
    }

    @Test
    void anUnknownIndexBecomesAnIndexSetOnFirstWriteAndItsNameStaysAnAlias() throws Exception {
        String body = "{\"create\":{\"_index\":\"sng-Test\"}}\n{\"MESSAGE\":\"hello from syslog-ng\",\"HOST\":\"h1\"}\n"
                + "{\"create\":{\"_index\":\"logs-nginx.error-default\"}}\n{\"message\":\"upstream down\",\"level\":\"error\"}\n"
                + "{\"create\":{\"_index\":\".kibana\"}}\n{\"message\":\"x\"}\n";
        Answer a = call(ingest, "POST", "/_bulk?refresh=true", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        for (JsonNode item : a.body().get("items")) items.add(item.get("create"));
        assertThat(items.get(0).get("status").asInt()).as(a.raw()).isEqualTo(201);
        assertThat(items.get(1).get("status").asInt()).isEqualTo(201);
        assertThat(items.get(2).get("status").asInt()).as("a system index names no index set").isEqualTo(404);
        JsonNode sets = call(admin, "GET", "/api/v1/index_sets", null).body().get("index_sets");
        assertThat(sets.findValuesAsText("name")).contains("sng_test", "nginx_error");
        // the original names keep working: search and the next _bulk
        Answer bySynonym = call(admin, "POST", "/api/v1/index_sets/sng-Test/search", "{\"keyword\": \"HOST:h1\","
                + " \"start_time\": \"2000-01-01T00:00:00Z\", \"end_time\": \"2100-01-01T00:00:00Z\"}");
        assertThat(bySynonym.status()).as(bySynonym.raw()).isEqualTo(200);
        assertThat(bySynonym.body().get("total").asLong()).isEqualTo(1);
        Answer again = call(ingest, "POST", "/_bulk?refresh=true",
                "{\"create\":{\"_index\":\"sng-Test\"}}\n{\"MESSAGE\":\"second\",\"HOST\":\"h1\"}\n");
        assertThat(again.body().get("errors").asBoolean()).as(again.raw()).isFalse();
        assertThat(call(admin, "POST", "/api/v1/index_sets/sng_test/search", "{\"keyword\": \"HOST:h1\","
                + " \"start_time\": \"2000-01-01T00:00:00Z\", \"end_time\": \"2100-01-01T00:00:00Z\"}").body()
                .get("total").asLong()).isEqualTo(2);
    }

    @Test
    void aSpaceWhoseAutoCreateIsOffGetsA404ForAnUnknownIndex(@TempDir Path dir) throws Exception {
        try (BklogServer off = BklogServer.start(LogPlatform.builder().dataDir(dir).build(),
                new ServerConfig("127.0.0.1", 0, 1 << 20), new AuthConfig(false),
                new EsCompatConfig(true, "", Map.of(), "bklog-test", "8.19.30", true, Map.of("default", false)))) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(off.uri() + "/_bulk"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"index\":{\"_index\":\"brand-new\"}}\n{\"message\":\"x\"}\n")).build(),
                    HttpResponse.BodyHandlers.ofString());
            JsonNode item = JSON.readTree(r.body()).get("items").get(0).get("index");
            assertThat(item.get("status").asInt()).as(r.body()).isEqualTo(404);
            assertThat(item.get("error").get("reason").asText()).contains("auto_create_index is off");
            assertThat(off.platform().indexSets().find("brand_new")).isEmpty();
        }
    }

    @Test
    void aFieldMappedAfterDocumentsWereStoredBecomesSearchableInThemByABackgroundReindex() throws Exception {
        assertThat(call(admin, "PUT", "/api/v1/index_sets/late", "{\"dynamic\": \"false\"}").status()).isEqualTo(201);
        Answer a = call(ingest, "POST", "/api/v1/index_sets/late/ingest?refresh=true",
                "[{\"log\": \"stored before\", \"zone\": \"eu-west\"}, {\"log\": \"also\", \"zone\": \"us-east\"}]");
        assertThat(a.body().get("accepted").asInt()).as(a.raw()).isEqualTo(2);
        String zone = "{\"keyword\": \"zone:eu-west\", \"start_time\": \"2000-01-01T00:00:00Z\","
                + " \"end_time\": \"2100-01-01T00:00:00Z\"}";
        assertThat(call(admin, "POST", "/api/v1/index_sets/late/search", zone).status()).as("not mapped yet")
                .isEqualTo(400);
        assertThat(call(admin, "PUT", "/api/v1/index_sets/late", "{\"fields\": [{\"name\": \"zone\", \"type\":"
                + " \"keyword\"}]}").status()).isEqualTo(200);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            Answer r = call(admin, "POST", "/api/v1/index_sets/late/search", zone);
            assertThat(r.status()).as(r.raw()).isEqualTo(200);
            assertThat(r.body().get("total").asLong()).isEqualTo(1);
        });
        // the run is recorded once the task returns, a moment after its documents became searchable
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).untilAsserted(() -> {
            Answer runs = call(admin, "GET", "/api/v1/task_runs?task=index_set_reindex", null);
            assertThat(runs.raw()).contains("index_set_reindex").contains("success");
        });
    }

    @Test
    void unmappedFieldsOfShippersBecomeSearchableAndTheIndexSetShowsItsDynamicSetting() throws Exception {
        Answer a = call(ingest, "POST", "/_bulk?refresh=true", "{\"index\":{\"_index\":\"truth\"}}\n"
                + "{\"message\":\"disk full on node\",\"HOST\":\"db-7\",\"severity\":3,\"MESSAGE\":\"x y\"}\n");
        assertThat(a.body().get("errors").asBoolean()).as(a.raw()).isFalse();
        assertThat(total("HOST:db-7")).isEqualTo(1);
        assertThat(total("severity:>=3")).isEqualTo(1);
        Answer set = call(admin, "GET", "/api/v1/index_sets/truth", null);
        assertThat(set.body().get("dynamic").asText()).isEqualTo("true");
        assertThat(call(admin, "PUT", "/api/v1/index_sets/truth", "{\"dynamic\": \"strict\"}").body().get("dynamic")
                .asText()).isEqualTo("strict");
        Answer strict = call(ingest, "POST", "/_bulk", "{\"index\":{\"_index\":\"truth\"}}\n"
                + "{\"message\":\"new field\",\"brand_new\":1}\n");
        assertThat(items(strict).get(0).get("status").asInt()).isEqualTo(400);
        assertThat(items(strict).get(0).get("error").get("reason").asText()).contains("brand_new")
                .contains("dynamic is strict");
        assertThat(call(admin, "PUT", "/api/v1/index_sets/truth", "{\"dynamic\": \"true\"}").status()).isEqualTo(200);
    }

    @Test
    void jsonIngestCountsARefusedItemAsRejectedAndTheDeadLettersCanBeListedAndReplayed() throws Exception {
        Answer a = call(ingest, "POST", "/api/v1/index_sets/truth/ingest?refresh=true",
                "[{\"log\": \"json good\", \"client_ip\": \"10.0.0.2\"},"
                        + " {\"log\": \"json bad address\", \"client_ip\": \"300.1.1.1\"}]");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.body().get("errors").asBoolean()).isTrue();
        assertThat(a.body().get("accepted").asInt()).isEqualTo(1);
        assertThat(a.body().get("rejected").asInt()).isEqualTo(1);
        assertThat(a.body().get("items").get(0).get("status").asText()).isEqualTo("ok");
        assertThat(a.body().get("items").get(1).get("status").asText()).isEqualTo("rejected");
        assertThat(a.body().get("items").get(1).get("reason").asText()).contains("300.1.1.1");
        String refusedId = a.body().get("items").get(1).get("id").asText();

        // who may read raw documents: admin and unmasked; an admin alone is refused (the bootstrap token holds both)
        String maskedAdmin = token("masked-admin", "admin");
        assertThat(call(maskedAdmin, "GET", "/api/v1/index_sets/truth/dead_letters", null).status()).isEqualTo(403);
        assertThat(call(ingest, "POST", "/api/v1/index_sets/truth/dead_letters/replay", null).status())
                .isEqualTo(403);
        Answer list = call(rawAdmin, "GET", "/api/v1/index_sets/truth/dead_letters?size=10", null);
        assertThat(list.status()).as(list.raw()).isEqualTo(200);
        assertThat(list.body().get("total").asLong()).isGreaterThanOrEqualTo(1);
        JsonNode letter = StreamSupport.stream(list.body().get("items").spliterator(), false)
                .filter(i -> i.get("doc_id").asText().equals(refusedId)).findFirst().orElseThrow();
        assertThat(letter.get("reason").asText()).contains("client_ip").contains("300.1.1.1");
        assertThat(letter.get("original").get("log").asText()).isEqualTo("json bad address");
        assertThat(letter.get("original").get("client_ip").asText()).isEqualTo("300.1.1.1");
        assertThat(call(rawAdmin, "GET", "/api/v1/index_sets/truth/dead_letters?size=x", null).status())
                .isEqualTo(400);

        // the value is still refused: the replay says so per item, and the dead letters stay
        long before = list.body().get("total").asLong();
        Answer replay = call(rawAdmin, "POST", "/api/v1/index_sets/truth/dead_letters/replay", null);
        assertThat(replay.status()).as(replay.raw()).isEqualTo(200);
        assertThat(replay.body().get("replayed").asLong()).isEqualTo(before);
        assertThat(replay.body().get("stored").asLong()).isZero();
        assertThat(replay.body().get("rejected").asLong()).isEqualTo(before);
        assertThat(call(rawAdmin, "GET", "/api/v1/index_sets/truth/dead_letters", null).body().get("total")
                .asLong()).isEqualTo(before);

        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(server.uri() + "/metrics"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).containsPattern("bklog_ingest_dead_letters_total\\{[^}]*index_set=\"truth\"[^}]*"
                + "reason=\"bad_value\"[^}]*} [1-9]");
    }
}
