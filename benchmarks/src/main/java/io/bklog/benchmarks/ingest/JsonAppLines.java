package io.bklog.benchmarks.ingest;

import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The ingest drivers' input: JSON lines of an application (time, level, status, latency, request, message). */
final class JsonAppLines {
    private JsonAppLines() {
    }

    static List<String> lines(int n) {
        List<String> input = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            input.add(String.format(Locale.ROOT, "{\"time\":\"2024-05-01 12:%02d:%02d.%03d\",\"level\":\"%s\","
                    + "\"status\":%d,\"latency_ms\":%d.5,\"request\":{\"method\":\"GET\",\"path\":\"/api/v1/item/%d\","
                    + "\"client\":{\"ip\":\"10.0.%d.%d\"}},\"message\":\"served item %d for user u%d\"}",
                    (i / 60) % 60, i % 60, i % 1000, i % 10 == 0 ? "ERROR" : "INFO", i % 7 == 0 ? 500 : 200, i % 900,
                    i, (i >> 8) & 255, i & 255, i, i % 5000));
        }
        return input;
    }

    /** The JSON ETL of those lines: typed fields, the time parsed with its pattern. */
    static EtlConfig etl() {
        return EtlConfig.of("json", EtlParams.builder().retainExtraJson(true).build(), List.of(
                EtlField.time("time", "yyyy-MM-dd HH:mm:ss.SSS", 0).withAlias("log_time"),
                EtlField.of("level", "string"), EtlField.of("status", "long"), EtlField.of("latency_ms", "double"),
                EtlField.of("request", "object"), EtlField.of("message", "string")));
    }
}
