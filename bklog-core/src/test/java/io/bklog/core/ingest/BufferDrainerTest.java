package io.bklog.core.ingest;

import io.bklog.core.memory.InProcessIngestBuffer;
import io.bklog.spi.BackendException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BufferDrainerTest {

    @Test
    void doesNotCommitWhatCouldNeitherBeStoredNorDeadLetteredSoItComesAgain() {
        FakeLogStore store = new FakeLogStore();
        AtomicInteger deadLetterCalls = new AtomicInteger();
        store.hook = (s, d) -> {
            if (s.equals("app")) return BulkResult.ItemResult.rejected(d.id(), "bad value");
            if (deadLetterCalls.incrementAndGet() <= 2) throw new BackendException("dead-letter store down");
            return null;
        };
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(100);
        buffer.append(List.of(new BufferedDocument("app", "k",
                new LogDocument("d1", Instant.EPOCH, Map.of("a", "b")))));
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).maxAttempts(2)
                .sleeper(d -> { }).build();
             BufferDrainer drainer = new BufferDrainer(buffer, sink)) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> store.count("bklog_dead_letter") == 1
                    && buffer.pending(BufferDrainer.GROUP) == 0);
        }
        assertThat(store.stored("bklog_dead_letter").get(0).fields()).containsEntry("doc_id", "d1");
    }

    /**
     * IngestChaosIT saw it with Elasticsearch: the sink's retries ran out while the node was down, the node came back
     * a moment later and the dead-letter write succeeded, so 500 acknowledged lines went to the dead letters instead
     * of their index set. Here the store answers the index set retryable for longer than the sink retries, while
     * the dead-letter index set always answers.
     */
    @Test
    void aStoreOutageLongerThanTheSinkRetriesNeverSendsBufferedDocumentsToTheDeadLetters() {
        FakeLogStore store = new FakeLogStore();
        AtomicInteger appWrites = new AtomicInteger();
        store.hook = (s, d) -> s.equals("app") && appWrites.incrementAndGet() <= 7
                ? BulkResult.ItemResult.retryable(d.id(), "Elasticsearch unreachable: Connection refused") : null;
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(100);
        buffer.append(List.of(new BufferedDocument("app", "k",
                new LogDocument("d1", Instant.EPOCH, Map.of("a", "b")))));
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).maxAttempts(2)
                .sleeper(d -> { }).build();
             BufferDrainer drainer = new BufferDrainer(buffer, sink)) {
            await().atMost(10, TimeUnit.SECONDS).until(() -> store.count("app") == 1
                    && buffer.pending(BufferDrainer.GROUP) == 0);
        }
        assertThat(appWrites.get()).as("writes until the store answered").isEqualTo(8);
        assertThat(store.count("bklog_dead_letter")).as("dead letters").isZero();
    }

    @Test
    void aSinkOfferCanAnswerRetryableInsteadOfDeadLetteringWhenRetriesRunOut() throws Exception {
        FakeLogStore store = new FakeLogStore();
        store.hook = (s, d) -> s.equals("app") ? BulkResult.ItemResult.retryable(d.id(), "unreachable") : null;
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).maxAttempts(2)
                .sleeper(d -> { }).build()) {
            List<BulkResult.ItemResult> kept = sink.offer("app", List.of(new LogDocument("d1", Instant.EPOCH,
                    Map.of("a", "b"))), BatchingSink.WhenRetriesRunOut.ANSWER_RETRYABLE).done().get(10, TimeUnit.SECONDS);
            assertThat(kept).singleElement().satisfies(r -> {
                assertThat(r.status()).isEqualTo(BulkResult.Status.RETRYABLE);
                assertThat(r.reason()).contains("not stored after 2 attempts: unreachable").contains("not dead-lettered");
            });
            assertThat(store.count("bklog_dead_letter")).isZero();

            List<BulkResult.ItemResult> dead = sink.offer("app", List.of(new LogDocument("d2", Instant.EPOCH,
                    Map.of("a", "b")))).done().get(10, TimeUnit.SECONDS);
            assertThat(dead).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo(BulkResult.Status.REJECTED));
            assertThat(store.count("bklog_dead_letter")).isEqualTo(1);
        }
    }
}
