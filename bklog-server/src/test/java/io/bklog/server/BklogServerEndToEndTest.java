package io.bklog.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The server in-process on a free port, driven over HTTP like a user would with curl. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BklogServerEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void start() {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()));
    }

    @AfterAll
    void stop() {
        server.close();
    }

    /** Auth is on by default: the server wrote its bootstrap admin token into the data dir. */
    private static String adminToken() throws IOException {
        return java.nio.file.Files.readString(dataDir.resolve("admin-token")).strip();
    }

    record Answer(int status, JsonNode body) {}

    private Answer call(String method, String path, String body) throws IOException, InterruptedException {
        return call(method, path, body, java.util.Map.of());
    }

    private Answer call(String method, String path, String body, java.util.Map<String, String> headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + adminToken());
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private Answer search(String indexSet, String body) throws IOException, InterruptedException {
        return call("POST", "/api/v1/index_sets/" + indexSet + "/search", body);
    }

    private static String line(int i, String level) {
        return "{\"dtEventTimeStamp\": " + (1_700_000_000_000L + i * 1000L) + ", \"serverIp\": \"10.0.0." + (i % 3)
                + "\", \"path\": \"/var/log/app.log\", \"gseIndex\": " + i + ", \"iterationIndex\": 0, \"log\": \""
                + level + " request " + i + " done\"}";
    }

    @Test
    void theDefaultStoreIsLuceneInTheDataDir() {
        assertThat(server.platform().internals().store().backendName()).isEqualTo("lucene");
    }

    @Test
    void createsIngestsAndSearchesAnIndexSet() throws Exception {
        Answer created = call("PUT", "/api/v1/index_sets/app_logs", "");
        assertThat(created.status()).isEqualTo(201);
        assertThat(created.body().get("name").asText()).isEqualTo("app_logs");
        assertThat(created.body().get("time_field").asText()).isEqualTo("dtEventTimeStamp");
        assertThat(created.body().get("retention_days").asInt()).isEqualTo(14);
        assertThat(created.body().get("fields").toString()).contains("{\"name\":\"log\",\"type\":\"text\"}");

        Answer updated = call("PUT", "/api/v1/index_sets/app_logs",
                "{\"retention_days\": 7, \"fields\": [{\"name\": \"level\", \"type\": \"keyword\"}]}");
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.body().get("retention_days").asInt()).isEqualTo(7);
        assertThat(call("GET", "/api/v1/index_sets/app_logs", null).body().get("fields").toString())
                .contains("\"level\"");
        assertThat(call("GET", "/api/v1/index_sets", null).body().get("index_sets").findValuesAsText("name"))
                .contains("app_logs");

        String batch = "[" + IntStream.range(0, 5).mapToObj(i -> line(i, i % 2 == 0 ? "ERROR" : "INFO"))
                .collect(Collectors.joining(",")) + "]";
        Answer ingested = call("POST", "/api/v1/index_sets/app_logs/ingest?refresh=true", batch);
        assertThat(ingested.status()).isEqualTo(200);
        assertThat(ingested.body().get("accepted").asInt()).isEqualTo(5);
        assertThat(ingested.body().get("errors").asBoolean()).isFalse();
        assertThat(ingested.body().get("items")).hasSize(5);
        assertThat(ingested.body().get("items").get(0).get("status").asText()).isEqualTo("ok");

        Answer hits = search("app_logs", "{\"keyword\": \"log:error\", \"sort_list\": [[\"gseIndex\", \"asc\"]],"
                + " \"highlight\": true}");
        assertThat(hits.status()).isEqualTo(200);
        assertThat(hits.body().get("total").asLong()).isEqualTo(3);
        assertThat(hits.body().get("hits").findValuesAsText("id")).hasSize(3);
        assertThat(hits.body().get("hits").get(0).get("source").get("gseIndex").asLong()).isZero();

        Answer filtered = search("app_logs", "{\"addition\": [{\"field\": \"serverIp\", \"operator\": \"is\","
                + " \"value\": [\"10.0.0.1\"]}], \"start_time\": \"2023-11-14T22:13:00Z\", \"end_time\": 1800000000000}");
        assertThat(filtered.status()).as(filtered.body().toString()).isEqualTo(200);
        assertThat(filtered.body().get("total").asLong()).isEqualTo(2);

        Answer everything = search("app_logs", "");
        assertThat(everything.body().get("total").asLong()).isEqualTo(5);
        assertThat(everything.body().get("hits").get(0).get("source").get("gseIndex").asLong())
                .as("newest first by default").isEqualTo(4);

        Answer again = call("POST", "/api/v1/index_sets/app_logs/ingest?refresh=true", batch);
        assertThat(again.body().get("items").findValuesAsText("id"))
                .as("the same lines sent again are new events").doesNotContainAnyElementsOf(
                        ingested.body().get("items").findValuesAsText("id"));
        assertThat(search("app_logs", "").body().get("total").asLong()).isEqualTo(10);

        java.util.Map<String, String> key = java.util.Map.of("Idempotency-Key", "batch-0001");
        Answer keyed = call("POST", "/api/v1/index_sets/app_logs/ingest?refresh=true", batch, key);
        Answer replayed = call("POST", "/api/v1/index_sets/app_logs/ingest?refresh=true", batch, key);
        assertThat(replayed.body().get("items").findValuesAsText("id"))
                .as("a retry with the same Idempotency-Key").isEqualTo(keyed.body().get("items").findValuesAsText("id"));
        assertThat(search("app_logs", "").body().get("total").asLong()).as("a replay does not duplicate").isEqualTo(15);
        Answer badKey = call("POST", "/api/v1/index_sets/app_logs/ingest", batch,
                java.util.Map.of("Idempotency-Key", "x".repeat(300)));
        assertThat(badKey.status()).isEqualTo(400);
        assertThat(badKey.body().get("field").asText()).isEqualTo("Idempotency-Key");
    }

    @Test
    void aBatchWithOneMalformedLineIsRefusedWholeAndTheNextGoodBatchIsAllSearchable() throws Exception {
        call("PUT", "/api/v1/index_sets/lossless", "");
        String bad = line(1, "INFO") + "\n" + "{\"log\": \"half a line" + "\n" + line(2, "INFO") + "\n";
        Answer refused = call("POST", "/api/v1/index_sets/lossless/ingest", bad);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("error").asText()).isEqualTo("bad_json");
        assertThat(refused.body().get("line").asInt()).isEqualTo(2);
        assertThat(refused.body().get("message").asText()).contains("line 2").contains("nothing was stored");

        Answer notObject = call("POST", "/api/v1/index_sets/lossless/ingest", "[" + line(1, "INFO") + ", 5]");
        assertThat(notObject.status()).isEqualTo(400);
        assertThat(notObject.body().get("message").asText()).contains("item 1 of the array is a number");
        assertThat(search("lossless", "{\"size\": 0}").body().get("total").asLong()).isZero();

        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 200; i++) lines.add(line(i, "INFO"));
        Answer ok = call("POST", "/api/v1/index_sets/lossless/ingest?refresh=true", String.join("\n", lines));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body().get("accepted").asInt()).isEqualTo(200);

        Answer all = search("lossless", "{\"size\": 0}");
        assertThat(all.body().get("total").asLong()).isEqualTo(200);
    }

    @Test
    void aDocumentWithABadTimeRefusesTheBatchNamingTheItem() throws Exception {
        call("PUT", "/api/v1/index_sets/bad_docs", "");
        Answer refused = call("POST", "/api/v1/index_sets/bad_docs/ingest?refresh=true",
                "[" + line(1, "INFO") + ", {\"dtEventTimeStamp\": \"yesterday\", \"log\": \"x\"}]");
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body().get("error").asText()).isEqualTo("bad_document");
        assertThat(refused.body().get("field").asText()).isEqualTo("[1].dtEventTimeStamp");
        assertThat(search("bad_docs", "").body().get("total").asLong()).isZero();
    }

    @Test
    void badJsonAnswers400WithLineAndColumn() throws Exception {
        call("PUT", "/api/v1/index_sets/errs", "");
        Answer r = search("errs", "{\"keyword\": \"x\",\n \"size\": }");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("error").asText()).isEqualTo("bad_json");
        assertThat(r.body().get("line").asInt()).isEqualTo(2);
        assertThat(r.body().get("column").asInt()).isPositive();
        assertThat(r.body().has("field")).isTrue();
    }

    @Test
    void badQueryAnswers400WithPosition() throws Exception {
        call("PUT", "/api/v1/index_sets/errs", "");
        Answer r = search("errs", "{\"keyword\": \"log:(error OR\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("error").asText()).isEqualTo("bad_query");
        assertThat(r.body().get("field").asText()).isEqualTo("keyword");
        assertThat(r.body().get("position").asInt()).isEqualTo(13);
    }

    @Test
    void unknownFieldAnswers400NamingItAndTheKnownFields() throws Exception {
        call("PUT", "/api/v1/index_sets/errs", "");
        Answer r = search("errs", "{\"keyword\": \"hostname:web1\"}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("error").asText()).isEqualTo("unknown_field");
        assertThat(r.body().get("message").asText()).contains("'hostname'").contains("serverIp");

        Answer sort = search("errs", "{\"sort_list\": [[\"nope\", \"asc\"]]}");
        assertThat(sort.body().get("error").asText()).isEqualTo("unknown_field");
        assertThat(sort.body().get("field").asText()).isEqualTo("sort_list[0]");

        Answer param = search("errs", "{\"keywrod\": \"x\"}");
        assertThat(param.status()).isEqualTo(400);
        assertThat(param.body().get("error").asText()).isEqualTo("bad_request");
        assertThat(param.body().get("message").asText()).contains("unknown parameter 'keywrod'");
    }

    @Test
    void unknownIndexSetAnswers404NamingTheOnesThatExist() throws Exception {
        call("PUT", "/api/v1/index_sets/exists_one", "");
        Answer r = search("no_such_set", "{}");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().get("error").asText()).isEqualTo("index_set_not_found");
        assertThat(r.body().get("message").asText()).contains("no_such_set").contains("exists_one");
        assertThat(call("POST", "/api/v1/index_sets/no_such_set/ingest", "{}").status()).isEqualTo(404);
        assertThat(call("GET", "/api/v1/index_sets/no_such_set", null).status()).isEqualTo(404);
    }

    @Test
    void aWindowPast10000Answers400PointingToSearchAfter() throws Exception {
        call("PUT", "/api/v1/index_sets/errs", "");
        Answer r = search("errs", "{\"begin\": 9995, \"size\": 10}");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("error").asText()).isEqualTo("result_window_too_large");
        assertThat(r.body().get("message").asText()).contains("search_after");
    }

    @Test
    void invalidIndexSetNameExplainsLowerCase() throws Exception {
        Answer r = call("PUT", "/api/v1/index_sets/AppLogs", "");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.body().get("error").asText()).isEqualTo("invalid_index_set");
        assertThat(r.body().get("message").asText()).contains("lower-case");
    }

    @Test
    void unknownRouteAnswersTheErrorShape() throws Exception {
        Answer r = call("GET", "/api/v1/nothing_here", null);
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.body().get("error").asText()).isEqualTo("route_not_found");
    }

    @Test
    void aBodyPastTheLimitAnswers413() throws Exception {
        call("PUT", "/api/v1/index_sets/errs", "");
        Answer r = call("POST", "/api/v1/index_sets/errs/ingest", "[" + "{\"log\":\"x\"},".repeat(100_000) + "{}]");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body().get("error").asText()).isEqualTo("payload_too_large");
    }
}
