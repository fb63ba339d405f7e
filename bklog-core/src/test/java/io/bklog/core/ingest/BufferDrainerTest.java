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
}
