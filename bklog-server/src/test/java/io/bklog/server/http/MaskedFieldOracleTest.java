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

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, high finding: a masked viewer must not recover a masked value through what matches (range queries with
 * a binary search on {@code total}, exact / wildcard / regex queries, filters, sorts, aggregations).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MaskedFieldOracleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SECRET = "sk-q7tz3mpx";
    private static final String ALPHABET = "-0123456789abcdefghijklmnopqrstuvwxyz";

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private String admin;
    private String viewer;
    private String unmasked;
    private final HttpClient http = HttpClient.newHttpClient();
    private int requests;
    private int refused;

    record Answer(int status, JsonNode body, String raw) {}

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call(admin, "PUT", "/api/v1/index_sets/keys", q("{'fields': [{'name': 'token', 'type': 'keyword'},"
                + " {'name': 'user', 'type': 'keyword'}]}")).status()).isEqualTo(201);
        Answer ing = call(admin, "POST", "/api/v1/index_sets/keys/ingest?refresh=true", q("[{'user': 'alice',"
                + " 'token': '" + SECRET + "', 'log': 'alice logged in'}, {'user': 'bob', 'token': 'sk-a0000000',"
                + " 'log': 'bob logged in'}]"));
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);
        Answer cfg = call(admin, "PUT", "/api/v1/index_sets/keys/desensitize", q("{'field_configs': [{'field_name':"
                + " 'token', 'operator': 'mask_shield', 'params': {'preserve_head': 3, 'preserve_tail': 0},"
                + " 'sort_index': 0}]}"));
        assertThat(cfg.status()).as(cfg.raw()).isEqualTo(200);
        viewer = token("oracle-viewer", "'viewer'");
        unmasked = token("oracle-unmasked", "'viewer', 'unmasked'");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private String token(String name, String roles) throws Exception {
        Answer a = call(admin, "POST", "/api/v1/tokens", q("{'name': '" + name + "', 'space_uid': 'default', 'roles': ["
                + roles + "]}"));
        assertThat(a.status()).as(a.raw()).isEqualTo(201);
        return a.body().get("token").asText();
    }

    private Answer call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r.body());
    }

    private static String q(String s) {
        return s.replace('\'', '"');
    }

    private Answer search(String token, String body) throws Exception {
        return call(token, "POST", "/api/v1/index_sets/keys/search", body);
    }

    /** total of {@code token:>=prefix AND user:alice}, or -1 when refused. */
    private long atLeast(String token, String prefix) throws Exception {
        requests++;
        Answer a = search(token, q("{'keyword': 'token:>=" + prefix + " AND user:alice', 'size': 0}"));
        if (a.status() != 200) {
            assertThat(a.status()).as(a.raw()).isEqualTo(400);
            assertThat(a.body().get("error").asText()).isEqualTo("masked_field");
            refused++;
            return -1;
        }
        return a.body().get("total").asLong();
    }

    /** The attack of the issue: per position, the largest next character c with total(token >= prefix + c) = 1. */
    private String binarySearch(String token) throws Exception {
        StringBuilder known = new StringBuilder();
        for (int pos = 0; pos < 16; pos++) {
            int lo = 0;
            int hi = ALPHABET.length() - 1;
            int found = -1;
            while (lo <= hi) {
                int mid = (lo + hi) / 2;
                long total = atLeast(token, known.toString() + ALPHABET.charAt(mid));
                if (total < 0) return known.toString();
                if (total == 1) {
                    found = mid;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            if (found < 0) break;
            known.append(ALPHABET.charAt(found));
        }
        return known.toString();
    }

    @Test
    void aBinarySearchOnTotalWithRangeQueriesRecoversNothingForAMaskedViewer() throws Exception {
        requests = 0;
        refused = 0;
        assertThat(binarySearch(viewer)).isEmpty();
        assertThat(requests).isPositive();
        assertThat(refused).isEqualTo(requests);

        // the same attack with an unmasked token works, so the refusal above is what stops it
        assertThat(binarySearch(unmasked)).isEqualTo(SECRET);
    }

    @Test
    void everyWayOfMatchingOnAMaskedFieldIs400ForAMaskedViewerAndWorksUnmasked() throws Exception {
        List<String> bodies = List.of(
                "{'keyword': 'token:" + SECRET + "'}",
                "{'keyword': 'token:\\\"" + SECRET + "\\\"'}",
                "{'keyword': 'token:sk-q*'}",
                "{'keyword': 'token:/sk-q.*/'}",
                "{'keyword': 'token:[sk-q TO sk-r]'}",
                "{'keyword': 'user:alice AND NOT token:sk-a*'}",
                "{'addition': [{'field': 'token', 'operator': 'is', 'value': ['" + SECRET + "']}]}",
                "{'sort_list': [['token', 'asc']]}",
                "{'aggs': {'terms': [{'field': 'token'}]}}");
        for (String body : bodies) {
            Answer masked = search(viewer, q(body));
            assertThat(masked.status()).as(body + " -> " + masked.raw()).isEqualTo(400);
            assertThat(masked.body().get("error").asText()).isEqualTo("masked_field");
            assertThat(masked.body().get("message").asText()).contains("'token'");
            assertThat(masked.raw()).doesNotContain(SECRET);
            assertThat(search(unmasked, q(body)).status()).as(body).isEqualTo(200);
        }
        Answer after = search(viewer, q("{'sort_list': [['token', 'asc']], 'search_after': ['sk-q']}"));
        assertThat(after.status()).isEqualTo(400);
        assertThat(after.body().get("error").asText()).isEqualTo("masked_field");
        Answer analysis = call(viewer, "POST", "/api/v1/index_sets/keys/field_analysis?agg_field=token", "{}");
        assertThat(analysis.status()).isEqualTo(400);
        assertThat(analysis.body().get("field").asText()).isEqualTo("agg_field");
        Answer export = call(viewer, "POST", "/api/v1/index_sets/keys/export?file_type=jsonl",
                q("{'keyword': 'token:sk-q*'}"));
        assertThat(export.status()).isEqualTo(400);
        assertThat(call(unmasked, "POST", "/api/v1/index_sets/keys/field_analysis?agg_field=token", "{}").status())
                .isEqualTo(200);
    }

    @Test
    void freeTextNoLongerMatchesMaskedKeywordFieldsButOtherQueriesStillWork() throws Exception {
        assertThat(search(viewer, q("{'keyword': '" + SECRET + "'}")).body().get("total").asLong()).isZero();
        assertThat(search(viewer, q("{'keyword': 'sk-q*'}")).body().get("total").asLong()).isZero();
        assertThat(search(unmasked, q("{'keyword': '" + SECRET + "'}")).body().get("total").asLong()).isEqualTo(1);
        Answer ok = search(viewer, q("{'keyword': 'alice AND _exists_:token', 'sort_list': [['user', 'asc']],"
                + " 'aggs': {'terms': [{'field': 'user'}]}}"));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.body().get("total").asLong()).isEqualTo(1);
        assertThat(ok.raw()).contains("sk-********").doesNotContain(SECRET);
    }
}
