package io.bklog.core.etl;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EtlTest {

    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @Test
    void jsonFlattensNestedObjectsAndConvertsTypesAndTakesTheTime() {
        EtlConfig c = EtlConfig.of("json", EtlParams.DEFAULTS, List.of(
                EtlField.time("ts", "yyyy-MM-dd HH:mm:ss", 8).withAlias("event_time"),
                EtlField.of("status", "int"),
                EtlField.of("latency", "double"),
                EtlField.of("req", "object"),
                EtlField.of("client", "ip")));
        ParsedDocument d = Etl.compile(c, CLOCK).parse(
                "{\"ts\":\"2024-05-01 18:00:00\",\"status\":\"200\",\"latency\":1.5,\"req\":{\"path\":\"/a\",\"h\":{\"ua\":\"x\"}},"
                        + "\"client\":\"::FFFF:1.2.3.4\",\"other\":1}");
        assertThat(d.parseFailure()).isFalse();
        assertThat(d.timestamp()).isEqualTo(Instant.parse("2024-05-01T10:00:00Z"));
        assertThat(d.fields()).containsEntry("event_time", "2024-05-01 18:00:00")
                .containsEntry("status", 200L).containsEntry("latency", 1.5)
                .containsEntry("req.path", "/a").containsEntry("req.h.ua", "x")
                .containsEntry("client", "1.2.3.4")
                .containsEntry("dtEventTimeStamp", Instant.parse("2024-05-01T10:00:00Z").toEpochMilli())
                .containsEntry("__parse_failure", false)
                .containsKey("log")
                .doesNotContainKey("other");
    }

    @Test
    void jsonKeepsUndefinedKeysUnderExtJsonWhenAsked() {
        EtlConfig c = EtlConfig.of("bk_log_json", EtlParams.builder().retainExtraJson(true).build(),
                List.of(EtlField.of("level", "string")));
        Map<String, Object> f = Etl.compile(c, CLOCK).parse("{\"level\":\"info\",\"a\":{\"b\":[1,2]},\"n\":null}").fields();
        assertThat(f).containsEntry("level", "info").containsEntry("__ext_json.a.b", List.of(1L, 2L))
                .doesNotContainKey("__ext_json.n");
    }

    @Test
    void brokenJsonKeepsTheLineAndMarksTheFailure() {
        EtlConfig c = EtlConfig.of("json", EtlParams.DEFAULTS, List.of(EtlField.of("a", "string")));
        ParsedDocument d = Etl.compile(c, CLOCK).parse("{\"a\": oops");
        assertThat(d.parseFailure()).isTrue();
        assertThat(d.retain()).isTrue();
        assertThat(d.fields()).containsEntry("log", "{\"a\": oops").containsEntry("__parse_failure", true);
        assertThat((String) d.fields().get("__parse_failure_reason")).contains("invalid JSON");
        assertThat(d.timestamp()).isEqualTo(NOW);
    }

    @Test
    void typeConversionFailureMarksTheDocumentButKeepsTheOtherFields() {
        EtlConfig c = EtlConfig.of("json", EtlParams.builder().retainOriginalText(false).build(),
                List.of(EtlField.of("n", "long"), EtlField.of("s", "string")));
        ParsedDocument d = Etl.compile(c, CLOCK).parse("{\"n\":\"abc\",\"s\":\"ok\"}");
        assertThat(d.parseFailure()).isTrue();
        assertThat(d.fields()).containsEntry("s", "ok").doesNotContainKey("n")
                .containsKey("log"); // the line is kept on failure even without retain_original_text
        assertThat(d.failureReason()).contains("field 'n'").contains("'abc' is not an integer");
    }

    @Test
    void missingTimeUsesIngestTimeAndMarksIt() {
        EtlConfig c = EtlConfig.of("json", EtlParams.DEFAULTS, List.of(EtlField.time("t", "epoch_millis", null)));
        ParsedDocument d = Etl.compile(c, CLOCK).parse("{\"x\":1}");
        assertThat(d.timestamp()).isEqualTo(NOW);
        assertThat(d.fields()).containsEntry("__time_missing", true).containsEntry("__parse_failure", false);
        ParsedDocument bad = Etl.compile(c, CLOCK).parse("{\"t\":\"yesterday\"}");
        assertThat(bad.timestamp()).isEqualTo(NOW);
        assertThat(bad.failureReason()).contains("time field 't'");
    }

    @Test
    void delimiterMapsColumnsByIndexAndSkipsDeletedOnes() {
        EtlConfig c = EtlConfig.of("delimiter", EtlParams.builder().separator("|").build(), List.of(
                EtlField.column(1, "client_ip", "string"), EtlField.column(2, "skip", "string").deleted(),
                EtlField.column(4, "bytes", "long")));
        ParsedDocument d = Etl.compile(c, CLOCK).parse("1.1.1.1|x||42|tail");
        assertThat(d.fields()).containsEntry("client_ip", "1.1.1.1").containsEntry("bytes", 42L).doesNotContainKey("skip");
        ParsedDocument shortLine = Etl.compile(c, CLOCK).parse("1.1.1.1|x");
        assertThat(shortLine.parseFailure()).isTrue();
        assertThat(shortLine.failureReason()).contains("line has 2 columns").contains("bytes@4");
    }

    @Test
    void regexpAcceptsPythonGroupSyntaxAndUnderscoreNames() {
        EtlConfig c = EtlConfig.of("regexp", EtlParams.builder()
                .separatorRegexp("^(?P<log_level>[A-Z]+) (?P<request_id>\\d+) (?P<msg>.*)$").build(),
                List.of(EtlField.of("request_id", "long")));
        ParsedDocument d = Etl.compile(c, CLOCK).parse("WARN 17 disk\nsecond line");
        assertThat(d.fields()).containsEntry("log_level", "WARN").containsEntry("request_id", 17L)
                .containsEntry("msg", "disk\nsecond line");
        assertThat(Etl.compile(c, CLOCK).parse("nope").failureReason()).contains("does not match");
    }

    @Test
    void pathologicalRegexpAndGrokLinesCannotHoldTheParser() {
        String line = "a".repeat(5000);
        // regexp: RE2 finishes what java.util.regex cannot within its budget, with the right answer
        ParsedDocument r = Etl.compile(EtlConfig.of("regexp", EtlParams.builder()
                .separatorRegexp("^(?P<x>(a|a)*)b?$").build(), List.of()), CLOCK).parse(line);
        assertThat(r.parseFailure()).isFalse();
        assertThat(r.fields()).containsEntry("x", line);
        // grok stays on java.util.regex (its vocabulary needs lookbehind): past the budget the line is a failure
        ParsedDocument g = Etl.compile(EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{EVIL:x}")
                .grokPatterns(Map.of("EVIL", "(.*a){25}b")).build(), List.of()), CLOCK).parse(line);
        assertThat(g.parseFailure()).isTrue();
        assertThat(g.failureReason()).contains("too many steps");
        // a merely quadratic search (each start rescans the run of x) still parses a long line
        ParsedDocument q = Etl.compile(EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{WORD:w}=%{INT:n}")
                .build(), List.of()), CLOCK).parse("x".repeat(3000) + " k=5");
        assertThat(q.parseFailure()).as(q.failureReason()).isFalse();
        assertThat(q.fields()).containsEntry("w", "k").containsEntry("n", "5");
    }

    @Test
    void grokUsesDefaultPatternsAndTypeHints() {
        EtlConfig c = EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{COMBINEDAPACHELOG}").build(),
                List.of(EtlField.time("timestamp", "dd/MMM/yyyy:HH:mm:ss Z", null), EtlField.of("response", "int")));
        ParsedDocument d = Etl.compile(c, CLOCK).parse("127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "
                + "\"GET /apache_pb.gif HTTP/1.0\" 200 2326 \"http://x\" \"Mozilla\"");
        assertThat(d.parseFailure()).isFalse();
        assertThat(d.fields()).containsEntry("clientip", "127.0.0.1").containsEntry("response", 200L)
                .containsEntry("verb", "GET").containsEntry("agent", "\"Mozilla\"");
        assertThat(d.timestamp()).isEqualTo(Instant.parse("2000-10-10T20:55:36Z"));

        EtlConfig custom = EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{MYID:id:int} %{SYSLOGLINE}")
                .grokPatterns(Map.of("MYID", "ID-\\d+|\\d+")).build(), List.of());
        Map<String, Object> f = Etl.compile(custom, CLOCK).parse("12 Mar  1 10:00:00 web1 sshd[42]: hello").fields();
        assertThat(f).containsEntry("id", 12L).containsEntry("logsource", "web1").containsEntry("program", "sshd")
                .containsEntry("pid", "42").containsEntry("message", "hello");
    }

    @Test
    void pathRegexpGroupsBecomeFields() {
        EtlConfig c = EtlConfig.of("text", EtlParams.builder().pathRegexp("/var/log/(?P<app_name>\\w+)/.*").build(), List.of());
        Map<String, Object> f = Etl.compile(c, CLOCK).parse("hello", "/var/log/nginx/access.log", NOW).fields();
        assertThat(f).containsEntry("app_name", "nginx").containsEntry("path", "/var/log/nginx/access.log")
                .containsEntry("log", "hello");
    }

    @Test
    void failedLineIsRoutedAwayWhenRetainContentIsOff() {
        EtlConfig c = EtlConfig.of("json", EtlParams.builder().enableRetainContent(false).build(),
                List.of(EtlField.of("a", "string")));
        assertThat(Etl.compile(c, CLOCK).parse("not json").retain()).isFalse();
        assertThat(Etl.compile(c, CLOCK).parse("{\"a\":\"b\"}").retain()).isTrue();
    }

    @Test
    void validatorReportsEveryProblemWithItsPosition() {
        EtlConfig c = EtlConfig.of("delimiter", EtlParams.builder().separator("").build(), List.of(
                EtlField.column(1, "log", "string"),
                EtlField.of("noindex", "string"),
                EtlField.column(1, "dup", "string"),
                new EtlField("t1", "string", null, true, "bogus", 30, 3, false),
                new EtlField("t2", "long", null, true, "yyyy-MM-dd HH:mm:ss", 0, 4, false),
                EtlField.column(5, "json_data", "weird")));
        List<EtlConfigError> errors = EtlConfigValidator.validate(c);
        assertThat(errors).extracting(EtlConfigError::path).contains(
                "etl_params.separator", "fields[0].field_name", "fields[1].field_index", "fields[2].field_index",
                "fields[3].time_format", "fields[3].time_zone", "fields[4].is_time", "fields[4].time_format",
                "fields[5].field_type", "fields[5].field_name");
        assertThatThrownBy(() -> Etl.compile(c)).isInstanceOf(EtlConfigException.class).hasMessageContaining("fields[1]");
    }

    @Test
    void validatorRejectsBadRegexAndUnknownGroups() {
        EtlConfig bad = EtlConfig.of("regexp", EtlParams.builder().separatorRegexp("(?P<a>[").build(), List.of());
        assertThat(EtlConfigValidator.validate(bad)).singleElement()
                .satisfies(e -> assertThat(e.path()).isEqualTo("etl_params.separator_regexp"));
        EtlConfig unknown = EtlConfig.of("regexp", EtlParams.builder().separatorRegexp("(?P<a>\\w+)").build(),
                List.of(EtlField.of("b", "string")));
        assertThat(EtlConfigValidator.validate(unknown)).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("groups: a"));
        EtlConfig grok = EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{NOPE:x}").build(), List.of());
        assertThat(EtlConfigValidator.validate(grok)).isNotEmpty();
    }

    @Test
    void readsBklogRequestShape() {
        EtlConfig c = EtlConfig.fromJson("""
                {"etl_config":"bk_log_json","etl_params":{"retain_original_text":false,"retain_extra_json":true},
                 "fields":[{"field_name":"t","field_type":"string","alias_name":"when","is_time":true,
                            "option":{"time_format":"epoch_second","time_zone":8}}]}""");
        assertThat(c.type()).isEqualTo(EtlType.JSON);
        assertThat(c.params().retainOriginalText()).isFalse();
        assertThat(c.params().recordParseFailure()).isTrue();
        assertThat(c.fields().get(0)).isEqualTo(new EtlField("t", "string", "when", true, "epoch_second", 8, null, false));
        assertThat(EtlConfig.fromJson("{\"etl_config\":\"grok\",\"etl_params\":{\"separator_regexp\":\"%{WORD:w}\"}}")
                .params().isGrok()).isTrue();
    }

    @Test
    void previewParsesSamplesWithoutStoring() {
        EtlPreview.Result r = EtlPreview.preview(EtlConfig.of("delimiter", EtlParams.builder().separator(",").build(),
                List.of(EtlField.column(1, "a", "string"), EtlField.column(2, "b", "int"))), List.of("x,1", "y,z"));
        assertThat(r.ok()).isTrue();
        assertThat(r.lines()).hasSize(2);
        assertThat(r.lines().get(0).document().fields()).containsEntry("b", 1L);
        assertThat(r.lines().get(1).document().parseFailure()).isTrue();
        assertThat(EtlPreview.preview(EtlConfig.of("json", EtlParams.DEFAULTS, List.of()), List.of("{}")).errors())
                .isNotEmpty();
    }

    @Test
    void aGroupNamedLikeAReservedFieldIsDeclaredThroughAnAlias() {
        String regex = "^(?P<Time>\\S+) (?P<msg>.*)$";
        EtlConfig refused = EtlConfig.of("regexp", EtlParams.builder().separatorRegexp(regex).build(),
                List.of(EtlField.of("Time", "string")));
        assertThat(EtlConfigValidator.validate(refused)).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("fields[0].field_name");
            assertThat(e.message()).contains("'Time' is a reserved field name").contains("reserved: ")
                    .contains("dteventtimestamp").contains("time,").contains("alias_name: log_time");
        });
        EtlConfig aliased = EtlConfig.of("regexp", EtlParams.builder().separatorRegexp(regex).build(),
                List.of(new EtlField("Time", "string", "log_time", false, null, null, null, false)));
        assertThat(EtlConfigValidator.validate(aliased)).isEmpty();
        assertThat(Etl.compile(aliased, CLOCK).parse("10:00 hello").fields()).containsEntry("log_time", "10:00")
                .containsEntry("msg", "hello").doesNotContainKey("__ext.Time");
        // undeclared, it cannot overwrite the built-in field: it is kept under __ext
        EtlConfig undeclared = EtlConfig.of("regexp", EtlParams.builder().separatorRegexp(regex).build(), List.of());
        assertThat(Etl.compile(undeclared, CLOCK).parse("10:00 hello").fields()).containsEntry("__ext.Time", "10:00");
    }

    @Test
    void previewNamesTheTimeFormatThatMatchedAndDropsCarriageReturns() {
        EtlConfig c = EtlConfig.of("regexp", EtlParams.builder()
                        .separatorRegexp("^\\[(?P<ts>[^\\]]+)\\] (?P<msg>.*)$").build(),
                List.of(new EtlField("ts", "string", null, true, "auto", 0, null, false), EtlField.of("msg", "string")));
        EtlPreview.Result r = EtlPreview.preview(c, List.of("[Sun Dec 04 04:47:44 2005] apache\r",
                "[081109 203615] hdfs\r\n", "[2015-10-18 18:01:47,978] log4j"), null, CLOCK);
        assertThat(r.lines()).extracting(l -> l.document().timeFormat())
                .containsExactly("apache_error", "yyMMdd HHmmss", "yyyy-MM-dd HH:mm:ss,SSS");
        assertThat(r.lines()).extracting(l -> l.document().timestamp()).containsExactly(
                Instant.parse("2005-12-04T04:47:44Z"), Instant.parse("2008-11-09T20:36:15Z"),
                Instant.parse("2015-10-18T18:01:47.978Z"));
        assertThat(r.lines()).extracting(l -> l.document().fields().get("msg")).containsExactly("apache", "hdfs", "log4j");
    }
}
