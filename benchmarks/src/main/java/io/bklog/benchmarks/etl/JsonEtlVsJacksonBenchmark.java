package io.bklog.benchmarks.etl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.Etl;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.etl.LineParser;
import io.bklog.core.etl.ParsedDocument;
import io.bklog.core.ingest.DocumentIds;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

/**
 * Our JSON ETL of one line (streaming parse, flatten with dots, 5 typed fields, time parse, extra keys kept,
 * deterministic id) against plain Jackson {@code readTree} of the same line.
 */
@State(Scope.Benchmark)
public class JsonEtlVsJacksonBenchmark {

    static final String LINE = "{\"time\":\"2024-05-01 12:00:00.123\",\"level\":\"INFO\",\"logger\":\"io.bklog.api.Search\","
            + "\"thread\":\"http-nio-8080-exec-7\",\"status\":200,\"latency_ms\":12.5,"
            + "\"request\":{\"method\":\"GET\",\"path\":\"/api/v1/search\",\"client\":{\"ip\":\"10.0.0.12\",\"ua\":\"curl/8.0\"}},"
            + "\"message\":\"search done for index set app_logs with 120 hits\"}";

    private final ObjectMapper mapper = new ObjectMapper();
    private LineParser parser;
    private final Instant now = Instant.parse("2024-05-01T12:00:01Z");

    @Setup
    public void setup() {
        parser = Etl.compile(EtlConfig.of("json", EtlParams.builder().retainExtraJson(true).build(), List.of(
                EtlField.time("time", "yyyy-MM-dd HH:mm:ss.SSS", 8).withAlias("log_time"),
                EtlField.of("level", "string"), EtlField.of("status", "long"), EtlField.of("latency_ms", "double"),
                EtlField.of("request", "object"), EtlField.of("message", "string"))));
    }

    @Benchmark
    public JsonNode baseline() throws IOException {
        return mapper.readTree(LINE);
    }

    @Benchmark
    public void ours(Blackhole bh) {
        ParsedDocument d = parser.parse(LINE, null, now);
        bh.consume(d);
        bh.consume(DocumentIds.of("host-1:/var/log/app.log", 1024));
    }
}
