package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.es.EsFixture;
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
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.SoftAssertions.assertSoftly;

/**
 * The same Elasticsearch requests sent to bklog's ES surface and to a real Elasticsearch 8.19 node (the
 * {@link EsFixture}): each answer must have the same status and the same shape (the keys clients read, the error
 * {@code type}, the {@code Warning} header), not the same bytes. Index {@code esapi-cmp} on both; bklog names its
 * index set {@code esapi_cmp} and keeps {@code esapi-cmp} as an alias.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsCompatVsElasticsearchIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "esapi-cmp";
    /** Event time: two days back on the hour, fixed for the run; no assertion depends on the hour or date. */
    private static final java.time.Instant T0 = java.time.Instant.now().minus(java.time.Duration.ofDays(2))
            .truncatedTo(java.time.temporal.ChronoUnit.HOURS);

    @TempDir
    static Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private BklogServer server;
    private EsFixture es;
    private String token;

    record Answer(int status, JsonNode body, String raw, String warning) {}

    /** One request to one side. */
    private Answer send(String base, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", path.contains("_bulk") ? "application/x-ndjson" : "application/json")
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString(("esapi:" + token)
                        .getBytes(StandardCharsets.UTF_8)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n = r.body().isBlank() ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), n, r.body(), r.headers().firstValue("Warning").orElse(""));
    }

    /** The request to both; asserts the same status and error type, returns [bklog, elasticsearch]. */
    private Answer[] both(String method, String path, String body) throws Exception {
        Answer b = send(server.uri().toString(), method, path, body);
        Answer e = send(es.url(), method, path, body);
        String what = method + " " + path + "\n bklog: " + b.raw() + "\n es:    " + e.raw();
        assertThat(b.status()).as(what).isEqualTo(e.status());
        assertThat(errorType(b)).as(what).isEqualTo(errorType(e));
        assertThat(b.warning().isEmpty()).as(what + "\n Warning: " + b.warning() + " / " + e.warning())
                .isEqualTo(e.warning().isEmpty());
        return new Answer[]{b, e};
    }

    private static String errorType(Answer a) {
        if (a.body() == null || !a.body().has("error")) return null;
        JsonNode err = a.body().get("error");
        return err.isTextual() ? "(text)" : err.path("type").asText();
    }

    /** The keys of an object answer, for comparing shapes. */
    private static List<String> keys(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null) n.fieldNames().forEachRemaining(out::add);
        return out;
    }

    private static String ndjson(String... lines) {
        return String.join("\n", lines) + "\n";
    }

    @BeforeAll
    void start() throws Exception {
        es = EsFixture.shared();
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 16 * 1024 * 1024), new AuthConfig(true),
                new EsCompatConfig(true, "", Map.of(), "bklog-it", "8.19.21"));
        String admin = Files.readString(dataDir.resolve("admin-token")).strip();
        HttpResponse<String> t = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"esapi\",\"space_uid\":\"default\","
                        + "\"roles\":[\"ingest\",\"viewer\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
        token = JSON.readTree(t.body()).get("token").asText();
        send(es.url(), "DELETE", "/" + INDEX + "?ignore_unavailable=true", null);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) server.close();
        if (es != null) send(es.url(), "DELETE", "/" + INDEX + "?ignore_unavailable=true", null);
    }

    @Test
    void theEsSurfaceAnswersWithElasticsearchsStatusesAndShapes() throws Exception {
        String mapping = "{\"mappings\":{\"properties\":{\"level\":{\"type\":\"keyword\"},"
                + "\"pid\":{\"type\":\"long\"}}}}";
        Answer[] create = both("PUT", "/" + INDEX, mapping);
        assertThat(keys(create[0].body())).containsExactlyInAnyOrderElementsOf(keys(create[1].body()));
        both("PUT", "/" + INDEX, mapping); // resource_already_exists_exception
        both("HEAD", "/" + INDEX, null);
        both("HEAD", "/esapi-missing", null);
        Answer[] missing = both("GET", "/esapi-missing", null);
        assertThat(missing[0].body().at("/error/index").asText())
                .isEqualTo(missing[1].body().at("/error/index").asText());

        // _bulk leniency and strictness
        String doc = "{\"@timestamp\":\"" + T0 + "\",\"message\":\"compare one\",\"level\":\"info\","
                + "\"pid\":7}";
        Answer[] winston = both("POST", "/_bulk", ndjson("{\"index\":{\"_index\":\"" + INDEX + "\"},\"attempts\":0}",
                doc));
        assertThat(winston[0].warning()).contains("A bulk action object contained multiple keys");
        assertThat(winston[1].warning()).contains("A bulk action object contained multiple keys");
        both("POST", "/_bulk", ndjson("{\"index\":{\"_index\":\"" + INDEX + "\",\"routing\":\"r\",\"pipeline\":"
                + "\"_none\",\"require_alias\":false}}", doc.replace("one", "two").replace(":7}", ":8}")));
        Answer[] mixed = both("POST", "/" + INDEX + "/_bulk", ndjson("{\"index\":{}}",
                doc.replace("one", "three").replace(":7}", ":9}"),
                "{\"create\":{}}", "{\"message\":\"bad pid\",\"pid\":\"not-a-number\"}", "{\"index\":{}}", "[1]"));
        List<Integer> statusesB = new ArrayList<>();
        List<Integer> statusesE = new ArrayList<>();
        mixed[0].body().get("items").forEach(i -> statusesB.add(i.elements().next().get("status").asInt()));
        mixed[1].body().get("items").forEach(i -> statusesE.add(i.elements().next().get("status").asInt()));
        assertThat(statusesB).isEqualTo(statusesE);
        assertThat(keys(mixed[0].body())).containsExactlyInAnyOrderElementsOf(keys(mixed[1].body()));
        for (String bad : List.of("{\"index\":{\"_index\":\"" + INDEX + "\",\"attempts\":0}}", "{\"indx\":{}}", "{}",
                "{\"index\": oops}", "{\"index\":{\"_id\":{\"x\":1}}}")) {
            Answer[] a = both("POST", "/_bulk", ndjson("{\"index\":{\"_index\":\"" + INDEX + "\"}}", doc, bad, doc));
            assertThat(a[0].body().at("/error/reason").asText()).as(bad).contains("line [3")
                    .contains(a[1].body().at("/error/reason").asText().replaceAll(" at \\[Source.*", "")
                            .replaceAll("^\\[\\d+:\\d+\\] ", "").split("\n")[0].substring(0, 20));
        }

        // index-level calls
        for (String path : List.of("/" + INDEX + "/_refresh", "/_refresh", "/esapi-*/_refresh", "/" + INDEX
                + "/_flush", "/esapi-missing/_refresh", "/esapi-missing*/_refresh")) {
            for (String method : List.of("GET", "POST")) {
                Answer[] r = both(method, path, null);
                assertThat(keys(r[0].body())).as(path).isEqualTo(keys(r[1].body()));
            }
        }
        Answer[] mappings = both("GET", "/" + INDEX + "/_mapping", null);
        assertSoftly(s -> {
            s.assertThat(mappings[0].body().elements().next().at("/mappings/properties/level/type").asText())
                    .isEqualTo("keyword");
            s.assertThat(mappings[1].body().elements().next().at("/mappings/properties/level/type").asText())
                    .isEqualTo("keyword");
        });

        // reading back
        Answer[] count = both("POST", "/" + INDEX + "/_count", "{\"query\":{\"match_all\":{}}}");
        assertThat(count[0].body().get("count").asLong()).isEqualTo(count[1].body().get("count").asLong())
                .isEqualTo(3);
        assertThat(keys(count[0].body())).isEqualTo(keys(count[1].body()));
        Answer[] qs = both("POST", "/" + INDEX + "/_count", "{\"query\":{\"query_string\":{\"query\":\"level:info"
                + " AND pid:7\"}}}");
        assertThat(qs[0].body().get("count").asLong()).isEqualTo(qs[1].body().get("count").asLong());
        Answer[] search = both("POST", "/" + INDEX + "/_search", "{\"query\":{\"range\":{\"@timestamp\":{\"gte\":"
                + "\"" + T0.minusSeconds(3600) + "\",\"lt\":\"" + T0.plusSeconds(3600) + "\"}}},\"size\":2,"
                + "\"sort\":[{\"pid\":\"asc\"}]}");
        assertThat(keys(search[0].body())).containsExactlyInAnyOrderElementsOf(keys(search[1].body()));
        assertThat(search[0].body().at("/hits/total").toString()).isEqualTo(search[1].body().at("/hits/total")
                .toString());
        assertThat(search[0].body().at("/hits/hits")).hasSameSizeAs(search[1].body().at("/hits/hits"));
        assertThat(keys(search[0].body().at("/hits/hits/0"))).containsAll(List.of("_index", "_id", "_score",
                "_source", "sort"));
        assertThat(search[0].body().at("/hits/hits/0/_source/message").asText())
                .isEqualTo(search[1].body().at("/hits/hits/0/_source/message").asText());
        both("POST", "/esapi-missing/_search", "{}");
        both("POST", "/esapi-missing*/_search", "{}");
        both("POST", "/" + INDEX + "/_search", "{\"query\":{\"bogus\":{}}}");

        // any other path: Elasticsearch's error shape
        both("GET", "/_foo/bar/baz", null);
        both("GET", "/_foo", null);
    }
}
