package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 14, "regexes are bounded": a pathological masking pattern in the preview answers within a second and leaves
 * no thread matching; constructs RE2 lacks are a 400 naming them; a query regex too large for the automaton engine is
 * a 400 {@code regex_too_complex} on the Lucene and the memory store, not a 500.
 */
class RegexHardeningTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String AS = "a".repeat(5000);

    @TempDir
    Path dataDir;

    private BklogServer server;
    private String admin;
    private final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, String raw, JsonNode body, long millis) {}

    private Answer call(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + admin);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        long ms = (System.nanoTime() - t) / 1_000_000;
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()), ms);
    }

    private void start(String backend) throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 4 * 1024 * 1024),
                dataDir.toString(), new StoreConfig(backend, Map.of())));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        assertThat(call("PUT", "/api/v1/index_sets/app", "{\"fields\": [{\"name\": \"user\", \"type\": \"keyword\"}]}")
                .status()).isEqualTo(201);
        Answer ing = call("POST", "/api/v1/index_sets/app/ingest?refresh=true", "[{\"dtEventTimeStamp\":"
                + " 1700000000000, \"user\": \"alice\", \"log\": \"login alice ok\"}]");
        assertThat(ing.status()).as(ing.raw()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        if (server != null) server.close();
    }

    private static String preview(String pattern, String sample) throws Exception {
        return JSON.writeValueAsString(Map.of("samples", java.util.List.of(Map.of("log", sample)),
                "field_configs", java.util.List.of(Map.of("field_name", "log", "operator", "mask_shield",
                        "match_pattern", pattern))));
    }

    /** No thread of this JVM is running a regex engine (java.util.regex or RE2/J) a little after the answer. */
    private static void noThreadIsMatching() throws InterruptedException {
        Thread.sleep(200);
        for (Map.Entry<Thread, StackTraceElement[]> e : Thread.getAllStackTraces().entrySet()) {
            for (StackTraceElement f : e.getValue()) {
                assertThat(f.getClassName()).as("thread %s still matching", e.getKey().getName())
                        .doesNotStartWith("java.util.regex.").doesNotStartWith("com.google.re2j.");
            }
        }
    }

    @Test
    void pathologicalPreviewPatternsAnswerWithinASecondAndLeaveNoThreadRunning() throws Exception {
        start("");
        for (String p : new String[] {"(.*a){25}b", "(a|a)*b"}) {
            Answer a = call("POST", "/api/v1/index_sets/app/desensitize/preview", preview(p, AS));
            assertThat(a.status()).as(p + " " + a.raw()).isEqualTo(200);
            assertThat(a.millis()).as(p).isLessThan(1000);
            assertThat(a.body().get("samples").get(0).get("log").asText()).as(p).isEqualTo(AS); // no match
            Answer hit = call("POST", "/api/v1/index_sets/app/desensitize/preview", preview(p, AS + "b"));
            assertThat(hit.status()).as(p + " " + hit.raw()).isEqualTo(200);
            assertThat(hit.millis()).as(p).isLessThan(1000);
            assertThat(hit.body().get("samples").get(0).get("log").asText()).as(p).isEqualTo("*".repeat(5001));
        }
        noThreadIsMatching();
    }

    @Test
    void constructsRe2LacksAreA400NamingThemOnSave() throws Exception {
        start("");
        Answer look = call("POST", "/api/v1/desensitize/rules", "{\"rule_name\":\"la\",\"operator\":\"mask_shield\","
                + "\"match_pattern\":\"\\\\d+(?=px)\"}");
        assertThat(look.status()).as(look.raw()).isEqualTo(400);
        assertThat(look.body().get("field").asText()).isEqualTo("match_pattern");
        assertThat(look.body().get("message").asText())
                .contains("lookahead (?=...) is not supported: bklog runs regexes in linear time (RE2 syntax)");
        Answer back = call("POST", "/api/v1/index_sets/app/desensitize/preview", preview("(\\d)\\1", "11"));
        assertThat(back.status()).as(back.raw()).isEqualTo(400);
        assertThat(back.body().get("message").asText()).contains("backreference \\1 is not supported");
        Answer named = call("POST", "/api/v1/desensitize/rules", "{\"rule_name\":\"ng\",\"operator\":\"text_replace\","
                + "\"params\":{\"template_string\":\"${p}****\"},\"match_pattern\":\"(?P<p>1[3-9]\\\\d)\\\\d{8}\"}");
        assertThat(named.status()).as(named.raw()).isEqualTo(201);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "memory"})
    void aQueryRegexTooLargeForTheAutomatonIsA400(String backend) throws Exception {
        start(backend);
        for (String keyword : new String[] {"user:/[a-z]{1,100000}/", "/[a-z]{1,100000}/", "log:/" + "a|".repeat(600)
                + "b/", "user:/(a|b)*a(a|b){24}/", "log:" + "a.".repeat(40) + "b*", "log:a" + "?".repeat(1000)}) {
            // the best of three tries: the machine running the suite is shared and often loaded
            Answer a = null;
            long best = Long.MAX_VALUE;
            for (int i = 0; i < 3; i++) {
                a = call("POST", "/api/v1/index_sets/app/search", JSON.writeValueAsString(Map.of("keyword", keyword)));
                best = Math.min(best, a.millis());
            }
            assertThat(best).as(keyword).isLessThan(1000);
            if (backend.equals("memory") && keyword.contains("(a|b)*")) {
                // RE2 runs it in linear time: an answer, not a refusal
                assertThat(a.status()).as(a.raw()).isEqualTo(200);
                continue;
            }
            assertThat(a.status()).as(keyword + " " + a.raw()).isEqualTo(400);
            assertThat(a.body().get("error").asText()).isEqualTo("regex_too_complex");
            assertThat(a.body().get("field").asText()).isEqualTo("keyword");
            assertThat(a.body().get("message").asText()).contains("too complex");
        }
        Answer ok = call("POST", "/api/v1/index_sets/app/search", "{\"keyword\": \"user:/al.*e/\"}");
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.body().get("total").asLong()).isEqualTo(1);
    }
}
