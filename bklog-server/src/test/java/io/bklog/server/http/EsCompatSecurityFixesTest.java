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
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The findings of the security review of the Elasticsearch-compatible surface and the auth filter: a path spelled
 * with trailing or doubled slashes meets the rule of the path Javalin routes it to, a viewer cannot write and an
 * ingest token cannot read through such a spelling.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsCompatSecurityFixesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private String ingestOnly;
    private String viewerOnly;

    record Answer(int status, String raw, JsonNode body, HttpResponse<String> response) {}

    private Answer call(String token, String method, String path, String body) throws Exception {
        return send(token == null ? null : "Basic " + Base64.getEncoder().encodeToString(("u:" + token)
                .getBytes(StandardCharsets.UTF_8)), method, path, body);
    }

    private Answer bearer(String token, String method, String path, String body) throws Exception {
        return send("Bearer " + token, method, path, body);
    }

    private Answer send(String authorization, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json");
        if (authorization != null) b.header("Authorization", authorization);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n = r.body().isEmpty() || !r.body().startsWith("{") ? null : JSON.readTree(r.body());
        return new Answer(r.statusCode(), r.body(), n, r);
    }

    private String token(String space, String name, String... roles) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"space_uid\":\"" + space + "\",\"roles\":["
                + java.util.Arrays.stream(roles).map(r -> "\"" + r + "\"").collect(Collectors.joining(",")) + "]}";
        Answer a = bearer(admin, "POST", "/api/v1/tokens", body);
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    @BeforeAll
    void start() throws Exception {
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 1024 * 1024), new AuthConfig(true),
                new EsCompatConfig(true, "", Map.of(), "bklog-test", "8.19.30"));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(bearer(admin, "PUT", "/api/v1/index_sets/app", "").status()).isEqualTo(201);
        ingestOnly = token("default", "shipper", "ingest");
        viewerOnly = token("default", "reader", "viewer");
        Answer bulk = call(ingestOnly, "POST", "/_bulk?refresh=true", "{\"index\":{\"_index\":\"app\"}}\n"
                + "{\"message\":\"order paid\"}\n");
        assertThat(bulk.status()).as(bulk.raw()).isEqualTo(200);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    @Test
    void anIngestTokenCannotReadThroughATrailingOrDoubledSlash() throws Exception {
        for (String tail : List.of("", "/", "//")) {
            for (String[] req : List.<String[]>of(new String[]{"POST", "/app/_search"},
                    new String[]{"GET", "/app/_search", "?q=order"}, new String[]{"POST", "/app/_count"},
                    new String[]{"POST", "/_search"}, new String[]{"POST", "/_count"},
                    new String[]{"GET", "/_search"}, new String[]{"GET", "/app/_count"})) {
                String path = req[1] + tail + (req.length > 2 ? req[2] : "");
                Answer a = call(ingestOnly, req[0], path, req[0].equals("POST") ? "{}" : null);
                assertThat(a.status()).as(req[0] + " " + path + ": " + a.raw()).isIn(403, 400, 404);
                assertThat(a.raw()).as(req[0] + " " + path).doesNotContain("order paid").doesNotContain("\"hits\"")
                        .doesNotContain("\"count\"");
            }
        }
        // the viewer still reads with the slash
        Answer ok = call(viewerOnly, "POST", "/app/_search/", "{}");
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.raw()).contains("order paid");
    }

    @Test
    void aViewerTokenCannotCreateOrWriteThroughATrailingSlash() throws Exception {
        for (String tail : List.of("", "/", "//")) {
            Answer put = call(viewerOnly, "PUT", "/viewermade" + tail, "{}");
            assertThat(put.status()).as("PUT /viewermade" + tail + ": " + put.raw()).isIn(403, 400, 404);
            Answer bulk = call(viewerOnly, "POST", "/app/_bulk" + tail, "{\"index\":{}}\n{\"message\":\"v\"}\n");
            assertThat(bulk.status()).as("POST /app/_bulk" + tail + ": " + bulk.raw()).isIn(403, 400, 404);
            Answer doc = call(viewerOnly, "POST", "/app/_doc" + tail, "{\"message\":\"v\"}");
            assertThat(doc.status()).as("POST /app/_doc" + tail + ": " + doc.raw()).isIn(403, 400, 404);
            Answer tpl = call(viewerOnly, "PUT", "/_index_template/t" + tail, "{}");
            assertThat(tpl.status()).as("PUT /_index_template/t" + tail + ": " + tpl.raw()).isIn(403, 400, 404);
        }
        assertThat(bearer(admin, "GET", "/api/v1/index_sets/viewermade", null).status()).isEqualTo(404);
        // the ingest token still creates with the slash
        assertThat(call(ingestOnly, "PUT", "/shipmade/", "{}").status()).isEqualTo(200);
    }

    @Test
    void theApiRoleRulesHoldForTrailingAndDoubledSlashes() throws Exception {
        for (String path : List.of("/api/v1/index_sets/app/ingest", "/api/v1/index_sets/app/ingest/",
                "/api/v1/index_sets/app/ingest//", "//api/v1/index_sets/app/ingest")) {
            Answer a = bearer(viewerOnly, "POST", path, "[{\"message\": \"viewer wrote\"}]");
            assertThat(a.status()).as("POST " + path + ": " + a.raw()).isIn(403, 404);
            assertThat(a.raw()).doesNotContain("accepted");
        }
        for (String path : List.of("/api/v1/index_sets/app/dead_letters/", "/api/v1/tokens/", "//api/v1/tokens",
                "/api/v1/spaces/")) {
            Answer a = bearer(viewerOnly, "GET", path, null);
            assertThat(a.status()).as("GET " + path + ": " + a.raw()).isIn(403, 404);
        }
        for (String path : List.of("/api/v1/index_sets/app/desensitize/", "/api/v1/index_sets/app/")) {
            Answer a = bearer(viewerOnly, "PUT", path, "{}");
            assertThat(a.status()).as("PUT " + path + ": " + a.raw()).isIn(403, 404);
        }
        Answer anonymous = send(null, "GET", "//api/v1/tokens/", null);
        assertThat(anonymous.status()).as(anonymous.raw()).isIn(401, 404);
        // the ingest token still ingests with the slash
        Answer ok = bearer(ingestOnly, "POST", "/api/v1/index_sets/app/ingest/", "[{\"message\": \"shipped\"}]");
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
    }

    @Test
    void normalizeCollapsesSlashesAndDropsTrailingOnes() {
        assertThat(EsCompatRoutes.normalize("/app/_search/")).isEqualTo("/app/_search");
        assertThat(EsCompatRoutes.normalize("//app//_search//")).isEqualTo("/app/_search");
        assertThat(EsCompatRoutes.normalize("/")).isEqualTo("/");
        assertThat(EsCompatRoutes.normalize("//")).isEqualTo("/");
        assertThat(EsCompatRoutes.requiredRole("POST", "/_count//")).isEqualTo(io.bklog.core.auth.Role.VIEWER);
        assertThat(EsCompatRoutes.requiredRole("PUT", "/viewermade/")).isEqualTo(io.bklog.core.auth.Role.INGEST);
    }
    @Test
    void aSearchOfManyIndexSetsHasASmallerResultWindowAndHugeFromIsAClear400() throws Exception {
        assertThat(bearer(admin, "PUT", "/api/v1/index_sets/app2", "").status()).isIn(200, 201);
        Answer many = call(viewerOnly, "POST", "/app*/_search", "{\"from\": 900, \"size\": 101}");
        assertThat(many.status()).as(many.raw()).isEqualTo(400);
        assertThat(many.body().at("/error/reason").asText()).contains("Result window is too large")
                .contains("[1000]").contains("[1001]");
        Answer fits = call(viewerOnly, "POST", "/app*/_search", "{\"from\": 0, \"size\": 1000}");
        assertThat(fits.status()).as(fits.raw()).isEqualTo(200);
        Answer one = call(viewerOnly, "POST", "/app/_search", "{\"from\": 900, \"size\": 101}");
        assertThat(one.status()).as(one.raw()).isEqualTo(200);
        for (String q : List.of("/app/_search?from=2147483647&size=1", "/app*/_search?from=2147483647&size=1",
                "/app/_search?from=1&size=2147483647")) {
            Answer huge = call(viewerOnly, "GET", q, null);
            assertThat(huge.status()).as(q + ": " + huge.raw()).isEqualTo(400);
            assertThat(huge.body().at("/error/reason").asText()).as(q).contains("Result window is too large")
                    .doesNotContain("-2147483648");
        }
    }
    private Answer gzip(String token, String path, byte[] plain) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(plain);
        }
        HttpRequest r = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/x-ndjson").header("Content-Encoding", "gzip")
                .header("Authorization", "Bearer " + token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(out.toByteArray())).build();
        HttpResponse<String> resp = http.send(r, HttpResponse.BodyHandlers.ofString());
        return new Answer(resp.statusCode(), resp.body(), resp.body().isEmpty() ? null : JSON.readTree(resp.body()),
                resp);
    }

    @Test
    void aGzipBodyIsInflatedOnlyUpToTheServersMaxRequestSize() throws Exception {
        // the server allows 1 MiB: 4 MiB of zeros gzip to a few KiB, and must not be inflated whole
        byte[] bomb = new byte[4 * 1024 * 1024];
        Answer a = gzip(ingestOnly, "/_bulk", bomb);
        assertThat(a.status()).as(a.raw()).isEqualTo(413);
        assertThat(a.body().at("/error/type").asText()).isEqualTo("content_too_long_exception");
        assertThat(a.body().at("/error/reason").asText()).contains("1048576");
        assertThat(a.response().headers().firstValue("X-Elastic-Product")).contains("Elasticsearch");
        Answer ok = gzip(ingestOnly, "/_bulk?refresh=true", ("{\"index\":{\"_index\":\"app\"}}\n"
                + "{\"message\":\"zipped fine\"}\n").getBytes(StandardCharsets.UTF_8));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.body().get("errors").asBoolean()).as(ok.raw()).isFalse();
    }
    @Test
    void noOtherSpellingOfASearchPathLetsAnIngestTokenRead() throws Exception {
        for (String path : List.of("/app/_s%65arch", "/%5Fsearch", "/app/%5Fcount", "/app/./_search",
                "/x/../app/_search", "/app;x=1/_search", "/app/_search;x=1", "/app/_search/.", "/APP/_search",
                "/app/_SEARCH", "/app/_search%2F", "/app%2F_search")) {
            Answer a = call(ingestOnly, "POST", path, "{}");
            assertThat(a.raw()).as("POST " + path + " -> " + a.status()).doesNotContain("order paid")
                    .doesNotContain("\"hits\"").doesNotContain("\"count\"");
        }
    }
    @Test
    void aSortedSearchOfSeveralIndexSetsMergesPagesInOrder() throws Exception {
        long t0 = java.time.Instant.now().minus(java.time.Duration.ofDays(1))
                .truncatedTo(java.time.temporal.ChronoUnit.HOURS).toEpochMilli();
        StringBuilder nd = new StringBuilder();
        for (int i = 0; i < 12; i++) { // interleaved between two index sets, seconds apart
            nd.append("{\"index\":{\"_index\":\"").append(i % 2 == 0 ? "merge_a" : "merge_b").append("\"}}\n")
                    .append("{\"@timestamp\":").append(t0 + i * 1000L).append(",\"message\":\"m").append(i)
                    .append("\",\"seq\":").append(i).append("}\n");
        }
        Answer bulk = call(ingestOnly, "POST", "/_bulk?refresh=true", nd.toString());
        assertThat(bulk.body().get("errors").asBoolean()).as(bulk.raw()).isFalse();
        for (String order : List.of("asc", "desc")) {
            for (int from : List.of(0, 3, 10)) {
                Answer a = call(viewerOnly, "POST", "/merge_*/_search", "{\"from\":" + from + ",\"size\":4,"
                        + "\"sort\":[{\"@timestamp\":\"" + order + "\"}]}");
                assertThat(a.status()).as(a.raw()).isEqualTo(200);
                assertThat(a.body().at("/hits/total/value").asLong()).isEqualTo(12);
                List<Integer> seqs = new java.util.ArrayList<>();
                a.body().at("/hits/hits").forEach(h -> seqs.add(h.at("/_source/seq").asInt()));
                List<Integer> want = new java.util.ArrayList<>();
                for (int k = from; k < Math.min(from + 4, 12); k++) want.add(order.equals("asc") ? k : 11 - k);
                assertThat(seqs).as(order + " from " + from).isEqualTo(want);
            }
        }
        // unsorted: the page is cut from the index sets' hits one after the other, nothing lost or repeated
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int from = 0; from < 12; from += 5) {
            Answer a = call(viewerOnly, "POST", "/merge_*/_search", "{\"from\":" + from + ",\"size\":5}");
            a.body().at("/hits/hits").forEach(h -> assertThat(seen.add(h.at("/_source/seq").asInt())).isTrue());
        }
        assertThat(seen).hasSize(12);
    }
}
