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

/** Our delimiter ETL (8 columns, 2 typed) against {@code String.split} filling a map with the same columns. */
@State(Scope.Benchmark)
public class DelimiterEtlVsSplitBenchmark {

    static final String LINE = "2024-05-01 12:00:00|10.0.0.12|GET|/api/v1/search|200|12|curl/8.0|app_logs";
    static final String[] NAMES = {"ts", "client", "method", "path", "status", "latency", "ua", "index"};

    private LineParser parser;
    private final Instant now = Instant.parse("2024-05-01T12:00:01Z");

    @Setup
    public void setup() {
        parser = Etl.compile(EtlConfig.of("delimiter", EtlParams.builder().separator("|").retainOriginalText(false)
                .recordParseFailure(false).build(), List.of(
                EtlField.column(1, "ts", "string"), EtlField.column(2, "client", "string"),
                EtlField.column(3, "method", "string"), EtlField.column(4, "uri", "string"),
                EtlField.column(5, "status", "long"), EtlField.column(6, "latency", "long"),
                EtlField.column(7, "ua", "string"), EtlField.column(8, "index", "string"))));
    }

    @Benchmark
    public Map<String, Object> baseline() {
        String[] parts = LINE.split("\\|");
        Map<String, Object> out = new HashMap<>();
        for (int i = 0; i < parts.length && i < NAMES.length; i++) out.put(NAMES[i], parts[i]);
        return out;
    }

    @Benchmark
    public Object ours() {
        return parser.parse(LINE, null, now);
    }
}
