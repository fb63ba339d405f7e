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

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Tail (Server-Sent Events read by a real HTTP client while documents are ingested), async export of 25,000 lines
 * (gunzipped and counted, masked), and favorites, end to end over HTTP with tokens of two spaces.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TailExportFavoriteRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern RAW_PHONE = Pattern.compile("(?<!\\d)1[3-9]\\d{9}(?!\\d)");

    @TempDir
    static Path dataDir;

    private BklogServer server;
    private final HttpClient http = HttpClient.newHttpClient();
    private String admin;
    private String viewer;
    private String otherSpace;
    private final Random rnd = new Random(11);
    private final List<String> secrets = new CopyOnWriteArrayList<>();

    record Answer(int status, String raw, JsonNode body) {}

    record Event(String name, String id, String data) {}

    private Answer call(String token, String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body(), r.body().isEmpty() ? null : JSON.readTree(r.body()));
    }

    private Answer ok(Answer a, int status) {
        assertThat(a.status()).as(a.raw()).isEqualTo(status);
        return a;
    }

    private String token(String space, String name, String... roles) throws Exception {
        String body = "{\"name\":\"" + name + "\",\"space_uid\":\"" + space + "\",\"roles\":["
                + java.util.Arrays.stream(roles).map(r -> "\"" + r + "\"").collect(Collectors.joining(",")) + "]}";
        return ok(call(admin, "POST", "/api/v1/tokens", body), 201).body().get("token").asText();
    }

    private long rule(String body) throws Exception {
        return ok(call(admin, "POST", "/api/v1/desensitize/rules", body), 201).body().get("id").asLong();
    }

    private String phone() {
        String p = "1" + (3 + rnd.nextInt(7)) + String.format("%09d", rnd.nextInt(1_000_000_000));
        secrets.add(p);
        return p;
    }

    private void indexSet(String name, long phoneRule) throws Exception {
        ok(call(admin, "PUT", "/api/v1/index_sets/" + name, ""), 201);
        ok(call(admin, "PUT", "/api/v1/index_sets/" + name, "{\"fields\": [{\"name\": \"phone\", \"type\":"
                + " \"keyword\"}]}"), 200);
        ok(call(admin, "PUT", "/api/v1/index_sets/" + name + "/desensitize", "{\"field_configs\": [{\"field_name\":"
                + " \"phone\", \"rule_id\": " + phoneRule + ", \"sort_index\": 0}], \"text_fields\": [\"log\"]}"), 200);
    }

    private String doc(long time, int seq, String word) {
        String p = phone();
        return "{\"dtEventTimeStamp\": " + time + ", \"serverIp\": \"10.0.0.1\", \"path\": \"/var/log/app.log\","
                + " \"gseIndex\": " + seq + ", \"iterationIndex\": 0, \"phone\": \"" + p + "\", \"log\": \"" + word
                + " user phone " + p + " seq " + seq + "\"}";
    }

    private void ingest(String indexSet, List<String> docs) throws Exception {
        ok(call(admin, "POST", "/api/v1/index_sets/" + indexSet + "/ingest?refresh=true",
                "[" + String.join(",", docs) + "]"), 200);
    }

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 16 * 1024 * 1024),
                dataDir.toString(), StoreConfig.defaults()));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
        long phoneRule = rule("{\"rule_name\":\"phone\",\"operator\":\"mask_shield\",\"params\":{\"preserve_head\":3,"
                + "\"preserve_tail\":2},\"match_pattern\":\"1[3-9]\\\\d{9}\"}");
        indexSet("live", phoneRule);
        indexSet("big", phoneRule);
        indexSet("fav", phoneRule);
        viewer = token("default", "viewer", "viewer");
        ok(call(admin, "POST", "/api/v1/spaces", "{\"space_uid\": \"team_b\", \"name\": \"B\"}"), 201);
        otherSpace = token("team_b", "b-admin", "admin", "unmasked");
    }

    @AfterAll
    void stop() {
        server.close();
    }

    // ------------------------------------------------------------------ tail

    /** Reads the SSE stream into events, in a thread of its own, until the stream is closed. */
    private static Thread reader(InputStream body, List<Event> events) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                String name = null;
                String id = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.isEmpty()) {
                        if (name != null || !data.isEmpty()) events.add(new Event(name, id, data.toString()));
                        name = null;
                        id = null;
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).strip();
                    } else if (line.startsWith("id:")) {
                        id = line.substring(3).strip();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).strip());
                    }
                }
            } catch (IOException e) {
                // closed by the test
            }
        }, "tail-reader");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private double openTails() {
        return server.platform().meterRegistry().get("bklog.tail.streams").gauge().value();
    }

    private static List<Event> lines(List<Event> events) {
        return events.stream().filter(e -> "line".equals(e.name())).toList();
    }

    @Test
    void tailStreamsTheLastMinutesThenNewLinesAsTheyAreIngestedMasked() throws Exception {
        long now = System.currentTimeMillis();
        List<String> backlog = new ArrayList<>();
        backlog.add(doc(now - Duration.ofMinutes(20).toMillis(), 0, "login")); // older than 5 minutes
        for (int i = 1; i <= 3; i++) backlog.add(doc(now - 60_000 + i, i, "login"));
        backlog.add(doc(now - 50_000, 4, "logout"));
        ingest("live", backlog);

        HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(server.uri()
                        + "/api/v1/index_sets/live/tail?keyword=" + URLEncoder.encode("log:login", StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + viewer).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<Event> events = new CopyOnWriteArrayList<>();
        Thread t = reader(r.body(), events);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> "caught_up".equals(e.name())));
            assertThat(lines(events)).extracting(e -> JSON.readTree(e.data()).get("gseIndex").asInt())
                    .containsExactly(1, 2, 3);

            List<String> live = new ArrayList<>();
            live.add(doc(System.currentTimeMillis(), 5, "login"));
            live.add(doc(System.currentTimeMillis(), 6, "logout"));
            live.add(doc(System.currentTimeMillis() + 1, 7, "login"));
            ingest("live", live);
            await().atMost(Duration.ofSeconds(10)).until(() -> lines(events).size() >= 5);
            Thread.sleep(1500); // one more poll: nothing is sent twice
            assertThat(lines(events)).extracting(e -> JSON.readTree(e.data()).get("gseIndex").asInt())
                    .containsExactly(1, 2, 3, 5, 7);
            assertThat(openTails()).isEqualTo(1);
            assertThat(lines(events)).allSatisfy(e -> {
                assertThat(e.id()).isNotBlank();
                JsonNode d = JSON.readTree(e.data());
                assertThat(d.get("phone").asText()).matches("1[3-9]\\d\\*{6}\\d{2}");
                assertThat(d.get("log").asText()).contains("******");
            });
            String all = events.toString();
            for (String s : secrets) assertThat(all).as("tail leaked " + s).doesNotContain(s);
        } finally {
            r.body().close();
        }
        t.join(5000);
        assertThat(t.isAlive()).isFalse();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(openTails()).as("the server stopped streaming when the client went away").isZero());

        // the server noticed the client went away: new lines are no longer read for it, and the server still answers
        ingest("live", List.of(doc(System.currentTimeMillis(), 8, "login")));
        ok(call(viewer, "POST", "/api/v1/index_sets/live/search", "{\"keyword\": \"log:login\"}"), 200);
    }

    @Test
    void tailRefusesBadInputAndOtherSpacesWithJsonBeforeStreaming() throws Exception {
        Answer bad = call(viewer, "GET", "/api/v1/index_sets/live/tail?keyword=nope:1", null);
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(bad.body().get("error").asText()).isEqualTo("unknown_field");
        Answer since = call(viewer, "GET", "/api/v1/index_sets/live/tail?since=soon", null);
        assertThat(since.status()).as(since.raw()).isEqualTo(400);
        Answer addition = call(viewer, "GET", "/api/v1/index_sets/live/tail?addition=" + URLEncoder.encode("[{\"field\":",
                StandardCharsets.UTF_8), null);
        assertThat(addition.status()).as(addition.raw()).isEqualTo(400);
        Answer b = call(otherSpace, "GET", "/api/v1/index_sets/live/tail", null);
        assertThat(b.status()).isEqualTo(404);
        assertThat(b.body().get("error").asText()).isEqualTo("index_set_not_found");
        assertThat(call(null, "GET", "/api/v1/index_sets/live/tail", null).status()).isEqualTo(401);
    }

    // ------------------------------------------------------------------ async export

    private Answer awaitExport(String token, String id) {
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200)).until(() ->
                !call(token, "GET", "/api/v1/exports/" + id, null).body().get("status").asText().equals("download_log"));
        try {
            return call(token, "GET", "/api/v1/exports/" + id, null);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void exportsTwentyFiveThousandLinesAsyncIntoAMaskedGzipOnlyItsSpaceCanDownload() throws Exception {
        int n = 25_000;
        long t0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        for (int batch = 0; batch < 5; batch++) {
            List<String> docs = new ArrayList<>();
            for (int i = batch * 5000; i < (batch + 1) * 5000; i++) docs.add(doc(t0 + i, i, "login"));
            ingest("big", docs);
        }
        HttpResponse<String> sync = http.send(HttpRequest.newBuilder(URI.create(server.uri()
                        + "/api/v1/index_sets/big/export?file_type=csv")).header("Authorization", "Bearer " + viewer)
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(sync.statusCode()).isEqualTo(200);
        assertThat(sync.body().lines().count()).isEqualTo(10_001);
        assertThat(sync.headers().firstValue("X-Bklog-Total")).hasValue(String.valueOf(n));
        assertThat(sync.headers().firstValue("X-Bklog-Truncated")).hasValueSatisfying(v ->
                assertThat(v).contains("10000 of 25000").contains("/api/v1/index_sets/big/exports"));

        Answer started = ok(call(viewer, "POST", "/api/v1/index_sets/big/exports?file_type=csv", "{\"keyword\": \"*\"}"),
                202);
        String id = started.body().get("id").asText();
        assertThat(started.body().get("total").asLong()).isEqualTo(n);

        Answer done = awaitExport(viewer, id);
        JsonNode job = done.body();
        assertThat(job.get("status").asText()).as(done.raw()).isEqualTo("success");
        assertThat(job.get("rows_written").asLong()).isEqualTo(n);
        assertThat(job.get("progress").asDouble()).isEqualTo(1.0);
        assertThat(job.get("size_bytes").asLong()).isPositive();
        assertThat(Instant.parse(job.get("expires_at").asText()))
                .isBetween(Instant.now().plus(Duration.ofHours(23)), Instant.now().plus(Duration.ofHours(25)));
        String url = job.get("download_url").asText();
        assertThat(url).isEqualTo("/api/v1/exports/" + id + "/download");

        HttpResponse<byte[]> file = http.send(HttpRequest.newBuilder(URI.create(server.uri() + url))
                .header("Authorization", "Bearer " + viewer).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.headers().firstValue("Content-Type")).hasValue("application/gzip");
        assertThat(file.headers().firstValue("Content-Disposition")).hasValueSatisfying(v -> assertThat(v)
                .contains("bk_log_search_big_" + id + ".csv.gz"));
        assertThat((long) file.body().length).isEqualTo(job.get("size_bytes").asLong());
        List<String> rows;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(
                new ByteArrayInputStream(file.body())), StandardCharsets.UTF_8))) {
            rows = r.lines().toList();
        }
        assertThat(rows).hasSize(n + 1);
        assertThat(rows.get(0).split(",")).contains("dtEventTimeStamp", "log", "phone");
        assertThat(rows.subList(1, rows.size()).stream().filter(l -> !l.contains("******")).findFirst()).isEmpty();
        assertThat(rows.stream().filter(l -> RAW_PHONE.matcher(l).find()).findFirst()).as("a raw phone").isEmpty();

        Answer list = ok(call(viewer, "GET", "/api/v1/exports", null), 200);
        assertThat(list.body().get("exports").findValuesAsText("id")).contains(id);

        // another space: the job does not exist for it
        Answer other = call(otherSpace, "GET", "/api/v1/exports/" + id, null);
        assertThat(other.status()).isEqualTo(404);
        assertThat(other.body().get("error").asText()).isEqualTo("export_not_found");
        assertThat(call(otherSpace, "GET", url, null).status()).isEqualTo(404);
        assertThat(call(otherSpace, "GET", "/api/v1/exports", null).raw()).doesNotContain(id);
        assertThat(call(otherSpace, "POST", "/api/v1/index_sets/big/exports", "{}").status()).isEqualTo(404);
    }

    @Test
    void exportRefusesBadInputAndHidesUnmaskedFilesFromMaskedTokens() throws Exception {
        Answer bad = call(viewer, "POST", "/api/v1/index_sets/fav/exports?file_type=xml", "{}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.raw()).contains("file_type");
        assertThat(call(viewer, "POST", "/api/v1/index_sets/fav/exports", "{\"keyword\": \"nope:1\"}").status())
                .isEqualTo(400);
        assertThat(call(viewer, "GET", "/api/v1/exports/exp_missing", null).status()).isEqualTo(404);

        ingest("fav", List.of(doc(System.currentTimeMillis(), 1, "login")));
        String raw = token("default", "raw-exporter", "viewer", "unmasked");
        String id = ok(call(raw, "POST", "/api/v1/index_sets/fav/exports?file_type=jsonl", "{}"), 202)
                .body().get("id").asText();
        assertThat(awaitExport(raw, id).body().get("status").asText()).isEqualTo("success");
        HttpResponse<byte[]> file = http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/exports/" + id
                + "/download")).header("Authorization", "Bearer " + raw).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        String text = new String(new GZIPInputStream(new ByteArrayInputStream(file.body())).readAllBytes(), StandardCharsets.UTF_8);
        assertThat(RAW_PHONE.matcher(text).find()).as("an unmasked token exports raw values").isTrue();
        assertThat(call(viewer, "GET", "/api/v1/exports/" + id, null).status()).isEqualTo(404);
        assertThat(call(viewer, "GET", "/api/v1/exports/" + id + "/download", null).status()).isEqualTo(404);
    }

    // ------------------------------------------------------------------ favorites

    @Test
    void favoritesAreKeptPerTokenAndValidatedLikeASearch() throws Exception {
        String mine = token("default", "fav-a", "viewer");
        String other = token("default", "fav-b", "viewer");
        String body = "{\"name\": \"logins\", \"index_set\": \"fav\", \"keyword\": \"log:login\", \"addition\":"
                + " [{\"field\": \"serverIp\", \"operator\": \"is\", \"value\": [\"10.0.0.1\"]}], \"start_time\":"
                + " \"now-15m\", \"end_time\": \"now\", \"display_fields\": [\"log\", \"serverIp\"]}";
        JsonNode created = ok(call(mine, "POST", "/api/v1/favorites", body), 201).body();
        long id = created.get("id").asLong();
        assertThat(created.get("index_set").asText()).isEqualTo("fav");
        assertThat(created.get("keyword").asText()).isEqualTo("log:login");
        assertThat(created.get("start_time").asText()).isEqualTo("now-15m");
        assertThat(created.get("end_time").asText()).isEqualTo("now");
        assertThat(created.get("visible_type").asText()).isEqualTo("private");
        assertThat(created.get("addition").get(0).get("field").asText()).isEqualTo("serverIp");
        assertThat(created.get("display_fields").toString()).isEqualTo("[\"log\",\"serverIp\"]");

        assertThat(ok(call(mine, "GET", "/api/v1/favorites", null), 200).body().get("favorites")
                .findValuesAsText("name")).containsExactly("logins");
        assertThat(ok(call(other, "GET", "/api/v1/favorites", null), 200).body().get("favorites")).isEmpty();
        assertThat(call(other, "GET", "/api/v1/favorites/" + id, null).status()).isEqualTo(404);
        assertThat(ok(call(mine, "GET", "/api/v1/favorites/" + id, null), 200).body().get("name").asText())
                .isEqualTo("logins");

        JsonNode updated = ok(call(mine, "PUT", "/api/v1/favorites/" + id, "{\"name\": \"all logins\", \"index_set\":"
                + " \"fav\", \"keyword\": \"login\", \"start_time\": \"now-1h\", \"visible_type\": \"public\"}"), 200)
                .body();
        assertThat(updated.get("name").asText()).isEqualTo("all logins");
        assertThat(updated.get("end_time").isNull()).isTrue();
        assertThat(updated.get("addition")).isEmpty();
        assertThat(ok(call(other, "GET", "/api/v1/favorites", null), 200).body().get("favorites")
                .findValuesAsText("name")).containsExactly("all logins");
        Answer notOwner = call(other, "DELETE", "/api/v1/favorites/" + id, null);
        assertThat(notOwner.status()).isEqualTo(404);
        assertThat(notOwner.body().get("error").asText()).isEqualTo("favorite_not_found");
        assertThat(call(other, "PUT", "/api/v1/favorites/" + id, "{\"name\": \"x\", \"index_set\": \"fav\"}").status())
                .isEqualTo(404);

        Answer unknownField = call(mine, "POST", "/api/v1/favorites", "{\"name\": \"u\", \"index_set\": \"fav\","
                + " \"display_fields\": [\"nope\"]}");
        assertThat(unknownField.status()).isEqualTo(400);
        assertThat(unknownField.body().get("error").asText()).isEqualTo("unknown_field");
        assertThat(call(mine, "POST", "/api/v1/favorites", "{\"name\": \"t\", \"index_set\": \"fav\", \"start_time\":"
                + " \"someday\"}").status()).isEqualTo(400);
        Answer noName = call(mine, "POST", "/api/v1/favorites", "{\"index_set\": \"fav\"}");
        assertThat(noName.status()).isEqualTo(400);
        assertThat(noName.body().get("field").asText()).isEqualTo("name");
        assertThat(call(mine, "POST", "/api/v1/favorites", "{\"name\": \"x\"}").status()).isEqualTo(400);
        assertThat(call(mine, "POST", "/api/v1/favorites", "{\"name\": \"all logins\", \"index_set\": \"fav\"}").status())
                .isEqualTo(409);
        assertThat(call(mine, "POST", "/api/v1/favorites", "{\"name\": \"m\", \"index_set\": \"missing\"}").status())
                .isEqualTo(404);

        // another space sees none of it and cannot save a search of this space's index set
        assertThat(ok(call(otherSpace, "GET", "/api/v1/favorites", null), 200).body().get("favorites")).isEmpty();
        assertThat(call(otherSpace, "GET", "/api/v1/favorites/" + id, null).status()).isEqualTo(404);
        assertThat(call(otherSpace, "DELETE", "/api/v1/favorites/" + id, null).status()).isEqualTo(404);
        Answer foreign = call(otherSpace, "POST", "/api/v1/favorites", "{\"name\": \"steal\", \"index_set\": \"fav\"}");
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(foreign.body().get("error").asText()).isEqualTo("index_set_not_found");

        assertThat(call(mine, "DELETE", "/api/v1/favorites/" + id, null).status()).isEqualTo(204);
        assertThat(call(mine, "GET", "/api/v1/favorites/" + id, null).status()).isEqualTo(404);
        assertThat(ok(call(other, "GET", "/api/v1/favorites", null), 200).body().get("favorites")).isEmpty();
    }
}
