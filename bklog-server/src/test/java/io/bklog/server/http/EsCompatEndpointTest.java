package io.bklog.server.http;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.HealthStatus;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.bulk.OperationType;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.EsCompatConfig;
import io.bklog.server.config.ServerConfig;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The Elasticsearch-compatible endpoint driven by the official {@code elasticsearch-java} client, as a shipper would:
 * start-up calls, bulk indexing then searching through bklog's API, per-item errors, malformed requests, auth.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsCompatEndpointTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private String ingestToken;
    private String viewerToken;
    private RestClient rest;
    private ElasticsearchClient es;

    record Answer(int status, String raw, JsonNode body, HttpResponse<String> response) {}

    private Answer call(String authorization, String method, String path, byte[] body, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json");
        if (authorization != null) b.header("Authorization", authorization);
        for (int i = 0; i < headers.length; i += 2) b.header(headers[i], headers[i + 1]);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r);
    }

    private Answer call(String authorization, String method, String path, String body) throws Exception {
        return call(authorization, method, path, body == null ? null : body.getBytes(StandardCharsets.UTF_8));
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    private String token(String name, String role) throws Exception {
        Answer a = call("Bearer " + admin, "POST", "/api/v1/tokens", "{\"name\":\"" + name
                + "\",\"space_uid\":\"default\",\"roles\":[\"" + role + "\"]}");
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    private static ElasticsearchClient client(RestClient rest) {
        return new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
    }

    @BeforeAll
    void start() throws Exception {
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).build();
        Map<String, String> mapping = new LinkedHashMap<>();
        mapping.put("filebeat-*", "app");
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 16 * 1024 * 1024), new AuthConfig(true),
                new EsCompatConfig(true, "", mapping, "bklog-test", "8.19.30"));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call("Bearer " + admin, "PUT", "/api/v1/index_sets/app",
                "{\"fields\": [{\"name\": \"log\", \"type\": \"text\"}, {\"name\": \"http.status\","
                        + " \"type\": \"long\"}]}").status()).isEqualTo(201);
        assertThat(call("Bearer " + admin, "PUT", "/api/v1/index_sets/nginx_access", "").status()).isEqualTo(201);
        ingestToken = token("filebeat", "ingest");
        viewerToken = token("grafana", "viewer");
        rest = RestClient.builder(HttpHost.create(server.uri().toString()))
                .setDefaultHeaders(new Header[]{new BasicHeader("Authorization", basic("filebeat", ingestToken))})
                .build();
        es = client(rest);
    }

    @AfterAll
    void stop() throws IOException {
        if (rest != null) rest.close();
        if (server != null) server.close();
    }

    private JsonNode search(String indexSet, String keyword) throws Exception {
        Answer a = call("Bearer " + admin, "POST", "/api/v1/index_sets/" + indexSet + "/search",
                "{\"keyword\": " + JSON.writeValueAsString(keyword) + ", \"size\": 100}");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        return a.body();
    }

    private static Map<String, Object> event(String message, int status) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("@timestamp", Instant.now().toString());
        e.put("message", message);
        e.put("host", Map.of("name", "web-01"));
        e.put("log", Map.of("file", Map.of("path", "/var/log/nginx/access.log"), "offset", 42));
        e.put("http", Map.of("status", status));
        return e;
    }

    @Test
    void answersTheStartUpCallsOfShippersAsElasticsearchDoes() throws Exception {
        var info = es.info();
        assertThat(info.version().number()).isEqualTo("8.19.30");
        assertThat(info.clusterName()).isEqualTo("bklog-test");
        assertThat(info.tagline()).isEqualTo("You Know, for Search");

        assertThat(es.cluster().health().status()).isEqualTo(HealthStatus.Green);
        var license = es.license().get().license();
        assertThat(license.status().jsonValue()).isEqualTo("active");
        assertThat(license.type().jsonValue()).isEqualTo("basic");
        assertThat(es.xpack().info().features().ilm().available()).isTrue();
        assertThat(es.nodes().info().nodes()).hasSize(1)
                .allSatisfy((id, n) -> assertThat(n.version()).startsWith("8.19."));

        // index template: missing, then put, then found (Filebeat and Logstash check, then install)
        assertThat(es.indices().existsIndexTemplate(r -> r.name("filebeat-8.19.0")).value()).isFalse();
        assertThat(es.indices().putIndexTemplate(r -> r.name("filebeat-8.19.0").indexPatterns("filebeat-8.19.0")
                .dataStream(d -> d)).acknowledged()).isTrue();
        assertThat(es.indices().existsIndexTemplate(r -> r.name("filebeat-8.19.0")).value()).isTrue();
        assertThat(es.indices().getIndexTemplate(r -> r.name("filebeat-8.19.0")).indexTemplates())
                .singleElement().satisfies(t -> assertThat(t.indexTemplate().indexPatterns())
                        .containsExactly("filebeat-8.19.0"));

        // legacy template (rsyslog, older Logstash)
        assertThat(es.indices().existsTemplate(r -> r.name("logstash")).value()).isFalse();
        assertThat(es.indices().putTemplate(r -> r.name("logstash").indexPatterns("logstash-*")).acknowledged())
                .isTrue();
        assertThat(es.indices().existsTemplate(r -> r.name("logstash")).value()).isTrue();

        // ILM policy
        assertThatThrownBy(() -> es.ilm().getLifecycle(r -> r.name("filebeat")))
                .isInstanceOfSatisfying(ElasticsearchException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.error().type()).isEqualTo("resource_not_found_exception");
                });
        assertThat(es.ilm().putLifecycle(r -> r.name("filebeat").policy(p -> p.phases(ph -> ph.hot(h -> h
                .actions(a -> a.rollover(ro -> ro.maxAge(t -> t.time("30d")))))))).acknowledged()).isTrue();
        assertThat(es.ilm().getLifecycle(r -> r.name("filebeat")).result()).containsKey("filebeat");

        Answer root = call(basic("elastic", ingestToken), "GET", "/", (byte[]) null);
        assertThat(root.response().headers().firstValue("X-Elastic-Product")).contains("Elasticsearch");
    }

    @Test
    void bulkIndexedEventsAreSearchableThroughBklogAndAReplayWithIdsDoesNotDuplicate() throws Exception {
        List<BulkOperation> ops = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> doc = event("GET /shop/item/" + i + " HTTP/1.1 200", 200);
            ops.add(BulkOperation.of(o -> o.create(c -> c.index("filebeat-8.19.0").document(doc))));
        }
        Map<String, Object> ds = event("GET /healthz HTTP/1.1 204", 204);
        ops.add(BulkOperation.of(o -> o.index(c -> c.index("logs-nginx.access-default").document(ds))));
        BulkResponse r = es.bulk(b -> b.operations(ops).refresh(Refresh.True));
        assertThat(r.errors()).isFalse();
        assertThat(r.items()).hasSize(6).allSatisfy(it -> {
            assertThat(it.status()).isEqualTo(201);
            assertThat(it.result()).isEqualTo("created");
            assertThat(it.id()).isNotBlank();
        });
        assertThat(r.items().get(0).operationType()).isEqualTo(OperationType.Create);
        assertThat(r.items().get(0).index()).isEqualTo("filebeat-8.19.0");

        JsonNode found = search("app", "shop");
        assertThat(found.get("total").asLong()).isEqualTo(5);
        JsonNode hit = found.get("hits").get(0);
        assertThat(hit.toString()).contains("web-01").contains("/var/log/nginx/access.log");
        assertThat(search("app", "http.status:200").get("total").asLong()).isEqualTo(5);
        assertThat(search("nginx_access", "healthz").get("total").asLong()).isEqualTo(1);

        // a batch resent without _id holds new events, as Elasticsearch stores them
        assertThat(es.bulk(b -> b.operations(ops).refresh(Refresh.True)).errors()).isFalse();
        assertThat(search("app", "shop").get("total").asLong()).isEqualTo(10);
        // a shipper that sets _id (Filebeat's fingerprint / add_id processors) replays without duplicates
        List<BulkOperation> withIds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Map<String, Object> doc = event("GET /cart/item/" + i + " HTTP/1.1 200", 200);
            String id = "fp-" + i;
            withIds.add(BulkOperation.of(o -> o.create(c -> c.index("filebeat-8.19.0").id(id).document(doc))));
        }
        assertThat(es.bulk(b -> b.operations(withIds).refresh(Refresh.True)).errors()).isFalse();
        assertThat(es.bulk(b -> b.operations(withIds).refresh(Refresh.True)).errors()).isFalse();
        assertThat(search("app", "cart").get("total").asLong()).isEqualTo(5);
    }

    @Test
    void mixedValidAndInvalidItemsAnswerErrorsPerItemAndStoreTheValidOnes() throws Exception {
        List<BulkOperation> ops = new ArrayList<>();
        ops.add(BulkOperation.of(o -> o.index(c -> c.index("app").id("ok-1").document(event("mixed ok one", 200)))));
        ops.add(BulkOperation.of(o -> o.index(c -> c.index("app").document(Map.of("message", "mixed bad status",
                "http", Map.of("status", "not-a-number"))))));
        ops.add(BulkOperation.of(o -> o.index(c -> c.index(".no-such-index").document(event("mixed lost?", 200)))));
        ops.add(BulkOperation.of(o -> o.index(c -> c.index("app").id("ok-2").document(event("mixed ok two", 200)))));
        ops.add(BulkOperation.of(o -> o.delete(d -> d.index("app").id("ok-1"))));
        BulkResponse r = es.bulk(b -> b.operations(ops).refresh(Refresh.True));
        assertThat(r.errors()).isTrue();
        List<BulkResponseItem> items = r.items();
        assertThat(items.get(0).status()).isEqualTo(201);
        assertThat(items.get(0).id()).isEqualTo("ok-1");
        assertThat(items.get(1).status()).isEqualTo(400);
        assertThat(items.get(1).error().type()).isEqualTo("document_parsing_exception");
        assertThat(items.get(1).error().reason()).contains("http.status").contains("not-a-number");
        assertThat(items.get(2).status()).isEqualTo(404);
        assertThat(items.get(2).error().type()).isEqualTo("index_not_found_exception");
        assertThat(items.get(2).error().reason()).contains(".no-such-index"); // other unknown names are created
        assertThat(items.get(3).status()).isEqualTo(201);
        assertThat(items.get(4).status()).isEqualTo(400);
        assertThat(items.get(4).operationType()).isEqualTo(OperationType.Delete);
        assertThat(items.get(4).error().reason()).contains("delete");

        JsonNode found = search("app", "mixed");
        assertThat(found.get("total").asLong()).isEqualTo(2);
        assertThat(found.get("hits").findValuesAsText("_id")).isEmpty(); // ids are at the hit level
        assertThat(found.toString()).contains("ok-1").contains("ok-2").doesNotContain("mixed bad status");
    }

    @Test
    void aMalformedLineRefusesTheRequestNamingTheLine() throws Exception {
        String body = "{\"index\":{\"_index\":\"app\"}}\n{\"message\":\"malformed one\"}\n{\"index\": oops}\n"
                + "{\"message\":\"malformed two\"}\n";
        Answer a = call(basic("filebeat", ingestToken), "POST", "/_bulk?refresh=true",
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(a.status()).isEqualTo(400);
        assertThat(a.body().get("status").asInt()).isEqualTo(400);
        assertThat(a.body().get("error").get("type").asText()).isEqualTo("x_content_parse_exception"); // as ES 8
        assertThat(a.body().get("error").get("reason").asText()).contains("line 3");
        assertThat(search("app", "malformed").get("total").asLong()).isZero();

        // the client surfaces it as an ElasticsearchException
        Answer empty = call(basic("filebeat", ingestToken), "POST", "/_bulk", new byte[0]);
        assertThat(empty.status()).isEqualTo(400);
        assertThat(empty.body().get("error").get("type").asText()).isEqualTo("action_request_validation_exception");
    }

    @Test
    void readsGzipBodiesAsFilebeatAndLogstashSendThem() throws Exception {
        String body = "{\"index\":{}}\n{\"message\":\"gzipped line\",\"@timestamp\":\"" + Instant.now() + "\"}\n";
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes)) {
            gz.write(body.getBytes(StandardCharsets.UTF_8));
        }
        Answer a = call("Bearer " + ingestToken, "POST", "/nginx_access/_bulk?refresh=true", bytes.toByteArray(),
                "Content-Encoding", "gzip", "Content-Type", "application/x-ndjson");
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        assertThat(a.body().get("errors").asBoolean()).isFalse();
        assertThat(search("nginx_access", "gzipped").get("total").asLong()).isEqualTo(1);
    }

    @Test
    void acceptsAnIngestTokenAsBasicPasswordBearerOrApiKeyAndRefusesOthersInTheElasticsearchShape() throws Exception {
        assertThat(call(basic("any-user", ingestToken), "GET", "/", (byte[]) null).status()).isEqualTo(200);
        assertThat(call("Bearer " + ingestToken, "GET", "/", (byte[]) null).status()).isEqualTo(200);
        String apiKey = Base64.getEncoder().encodeToString(("key-id:" + ingestToken).getBytes(StandardCharsets.UTF_8));
        assertThat(call("ApiKey " + apiKey, "GET", "/_cluster/health", (byte[]) null).status()).isEqualTo(200);
        assertThat(call(basic("filebeat", admin), "GET", "/", (byte[]) null).status()).isEqualTo(200);

        Answer none = call(null, "POST", "/_bulk", "{\"index\":{\"_index\":\"app\"}}\n{\"message\":\"anonymous\"}\n");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.body().get("error").get("type").asText()).isEqualTo("security_exception");
        assertThat(none.response().headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v ->
                assertThat(v).startsWith("Basic"));

        Answer viewer = call(basic("grafana", viewerToken), "POST", "/_bulk",
                "{\"index\":{\"_index\":\"app\"}}\n{\"message\":\"viewer\"}\n");
        assertThat(viewer.status()).isEqualTo(403);
        assertThat(viewer.body().get("error").get("reason").asText()).contains("ingest");

        try (RestClient wrong = RestClient.builder(HttpHost.create(server.uri().toString()))
                .setDefaultHeaders(new Header[]{new BasicHeader("Authorization", basic("filebeat", "nope"))})
                .build()) {
            assertThatThrownBy(() -> client(wrong).info())
                    .isInstanceOfSatisfying(ElasticsearchException.class, e -> assertThat(e.status()).isEqualTo(401));
        }
        assertThat(search("app", "anonymous OR viewer").get("total").asLong()).isZero();
    }

    @Test
    void singleDocumentIndexRequestsAreAnsweredLikeElasticsearch() throws Exception {
        var r = es.index(i -> i.index("nginx_access").id("one-doc").document(event("single doc request", 200))
                .refresh(Refresh.True));
        assertThat(r.id()).isEqualTo("one-doc");
        assertThat(r.result().jsonValue()).isEqualTo("created");
        assertThat(search("nginx_access", "\"single doc request\"").get("total").asLong()).isEqualTo(1);
    }
}
