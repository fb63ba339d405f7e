package io.bklog.benchmarks.etl;

import io.bklog.core.etl.Etl;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.etl.LineParser;
import io.krakens.grok.api.Grok;
import io.krakens.grok.api.GrokCompiler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Our grok ETL of an Apache combined log line (incl. time) against java-grok's own {@code match().capture()}. */
@State(Scope.Benchmark)
public class GrokEtlVsJavaGrokBenchmark {

    static final String LINE = "127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] \"GET /apache_pb.gif HTTP/1.0\" 200 2326 "
            + "\"http://www.example.com/start.html\" \"Mozilla/4.08 [en] (Win98; I ;Nav)\"";

    private Grok grok;
    private LineParser parser;
    private final Instant now = Instant.parse("2024-05-01T12:00:01Z");

    @Setup
    public void setup() {
        GrokCompiler c = GrokCompiler.newInstance();
        c.registerDefaultPatterns();
        grok = c.compile("%{COMBINEDAPACHELOG}", true);
        parser = Etl.compile(EtlConfig.of("grok", EtlParams.builder().separatorRegexp("%{COMBINEDAPACHELOG}").build(),
                List.of(EtlField.time("timestamp", "dd/MMM/yyyy:HH:mm:ss Z", null), EtlField.of("response", "long"),
                        EtlField.of("bytes", "long"))));
    }

    @Benchmark
    public Map<String, Object> baseline() {
        return grok.match(LINE).capture();
    }

    @Benchmark
    public Object ours() {
        return parser.parse(LINE, null, now);
    }
}
