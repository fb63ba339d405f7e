package io.bklog.core.ingest;

import io.bklog.core.collect.PipelineLineSink;
import io.bklog.core.memory.InProcessIngestBuffer;
import io.bklog.spi.source.Receipt;
import io.bklog.spi.source.SourceLine;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The source SPI's line sink over a collector's ingest pipeline: per-batch answers and per-line outcomes. */
class PipelineLineSinkTest {
    private static final Instant T = Instant.parse("2026-03-01T00:00:00Z");

    private static List<SourceLine> lines(String... texts) {
        return java.util.stream.IntStream.range(0, texts.length)
                .mapToObj(i -> SourceLine.of("src", i, texts[i], T)).toList();
    }

    @Test
    void anAcceptedBatchIsStoredOnceTheSinkWroteItAndAFilteredLineIsRejectedWithTheReason() throws Exception {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(10)).build();
             IngestPipeline p = IngestPipeline.builder("app").sink(sink)
                     .filter(LineFilter.of(List.of(FilterCondition.line("exclude", "DEBUG")), null)).build()) {
            PipelineLineSink lineSink = new PipelineLineSink(p);
            Receipt r = lineSink.accept(lines("order paid", "DEBUG noise"));

            assertThat(r.status()).isEqualTo(Receipt.Status.ACCEPTED);
            r.stored().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(store.count("app")).as("stored before stored() completed").isEqualTo(1);
            assertThat(r.outcome(0)).isEqualTo(Receipt.LineOutcome.STORED);
            assertThat(r.outcome(1).status()).isEqualTo(Receipt.LineStatus.REJECTED);
            assertThat(r.outcome(1).reason()).contains("filters");
            lineSink.allStored().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aFullBufferAnswersRetryableAndStoredWaitsUntilTheSpillDrained() throws Exception {
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(2);
        try (var consumer = buffer.consumer("g");
             IngestPipeline p = IngestPipeline.builder("app").buffer(buffer).retryAfter(Duration.ofMillis(700))
                     .build()) {
            PipelineLineSink lineSink = new PipelineLineSink(p);
            Receipt first = lineSink.accept(lines("a", "b"));
            first.stored().toCompletableFuture().get(10, TimeUnit.SECONDS);
            assertThat(first.outcome(1)).isEqualTo(Receipt.LineOutcome.STORED);

            Receipt second = lineSink.accept(lines("c"));
            assertThat(second.accepted()).as("taken; what the full buffer refused waits in the pipeline's spill")
                    .isTrue();
            assertThat(second.stored().toCompletableFuture()).as("not safe while spilled").isNotDone();
            assertThat(second.outcome(0).status()).isEqualTo(Receipt.LineStatus.RETRYABLE);

            Receipt third = lineSink.accept(lines("d"));
            assertThat(third.status()).isEqualTo(Receipt.Status.RETRYABLE);
            assertThat(third.retryAfter()).isEqualTo(Duration.ofMillis(700));
            assertThat(third.reason()).contains("full");
            assertThat(third.stored().toCompletableFuture()).isCompletedExceptionally();

            // the buffer is drained: the spill goes in, and the second batch is safe
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
                consumer.poll(10, Duration.ofMillis(10));
                consumer.commit();
                return second.stored().toCompletableFuture().isDone();
            });
            second.stored().toCompletableFuture().get(1, TimeUnit.SECONDS);
            assertThat(second.outcome(0)).isEqualTo(Receipt.LineOutcome.STORED);
        }
    }

    @Test
    void aClosedPipelineRejects() {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).build()) {
            IngestPipeline p = IngestPipeline.builder("app").sink(sink).build();
            p.close();
            Receipt r = new PipelineLineSink(p).accept(lines("late"));
            assertThat(r.status()).isEqualTo(Receipt.Status.REJECTED);
            assertThat(r.reason()).contains("closed");
        }
    }
}
