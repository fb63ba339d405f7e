package io.bklog.server.http;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.es.EsFixture;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.EsCompatConfig;
import io.bklog.server.config.ServerConfig;
import org.apache.http.Header;
import org.apache.http.HttpHost;
import org.apache.http.message.BasicHeader;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.RestClient;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conformance of bklog's ES surface with the official Java client {@code co.elastic.clients:elasticsearch-java}
 * 8.19 (issue 21): pointed at bklog with a token it runs info, create index, a bulk of 5,000 documents (level,
 * message, host.name, time as epoch ms) plus items the store must refuse, refresh, count and search; the same load
 * against a real Elasticsearch node ({@link EsFixture}) gives the same counts and per-item statuses; and bklog's own
 * search API finds the documents by text and by two fields.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsJavaClientConformanceIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String INDEX = "esapi-java-client";
    private static final int DOCS = 5_000;
    /** Event times from two days back on the hour, fixed for the run; no assertion depends on the hour or date. */
    private static final long T0 = java.time.Instant.now().minus(java.time.Duration.ofDays(2))
            .truncatedTo(java.time.temporal.ChronoUnit.HOURS).toEpochMilli();
    private static final String[] LEVELS = {"info", "warn", "error"};

    @TempDir
    static Path dataDir;

    private final HttpClient http = HttpClient.newHttpClient();
    private BklogServer server;
    private String admin;
    private RestClient bklogRest;
    private RestClient esRest;
    private ElasticsearchClient bklog;
    private ElasticsearchClient es;

    private static ElasticsearchClient client(RestClient rest) {
        return new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
    }

    @BeforeAll
    void start() throws Exception {
        EsFixture fixture = EsFixture.shared();
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 64 * 1024 * 1024), new AuthConfig(true),
                new EsCompatConfig(true, "", Map.of(), "bklog-it", "8.19.21"));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        HttpResponse<String> t = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/tokens"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"java-client\",\"space_uid\":\"default\","
                        + "\"roles\":[\"ingest\",\"viewer\"]}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(t.statusCode()).as(t.body()).isEqualTo(201);
        String token = JSON.readTree(t.body()).get("token").asText();
        bklogRest = RestClient.builder(HttpHost.create(server.uri().toString()))
                .setDefaultHeaders(new Header[]{new BasicHeader("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString(("java-client:" + token).getBytes(StandardCharsets.UTF_8)))})
                .build();
        esRest = RestClient.builder(HttpHost.create(fixture.url())).build();
        bklog = client(bklogRest);
        es = client(esRest);
        Request delete = new Request("DELETE", "/" + INDEX);
        delete.addParameter("ignore_unavailable", "true");
        esRest.performRequest(delete);
    }

    @AfterAll
    void stop() throws Exception {
        if (esRest != null) {
            Request delete = new Request("DELETE", "/" + INDEX);
            delete.addParameter("ignore_unavailable", "true");
            esRest.performRequest(delete);
            esRest.close();
        }
        if (bklogRest != null) bklogRest.close();
        if (server != null) server.close();
    }

    /** The load: 5,000 good documents, then three the store must refuse (a wrong type, a bad time, not JSON-able). */
    private static List<BulkOperation> load() {
        List<BulkOperation> ops = new ArrayList<>();
        for (int i = 0; i < DOCS; i++) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("level", LEVELS[i % 3]);
            doc.put("message", "request " + i + (i % 10 == 0 ? " timeout upstream" : " served"));
            doc.put("host", Map.of("name", "web-" + (i % 4)));
            doc.put("time", T0 + i * 1000L);
            doc.put("pid", 1000 + i % 7);
            ops.add(BulkOperation.of(o -> o.index(x -> x.index(INDEX).document(doc))));
        }
        ops.add(BulkOperation.of(o -> o.index(x -> x.index(INDEX).document(Map.of("level", "error",
                "message", "wrong type", "pid", "not-a-number", "time", T0)))));
        ops.add(BulkOperation.of(o -> o.create(x -> x.index(INDEX).document(Map.of("level", "error",
                "message", "bad time", "time", "not a time")))));
        ops.add(BulkOperation.of(o -> o.index(x -> x.index(INDEX).document(Map.of("level", "info",
                "message", "wrong pid type again", "pid", List.of("x"), "time", T0)))));
        return ops;
    }

    private record Outcome(List<Integer> statuses, List<String> errorTypes, long count, long errors, long timeouts,
                           long warnOnWeb1, String firstErrorMessage) {}

    /** The whole client session against one server. */
    private static Outcome session(ElasticsearchClient c) throws Exception {
        assertThat(c.indices().create(x -> x.index(INDEX).mappings(m -> m
                .properties("level", p -> p.keyword(k -> k))
                .properties("message", p -> p.text(tx -> tx))
                .properties("host", p -> p.object(o -> o.properties("name", n -> n.keyword(k -> k))))
                .properties("time", p -> p.date(d -> d.format("epoch_millis")))
                .properties("pid", p -> p.long_(l -> l)))).acknowledged()).isTrue();
        assertThat(c.indices().exists(x -> x.index(INDEX)).value()).isTrue();
        List<BulkOperation> ops = load();
        List<Integer> statuses = new ArrayList<>();
        List<String> types = new ArrayList<>();
        for (int from = 0; from < ops.size(); from += 1000) {
            List<BulkOperation> batch = ops.subList(from, Math.min(ops.size(), from + 1000));
            BulkResponse r = c.bulk(b -> b.operations(batch));
            for (BulkResponseItem it : r.items()) {
                statuses.add(it.status());
                types.add(it.error() == null ? null : it.error().type());
            }
        }
        c.indices().refresh(x -> x.index(INDEX));
        long count = c.count(x -> x.index(INDEX)).count();
        long errors = c.count(x -> x.index(INDEX).query(q -> q.queryString(s -> s.query("level:error")))).count();
        long timeouts = c.count(x -> x.index(INDEX).query(q -> q.match(m -> m.field("message").query("timeout"))))
                .count();
        long warnOnWeb1 = c.count(x -> x.index(INDEX).query(q -> q.bool(b -> b
                .filter(f -> f.term(tm -> tm.field("level").value("warn")))
                .filter(f -> f.term(tm -> tm.field("host.name").value("web-1")))))).count();
        @SuppressWarnings("rawtypes")
        SearchResponse<Map> first = c.search(s -> s.index(INDEX).size(3)
                .query(q -> q.bool(b -> b.filter(f -> f.queryString(qs -> qs.query("level:error")))
                        .filter(f -> f.range(rg -> rg.untyped(u -> u.field("time")
                                .gte(co.elastic.clients.json.JsonData.of(T0))
                                .lt(co.elastic.clients.json.JsonData.of(T0 + 3_600_000L)))))))
                .sort(so -> so.field(fs -> fs.field("time").order(SortOrder.Asc))), Map.class);
        assertThat(first.hits().hits()).hasSize(3);
        return new Outcome(statuses, types, count, errors, timeouts, warnOnWeb1,
                String.valueOf(first.hits().hits().get(0).source().get("message")));
    }

    private long bklogSearch(String keyword) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.uri()
                        + "/api/v1/index_sets/" + INDEX + "/search"))
                .header("Authorization", "Bearer " + admin).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"keyword\": " + JSON.writeValueAsString(keyword)
                        + ", \"size\": 1}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        JsonNode n = JSON.readTree(r.body());
        return n.get("total").asLong();
    }

    @Test
    void theJavaClientGetsTheSameAnswersFromBklogAsFromElasticsearch() throws Exception {
        var info = bklog.info();
        assertThat(info.version().number()).startsWith("8.19.");

        long t0 = System.nanoTime();
        Outcome fromBklog = session(bklog);
        long bklogMs = (System.nanoTime() - t0) / 1_000_000;
        t0 = System.nanoTime();
        Outcome fromEs = session(es);
        long esMs = (System.nanoTime() - t0) / 1_000_000;
        org.slf4j.LoggerFactory.getLogger(EsJavaClientConformanceIT.class).info(
                "java client session docs={} bklog_ms={} es_ms={}", DOCS + 3, bklogMs, esMs);

        assertThat(fromBklog.statuses()).hasSize(DOCS + 3).isEqualTo(fromEs.statuses());
        assertThat(fromBklog.statuses().subList(DOCS, DOCS + 3)).containsOnly(400);
        assertThat(fromBklog.errorTypes()).isEqualTo(fromEs.errorTypes());
        assertThat(fromBklog.count()).isEqualTo(fromEs.count()).isEqualTo(DOCS);
        assertThat(fromBklog.errors()).isEqualTo(fromEs.errors()).isEqualTo(DOCS / 3);
        assertThat(fromBklog.timeouts()).isEqualTo(fromEs.timeouts()).isEqualTo(DOCS / 10);
        assertThat(fromBklog.warnOnWeb1()).isEqualTo(fromEs.warnOnWeb1()).isPositive();
        assertThat(fromBklog.firstErrorMessage()).isEqualTo(fromEs.firstErrorMessage()).isEqualTo("request 2 served");

        // bklog's own search API finds the same documents by text and by fields
        assertThat(bklogSearch("timeout")).isEqualTo(DOCS / 10);
        assertThat(bklogSearch("level:error")).isEqualTo(fromEs.errors());
        assertThat(bklogSearch("level:warn AND host.name:\"web-1\"")).isEqualTo(fromEs.warnOnWeb1());
        assertThat(bklogSearch("dtEventTimeStamp:" + T0)).isEqualTo(1); // the time came from `time` (epoch ms)
    }
}
