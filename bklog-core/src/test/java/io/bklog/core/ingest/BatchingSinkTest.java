package io.bklog.core.ingest;

import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BatchingSinkTest {

    private static List<LogDocument> docs(int n, String prefix) {
        List<LogDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new LogDocument(prefix + i, Instant.ofEpochMilli(i), Map.of("n", (long) i)));
        return out;
    }

    @Test
    void flushesABatchWhenItReachesMaxDocs() throws Exception {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).maxDocs(10).linger(Duration.ofHours(1)).build()) {
            BatchingSink.Offer o = sink.offer("app", docs(25, "d"));
            assertThat(o.accepted()).isTrue();
            await().atMost(5, TimeUnit.SECONDS).until(() -> store.count("app") == 20);
            assertThat(store.batchSizes).containsExactly(10, 10);
            assertThat(o.done()).isNotDone();
        }
        assertThat(store.count("app")).isEqualTo(25); // close drains
    }

    @Test
    void flushesAfterLinger() throws Exception {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(50)).build()) {
            sink.offer("app", docs(3, "d")).done().get(5, TimeUnit.SECONDS);
            assertThat(store.count("app")).isEqualTo(3);
        }
    }

    @Test
    void flushesWhenMaxBytesIsReached() {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).maxBytes(300).linger(Duration.ofHours(1)).build()) {
            sink.offer("app", docs(20, "d"));
            await().atMost(5, TimeUnit.SECONDS).until(() -> !store.batchSizes.isEmpty());
            assertThat(store.batchSizes.get(0)).isLessThan(20);
        }
    }

    @Test
    void estimatesADocumentsBytesFromItsIdNamesAndValues() {
        Map<String, Object> fields = new java.util.LinkedHashMap<>();
        fields.put("k", "hello"); // 1 + 4 + 5
        fields.put("n", 5L); // 1 + 4 + 8
        fields.put("l", List.of("a", "b")); // 1 + 4 + 2 x 16
        LogDocument d = new LogDocument("abc", Instant.EPOCH, fields);
        assertThat(BatchingSink.estimateBytes(d)).isEqualTo(48 + 3 + 10 + 13 + 37);
    }

    @Test
    void retriesRetryableItemsWithBackoffThenSucceeds() throws Exception {
        FakeLogStore store = new FakeLogStore();
        AtomicInteger calls = new AtomicInteger();
        store.hook = (s, d) -> d.id().equals("d1") && calls.incrementAndGet() < 3
                ? BulkResult.ItemResult.retryable(d.id(), "overloaded") : null;
        List<Duration> slept = new ArrayList<>();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).maxAttempts(5)
                .initialBackoff(Duration.ofMillis(100)).sleeper(slept::add).build()) {
            sink.offer("app", docs(3, "d")).done().get(5, TimeUnit.SECONDS);
        }
        assertThat(store.count("app")).isEqualTo(3);
        assertThat(store.batchSizes).containsExactly(3, 1, 1);
        assertThat(slept).hasSize(2);
        assertThat(slept.get(0)).isBetween(Duration.ofMillis(50), Duration.ofMillis(100));
        assertThat(slept.get(1)).isBetween(Duration.ofMillis(100), Duration.ofMillis(200));
    }

    @Test
    void rejectsBulkItemWithMappingConflictIntoDeadLetter() throws Exception {
        FakeLogStore store = new FakeLogStore();
        store.hook = (s, d) -> s.equals("app") && d.id().equals("d1")
                ? BulkResult.ItemResult.rejected(d.id(), "mapping conflict: field n is long") : null;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1))
                .metrics(new IngestMetrics(registry)).build()) {
            sink.offer("app", docs(3, "d")).done().get(5, TimeUnit.SECONDS);
        }
        assertThat(store.count("app")).isEqualTo(2);
        assertThat(store.schemas).containsKey("bklog_dead_letter");
        assertThat(store.stored("bklog_dead_letter")).singleElement().satisfies(dl -> {
            assertThat(dl.fields()).containsEntry("index_set", "app").containsEntry("doc_id", "d1")
                    .containsEntry("reason", "mapping conflict: field n is long")
                    .containsEntry("original", "{\"n\":1}");
        });
        assertThat(registry.get("bklog.ingest.dead.letters").tag("index_set", "app").counter().count()).isEqualTo(1);
        assertThat(registry.get("bklog.ingest.stored").tag("index_set", "app").counter().count()).isEqualTo(2);
        assertThat(registry.get("bklog.ingest.batch.latency").tag("index_set", "app").timer().count()).isEqualTo(1);
    }

    @Test
    void deadLettersItemsStillRetryableAfterMaxAttempts() throws Exception {
        FakeLogStore store = new FakeLogStore();
        store.hook = (s, d) -> s.equals("app") ? BulkResult.ItemResult.retryable(d.id(), "busy") : null;
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).maxAttempts(3)
                .sleeper(d -> { }).build()) {
            sink.offer("app", docs(2, "d")).done().get(5, TimeUnit.SECONDS);
        }
        assertThat(store.batchSizes).containsExactly(2, 2, 2, 2); // 3 attempts + the dead-letter write
        assertThat(store.stored("bklog_dead_letter")).hasSize(2)
                .allSatisfy(d -> assertThat((String) d.get("reason")).isEqualTo("gave up after 3 attempts: busy"));
    }

    @Test
    void wholeRequestFailureIsRetriedAsRetryable() throws Exception {
        FakeLogStore store = new FakeLogStore();
        AtomicInteger calls = new AtomicInteger();
        store.hook = (s, d) -> {
            if (calls.incrementAndGet() == 1) throw new BackendException("es unreachable");
            return null;
        };
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofMillis(1)).sleeper(d -> { }).build()) {
            sink.offer("app", docs(1, "d")).done().get(5, TimeUnit.SECONDS);
        }
        assertThat(store.count("app")).isEqualTo(1);
    }

    @Test
    void answersFullInsteadOfGrowingPastItsBound() {
        FakeLogStore store = new FakeLogStore();
        CompletableFuture<Void> gate = new CompletableFuture<>();
        store.hook = (s, d) -> {
            gate.join();
            return null;
        };
        try (BatchingSink sink = BatchingSink.builder(store).maxDocs(5).queueCapacityDocs(10)
                .linger(Duration.ofMillis(1)).build()) {
            assertThat(sink.offer("app", docs(8, "a")).accepted()).isTrue();
            BatchingSink.Offer full = sink.offer("app", docs(5, "b"));
            assertThat(full.full()).isTrue();
            assertThat(full.retryAfter()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            assertThat(full.reason()).contains("full");
            gate.complete(null);
            await().atMost(5, TimeUnit.SECONDS).until(() -> sink.queuedDocuments() == 0);
            assertThat(sink.offer("app", docs(5, "b")).accepted()).isTrue();
        }
        assertThat(store.count("app")).isEqualTo(13);
    }

    @Test
    void flushWritesWithoutWaitingForLinger() {
        FakeLogStore store = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(store).linger(Duration.ofHours(1)).build()) {
            sink.offer("a", docs(2, "x"));
            sink.offer("b", docs(2, "y"));
            assertThat(sink.flush(Duration.ofSeconds(5))).isTrue();
            assertThat(store.count("a") + store.count("b")).isEqualTo(4);
        }
    }

    @Test
    void backoffGrowsExponentiallyWithJitterAndIsCapped() {
        try (BatchingSink sink = BatchingSink.builder(new FakeLogStore()).initialBackoff(Duration.ofMillis(100))
                .maxBackoff(Duration.ofMillis(1000)).build()) {
            for (int i = 0; i < 50; i++) {
                assertThat(sink.backoff(1).toMillis()).isBetween(50L, 100L);
                assertThat(sink.backoff(3).toMillis()).isBetween(200L, 400L);
                assertThat(sink.backoff(40).toMillis()).isBetween(500L, 1000L);
            }
        }
    }
}
