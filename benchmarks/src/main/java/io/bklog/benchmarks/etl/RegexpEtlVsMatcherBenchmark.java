package io.bklog.benchmarks.etl;

import io.bklog.core.etl.Etl;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.etl.LineParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Our regexp ETL (named groups, one long field) against a plain Matcher filling a map with the same groups. */
@State(Scope.Benchmark)
public class RegexpEtlVsMatcherBenchmark {

    static final String REGEX = "^(?<ts>\\S+ \\S+) \\[(?<thread>[^\\]]+)\\] (?<level>[A-Z]+) +(?<logger>\\S+) - "
            + "status=(?<status>\\d+) (?<msg>.*)$";
    static final String LINE = "2024-05-01 12:00:00,123 [http-nio-8080-exec-7] INFO  io.bklog.api.Search - status=200 "
            + "search done for index set app_logs with 120 hits";
    static final String[] GROUPS = {"ts", "thread", "level", "logger", "status", "msg"};

    private final Pattern pattern = Pattern.compile(REGEX, Pattern.DOTALL);
    private LineParser parser;
    private final Instant now = Instant.parse("2024-05-01T12:00:01Z");

    @Setup
    public void setup() {
        parser = Etl.compile(EtlConfig.of("regexp", EtlParams.builder().separatorRegexp(REGEX).retainOriginalText(false)
                .recordParseFailure(false).build(), List.of(EtlField.of("status", "long"))));
    }

    @Benchmark
    public Map<String, Object> baseline() {
        Matcher m = pattern.matcher(LINE);
        Map<String, Object> out = new HashMap<>();
        if (m.find()) {
            for (String g : GROUPS) out.put(g, m.group(g));
        }
        return out;
    }

    @Benchmark
    public Object ours() {
        return parser.parse(LINE, null, now);
    }
}
