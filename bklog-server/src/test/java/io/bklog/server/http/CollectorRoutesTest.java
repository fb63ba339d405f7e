package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.CollectorsConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Collectors and the ETL helpers over HTTP, as a user drives them with curl. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CollectorRoutesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dataDir;
    @TempDir
    static Path logs;

    private BklogServer server;
    private String admin;
    private final HttpClient http = HttpClient.newHttpClient();

    record Answer(int status, JsonNode body, String raw) {}

    @BeforeAll
    void start() throws Exception {
        server = BklogServer.start(new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), dataDir.toString(),
                StoreConfig.defaults()).withCollectors(new CollectorsConfig(
                        new CollectorsConfig.FileCollectors(List.of(logs.toString())), null)));
        admin = Files.readString(dataDir.resolve("admin-token")).strip();
    }

    @AfterAll
    void stop() {
        server.close();
    }

    private Answer call(String token, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json");
        if (token != null) b.header("Authorization", "Bearer " + token);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body().isEmpty() ? null : JSON.readTree(r.body()), r.body());
    }

    private Answer call(String method, String path, String body) throws Exception {
        return call(admin, method, path, body);
    }

    private static String q(String s) {
        return s.replace('\'', '"');
    }

    private long total(String indexSet, String keyword) throws Exception {
        Answer a = call("POST", "/api/v1/index_sets/" + indexSet + "/search", q("{'keyword': '" + keyword
                + "', 'size': 100}"));
        assertThat(a.status()).as(a.raw()).isEqualTo(200);
        return a.body().get("total").asLong();
    }

    private static int freePort() throws Exception {
        for (int i = 0; i < 20; i++) {
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                 DatagramSocket d = new DatagramSocket(s.getLocalPort(), InetAddress.getLoopbackAddress())) {
                return s.getLocalPort();
            } catch (java.net.BindException e) {
                // UDP side taken: try another
            }
        }
        throw new IllegalStateException("no free port with both TCP and UDP free");
    }

    @Test
    void aFileCollectorCreatedOverRestTailsAppendedLinesIntoSearch() throws Exception {
        // no fields declared: saving the collector maps its ETL fields and path_regexp groups
        assertThat(call("PUT", "/api/v1/index_sets/files", "").status()).isEqualTo(201);
        Path file = logs.resolve("billing.log");
        Files.writeString(file, "2024-05-01 10:00:00|INFO|boot done\n");
        Answer created = call("POST", "/api/v1/collectors", q("{'name': 'billing_file', 'index_set': 'files',"
                + " 'source_type': 'file', 'source_params': {'paths': ['" + logs + "/*.log'], 'tail_files': false},"
                + " 'etl_config': 'bk_log_delimiter', 'etl_params': {'separator': '|', 'path_regexp':"
                + " '/(?P<service>[a-z]+)\\\\.log$'}, 'fields': [{'field_name': 'ts', 'field_type': 'string',"
                + " 'field_index': 1, 'is_time': true, 'option': {'time_format': 'yyyy-MM-dd HH:mm:ss', 'time_zone': 0}},"
                + " {'field_name': 'level', 'field_type': 'string', 'field_index': 2}, {'field_name': 'msg',"
                + " 'field_type': 'string', 'field_index': 3}], 'filters': [{'fieldindex': 2, 'op': 'neq', 'word':"
                + " 'DEBUG'}]}"));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        long id = created.body().get("id").asLong();
        assertThat(call("GET", "/api/v1/index_sets/files", null).body().get("fields").toString())
                .contains("{\"name\":\"level\",\"type\":\"keyword\"}")
                .contains("{\"name\":\"service\",\"type\":\"keyword\"}");
        assertThat(created.body().get("index_set").asText()).isEqualTo("files");
        assertThat(created.body().get("status").get("state").asText()).isEqualTo("running");

        Files.writeString(file, "2024-05-01 10:00:01|ERROR|card declined\n2024-05-01 10:00:02|DEBUG|noise\n",
                StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(total("files", "*")).isEqualTo(2));
        assertThat(total("files", "level:ERROR AND service:billing")).isEqualTo(1);
        assertThat(total("files", "noise")).isZero();

        Answer one = call("GET", "/api/v1/collectors/" + id, null);
        assertThat(one.body().get("status").get("detail").asText()).contains("tailing 1 file");
        Answer list = call("GET", "/api/v1/collectors?index_set=files", null);
        assertThat(list.body().get("collectors").findValuesAsText("name")).containsExactly("billing_file");
        assertThat(list.body().get("source_types").toString()).contains("file").contains("syslog");

        Answer stale = call("PUT", "/api/v1/collectors/" + id, q("{'version': 0, 'description': 'x'}"));
        assertThat(stale.status()).as(stale.raw()).isEqualTo(409);
        assertThat(stale.body().get("error").asText()).isEqualTo("conflict");

        Answer stopped = call("POST", "/api/v1/collectors/" + id + "/stop", null);
        assertThat(stopped.body().get("active").asBoolean()).isFalse();
        assertThat(stopped.body().get("status").get("state").asText()).isEqualTo("stopped");
        Files.writeString(file, "2024-05-01 10:00:03|WARN|while stopped\n", StandardOpenOption.APPEND);
        Answer started = call("POST", "/api/v1/collectors/" + id + "/start", null);
        assertThat(started.body().get("status").get("state").asText()).isEqualTo("running");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(total("files", "*")).isEqualTo(3));

        assertThat(call("DELETE", "/api/v1/collectors/" + id, null).status()).isEqualTo(200);
        Answer gone = call("GET", "/api/v1/collectors/" + id, null);
        assertThat(gone.status()).isEqualTo(404);
        assertThat(gone.body().get("error").asText()).isEqualTo("collector_not_found");
    }

    @Test
    void aSyslogCollectorTakesRfc5424OverUdpAndRfc3164OverTcp() throws Exception {
        assertThat(call("PUT", "/api/v1/index_sets/sys", q("{'fields': [{'name': 'hostname', 'type': 'keyword'},"
                + " {'name': 'program', 'type': 'keyword'}, {'name': 'severity_label', 'type': 'keyword'},"
                + " {'name': 'severity', 'type': 'long'}, {'name': 'pid', 'type': 'keyword'},"
                + " {'name': 'msgid', 'type': 'keyword'}, {'name': 'message', 'type': 'text'}]}")).status())
                .isEqualTo(201);
        int port = freePort();
        Answer created = call("POST", "/api/v1/collectors", q("{'name': 'sys_in', 'index_set': 'sys', 'source_type':"
                + " 'syslog', 'source_params': {'syslog_port': " + port + ", 'syslog_protocol': 'both',"
                + " 'syslog_monitor_host': '127.0.0.1'}}"));
        assertThat(created.status()).as(created.raw()).isEqualTo(201);
        assertThat(created.body().get("status").get("state").asText()).as(created.raw()).isEqualTo("running");
        assertThat(created.body().get("etl_config").asText()).isEqualTo("bk_log_text");

        byte[] rfc5424 = ("<165>1 2024-05-01T10:00:00.000Z web1 nginx 4242 ID47 [origin ip=\"10.0.0.9\"]"
                + " upstream timed out").getBytes(StandardCharsets.UTF_8);
        try (DatagramSocket udp = new DatagramSocket()) {
            udp.send(new DatagramPacket(rfc5424, rfc5424.length, InetAddress.getLoopbackAddress(), port));
        }
        try (Socket tcp = new Socket(InetAddress.getLoopbackAddress(), port); OutputStream out = tcp.getOutputStream()) {
            out.write("<34>Oct 11 22:14:15 db2 su[77]: 'su root' failed for lonvick on /dev/pts/8\n"
                    .getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(total("sys", "*")).isEqualTo(2));
        assertThat(total("sys", "hostname:web1 AND program:nginx AND severity_label:notice AND msgid:ID47")).isEqualTo(1);
        assertThat(total("sys", "hostname:db2 AND program:su AND severity:2 AND pid:77")).isEqualTo(1);
        Answer one = call("GET", "/api/v1/collectors/" + created.body().get("id").asLong(), null);
        assertThat(one.body().get("status").get("detail").asText()).contains("udp 127.0.0.1:" + port)
                .contains("tcp 127.0.0.1:" + port);
    }

    @Test
    void aBadCollectorIs400ListingEveryProblemWithItsPosition() throws Exception {
        Answer bad = call("POST", "/api/v1/collectors", q("{'name': 'broken', 'index_set': 'nosuch', 'source_type':"
                + " 'file', 'source_params': {}, 'etl_config': 'bk_log_regexp', 'etl_params': {'separator_regexp':"
                + " '(?P<a>[0-9'}, 'fields': [{'field_name': 'log', 'field_type': 'string'}], 'multiline':"
                + " {'multiline_pattern': '('}}"));
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(bad.body().get("error").asText()).isEqualTo("invalid_collector_config");
        assertThat(bad.body().get("errors").findValuesAsText("path")).contains("index_set", "source_params.paths",
                "etl_params.separator_regexp", "fields[0].field_name", "multiline.multiline_pattern");
        assertThat(bad.raw()).contains("near index");
        assertThat(call("GET", "/api/v1/collectors", null).body().get("collectors").findValuesAsText("name"))
                .doesNotContain("broken");

        Answer unknownKey = call("POST", "/api/v1/collectors", q("{'name': 'x', 'source_type': 'file', 'colour': 1}"));
        assertThat(unknownKey.status()).isEqualTo(400);
        assertThat(unknownKey.body().get("field").asText()).isEqualTo("colour");
        assertThat(call("GET", "/api/v1/collectors/abc", null).status()).isEqualTo(400);
        assertThat(call("GET", "/api/v1/collectors/999999", null).status()).isEqualTo(404);
    }

    @Test
    void previewParsesSampleLinesAndRefusesABadConfigWithPositions() throws Exception {
        Answer ok = call("POST", "/api/v1/etl/preview", q("{'lines': ['{\\'a\\': {\\'b\\': 1}, \\'t\\': 1700000000}',"
                + " 'not json'], 'etl_config': 'bk_log_json', 'etl_params': {'retain_extra_json': true}, 'fields':"
                + " [{'field_name': 't', 'field_type': 'long', 'is_time': true, 'option': {'time_format':"
                + " 'epoch_second'}}]}").replace("\\'", "\\\""));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        JsonNode lines = ok.body().get("lines");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0).get("timestamp").asLong()).isEqualTo(1_700_000_000_000L);
        assertThat(lines.get(0).get("parse_failure").asBoolean()).isFalse();
        assertThat(lines.get(1).get("parse_failure").asBoolean()).isTrue();
        assertThat(lines.get(1).get("fields").get("log").asText()).isEqualTo("not json");

        Answer bad = call("POST", "/api/v1/etl/preview", q("{'lines': ['x'], 'etl_config': 'bk_log_delimiter',"
                + " 'etl_params': {'separator': ','}, 'fields': [{'field_name': 'a', 'field_type': 'string'},"
                + " {'field_name': 'b', 'field_type': 'string', 'field_index': 2, 'is_time': true, 'option':"
                + " {'time_format': 'whenever'}}]}"));
        assertThat(bad.status()).as(bad.raw()).isEqualTo(400);
        assertThat(bad.body().get("error").asText()).isEqualTo("invalid_collector_config");
        assertThat(bad.body().get("errors").findValuesAsText("path")).contains("fields[0].field_index",
                "fields[1].time_format");
        assertThat(call("POST", "/api/v1/etl/preview", q("{'etl_config': 'bk_log_text'}")).status()).isEqualTo(400);
    }

    @Test
    void timeFormatAnswersTheTimestampOrTheReason() throws Exception {
        Answer ok = call("POST", "/api/v1/etl/time_format", q("{'data': '01/May/2024:10:00:00 +0200', 'time_format':"
                + " 'dd/MMM/yyyy:HH:mm:ss Z'}"));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        assertThat(ok.body().get("timestamp").asLong()).isEqualTo(java.time.Instant.parse("2024-05-01T08:00:00Z")
                .toEpochMilli());
        Answer zoned = call("POST", "/api/v1/etl/time_format", q("{'data': '2024-05-01 10:00:00', 'time_format':"
                + " 'yyyy-MM-dd HH:mm:ss', 'time_zone': 8}"));
        assertThat(zoned.body().get("utc").asText()).isEqualTo("2024-05-01T02:00:00Z");

        Answer bad = call("POST", "/api/v1/etl/time_format", q("{'data': 'tomorrow', 'time_format':"
                + " 'yyyy-MM-dd HH:mm:ss'}"));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body().get("field").asText()).isEqualTo("data");
        assertThat(bad.body().get("reason").asText()).isNotBlank();
        Answer unknown = call("POST", "/api/v1/etl/time_format", q("{'data': '1', 'time_format': 'stardate'}"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.body().get("field").asText()).isEqualTo("time_format");
        assertThat(unknown.body().get("known").toString()).contains("epoch_millis");
        Answer zone = call("POST", "/api/v1/etl/time_format", q("{'data': '2024-05-01 10:00:00', 'time_format':"
                + " 'yyyy-MM-dd HH:mm:ss', 'time_zone': 20}"));
        assertThat(zone.status()).isEqualTo(400);
        assertThat(zone.body().get("field").asText()).isEqualTo("time_zone");
    }

    @Test
    void previewAndTimeFormatTestNameTheFormatAutoRecognisedAndTakeUserPatterns() throws Exception {
        Answer ok = call("POST", "/api/v1/etl/preview", q("{'lines': ['[Sun Dec 04 04:47:44 2005] [error] boom\\r',"
                + " '081109 203615 148 INFO dfs.DataNode: ok'], 'etl_config': 'bk_log_regexp', 'etl_params':"
                + " {'separator_regexp': '^\\\\[?(?P<ts>\\\\w{3} \\\\w{3} \\\\d{2} [0-9:]{8} \\\\d{4}|\\\\d{6} \\\\d{6})\\\\]?"
                + " (?P<rest>.*)$'}, 'fields': [{'field_name': 'ts', 'field_type': 'string', 'is_time': true,"
                + " 'option': {'time_format': 'auto'}}, {'field_name': 'rest', 'field_type': 'string'}]}"));
        assertThat(ok.status()).as(ok.raw()).isEqualTo(200);
        JsonNode lines = ok.body().get("lines");
        assertThat(lines.get(0).get("time_format").asText()).isEqualTo("apache_error");
        assertThat(lines.get(0).get("timestamp").asLong()).isEqualTo(java.time.Instant.parse("2005-12-04T04:47:44Z")
                .toEpochMilli());
        assertThat(lines.get(0).get("fields").get("rest").asText()).isEqualTo("[error] boom");
        assertThat(lines.get(1).get("time_format").asText()).isEqualTo("yyMMdd HHmmss");

        Answer auto = call("POST", "/api/v1/etl/time_format", q("{'data': '2015-10-18 18:01:47,978', 'time_format':"
                + " 'auto', 'time_zone': 8}"));
        assertThat(auto.status()).as(auto.raw()).isEqualTo(200);
        assertThat(auto.body().get("time_format").asText()).isEqualTo("yyyy-MM-dd HH:mm:ss,SSS");
        assertThat(auto.body().get("utc").asText()).isEqualTo("2015-10-18T10:01:47.978Z");
        Answer own = call("POST", "/api/v1/etl/time_format", q("{'data': '081109 203615', 'time_format':"
                + " 'yyMMdd HHmmss'}"));
        assertThat(own.status()).as(own.raw()).isEqualTo(200);
        assertThat(own.body().get("utc").asText()).isEqualTo("2008-11-09T20:36:15Z");
    }

    @Test
    void aViewerReadsCollectorsButCannotWriteThem() throws Exception {
        Answer t = call("POST", "/api/v1/tokens", q("{'name': 'col-viewer', 'space_uid': 'default', 'roles':"
                + " ['viewer']}"));
        assertThat(t.status()).as(t.raw()).isEqualTo(201);
        String viewer = t.body().get("token").asText();
        assertThat(call(viewer, "GET", "/api/v1/collectors", null).status()).isEqualTo(200);
        Answer post = call(viewer, "POST", "/api/v1/collectors", q("{'name': 'v', 'index_set': 'x', 'source_type':"
                + " 'file'}"));
        assertThat(post.status()).isEqualTo(403);
        assertThat(post.body().get("error").asText()).isEqualTo("forbidden");
        assertThat(call(viewer, "POST", "/api/v1/etl/time_format", q("{'data': '1700000000', 'time_format':"
                + " 'epoch_second'}")).status()).isEqualTo(200);
        assertThat(call(null, "GET", "/api/v1/collectors", null).status()).isEqualTo(401);
    }

    static List<String> unused() {
        return List.of();
    }
}
