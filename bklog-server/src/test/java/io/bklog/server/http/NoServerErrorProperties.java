package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.Tuple;
import net.jqwik.api.Combinators;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No input gives a 5xx: random JSON bodies, query strings, time expressions, path segments and headers are sent to
 * every route of the README's route table and the Elasticsearch-compatible paths, with an admin and with a viewer
 * token; every answer is below 500, within {@link FuzzServer#BOUND}, and an error of {@code /api/**} has the JSON
 * shape of docs/errors.md. The seed is fixed (runs are reproducible) and the corpus
 * {@code src/test/resources/fuzz/corpus.tsv} (inputs that once gave a 5xx) is replayed on every run.
 */
class NoServerErrorProperties {
    private static final int TRIES = 300;
    private static final String SEED = "14";

    /** Every route: method and path, path parameters in braces. */
    static final List<String[]> ROUTES = List.of(
            r("GET", "/api/v1/index_sets"), r("GET", "/api/v1/index_sets/{name}"), r("PUT", "/api/v1/index_sets/{name}"),
            r("POST", "/api/v1/index_sets/{name}/ingest"), r("GET", "/api/v1/index_sets/{name}/dead_letters"),
            r("POST", "/api/v1/index_sets/{name}/dead_letters/replay"),
            r("GET", "/api/v1/collectors"), r("POST", "/api/v1/collectors"), r("GET", "/api/v1/collectors/{id}"),
            r("PUT", "/api/v1/collectors/{id}"), r("DELETE", "/api/v1/collectors/{id}"),
            r("POST", "/api/v1/collectors/{id}/start"), r("POST", "/api/v1/collectors/{id}/stop"),
            r("POST", "/api/v1/etl/preview"), r("POST", "/api/v1/etl/time_format"),
            r("POST", "/api/v1/index_sets/{name}/search"), r("POST", "/api/v1/index_sets/{name}/context"),
            r("POST", "/api/v1/index_sets/{name}/field_analysis"), r("POST", "/api/v1/index_sets/{name}/export"),
            r("GET", "/api/v1/index_sets/{name}/tail"), r("GET", "/api/v1/index_sets/{name}/search_history"),
            r("POST", "/api/v1/index_sets/{name}/exports"), r("GET", "/api/v1/exports"),
            r("GET", "/api/v1/exports/{id}"), r("GET", "/api/v1/exports/{id}/download"),
            r("GET", "/api/v1/favorites"), r("POST", "/api/v1/favorites"), r("GET", "/api/v1/favorites/{id}"),
            r("PUT", "/api/v1/favorites/{id}"), r("DELETE", "/api/v1/favorites/{id}"),
            r("GET", "/api/v1/desensitize/rules"), r("POST", "/api/v1/desensitize/rules"),
            r("DELETE", "/api/v1/desensitize/rules/{id}"), r("GET", "/api/v1/index_sets/{name}/desensitize"),
            r("PUT", "/api/v1/index_sets/{name}/desensitize"),
            r("POST", "/api/v1/index_sets/{name}/desensitize/preview"),
            r("POST", "/api/v1/spaces"), r("GET", "/api/v1/tokens"), r("POST", "/api/v1/tokens"),
            r("DELETE", "/api/v1/tokens/{name}"),
            r("GET", "/api/v1/tasks"), r("POST", "/api/v1/tasks/{name}/run"), r("GET", "/api/v1/tasks/status/{id}"),
            r("GET", "/api/v1/task_runs"),
            r("GET", "/api/v1/backups"), r("POST", "/api/v1/backups/{id}/verify"),
            r("POST", "/api/v1/index_sets/{name}/restores"), r("GET", "/api/v1/restores"),
            r("GET", "/api/v1/restores/{id}"), r("DELETE", "/api/v1/restores/{id}"),
            r("GET", "/api/v1/index_sets/{name}/capacity"),
            r("GET", "/healthz"), r("GET", "/livez"), r("GET", "/readyz"), r("GET", "/metrics"),
            r("GET", "/ui"), r("GET", "/ui/{name}"),
            // Elasticsearch-compatible paths (their semantics belong elsewhere; here only: no 5xx)
            r("GET", "/"), r("HEAD", "/"), r("POST", "/_bulk"), r("POST", "/{name}/_bulk"),
            r("POST", "/{name}/_doc"), r("PUT", "/{name}/_doc/{id}"), r("PUT", "/{name}/_create/{id}"),
            r("GET", "/_cluster/health"), r("GET", "/_license"), r("GET", "/_xpack"), r("GET", "/_nodes"),
            r("GET", "/_index_template/{name}"), r("PUT", "/_index_template/{name}"),
            r("PUT", "/_template/{name}"), r("PUT", "/_ilm/policy/{name}"), r("PUT", "/_ingest/pipeline/{name}"));

    /** The routes that search, with their time parameters in a JSON body (tail takes them in the query string). */
    static final List<String> SEARCHING = List.of("/api/v1/index_sets/app/search", "/api/v1/index_sets/app/context",
            "/api/v1/index_sets/app/field_analysis", "/api/v1/index_sets/app/export",
            "/api/v1/index_sets/app/exports");

    private static String[] r(String method, String path) {
        return new String[] {method, path};
    }

    private final FuzzServer s = FuzzServer.get();

    // ------------------------------------------------------------------ properties

    @Property(tries = TRIES, seed = SEED, shrinking = ShrinkingMode.OFF)
    void anyJsonBodyOnAnyRoute(@ForAll("routes") String[] route, @ForAll("tokens") String token,
                               @ForAll("bodies") String body) throws Exception {
        check(route[0], path(route[1]), token, Map.of("Content-Type", "application/json"), body);
    }

    @Property(tries = TRIES, seed = SEED, shrinking = ShrinkingMode.OFF)
    void anyQueryStringOnAnyRoute(@ForAll("routes") String[] route, @ForAll("tokens") String token,
                                  @ForAll("queryStrings") String query) throws Exception {
        check(route[0], path(route[1]) + "?" + query, token, Map.of(), null);
    }

    @Property(tries = TRIES, seed = SEED, shrinking = ShrinkingMode.OFF)
    void anyTimeExpressionOnTheSearchingRoutes(@ForAll("searching") String path, @ForAll("tokens") String token,
                                               @ForAll("times") String from, @ForAll("times") String to,
                                               @ForAll("intervals") String interval) throws Exception {
        if (path.endsWith("/tail")) {
            check("GET", path + "?since=" + FuzzServer.encode(from), token, Map.of(), null);
            return;
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode().put("start_time", from).put("end_time", to);
        if (path.endsWith("/search")) body.putObject("aggs").putObject("histogram").put("interval", interval);
        check("POST", path.endsWith("/field_analysis") ? path + "?agg_field=status" : path, token,
                Map.of("Content-Type", "application/json"), body.toString());
    }

    /** Search-shaped bodies (only the known parameters, with random values) on the routes that search. */
    @Property(tries = TRIES, seed = SEED, shrinking = ShrinkingMode.OFF)
    void anySearchShapedBodyOnTheSearchingRoutes(@ForAll("searching") String path, @ForAll("tokens") String token,
                                                 @ForAll("searchBodies") String body,
                                                 @ForAll("aggFields") String aggField) throws Exception {
        if (path.endsWith("/tail")) {
            JsonNode b = Json.mapper().readTree(body);
            check("GET", path + "?keyword=" + FuzzServer.encode(b.path("keyword").asText("")) + "&fields="
                    + FuzzServer.encode(b.path("fields").toString()) + "&since="
                    + FuzzServer.encode(b.path("start_time").asText("")), token, Map.of(), null);
            return;
        }
        String p = path.endsWith("/field_analysis") ? path + "?agg_field=" + FuzzServer.encode(aggField) : path;
        if (path.endsWith("/export")) p += "?file_type=" + FuzzServer.encode(aggField);
        check("POST", p, token, Map.of("Content-Type", "application/json"), body);
    }

    @Property(tries = TRIES, seed = SEED, shrinking = ShrinkingMode.OFF)
    void anyPathSegment(@ForAll("routes") String[] route, @ForAll("tokens") String token,
                        @ForAll("segments") String segment) throws Exception {
        String path = route[1].replaceAll("\\{[a-z]+}", FuzzServer.encode(segment));
        if (path.equals(route[1])) path = route[1] + "/" + FuzzServer.encode(segment);
        check(route[0], path, token, Map.of(), route[0].equals("GET") || route[0].equals("HEAD") ? null : "{}");
    }

    @Property(tries = TRIES, seed = SEED, shrinking = ShrinkingMode.OFF)
    void anyHeaders(@ForAll("routes") String[] route, @ForAll("headers") Map<String, String> headers,
                    @ForAll("bodies") String body) throws Exception {
        String token = headers.containsKey("Authorization") ? null : s.admin;
        check(route[0], path(route[1]), token, headers, route[0].equals("GET") ? null : body);
    }

    /** The corpus of inputs that once answered 5xx (or otherwise matter), replayed with both tokens. */
    @Example
    void theCorpusNeverAnswers5xx() throws Exception {
        List<String> lines = Files.readAllLines(Path.of("src", "test", "resources", "fuzz", "corpus.tsv"));
        int replayed = 0;
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            String[] p = line.split("\t", 4);
            int expected = Integer.parseInt(p[0]);
            for (String token : List.of(s.admin, s.viewer)) {
                FuzzServer.Answer a = check(p[1], p[2], token, Map.of("Content-Type", "application/json"),
                        p.length > 3 ? unescape(p[3]) : null);
                if (token.equals(s.admin) && expected > 0) {
                    assertThat(a.status()).as(line + " -> " + a.body()).isEqualTo(expected);
                }
            }
            replayed++;
        }
        assertThat(replayed).isGreaterThan(10);
    }

    /** Jetty's own refusals (before any route) keep their status and answer the JSON error shape. */
    @Example
    void jettysOwnErrorsAreJson() throws Exception {
        FuzzServer.Answer nul = s.send("GET", "/api/v1/index_sets/%00", s.admin, Map.of(), null);
        assertThat(nul.status()).isEqualTo(400);
        assertErrorShape(nul, "bad_request");
        FuzzServer.Answer longUri = s.send("GET", "/api/v1/index_sets/" + "a".repeat(9000), s.admin, Map.of(), null);
        assertThat(longUri.status()).isEqualTo(414);
        assertErrorShape(longUri, "uri_too_long");
        FuzzServer.Answer bigHeader = s.send("GET", "/api/v1/index_sets", s.admin, Map.of("X-Big", "a".repeat(9000)),
                null);
        assertThat(bigHeader.status()).isEqualTo(431);
        assertErrorShape(bigHeader, "headers_too_large");
        for (String raw : List.of("GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n", "GARBAGE\r\n\r\n",
                "GET /api/v1/index_sets HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n")) {
            String answer = raw(raw);
            assertThat(answer).as(raw).startsWith("HTTP/1.1 400");
            assertThat(answer).as(raw).contains("application/json").contains("\"error\":\"bad_request\"")
                    .doesNotContain("<h1>");
        }
    }

    // ------------------------------------------------------------------ checks

    private FuzzServer.Answer check(String method, String path, String token, Map<String, String> headers,
                                    String body) throws Exception {
        FuzzServer.Answer a;
        try {
            a = s.send(method, path, token, headers, body);
        } catch (java.net.http.HttpTimeoutException e) {
            throw new AssertionError(method + " " + path + " took more than " + FuzzServer.BOUND + "; body: "
                    + clip(body), e);
        } catch (IOException e) {
            throw new AssertionError(method + " " + clip(path) + " headers " + headers + " body " + clip(body)
                    + " got no answer: " + e.getMessage(), e);
        }
        String what = method + " " + clip(path) + " body " + clip(body) + " headers " + headers + " -> " + a.status()
                + " " + clip(a.body());
        // a health probe answers 503 when a check fails; an unknown ?include= namespace is a failed check, as in
        // bklog (docs/health.md), so that 503 is the probe's answer, not a server error
        boolean probe = (path.startsWith("/healthz") || path.startsWith("/readyz")) && a.status() == 503
                && a.body().contains("unsupported namespace");
        if (!probe) assertThat(a.status()).as(what).isLessThan(500);
        assertThat(a.millis()).as(what).isLessThan(FuzzServer.BOUND.toMillis());
        if (a.status() >= 400 && path.startsWith("/api/") && !method.equals("HEAD")) {
            assertErrorShape(a, null);
        }
        return a;
    }

    private static void assertErrorShape(FuzzServer.Answer a, String code) throws IOException {
        assertThat(a.contentType()).as(a.body()).startsWith("application/json");
        JsonNode n = Json.mapper().readTree(a.body());
        assertThat(n.has("error") && n.has("message") && n.has("field")).as(a.body()).isTrue();
        if (code != null) assertThat(n.get("error").asText()).isEqualTo(code);
    }

    private String raw(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", s.server.port())) {
            socket.setSoTimeout((int) FuzzServer.BOUND.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            StringBuilder sb = new StringBuilder();
            int n;
            try {
                while ((n = in.read(buf)) > 0) {
                    sb.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (sb.indexOf("}") > 0) break;
                }
            } catch (java.net.SocketTimeoutException e) {
                // what arrived is the answer
            }
            return sb.toString();
        }
    }

    private static String path(String template) {
        return template.replace("{name}", "app").replace("{index}", "app").replace("{id}", "1");
    }

    private static String clip(String s) {
        if (s == null) return "null";
        return s.length() > 300 ? s.substring(0, 300) + "...(" + s.length() + " chars)" : s;
    }

    /** Corpus bodies are one line: \n, \r, \t and \\ stand for themselves escaped. */
    private static String unescape(String s) {
        return s.replace("\\n", "\n").replace("\\r", "\r").replace("\\t", "\t");
    }

    // ------------------------------------------------------------------ generators

    @Provide
    Arbitrary<String[]> routes() {
        return Arbitraries.of(ROUTES);
    }

    @Provide
    Arbitrary<String> tokens() {
        return Arbitraries.of(s.admin, s.viewer);
    }

    @Provide
    Arbitrary<String> searching() {
        List<String> all = new ArrayList<>(SEARCHING);
        all.add("/api/v1/index_sets/app/tail");
        return Arbitraries.of(all);
    }

    /** Strings that break parsers: the corpus's known-bad values, random text, control characters, long runs. */
    static Arbitrary<String> weird() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.of("", " ", "now-999999999y", "+999999999-12-31T23:59:59Z", "-1", "0",
                        "99999999999999999999", "1e308", "NaN", "null", "true", "*", "\u0000", "a\r\nb",
                        "%00", "../../etc/passwd", "app", "status", "log", "serverIp", "dtEventTimeStamp", "ip",
                        "{}", "[]", "\"", "\\", "'", "${jndi:ldap://x}", "=1+1", "\uD83D\uDE00", "\uFFFF",
                        "2024-01-01T00:00:00Z", "now", "1s", "auto", "asc", "desc", "is", "is one of", "gt",
                        "viewer", "admin", "unmasked", "default", "kafka", "file", "syslog", "json", "csv")),
                Tuple.of(3, Arbitraries.strings().all().ofMaxLength(30)),
                Tuple.of(2, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(40)),
                Tuple.of(1, Arbitraries.integers().between(100, 20_000).map("x"::repeat)),
                Tuple.of(2, times()),
                Tuple.of(2, keywords()));
    }

    @Provide
    static Arbitrary<String> times() {
        Arbitrary<String> math = Combinators.combine(
                Arbitraries.of("now", "2024-01-31||", "now/d", "1700000000||", "+999999999-12-31T23:59:59Z||"),
                Arbitraries.of("+", "-", "/", "", "*"),
                Arbitraries.oneOf(Arbitraries.longs().between(0, 99_999_999_999L).map(String::valueOf),
                        Arbitraries.just("")),
                Arbitraries.of("y", "M", "w", "d", "h", "H", "m", "s", "", "x", "/d")).as((a, op, n, u) -> a + op + n + u);
        Arbitrary<String> iso = Combinators.combine(
                Arbitraries.oneOf(Arbitraries.integers().between(-999_999_999, 999_999_999).map(y ->
                        (y > 9999 ? "+" : "") + String.format(y < 0 ? "%05d" : "%04d", y)),
                        Arbitraries.of("2024", "0000", "9999", "10000", "+10000", "-0001")),
                Arbitraries.integers().between(0, 13), Arbitraries.integers().between(0, 32),
                Arbitraries.of("T00:00:00Z", "T23:59:59.999+14:00", "T24:00:00Z", " 10:00:00", "", "T10:00:00-18:00",
                        "T10:00:00[Asia/Shanghai]", "T10:00"))
                .as((y, m, d, t) -> y + "-" + String.format("%02d", m) + "-" + String.format("%02d", d) + t);
        Arbitrary<String> epoch = Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(25);
        return Arbitraries.frequencyOf(Tuple.of(3, math), Tuple.of(3, iso), Tuple.of(2, epoch),
                Tuple.of(1, Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(20)));
    }

    @Provide
    Arbitrary<String> intervals() {
        return Arbitraries.oneOf(Arbitraries.of("auto", "", "1s", "0s", "1ms", "-1m", "1.5h", "1w", "1M"),
                Combinators.combine(Arbitraries.strings().numeric().ofMinLength(1).ofMaxLength(22),
                        Arbitraries.of("s", "m", "h", "d", "")).as((n, u) -> n + u));
    }

    /** Query strings of the query language's tokens (no user regex beyond trivial ones: that is the regex work). */
    static Arbitrary<String> keywords() {
        Arbitrary<String> token = Arbitraries.of("log:", "serverIp:", "status:", "ip:", "dtEventTimeStamp:", "AND", "OR",
                "NOT", "(", ")", "\"", "*", "?", "[", "TO", "]", "{", "}", "/a.*/", ">=", "<", ">", "_exists_:",
                "\\", ":", "~", "^", "a", "500", "error", "10.0.0.1", "192.168.0.0/16", "-", "+", "!", "&&", "||",
                "*:", "now-1d", "2024-01-01", "99999999999999999999", "-9223372036854775808", "1e400", "::1",
                "300.1.1.1", "\u0000", "é", "+999999999-12-31T23:59:59Z", "-999999999-01-01", "when:");
        return token.list().ofMaxSize(14).flatMap(ts -> Arbitraries.of(" ", "").map(sep -> String.join(sep, ts)));
    }

    @Provide
    Arbitrary<String> segments() {
        return weird();
    }

    @Provide
    Arbitrary<String> queryStrings() {
        Arbitrary<String> key = Arbitraries.oneOf(Arbitraries.of("start_time", "end_time", "keyword", "refresh",
                "format", "include", "exclude", "size", "begin", "pretty", "interval", "index", "pipeline", "id",
                "limit", "offset", "page", "status", "kind", "index_set", "filter_path"), weird());
        Arbitrary<String> pair = Combinators.combine(key, weird())
                .as((k, v) -> FuzzServer.encode(k) + "=" + FuzzServer.encode(v));
        return pair.list().ofMaxSize(5).map(ps -> String.join("&", ps));
    }

    @Provide
    Arbitrary<Map<String, String>> headers() {
        Arbitrary<String> value = Arbitraries.oneOf(Arbitraries.strings().withCharRange(' ', '~').ofMaxLength(60),
                Arbitraries.of("", "gzip", "deflate", "application/x-ndjson", "text/plain", "application/json;"
                        + " charset=utf-16", "Bearer ", "Bearer x", "ApiKey " + "=".repeat(4), "Basic Og==",
                        "Basic !!!", "bytes=0-1", "100-continue", "*/*", "-1", "99999999999999999999"));
        Arbitrary<String> name = Arbitraries.of("Authorization", "Content-Type", "Accept", "Accept-Encoding",
                "Content-Encoding", "Idempotency-Key", "X-Opaque-Id", "Range", "If-None-Match", "Origin",
                "X-Forwarded-For", "Cookie", "Accept-Language", "X-Request-Id");
        return Arbitraries.maps(name, value).ofMaxSize(4).map(m -> {
            Map<String, String> out = new LinkedHashMap<>(m);
            out.computeIfPresent("Authorization", (k, v) -> v.startsWith("Bearer x") ? "Bearer " + s.viewer : v);
            return out;
        });
    }

    private static final List<String> FIELDS = List.of("log", "serverIp", "path", "gseIndex", "iterationIndex",
            "dtEventTimeStamp", "status", "ip", "nope", "", "*", "__parse_failure", "_id");

    @Provide
    Arbitrary<String> aggFields() {
        return Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of(FIELDS)), Tuple.of(1, weird()));
    }

    @Provide
    Arbitrary<String> searchBodies() {
        Arbitrary<JsonNode> field = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(FIELDS)), Tuple.of(1, weird()))
                .map(TextNode::valueOf);
        Arbitrary<JsonNode> anything = Arbitraries.frequencyOf(Tuple.of(6, json(0)), Tuple.of(1, json(2)));
        Arbitrary<JsonNode> smallInt = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(-5, 10_005).map(i -> (JsonNode) LongNode.valueOf(i))),
                Tuple.of(1, json(0)));
        Arbitrary<JsonNode> sortList = Combinators.combine(field, Arbitraries.of("asc", "desc", "ASC", "up", ""))
                .as((f, o) -> (JsonNode) JsonNodeFactory.instance.arrayNode().add(f).add(o))
                .list().ofMaxSize(3).map(NoServerErrorProperties::array);
        Arbitrary<JsonNode> searchAfter = anything.list().ofMaxSize(6).map(NoServerErrorProperties::array);
        Arbitrary<JsonNode> addition = Combinators.combine(field, Arbitraries.of("is", "is not", "is one of",
                        "=", "!=", "contains", "not contains", "gt", "gte", "lt", "lte", "between", "exists",
                        "does not exists", "~=", "regex", "", "nope"), anything,
                Arbitraries.of("and", "or", ""))
                .as((f, op, v, c) -> (JsonNode) JsonNodeFactory.instance.objectNode().<ObjectNode>set("field", f)
                        .put("operator", op).<ObjectNode>set("value", v).put("condition", c))
                .list().ofMaxSize(3).map(NoServerErrorProperties::array);
        Arbitrary<JsonNode> aggs = Combinators.combine(intervals(), field, smallInt)
                .as((iv, f, n) -> {
                    ObjectNode a = JsonNodeFactory.instance.objectNode();
                    a.putObject("histogram").put("interval", iv);
                    a.putArray("terms").addObject().<ObjectNode>set("field", f).set("size", n);
                    return (JsonNode) a;
                });
        Map<String, Arbitrary<JsonNode>> params = new LinkedHashMap<>();
        params.put("keyword", keywords().map(TextNode::valueOf));
        params.put("start_time", times().map(TextNode::valueOf));
        params.put("end_time", times().map(TextNode::valueOf));
        params.put("begin", smallInt);
        params.put("size", smallInt);
        params.put("sort_list", sortList);
        params.put("search_after", searchAfter);
        params.put("addition", addition);
        params.put("aggs", aggs);
        params.put("highlight", anything);
        params.put("fields", field.list().ofMaxSize(3).map(NoServerErrorProperties::array));
        List<Arbitrary<Tuple.Tuple2<String, JsonNode>>> entries = new ArrayList<>();
        params.forEach((k, v) -> entries.add(v.map(x -> Tuple.of(k, x))));
        return Arbitraries.subsetOf(entries).flatMap(chosen -> Combinators.combine(new ArrayList<>(chosen))
                .as(kvs -> {
                    ObjectNode o = JsonNodeFactory.instance.objectNode();
                    for (Object kv : kvs) {
                        @SuppressWarnings("unchecked")
                        Tuple.Tuple2<String, JsonNode> t = (Tuple.Tuple2<String, JsonNode>) kv;
                        o.set(t.get1(), t.get2());
                    }
                    return o.toString();
                }));
    }

    private static JsonNode array(List<JsonNode> items) {
        ArrayNode a = JsonNodeFactory.instance.arrayNode();
        items.forEach(a::add);
        return a;
    }

    private static final List<String> KEYS = List.of("keyword", "start_time", "end_time", "begin", "size",
            "sort_list", "search_after", "aggs", "histogram", "interval", "terms", "field", "addition", "operator",
            "value", "condition", "highlight", "fields", "agg_field", "name", "roles", "space_uid", "expires_at",
            "type", "time_field", "retention_days", "shards", "replicas", "dynamic", "storage_cluster", "rotation",
            "rollover_bytes", "source_type", "source_params", "paths", "etl_config", "etl_params", "data",
            "time_format", "time_zone", "rule_name", "match_pattern", "params", "field_configs", "text_fields",
            "format", "kind", "from", "to", "index_set", "dtEventTimeStamp", "log", "status", "ip", "serverIp",
            "index", "_index", "_id", "create", "delete", "update", "doc", "query", "search", "lines",
            "anchor", "gseIndex", "description", "config", "sort_index", "rule_id");

    @Provide
    Arbitrary<String> bodies() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, json(3).map(JsonNode::toString)),
                Tuple.of(2, json(2).list().ofMinSize(1).ofMaxSize(4).map(l -> String.join("\n",
                        l.stream().map(JsonNode::toString).toList()) + "\n")),
                Tuple.of(1, weird()));
    }

    private static Arbitrary<JsonNode> json(int depth) {
        Arbitrary<JsonNode> leaf = Arbitraries.frequencyOf(
                Tuple.of(4, weird().map(TextNode::valueOf)),
                Tuple.of(2, Arbitraries.longs().map(LongNode::valueOf)),
                Tuple.of(1, Arbitraries.of(Long.MAX_VALUE, Long.MIN_VALUE, 0L, -1L, 10_000L, 10_001L, 2_147_483_648L)
                        .map(LongNode::valueOf)),
                Tuple.of(1, Arbitraries.of(1e308, -1e308, 0.5, Double.MIN_VALUE).map(DoubleNode::valueOf)),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.TEN.pow(19), BigInteger.TEN.pow(30))
                        .map(b -> JsonNodeFactory.instance.numberNode(b))),
                Tuple.of(1, Arbitraries.of(BooleanNode.TRUE, BooleanNode.FALSE, NullNode.instance)));
        if (depth == 0) return leaf;
        Arbitrary<JsonNode> array = json(depth - 1).list().ofMaxSize(5).map(l -> {
            ArrayNode a = JsonNodeFactory.instance.arrayNode();
            l.forEach(a::add);
            return a;
        });
        Arbitrary<String> key = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(KEYS)), Tuple.of(1, weird()));
        Arbitrary<JsonNode> object = Arbitraries.maps(key, json(depth - 1)).ofMaxSize(6).map(m -> {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            m.forEach(o::set);
            return o;
        });
        return Arbitraries.frequencyOf(Tuple.of(3, leaf), Tuple.of(2, array), Tuple.of(depth == 3 ? 8 : 3, object));
    }
}
