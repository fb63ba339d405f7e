package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.memory.InProcessIngestBuffer;
import io.bklog.spi.LogDocument;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class IngestPipelineTest {

    private static final EtlConfig JSON = EtlConfig.of("json", EtlParams.DEFAULTS, List.of(
            EtlField.time("ts", "epoch_millis", null), EtlField.of("level", "string"), EtlField.of("code", "long")));

    @Test
    void linesTravelThroughBufferAndSinkIntoTheStore() {
        FakeLogStore store = new FakeLogStore();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        IngestMetrics metrics = new IngestMetrics(registry);
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(1000);
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(20)).metrics(metrics).build();
             BufferDrainer drainer = new BufferDrainer(buffer, sink);
             IngestPipeline p = IngestPipeline.builder("app").etl(JSON).buffer(buffer).metrics(metrics).build()) {
            List<SourceLine> lines = List.of(
                    SourceLine.of("host1:/var/log/a.log", 0, "{\"ts\":1700000000000,\"level\":\"INFO\",\"code\":1}", Instant.now()),
                    SourceLine.of("host1:/var/log/a.log", 60, "{\"ts\":1700000000001,\"level\":\"WARN\",\"code\":\"x\"}", Instant.now()),
                    SourceLine.of("host1:/var/log/a.log", 120, "not json at all", Instant.now()));
            IngestPipeline.SubmitResult r = p.submit(lines);
            assertThat(r.accepted()).isTrue();
            assertThat(r.documents()).isEqualTo(3);
            assertThat(r.parseFailures()).isEqualTo(2);
            await().atMost(5, TimeUnit.SECONDS).until(() -> store.count("app") == 3);
            await().atMost(5, TimeUnit.SECONDS).until(() -> buffer.pending(BufferDrainer.GROUP) == 0);

            // a replay of the same lines (same source + offsets) does not duplicate
            p.submit(lines);
            await().atMost(5, TimeUnit.SECONDS).until(() -> buffer.pending(BufferDrainer.GROUP) == 0);
            assertThat(store.count("app")).isEqualTo(3);
        }
        LogDocument first = store.stored("app").stream().filter(d -> "INFO".equals(d.get("level"))).findFirst().orElseThrow();
        assertThat(first.timestamp()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
        assertThat(first.fields()).containsEntry("gseIndex", 0L).containsEntry("__parse_failure", false);
        assertThat(store.stored("app")).filteredOn(d -> Boolean.TRUE.equals(d.get("__parse_failure")))
                .extracting(d -> (String) d.get("log")).containsExactlyInAnyOrder(
                        "{\"ts\":1700000000001,\"level\":\"WARN\",\"code\":\"x\"}", "not json at all");
        assertThat(registry.get("bklog.ingest.lines").tag("index_set", "app").counter().count()).isEqualTo(6);
        assertThat(registry.get("bklog.ingest.parse.failures").tag("index_set", "app").counter().count()).isEqualTo(4);
    }

    @Test
    void joinsMultiLineEventsFiltersThemAndFlushesTheLastOneOnTimeout() {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(10)).build();
             IngestPipeline p = IngestPipeline.builder("app").sink(sink)
                     .multiline(new MultilineConfig(java.util.regex.Pattern.compile("^\\["), 100, Duration.ofMillis(200)))
                     .filter(LineFilter.of(List.of(FilterCondition.line("exclude", "DEBUG")), null)).build()) {
            IngestPipeline.SubmitResult r = p.submitText("svc", List.of("[ERROR] boom", "  at a.b(C.java:1)",
                    "[DEBUG] noise", "[WARN] last", "  detail"));
            assertThat(r.documents()).isEqualTo(1);
            assertThat(r.filtered()).isEqualTo(1);
            await().atMost(5, TimeUnit.SECONDS).until(() -> store.count("app") == 2);
        }
        assertThat(store.stored("app")).extracting(d -> (String) d.get("log"))
                .containsExactlyInAnyOrder("[ERROR] boom\n  at a.b(C.java:1)", "[WARN] last\n  detail");
    }

    @Test
    void crlfLinesOfAnySourceLeaveNoCarriageReturnInTheValuesOrTheLog() {
        FakeLogStore store = new FakeLogStore();
        EtlConfig regexp = EtlConfig.of("regexp", EtlParams.builder()
                .separatorRegexp("^(?P<level>\\w+) (?P<msg>.*)$").build(), List.of());
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).build();
             IngestPipeline p = IngestPipeline.builder("app").sink(sink).etl(regexp)
                     .multiline(new MultilineConfig(java.util.regex.Pattern.compile("^[A-Z]"), 10, Duration.ofMillis(50)))
                     .build()) {
            // as Kafka, syslog or an HTTP client hand lines of a Windows file split on LF
            p.submitText("kafka:t/0", List.of("ERROR disk full\r", "  at x\r", "INFO ok\r\n"));
            p.flush();
            sink.flush(Duration.ofSeconds(5));
        }
        assertThat(store.stored("app")).extracting(d -> d.get("msg")).containsExactlyInAnyOrder("disk full\n  at x", "ok");
        assertThat(store.stored("app")).extracting(d -> (String) d.get("log"))
                .allSatisfy(l -> assertThat(l).doesNotContain("\r"));
    }

    @Test
    void truncatesOverlongLinesAndMarksThem() {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).build();
             IngestPipeline p = IngestPipeline.builder("app").sink(sink).maxLineBytes(64).build()) {
            p.submitText("s", List.of("x".repeat(100), "short"));
            sink.flush(Duration.ofSeconds(5));
        }
        assertThat(store.stored("app")).filteredOn(d -> Boolean.TRUE.equals(d.get("__truncated")))
                .singleElement().satisfies(d -> assertThat((String) d.get("log")).hasSize(64));
    }

    @Test
    void refusesTheNextRequestWhileTheBufferIsFullAndNothingIsLost() {
        FakeLogStore store = new FakeLogStore();
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(5);
        IngestPipeline p = IngestPipeline.builder("app").buffer(buffer).build();
        try {
            List<String> batch = new ArrayList<>();
            for (int i = 0; i < 4; i++) batch.add("line " + i);
            assertThat(p.submitText("s", batch).accepted()).isTrue();          // 4 in the buffer
            assertThat(p.submitText("s", List.of("a", "b")).accepted()).isTrue(); // refused by the buffer → spill
            assertThat(p.spilled()).isEqualTo(2);
            IngestPipeline.SubmitResult full = p.submitText("s", List.of("c"));
            assertThat(full.full()).isTrue();
            assertThat(full.retryAfter()).isEqualTo(Duration.ofSeconds(1));
            try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(5)).build();
                 BufferDrainer drainer = new BufferDrainer(buffer, sink)) {
                await().atMost(5, TimeUnit.SECONDS).until(() -> p.spilled() == 0 && store.count("app") == 6);
                assertThat(p.submitText("s", List.of("c")).accepted()).isTrue();
                await().atMost(5, TimeUnit.SECONDS).until(() -> store.count("app") == 7);
            }
        } finally {
            p.close();
        }
    }

    @Test
    void routesFailedLinesToDeadLetterWhenRetainContentIsOff() {
        FakeLogStore store = new FakeLogStore();
        EtlConfig strict = EtlConfig.of("json", EtlParams.builder().enableRetainContent(false).build(),
                List.of(EtlField.of("a", "string")));
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).build();
             IngestPipeline p = IngestPipeline.builder("app").etl(strict).sink(sink).build()) {
            p.submitText("s", List.of("{\"a\":\"ok\"}", "broken"));
            sink.flush(Duration.ofSeconds(5));
        }
        assertThat(store.count("app")).isEqualTo(1);
        assertThat(store.stored("bklog_dead_letter")).singleElement()
                .satisfies(d -> assertThat((String) d.get("reason")).contains("invalid JSON"));
    }
}
