package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.search.SearchParams;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class CollectorServiceTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private LogPlatform platform;
    private CollectorService collectors;

    @BeforeEach
    void start() {
        platform = LogPlatform.builder().dataDir(dir.resolve("data")).build();
        platform.indexSets().put("app", IndexSetSpec.defaults());
        collectors = platform.collectors();
    }

    @AfterEach
    void stop() {
        platform.close();
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    private CollectorConfig fileCollector(String name, String etl, String etlParams, String fields) {
        return new CollectorConfig(0, name, 0, "file",
                json("{'paths': ['" + dir.resolve("logs").toAbsolutePath() + "/*.log'], 'tail_files': false}"),
                null, null, etl, json(etlParams), json(fields), true, null, 0, null, null);
    }

    /** The errors of a refused save, as "path: message". */
    private List<Map<String, Object>> errorsOf(Runnable save) {
        BklogException e = org.assertj.core.api.Assertions.catchThrowableOfType(save::run, BklogException.class);
        assertThat(e).as("the save was refused").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COLLECTOR_CONFIG);
        assertThat(e.code().httpStatus()).isEqualTo(400);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> errors = (List<Map<String, Object>>) e.details().get("errors");
        assertThat(e.field()).contains((String) errors.get(0).get("path"));
        return errors;
    }

    private static Map<String, Object> at(List<Map<String, Object>> errors, String path) {
        return errors.stream().filter(m -> path.equals(m.get("path"))).findFirst()
                .orElseThrow(() -> new AssertionError("no error at " + path + " in " + errors));
    }

    @Test
    void refusesABrokenRegexWithTheIndexOfTheErrorInThePattern() {
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(fileCollector("bad_regex",
                "bk_log_regexp", "{'separator_regexp': '(?P<level>\\\\w+) (?P<msg>[a-z'}",
                "[{'field_name': 'level', 'field_type': 'string'}]"), "app"));
        assertThat((String) at(errors, "etl_params.separator_regexp").get("message")).contains("near index");
        assertThat(collectors.list()).isEmpty();
    }

    @Test
    void refusesAGrokExpressionThatDoesNotCompile() {
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(fileCollector("bad_grok",
                "bk_log_regexp", "{'separator_regexp': '%{NOSUCHPATTERN:x} %{WORD:w}', 'is_grok': true}",
                "[{'field_name': 'w', 'field_type': 'string'}]"), "app"));
        assertThat((String) at(errors, "etl_params.separator_regexp").get("message")).contains("NOSUCHPATTERN");
    }

    @Test
    void refusesAnUnknownTimeFormatAReservedNameAndADelimiterFieldWithoutIndexAllAtOnce() {
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(fileCollector("bad_delim",
                "bk_log_delimiter", "{'separator': '|'}",
                "[{'field_name': 'ts', 'field_type': 'string', 'field_index': 1, 'is_time': true,"
                        + " 'option': {'time_format': 'dd.MM.yy', 'time_zone': 8}},"
                        + " {'field_name': 'serverIp', 'field_type': 'string', 'field_index': 2},"
                        + " {'field_name': 'msg', 'field_type': 'string'}]"), "app"));
        assertThat((String) at(errors, "fields[0].time_format").get("message")).contains("unknown time format 'dd.MM.yy'");
        assertThat((String) at(errors, "fields[1].field_name").get("message")).contains("reserved");
        assertThat(at(errors, "fields[1].field_name").get("field")).isEqualTo("serverIp");
        assertThat((String) at(errors, "fields[2].field_index").get("message")).contains("field_index");
        assertThat(errors).hasSize(3);
    }

    @Test
    void refusesABadMultilinePatternAndOutOfRangeLimits() {
        CollectorConfig c = fileCollector("bad_ml", "bk_log_text", "{}", "[]")
                .withSource("file", json("{'paths': ['/var/log/x.log']}"), null,
                        json("{'multiline_pattern': '^\\\\d{4', 'multiline_max_lines': 9000, 'multiline_timeout': 60}"));
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(c, "app"));
        assertThat((String) at(errors, "multiline.multiline_pattern").get("message")).contains("near index 3");
        assertThat((String) at(errors, "multiline.multiline_max_lines").get("message")).contains("1..5000");
        assertThat((String) at(errors, "multiline.multiline_timeout").get("message")).contains("1..10");
    }

    @Test
    void refusesFiltersWithAnUnknownOperatorABadRegexAndAColumnWithoutSeparator() {
        CollectorConfig c = fileCollector("bad_filters", "bk_log_text", "{}", "[]")
                .withSource("file", json("{'paths': ['/var/log/x.log']}"),
                        json("[{'op': 'contains', 'word': 'x'}, {'op': 'regex', 'word': 'a(b', 'logic_op': 'or'},"
                                + " {'fieldindex': 3, 'op': 'eq', 'word': 'ERROR'}, {'op': 'include', 'word': 'y',"
                                + " 'logic_op': 'xor'}]"), null);
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(c, "app"));
        assertThat((String) at(errors, "filters[0].op").get("message")).contains("unknown operator 'contains'");
        assertThat((String) at(errors, "filters[1].word").get("message")).contains("near index");
        assertThat((String) at(errors, "filters[2].fieldindex").get("message")).contains("separator");
        assertThat((String) at(errors, "filters[3].logic_op").get("message")).contains("xor");
    }

    @Test
    void refusesAnUnknownIndexSetSourceTypeAndBadSourceParams() {
        CollectorConfig unknownType = CollectorConfig.of("t1", 0, "ftp", json("{}"), "bk_log_text");
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(unknownType, "nosuch"));
        assertThat((String) at(errors, "index_set").get("message")).contains("no index set named 'nosuch'")
                .contains("existing: app");
        assertThat((String) at(errors, "source_type").get("message")).contains("'ftp'").contains("file")
                .contains("syslog");

        CollectorConfig badFile = CollectorConfig.of("t2", 0, "file",
                json("{'paths': ['relative/*.log'], 'exclude_files': ['(x'], 'tail_files': 'yes', 'bogus': 1}"),
                "bk_log_text");
        errors = errorsOf(() -> collectors.create(badFile, "app"));
        assertThat((String) at(errors, "source_params.paths[0]").get("message")).contains("absolute");
        assertThat((String) at(errors, "source_params.exclude_files[0]").get("message")).contains("near index");
        assertThat(at(errors, "source_params.tail_files")).isNotNull();
        assertThat(at(errors, "source_params.bogus")).isNotNull();

        CollectorConfig badSyslog = CollectorConfig.of("t3", 0, "syslog",
                json("{'syslog_port': 70000, 'syslog_protocol': 'sctp',"
                        + " 'syslog_conditions': [{'syslog_field': 'colour', 'syslog_content': 'x'}]}"),
                "bk_log_text");
        errors = errorsOf(() -> collectors.create(badSyslog, "app"));
        assertThat((String) at(errors, "source_params.syslog_port").get("message")).contains("0..65535");
        assertThat((String) at(errors, "source_params.syslog_protocol").get("message")).contains("sctp");
        assertThat(errors).anyMatch(m -> ((String) m.get("message")).contains("syslog_conditions[0].syslog_field"));
        assertThat(collectors.list()).isEmpty();
    }

    @Test
    void createsListsUpdatesWithVersionAndDeletes() {
        CollectorConfig saved = collectors.create(fileCollector("app_file", "bk_log_text", "{}", "[]"), "app");
        assertThat(saved.id()).isPositive();
        assertThat(collectors.get(saved.id()).name()).isEqualTo("app_file");
        assertThat(collectors.list("app")).extracting(CollectorConfig::name).containsExactly("app_file");
        assertThat(collectors.status(saved.id()).state()).isEqualTo(CollectorStatus.RUNNING);

        assertThatThrownBy(() -> collectors.create(fileCollector("app_file", "bk_log_text", "{}", "[]"), "app"))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTOR_EXISTS));

        CollectorConfig stopped = collectors.update(saved.withActive(false));
        assertThat(stopped.version()).isGreaterThan(saved.version());
        assertThat(collectors.status(saved.id()).state()).isEqualTo(CollectorStatus.STOPPED);
        assertThatThrownBy(() -> collectors.update(saved.withActive(true)))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThat(collectors.start(saved.id()).active()).isTrue();
        assertThat(collectors.status(saved.id()).state()).isEqualTo(CollectorStatus.RUNNING);

        collectors.delete(saved.id());
        assertThatThrownBy(() -> collectors.get(saved.id()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.COLLECTOR_NOT_FOUND));
    }

    @Test
    void aFileCollectorParsesAppendedLinesIntoTheIndexSetWithPathRegexpFields() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path file = logs.resolve("orders.log");
        Files.writeString(file, "{\"level\": \"INFO\", \"msg\": \"started\"}\n");
        CollectorConfig saved = collectors.create(fileCollector("orders", "bk_log_json",
                "{'path_regexp': '/(?P<service>[a-z]+)\\\\.log$'}",
                "[{'field_name': 'level', 'field_type': 'string'}, {'field_name': 'msg', 'field_type': 'string'}]"),
                "app");
        Files.writeString(file, "{\"level\": \"ERROR\", \"msg\": \"payment failed\"}\n", StandardOpenOption.APPEND);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            platform.internals().store().refresh("app");
            assertThat(platform.search().search("app", SearchParams.of("*")).total()).isEqualTo(2);
        });
        var hits = platform.search().search("app", SearchParams.of("*")).hits();
        assertThat(hits).anySatisfy(h -> {
            assertThat(h.source()).containsEntry("level", "ERROR").containsEntry("service", "orders");
        });
        assertThat(collectors.status(saved.id()).detail()).contains("tailing 1 file");
    }

    @Test
    void bklogsSectionScenarioIsAFileCollectorJoiningMultiLineEvents() throws Exception {
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Path file = logs.resolve("app.log");
        Files.writeString(file, "2024-05-01 12:00:00 ERROR boom\n  at a.b(C.java:1)\n  at d.e(F.java:2)\n"
                + "2024-05-01 12:00:01 INFO next\n");
        CollectorConfig section = new CollectorConfig(0, "java_app", 0, "section",
                json("{'paths': ['" + logs.toAbsolutePath() + "/*.log'], 'tail_files': false}"), null,
                json("{'multiline_pattern': '^\\\\d{4}-', 'multiline_max_lines': 50, 'multiline_timeout': 1}"),
                "bk_log_text", null, null, true, null, 0, null, null);
        CollectorConfig saved = collectors.create(section, "app");
        assertThat(saved.sourceType()).isEqualTo("section");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            platform.internals().store().refresh("app");
            assertThat(platform.search().search("app", SearchParams.of("*")).total()).isEqualTo(2);
        });
        assertThat(platform.search().search("app", SearchParams.of("log:boom")).hits()).singleElement()
                .satisfies(h -> assertThat(h.source().get("log").toString()).contains("at d.e(F.java:2)"));
        assertThat(collectors.status(saved.id()).detail()).contains("tailing 1 file");
    }

    @Test
    void aSourceThatCannotStartIsFailedWithTheReasonAndStartsOnceItCan() throws Exception {
        int port;
        long id;
        try (DatagramSocket taken = new DatagramSocket(0, java.net.InetAddress.getLoopbackAddress())) {
            CollectorConfig c = CollectorConfig.of("busy", 0, "syslog", json("{'syslog_port': " + taken.getLocalPort()
                    + ", 'syslog_monitor_host': '127.0.0.1'}"), "bk_log_text");
            CollectorConfig saved = collectors.create(c, "app");
            CollectorStatus s = collectors.status(saved.id());
            assertThat(s.state()).isEqualTo(CollectorStatus.FAILED);
            assertThat(s.reason()).contains(String.valueOf(taken.getLocalPort())).contains("trying again in");
            port = taken.getLocalPort();
            id = saved.id();
        }
        // the port is free now: the source starts by itself on a later attempt
        long collector = id;
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(collectors.status(collector).state()).isEqualTo(CollectorStatus.RUNNING));
        try (DatagramSocket again = new DatagramSocket(null)) {
            again.setReuseAddress(false);
            int p = port;
            assertThatThrownBy(() -> again.bind(new java.net.InetSocketAddress("127.0.0.1", p)))
                    .as("the collector listens on the port").isInstanceOf(java.net.SocketException.class);
        }
    }

    /**
     * A collector saved before exclude_files were RE2 (its exclusion uses lookbehind) does not build after the
     * upgrade: it is failed, and the reason names the pattern and the RE2 rule (not silently tailing everything).
     */
    @Test
    void aStoredCollectorWhoseExcludeFilesUsesLookaroundIsFailedNamingThePatternAndTheRe2Rule() {
        long set = platform.indexSets().get("app").id();
        CollectorConfig old = new CollectorConfig(0, "legacy", set, "file",
                json("{'paths': ['" + dir.resolve("logs").toAbsolutePath() + "/*.log'], 'tail_files': false,"
                        + " 'exclude_files': ['(?<!keep)\\\\.gz$']}"),
                null, null, "bk_log_text", null, null, true, null, 0, null, null);
        CollectorConfig stored = platform.internals().metadata().collectorConfigs().create(old);
        collectors.start(stored.id());
        CollectorStatus s = collectors.status(stored.id());
        assertThat(s.state()).isEqualTo(CollectorStatus.FAILED);
        assertThat(s.reason()).contains("exclude_files[0]").contains("(?<!keep)\\.gz$")
                .contains("lookbehind").contains(io.bklog.core.regex.UserRegex.WHY);
    }

    @Test
    void previewParsesSampleLinesThroughMultilineFiltersAndEtlWithoutStoring() {
        List<CollectorService.PreviewLine> out = collectors.preview(
                List.of("2024-01-02 03:04:05 ERROR boom", "  at a.b(C.java:1)", "2024-01-02 03:04:06 DEBUG noise"),
                "bk_log_regexp", json("{'separator_regexp': '^(?P<ts>\\\\S+ \\\\S+) (?P<level>\\\\w+)'}"),
                json("[{'field_name': 'ts', 'field_type': 'string', 'is_time': true, 'option': {'time_format':"
                        + " 'yyyy-MM-dd HH:mm:ss', 'time_zone': 0}}, {'field_name': 'level', 'field_type': 'string'}]"),
                json("{'multiline_pattern': '^\\\\d{4}-'}"), json("[{'op': 'exclude', 'word': 'DEBUG'}]"), null);
        assertThat(out).hasSize(2);
        assertThat(out.get(0).line()).contains("at a.b");
        assertThat(out.get(0).document().fields()).containsEntry("level", "ERROR");
        assertThat(out.get(0).document().timestamp()).isEqualTo(java.time.Instant.parse("2024-01-02T03:04:05Z"));
        assertThat(out.get(1).filtered()).isTrue();

        assertThatThrownBy(() -> collectors.preview(List.of("x"), "bk_log_regexp",
                json("{'separator_regexp': '(?P<a>x'}"), json("[]"), null, null, null))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_COLLECTOR_CONFIG);
                    assertThat(e.field()).contains("etl_params.separator_regexp");
                });
    }

    @Test
    void timeTestAnswersTheTimestampOrTheReason() {
        assertThat(collectors.testTime("2024-01-02 03:04:05", "yyyy-MM-dd HH:mm:ss", 8).instant())
                .isEqualTo(java.time.Instant.parse("2024-01-01T19:04:05Z"));
        assertThatThrownBy(() -> collectors.testTime("yesterday", "yyyy-MM-dd HH:mm:ss", 0))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST);
                    assertThat(e.field()).contains("data");
                    assertThat(e.details().get("reason")).isNotNull();
                });
        assertThatThrownBy(() -> collectors.testTime("1", "no_such_format", 0))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("time_format"));
    }

    @Test
    void theGrokExampleOfTheDocsParsesACombinedLogLine() {
        List<CollectorService.PreviewLine> out = collectors.preview(List.of("10.1.2.3 - - [01/May/2024:10:00:00"
                        + " +0200] \"GET /cart HTTP/1.1\" 502 17 \"-\" \"curl/8.0\""), "bk_log_regexp",
                json("{'separator_regexp': '%{COMBINEDAPACHELOG}', 'is_grok': true, 'path_regexp':"
                        + " '/var/log/(?P<app>[a-z]+)/'}"),
                json("[{'field_name': 'clientip', 'field_type': 'string'}, {'field_name': 'response', 'field_type':"
                        + " 'int'}, {'field_name': 'timestamp', 'field_type': 'string', 'is_time': true, 'option':"
                        + " {'time_format': 'dd/MMM/yyyy:HH:mm:ss Z', 'time_zone': 0}}]"), null,
                json("[{'op': 'exclude', 'word': 'GET /health'}]"), "/var/log/nginx/access.log");
        assertThat(out).hasSize(1);
        assertThat(out.get(0).document().parseFailure()).as("%s", out.get(0).document()).isFalse();
        assertThat(out.get(0).document().fields()).containsEntry("clientip", "10.1.2.3").containsEntry("app", "nginx");
        assertThat(out.get(0).document().timestamp()).isEqualTo(java.time.Instant.parse("2024-05-01T08:00:00Z"));
    }

    @Test
    void savingMapsTheCollectorsFieldsInItsIndexSetAndRefusesATypeClash() {
        collectors.create(fileCollector("typed", "bk_log_json", "{}",
                "[{'field_name': 'status', 'field_type': 'int'}, {'field_name': 'user', 'field_type': 'string'}]"),
                "app");
        assertThat(platform.indexSets().get("app").fields())
                .contains(io.bklog.spi.FieldSpec.of("status", io.bklog.spi.FieldType.LONG),
                        io.bklog.spi.FieldSpec.of("user", io.bklog.spi.FieldType.KEYWORD));
        List<Map<String, Object>> errors = errorsOf(() -> collectors.create(fileCollector("clash", "bk_log_json", "{}",
                "[{'field_name': 'user', 'field_type': 'string'}, {'field_name': 'status', 'field_type': 'string'}]"),
                "app"));
        assertThat((String) at(errors, "fields[1].field_type").get("message")).contains("maps 'status' as long");
        assertThat(errors).hasSize(1);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
