package io.bklog.core.ingest;

import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.junit.jupiter.api.Test;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A sink with several writers (a store that takes several index calls at once, such as Elasticsearch). */
class ConcurrentSinkWritersTest {

    /** What the test's store does inside {@code index}, before the fake store keeps the documents. */
    interface IndexHook {
        void before(List<LogDocument> docs) throws Exception;
    }

    /** The fake store, with {@code index} not serialised and {@code hook} run first in each call. */
    private static LogStore concurrentStore(FakeLogStore fake, IndexHook hook) {
        return (LogStore) Proxy.newProxyInstance(LogStore.class.getClassLoader(), new Class<?>[]{LogStore.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("index")) {
                        @SuppressWarnings("unchecked")
                        List<LogDocument> docs = (List<LogDocument>) args[1];
                        hook.before(docs);
                    }
                    if (method.getName().equals("concurrentWrites")) return 4;
                    try {
                        return method.invoke(fake, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static List<LogDocument> docs(String prefix, int n, long value) {
        List<LogDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(new LogDocument(prefix + i, Instant.ofEpochMilli(i), Map.of("v", value)));
        return out;
    }

    @Test
    void keepsSeveralBatchesOfOneIndexSetInFlight() throws Exception {
        CyclicBarrier bothInside = new CyclicBarrier(2);
        FakeLogStore fake = new FakeLogStore();
        // each call waits until another is inside too: with one batch at a time the barrier times out
        LogStore store = concurrentStore(fake, docs -> bothInside.await(5, TimeUnit.SECONDS));
        try (BatchingSink sink = BatchingSink.builder(store).writers(2).maxDocs(10).linger(Duration.ofHours(1))
                .build()) {
            List<BulkResult.ItemResult> r = sink.offer("app", docs("d", 20, 1)).done().get(10, TimeUnit.SECONDS);
            assertThat(r).hasSize(20).allMatch(i -> i.status() == BulkResult.Status.OK);
        }
        assertThat(fake.batchSizes).containsExactly(10, 10);
    }

    @Test
    void writesWithoutWaitingForTheLingerWhileAWriterIsFree() throws Exception {
        FakeLogStore fake = new FakeLogStore();
        try (BatchingSink sink = BatchingSink.builder(concurrentStore(fake, docs -> { })).writers(2)
                .linger(Duration.ofHours(1)).build()) {
            assertThat(sink.offer("app", docs("d", 3, 1)).done().get(5, TimeUnit.SECONDS)).hasSize(3);
        }
        assertThat(fake.count("app")).isEqualTo(3);
    }

    @Test
    void neverWritesOneIdTwiceAtOnceAndKeepsTheOrderOfItsWrites() throws Exception {
        Set<String> inFlight = ConcurrentHashMap.newKeySet();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        FakeLogStore fake = new FakeLogStore();
        LogStore store = concurrentStore(fake, docs -> {
            for (LogDocument d : docs) if (!inFlight.add(d.id())) overlaps.incrementAndGet();
            Thread.sleep(calls.incrementAndGet() % 2 == 0 ? 30 : 5); // later batches may finish first
            for (LogDocument d : docs) inFlight.remove(d.id());
        });
        List<java.util.concurrent.CompletableFuture<List<BulkResult.ItemResult>>> done = new ArrayList<>();
        try (BatchingSink sink = BatchingSink.builder(store).writers(4).maxDocs(5).linger(Duration.ofHours(1))
                .build()) {
            for (long v = 1; v <= 6; v++) {
                done.add(sink.offer("app", docs("x", 7, v)).done()); // ids x0..x6 again, each time a newer value
                done.add(sink.offer("app", docs("u" + v + "_", 7, v)).done()); // ids seen once
            }
            for (var f : done) assertThat(f.get(10, TimeUnit.SECONDS)).allMatch(i -> i.status() == BulkResult.Status.OK);
        }
        assertThat(overlaps).hasValue(0);
        assertThat(fake.stored("app")).filteredOn(d -> d.id().startsWith("x"))
                .hasSize(7).allMatch(d -> d.fields().get("v").equals(6L));
        assertThat(fake.count("app")).isEqualTo(7 + 6 * 7);
    }
}
