package io.bklog.testkit;

import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link IngestBuffer} passes. A backend's test extends this class and creates buffers; each
 * test uses fresh group names, so a backend may share one underlying queue across tests only if
 * {@link #newBuffer} gives an empty one.
 */
public abstract class IngestBufferContract {

    private final List<IngestBuffer> opened = new ArrayList<>();

    /**
     * A new, empty buffer whose bound is {@code capacity} records: appending past it must throw
     * {@link BufferFullException} and append nothing of the refused batch.
     */
    protected abstract IngestBuffer createBuffer(int capacity);

    /** How long a poll may wait for records that are already appended (slow backends raise it). */
    protected Duration pollTimeout() {
        return Duration.ofSeconds(5);
    }

    protected final IngestBuffer newBuffer(int capacity) {
        IngestBuffer b = createBuffer(capacity);
        opened.add(b);
        return b;
    }

    @AfterEach
    void closeBuffers() {
        for (IngestBuffer b : opened) b.close();
        opened.clear();
    }

    protected static String group() {
        return "g-" + UUID.randomUUID();
    }

    protected static BufferedDocument doc(String key, int seq) {
        return new BufferedDocument("contract_set", key, new LogDocument(key + "-" + seq,
                Instant.ofEpochMilli(1_700_000_000_000L + seq), Map.of("key", key, "seq", (long) seq)));
    }

    /** Polls until {@code n} records arrived or the timeout passed. */
    protected List<BufferedDocument> pollN(IngestBuffer.Consumer c, int n) {
        List<BufferedDocument> out = new ArrayList<>();
        long deadline = System.nanoTime() + pollTimeout().toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            out.addAll(c.poll(n - out.size(), Duration.ofMillis(200)));
        }
        return out;
    }

    private static List<String> ids(List<BufferedDocument> docs) {
        return docs.stream().map(d -> d.document().id()).toList();
    }

    @Test
    void deliversAppendedRecordsAndForgetsThemOnceCommitted() {
        IngestBuffer b = newBuffer(1000);
        String g = group();
        IngestBuffer.Consumer c = b.consumer(g);
        b.append(List.of(doc("k", 1), doc("k", 2), doc("k", 3)));
        List<BufferedDocument> got = pollN(c, 3);
        assertThat(ids(got)).containsExactly("k-1", "k-2", "k-3");
        assertThat(got.get(0).indexSet()).isEqualTo("contract_set");
        assertThat(got.get(0).document().fields()).containsEntry("seq", 1L);
        c.commit();
        c.close();
        assertThat(b.pending(g)).as("lag of a group that committed everything").isZero();
        IngestBuffer.Consumer again = b.consumer(g);
        assertThat(again.poll(10, Duration.ofMillis(300))).isEmpty();
        again.close();
    }

    @Test
    void redeliversUncommittedRecordsAfterTheConsumerCloses() {
        IngestBuffer b = newBuffer(1000);
        String g = group();
        IngestBuffer.Consumer c1 = b.consumer(g);
        b.append(List.of(doc("k", 1), doc("k", 2)));
        assertThat(ids(pollN(c1, 2))).containsExactly("k-1", "k-2");
        c1.close();
        IngestBuffer.Consumer c2 = b.consumer(g);
        assertThat(ids(pollN(c2, 2))).containsExactly("k-1", "k-2");
        c2.commit();
        c2.close();
    }

    @Test
    void keepsOrderPerKey() {
        IngestBuffer b = newBuffer(1000);
        IngestBuffer.Consumer c = b.consumer(group());
        List<BufferedDocument> batch = new ArrayList<>();
        for (int i = 0; i < 90; i++) batch.add(doc("key" + (i % 3), i));
        b.append(batch);
        List<BufferedDocument> got = pollN(c, 90);
        assertThat(got).hasSize(90);
        Map<String, List<Long>> byKey = new HashMap<>();
        for (BufferedDocument d : got) {
            byKey.computeIfAbsent(d.key(), k -> new ArrayList<>()).add((Long) d.document().fields().get("seq"));
        }
        assertThat(byKey).hasSize(3);
        byKey.values().forEach(seqs -> assertThat(seqs).isSorted());
        c.commit();
        c.close();
    }

    @Test
    void refusesAWholeBatchPastTheBoundAndAppendsNothingOfIt() {
        IngestBuffer b = newBuffer(10);
        String g = group();
        IngestBuffer.Consumer c = b.consumer(g);
        List<BufferedDocument> first = new ArrayList<>();
        for (int i = 0; i < 8; i++) first.add(doc("k", i));
        b.append(first);
        List<BufferedDocument> second = new ArrayList<>();
        for (int i = 100; i < 105; i++) second.add(doc("k", i));
        assertThatThrownBy(() -> b.append(second)).isInstanceOf(BufferFullException.class);
        List<BufferedDocument> got = pollN(c, 8);
        assertThat(c.poll(10, Duration.ofMillis(300))).isEmpty();
        assertThat(ids(got)).hasSize(8).allMatch(id -> !id.startsWith("k-10"));
        c.commit();
        b.append(second); // room again once committed
        assertThat(ids(pollN(c, 5))).containsExactly("k-100", "k-101", "k-102", "k-103", "k-104");
        c.commit();
        c.close();
    }

    @Test
    void twoConsumersOfAGroupShareTheRecordsWithoutLossOrDuplicate() {
        IngestBuffer b = newBuffer(1000);
        String g = group();
        IngestBuffer.Consumer c1 = b.consumer(g);
        IngestBuffer.Consumer c2 = b.consumer(g);
        List<BufferedDocument> batch = new ArrayList<>();
        for (int i = 0; i < 200; i++) batch.add(doc("key" + (i % 20), i));
        b.append(batch);
        List<String> got1 = new ArrayList<>();
        List<String> got2 = new ArrayList<>();
        long deadline = System.nanoTime() + pollTimeout().toNanos() * 2;
        while (got1.size() + got2.size() < 200 && System.nanoTime() < deadline) {
            got1.addAll(ids(c1.poll(50, Duration.ofMillis(100))));
            c1.commit();
            got2.addAll(ids(c2.poll(50, Duration.ofMillis(100))));
            c2.commit();
        }
        assertThat(got1).isNotEmpty();
        assertThat(got2).isNotEmpty();
        List<String> all = new ArrayList<>(got1);
        all.addAll(got2);
        assertThat(all).doesNotHaveDuplicates().hasSize(200);
        assertThat(new HashSet<>(all)).isEqualTo(new HashSet<>(ids(batch)));
        c1.close();
        c2.close();
    }

    @Test
    void everyGroupReceivesEveryRecord() {
        IngestBuffer b = newBuffer(1000);
        IngestBuffer.Consumer a = b.consumer(group());
        IngestBuffer.Consumer z = b.consumer(group());
        b.append(List.of(doc("k", 1), doc("k", 2)));
        assertThat(ids(pollN(a, 2))).containsExactly("k-1", "k-2");
        assertThat(ids(pollN(z, 2))).containsExactly("k-1", "k-2");
        a.commit();
        z.commit();
        a.close();
        z.close();
    }

    @Test
    void pollWaitsForTheFirstRecord() throws Exception {
        IngestBuffer b = newBuffer(1000);
        IngestBuffer.Consumer c = b.consumer(group());
        CompletableFuture<List<BufferedDocument>> f = CompletableFuture.supplyAsync(() -> pollN(c, 1));
        b.append(List.of(doc("late", 1)));
        Set<String> got = new HashSet<>(ids(f.get(pollTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS)));
        assertThat(got).containsExactly("late-1");
    }
}
