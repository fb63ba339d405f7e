package io.bklog.core.etl;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import io.bklog.spi.source.SourceLine;
import io.bklog.core.ingest.source.FileTailer;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Parse accuracy on the public Loghub-2k samples (src/test/resources/loghub, with its LICENSE): for each dataset the
 * ETL config a user would write (regexp or grok), read through the file collector's line splitting (CRLF files, the
 * last line without a newline delivered when the collector stops), must give every header field of every line exactly
 * as the dataset's structured CSV, the time parsed with the right format and zone, and no parse failure.
 */
class LoghubParseAccuracyTest {

    /** Now for year-less formats (OpenSSH, Proxifier): their lines are then from 2026, as syslog would take them. */
    private static final Instant NOW = Instant.parse("2027-01-05T00:00:00Z");

    @TempDir
    Path dir;

    /**
     * @param fields     header field → stored name (reserved names such as {@code Time} are declared with an alias)
     * @param format     the configured time_format; {@code expectedFormat} the format id the document reports
     * @param expected   the CSV row → the local date-time it stands for, read independently with DateTimeFormatter
     */
    record Case(String dataset, EtlConfig config, Map<String, String> fields, int zone, String expectedFormat,
                Function<Map<String, String>, LocalDateTime> expected) {
        @Override
        public String toString() {
            return dataset;
        }
    }

    private static EtlField f(String name) {
        return new EtlField(name, "string", null, false, null, null, null, false);
    }

    private static EtlField aliased(String name, String alias) {
        return new EtlField(name, "string", alias, false, null, null, null, false);
    }

    private static EtlField time(String name, String alias, String format, int zone) {
        return new EtlField(name, "string", alias, true, format, zone, null, false);
    }

    private static EtlConfig regexp(String regex, List<EtlField> fields) {
        return EtlConfig.of("bk_log_regexp", EtlParams.builder().separatorRegexp(regex).build(), fields);
    }

    private static Map<String, String> names(String... pairs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
        return m;
    }

    private static LocalDateTime at(String value, String pattern) {
        DateTimeFormatter f = new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(pattern)
                .toFormatter(Locale.ENGLISH);
        return LocalDateTime.parse(value, f);
    }

    static Stream<Arguments> datasets() {
        List<Case> c = new ArrayList<>();
        c.add(new Case("Apache", regexp("^\\[(?P<Time>\\w{3} \\w{3} \\d{2} \\d{2}:\\d{2}:\\d{2} \\d{4})\\] "
                        + "\\[(?P<Level>[^\\]]*)\\] (?P<Content>.*?)\\s*$",
                List.of(time("Time", "log_time", "EEE MMM dd HH:mm:ss yyyy", -5), f("Level"), f("Content"))),
                names("Time", "log_time", "Level", "Level", "Content", "Content"), -5, "EEE MMM dd HH:mm:ss yyyy",
                r -> at(r.get("Time"), "EEE MMM dd HH:mm:ss yyyy")));
        c.add(new Case("HDFS", regexp("^(?P<ts>(?P<Date>\\d{6}) (?P<Time>\\d{6})) (?P<Pid>\\d+) (?P<Level>\\w+) "
                        + "(?P<Component>.*?): (?P<Content>.*?)\\s*$",
                List.of(time("ts", null, "yyMMdd HHmmss", -8), f("Date"), aliased("Time", "log_time"), f("Pid"),
                        f("Level"), f("Component"), f("Content"))),
                names("Date", "Date", "Time", "log_time", "Pid", "Pid", "Level", "Level", "Component", "Component",
                        "Content", "Content"), -8, "yyMMdd HHmmss",
                r -> at(r.get("Date") + " " + r.get("Time"), "yyMMdd HHmmss")));
        c.add(new Case("Hadoop", regexp("^(?P<ts>(?P<Date>\\d{4}-\\d{2}-\\d{2}) (?P<Time>\\d{2}:\\d{2}:\\d{2},\\d{3})) "
                        + "(?P<Level>\\w+) \\[(?P<Process>.*?)\\] (?P<Component>.*?): (?P<Content>.*?)\\s*$",
                List.of(time("ts", null, "auto", 8), f("Date"), aliased("Time", "log_time"), f("Level"),
                        f("Process"), f("Component"), f("Content"))),
                names("Date", "Date", "Time", "log_time", "Level", "Level", "Process", "Process", "Component",
                        "Component", "Content", "Content"), 8, "yyyy-MM-dd HH:mm:ss,SSS",
                r -> at(r.get("Date") + " " + r.get("Time"), "yyyy-MM-dd HH:mm:ss,SSS")));
        // HealthApp writes milliseconds unpadded (22:15:35:11 is 11 ms): no DateTimeFormatter pattern reads that,
        // so the time is taken to the second and the full value kept in log_time
        c.add(new Case("HealthApp", regexp("^(?P<Time>(?P<ts>\\d{8}-\\d{1,2}:\\d{1,2}:\\d{1,2}):\\d+)\\|"
                        + "(?P<Component>.*?)\\|(?P<Pid>.*?)\\|(?P<Content>.*?)\\s*$",
                List.of(time("ts", null, "yyyyMMdd-H:m:s", 8), aliased("Time", "log_time"), f("Component"),
                        f("Pid"), f("Content"))),
                names("Time", "log_time", "Component", "Component", "Pid", "Pid", "Content", "Content"), 8,
                "yyyyMMdd-H:m:s",
                r -> at(r.get("Time").substring(0, r.get("Time").lastIndexOf(':')), "yyyyMMdd-H:m:s")));
        c.add(new Case("OpenSSH", EtlConfig.of("grok", EtlParams.builder().separatorRegexp(
                        "^(?<ts>%{MONTH:Date}\\s+%{MONTHDAY:Day} %{TIME:Time}) %{DATA:Component} "
                                + "sshd\\[%{POSINT:Pid}\\]: %{DATA:Content}\\s*$").build(),
                List.of(time("ts", null, "auto", 8), f("Date"), f("Day"), aliased("Time", "log_time"),
                        f("Component"), f("Pid"), f("Content"))),
                names("Date", "Date", "Day", "Day", "Time", "log_time", "Component", "Component", "Pid", "Pid",
                        "Content", "Content"), 8, "rfc3164",
                r -> at("2026 " + r.get("Date") + " " + r.get("Day") + " " + r.get("Time"), "yyyy MMM d HH:mm:ss")));
        c.add(new Case("Proxifier", regexp("^\\[(?P<Time>\\d{2}\\.\\d{2} \\d{2}:\\d{2}:\\d{2})\\] (?P<Program>.*?) - "
                        + "(?P<Content>.*?)\\s*$",
                List.of(time("Time", "log_time", "MM.dd HH:mm:ss", 8), f("Program"), f("Content"))),
                names("Time", "log_time", "Program", "Program", "Content", "Content"), 8, "MM.dd HH:mm:ss",
                r -> at("2026." + r.get("Time"), "yyyy.MM.dd HH:mm:ss")));
        c.add(new Case("Spark", regexp("^(?P<ts>(?P<Date>\\d{2}/\\d{2}/\\d{2}) (?P<Time>\\d{2}:\\d{2}:\\d{2})) "
                        + "(?P<Level>\\w+) (?P<Component>.*?): (?P<Content>.*?)\\s*$",
                List.of(time("ts", null, "auto", 8), f("Date"), aliased("Time", "log_time"), f("Level"),
                        f("Component"), f("Content"))),
                names("Date", "Date", "Time", "log_time", "Level", "Level", "Component", "Component",
                        "Content", "Content"), 8, "yy/MM/dd HH:mm:ss",
                r -> at(r.get("Date") + " " + r.get("Time"), "yy/MM/dd HH:mm:ss")));
        c.add(new Case("Zookeeper", regexp("^(?P<ts>(?P<Date>\\S+) (?P<Time>\\S+)) - (?P<Level>\\w+)\\s+"
                        + "\\[(?P<Node>.*?):(?P<Component>.*?)@(?P<Id>.*?)\\] - (?P<Content>.*?)\\s*$",
                List.of(time("ts", null, "yyyy-MM-dd HH:mm:ss,SSS", 8), f("Date"), aliased("Time", "log_time"),
                        f("Level"), f("Node"), f("Component"), f("Id"), f("Content"))),
                names("Date", "Date", "Time", "log_time", "Level", "Level", "Node", "Node", "Component", "Component",
                        "Id", "Id", "Content", "Content"), 8, "yyyy-MM-dd HH:mm:ss,SSS",
                r -> at(r.get("Date") + " " + r.get("Time"), "yyyy-MM-dd HH:mm:ss,SSS")));
        return c.stream().map(Arguments::of);
    }

    private static byte[] resource(String path) throws IOException {
        try (InputStream in = LoghubParseAccuracyTest.class.getResourceAsStream("/loghub/" + path)) {
            assertThat(in).as("test resource loghub/" + path).isNotNull();
            return in.readAllBytes();
        }
    }

    private static List<Map<String, String>> structured(String dataset) throws IOException {
        CsvMapper mapper = new CsvMapper();
        try (MappingIterator<Map<String, String>> it = mapper.readerFor(Map.class)
                .with(CsvSchema.emptySchema().withHeader()).readValues(resource(dataset + "/" + dataset
                        + "_2k.log_structured.csv"))) {
            return it.readAll();
        }
    }

    /** The dataset's lines as the file collector hands them on: complete lines, then the last one on stop. */
    private List<SourceLine> collected(String dataset) throws IOException {
        Files.write(dir.resolve(dataset + ".log"), resource(dataset + "/" + dataset + "_2k.log"));
        List<SourceLine> got = new ArrayList<>();
        try (FileTailer t = FileTailer.builder(got::addAll).paths(List.of(dir + "/*.log"))
                .checkpointFile(dir.resolve("tail.json")).tailFiles(false).clock(new MutableClock(NOW)).build()) {
            t.poll();
        }
        return got;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("datasets")
    void everyHeaderFieldOfEveryLineIsExtractedExactly(Case c) throws IOException {
        assertThat(EtlConfigValidator.validate(c.config())).isEmpty();
        List<Map<String, String>> rows = structured(c.dataset());
        List<SourceLine> lines = collected(c.dataset());
        assertThat(lines).hasSize(2000).hasSameSizeAs(rows);
        LineParser parser = Etl.compile(c.config(), new MutableClock(NOW));
        int failures = 0;
        int mismatched = 0;
        List<String> firstMismatches = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Map<String, String> row = rows.get(i);
            ParsedDocument d = parser.parse(lines.get(i).text(), null, NOW);
            if (d.parseFailure()) {
                failures++;
                if (firstMismatches.size() < 5) firstMismatches.add("line " + (i + 1) + ": " + d.failureReason());
                continue;
            }
            for (Map.Entry<String, String> e : c.fields().entrySet()) {
                Object got = d.fields().get(e.getValue());
                if (!row.get(e.getKey()).equals(got)) {
                    mismatched++;
                    if (firstMismatches.size() < 5) {
                        firstMismatches.add("line " + (i + 1) + " " + e.getKey() + ": expected '" + row.get(e.getKey())
                                + "' got '" + got + "'");
                    }
                }
            }
            Instant want = c.expected().apply(row).toInstant(ZoneOffset.ofHours(c.zone()));
            if (!want.equals(d.timestamp()) || !c.expectedFormat().equals(d.timeFormat())) {
                mismatched++;
                if (firstMismatches.size() < 5) {
                    firstMismatches.add("line " + (i + 1) + " time: expected " + want + " (" + c.expectedFormat()
                            + ") got " + d.timestamp() + " (" + d.timeFormat() + ")");
                }
            }
        }
        assertThat(firstMismatches).as(c.dataset() + ": %d parse failures, %d mismatches", failures, mismatched)
                .isEmpty();
        assertThat(lines).allSatisfy(l -> assertThat(l.text()).doesNotEndWith("\r"));
    }
}
