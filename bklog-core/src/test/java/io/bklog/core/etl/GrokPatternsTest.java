package io.bklog.core.etl;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Logstash pattern sets (legacy, ecs-v1): every pattern compiles, the common composites parse real lines. */
class GrokPatternsTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2024-01-10T00:00:00Z"), ZoneOffset.UTC);

    @ParameterizedTest
    @ValueSource(strings = {GrokPatterns.LEGACY, GrokPatterns.ECS_V1})
    void everyPatternOfTheSetCompiles(String set) {
        Map<String, String> patterns = GrokPatterns.of(set);
        assertThat(patterns).hasSizeGreaterThan(300).containsKeys("HTTPD_ERRORLOG", "HTTPD20_ERRORLOG",
                "HTTPDERROR_DATE", "HTTPD_COMBINEDLOG", "SYSLOGLINE", "HAPROXYHTTP", "JAVASTACKTRACEPART",
                "POSTGRESQL", "NAGIOSLOGLINE", "RAILS3", "SQUID3", "BIND9", "REDISLOG");
        List<String> broken = new ArrayList<>();
        for (String name : patterns.keySet()) {
            try {
                NamedRegex.grok("%{" + name + "}", Map.of(), set);
            } catch (RuntimeException e) {
                broken.add(name + ": " + e.getMessage());
            }
        }
        assertThat(broken).isEmpty();
    }

    private static Map<String, Object> parse(String set, String expression, String line) {
        EtlConfig c = EtlConfig.of("grok", EtlParams.builder().separatorRegexp(expression).grokPatternSet(set)
                .build(), List.of());
        assertThat(EtlConfigValidator.validate(c)).isEmpty();
        ParsedDocument d = Etl.compile(c, CLOCK).parse(line);
        assertThat(d.parseFailure()).as(d.failureReason()).isFalse();
        return d.fields();
    }

    private static final String ACCESS = "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /presentations/logstash"
            + "-monitorama-2013/images/kibana-search.png HTTP/1.1\" 200 203023 \"http://semicomplete.com/presentations/"
            + "logstash-monitorama-2013/\" \"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_1) AppleWebKit/537.36\"";

    @Test
    void apacheAccessAndNginxAccessLines() {
        Map<String, Object> f = parse("legacy", "%{HTTPD_COMBINEDLOG}", ACCESS);
        assertThat(f).containsEntry("clientip", "83.149.9.216").containsEntry("verb", "GET")
                .containsEntry("response", "200").containsEntry("bytes", "203023")
                .containsEntry("timestamp", "17/May/2015:10:05:03 +0000");
        Map<String, Object> ecs = parse("ecs-v1", "%{HTTPD_COMBINEDLOG}", ACCESS);
        assertThat(ecs).containsEntry("source.address", "83.149.9.216").containsEntry("http.request.method", "GET")
                .containsEntry("http.response.status_code", 200L).containsEntry("http.response.body.bytes", 203023L);
        // nginx's default "combined" log_format is Apache's
        String nginx = "172.17.0.1 - - [06/Dec/2026:07:31:30 +0000] \"GET /index.html HTTP/1.1\" 304 0 \"-\" "
                + "\"curl/8.5.0\"";
        assertThat(parse("legacy", "%{COMBINEDAPACHELOG}", nginx)).containsEntry("clientip", "172.17.0.1")
                .containsEntry("response", "304").containsEntry("request", "/index.html");
    }

    @Test
    void apacheErrorLinesOf22And24() {
        Map<String, Object> f = parse("legacy", "%{HTTPD_ERRORLOG}",
                "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6");
        assertThat(f).containsEntry("timestamp", "Sun Dec 04 04:47:44 2005").containsEntry("loglevel", "error")
                .containsEntry("message", "mod_jk child workerEnv in error state 6");
        Map<String, Object> g = parse("legacy", "%{HTTPD_ERRORLOG}", "[Thu Apr 27 10:39:46.719636 2017] "
                + "[php7:notice] [pid 17] [client 10.255.0.3:49580] Test error log record");
        assertThat(g).containsEntry("module", "php7").containsEntry("loglevel", "notice").containsEntry("pid", "17")
                .containsEntry("clientip", "10.255.0.3").containsEntry("message", "Test error log record");
        Map<String, Object> ecs = parse("ecs-v1", "%{HTTPD_ERRORLOG}",
                "[Mon Aug 31 16:27:04 2015] [error] [client 10.17.42.3] Premature end of script headers: example.com");
        assertThat(ecs).containsEntry("log.level", "error").containsEntry("source.address", "10.17.42.3");
    }

    @Test
    void syslogLines() {
        Map<String, Object> f = parse("legacy", "%{SYSLOGLINE}",
                "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186");
        assertThat(f).containsEntry("timestamp", "Dec 10 06:55:46").containsEntry("logsource", "LabSZ")
                .containsEntry("program", "sshd").containsEntry("pid", "24200")
                .containsEntry("message", "Invalid user webmaster from 173.234.31.186");
        Map<String, Object> r = parse("legacy", "%{SYSLOG5424LINE}", "<34>1 2003-10-11T22:14:15.003Z "
                + "mymachine.example.com su - ID47 - 'su root' failed for lonvick on /dev/pts/8");
        assertThat(r).containsEntry("syslog5424_pri", "34").containsEntry("syslog5424_ts", "2003-10-11T22:14:15.003Z")
                .containsEntry("syslog5424_app", "su").containsEntry("syslog5424_msg",
                        "'su root' failed for lonvick on /dev/pts/8");
    }

    @Test
    void haproxyHttpLine() {
        Map<String, Object> f = parse("legacy", "%{HAPROXYHTTP}", "Dec  9 13:01:26 localhost haproxy[28029]: "
                + "127.0.0.1:39759 [09/Dec/2013:12:59:46.633] loadbalancer default/instance8 0/51536/1/48082/99627 "
                + "200 83285 - - ---- 87/87/87/1/0 0/67 {77.24.148.74} \"GET /path/to/image HTTP/1.1\"");
        assertThat(f).containsEntry("client_ip", "127.0.0.1").containsEntry("backend_name", "default")
                .containsEntry("server_name", "instance8").containsEntry("http_status_code", "200")
                .containsEntry("http_verb", "GET").containsEntry("http_request", "/path/to/image");
    }

    @Test
    void javaStackTraceLine() {
        Map<String, Object> f = parse("legacy", "%{JAVASTACKTRACEPART}",
                "  at com.sample.stacktrace.StackTraceExample.aMethod(StackTraceExample.java:42)");
        assertThat(f).containsEntry("class", "com.sample.stacktrace.StackTraceExample")
                .containsEntry("method", "aMethod").containsEntry("file", "StackTraceExample.java")
                .containsEntry("line", "42");
    }

    @Test
    void postgresqlLine() {
        Map<String, Object> f = parse("legacy", "%{POSTGRESQL}", "2014-04-23 06:40:32 UTC postgres 5340a0b0.7a1 3741");
        assertThat(f).containsEntry("user_id", "postgres").containsEntry("connection_id", "5340a0b0.7a1")
                .containsEntry("pid", "3741");
    }

    /** Logstash ships no MySQL pattern: the slow-log event (joined by multi-line) is written from the base ones. */
    @Test
    void mysqlSlowLogEventFromBasePatterns() {
        String event = "# Time: 2024-01-09T10:11:12.123456Z\n"
                + "# User@Host: app[app] @ web1 [10.0.0.5]  Id:    42\n"
                + "# Query_time: 2.500000  Lock_time: 0.000100 Rows_sent: 1  Rows_examined: 100000\n"
                + "SET timestamp=1704795072;\n"
                + "SELECT * FROM orders WHERE note LIKE '%x%';";
        Map<String, Object> f = parse("legacy", "^# Time: %{TIMESTAMP_ISO8601:query_start}\\n# User@Host: "
                + "%{USER:mysql_user}\\[[^\\]]*\\] @ %{HOSTNAME:client_host}? \\[%{IP:client_ip}?\\]\\s+Id:\\s+"
                + "%{NUMBER:thread_id:int}\\n# Query_time: %{NUMBER:query_time:float}\\s+Lock_time: "
                + "%{NUMBER:lock_time:float}\\s+Rows_sent: %{NUMBER:rows_sent:int}\\s+Rows_examined: "
                + "%{NUMBER:rows_examined:int}\\n(?:use %{DATA:database};\\n)?SET timestamp=%{NUMBER};\\n"
                + "%{GREEDYDATA:query}$", event);
        assertThat(f).containsEntry("query_start", "2024-01-09T10:11:12.123456Z").containsEntry("mysql_user", "app")
                .containsEntry("client_host", "web1").containsEntry("client_ip", "10.0.0.5")
                .containsEntry("query_time", 2.5).containsEntry("rows_examined", 100000L)
                .containsEntry("query", "SELECT * FROM orders WHERE note LIKE '%x%';");
    }

    @Test
    void oniguruamNamedGroupsInAnExpressionCaptureFields() {
        Map<String, Object> f = parse("ecs-v1", "(?<[event][kind]>\\w+) (?<when>%{YEAR}-%{MONTHNUM}) %{WORD:w}",
                "alert 2024-01 x");
        assertThat(f).containsEntry("event.kind", "alert").containsEntry("when", "2024-01").containsEntry("w", "x");
    }

    @Test
    void anUnknownPatternSetIsRefusedWithTheKnownOnes() {
        EtlConfig c = EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{WORD:w}").grokPatternSet("ecs-v8")
                .build(), List.of());
        assertThat(EtlConfigValidator.validate(c)).singleElement().satisfies(e ->
                assertThat(e.message()).contains("unknown grok_pattern_set 'ecs-v8'").contains("legacy, ecs-v1"));
    }

    @Test
    void aDeepChainOfCustomPatternsIsRefusedWithAClearErrorNotAStackOverflow() {
        Map<String, String> custom = new java.util.HashMap<>();
        for (int i = 0; i < 20_000; i++) custom.put("A" + i, "%{A" + (i + 1) + "}");
        custom.put("A20000", "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> NamedRegex.grok("%{A0}", custom))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nested more than 100");
    }
}
