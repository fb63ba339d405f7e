package io.bklog.core.ingest;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ingest meters, each tagged {@code index_set}: {@code bklog.ingest.lines} (lines in), {@code bklog.ingest.bytes},
 * {@code bklog.ingest.parse.failures}, {@code bklog.ingest.filtered}, {@code bklog.ingest.dead.letters} (also tagged
 * {@code reason}),
 * {@code bklog.ingest.stored}, {@code bklog.ingest.queue.depth} (gauge) and {@code bklog.ingest.batch.latency}
 * (timer of one store write). Thread-safe.
 */
public final class IngestMetrics {

    public static final String TAG = "index_set";

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Meters> meters = new ConcurrentHashMap<>();

    private final class Meters {
        final Counter lines;
        final Counter bytes;
        final Counter failures;
        final Counter filtered;
        final ConcurrentHashMap<String, Counter> deadLetters = new ConcurrentHashMap<>();
        final String indexSet;
        final Counter stored;
        final Timer latency;
        final AtomicLong depth = new AtomicLong();

        Meters(String indexSet) {
            lines = Counter.builder("bklog.ingest.lines").description("lines received").tag(TAG, indexSet).register(registry);
            bytes = Counter.builder("bklog.ingest.bytes").baseUnit("bytes").description("bytes received")
                    .tag(TAG, indexSet).register(registry);
            failures = Counter.builder("bklog.ingest.parse.failures").description("documents with __parse_failure")
                    .tag(TAG, indexSet).register(registry);
            filtered = Counter.builder("bklog.ingest.filtered").description("lines dropped by collection filters")
                    .tag(TAG, indexSet).register(registry);
            this.indexSet = indexSet;
            stored = Counter.builder("bklog.ingest.stored").description("documents acknowledged by the store")
                    .tag(TAG, indexSet).register(registry);
            latency = Timer.builder("bklog.ingest.batch.latency").description("time of one batch write to the store")
                    .tag(TAG, indexSet).register(registry);
            Gauge.builder("bklog.ingest.queue.depth", depth, AtomicLong::get).description("documents queued in the sink")
                    .tag(TAG, indexSet).register(registry);
        }
    }

    public IngestMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** Meters in a private registry (nothing exported). */
    public static IngestMetrics noop() {
        return new IngestMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    private Meters m(String indexSet) {
        return meters.computeIfAbsent(indexSet, Meters::new);
    }

    public void lines(String indexSet, long n, long bytes) {
        Meters m = m(indexSet);
        m.lines.increment(n);
        m.bytes.increment(bytes);
    }

    public void parseFailures(String indexSet, long n) {
        if (n > 0) m(indexSet).failures.increment(n);
    }

    public void filtered(String indexSet, long n) {
        if (n > 0) m(indexSet).filtered.increment(n);
    }

    /** Documents kept in the dead letters, by {@code reason} (a small fixed set such as {@code bad_value}). */
    public void deadLetters(String indexSet, long n, String reason) {
        if (n <= 0) return;
        Meters m = m(indexSet);
        m.deadLetters.computeIfAbsent(reason, r -> Counter.builder("bklog.ingest.dead.letters")
                .description("documents sent to the dead-letter index set, by reason").tag(TAG, indexSet)
                .tag("reason", r).register(registry)).increment(n);
    }

    public void stored(String indexSet, long n) {
        if (n > 0) m(indexSet).stored.increment(n);
    }

    public void batchLatency(String indexSet, Duration d) {
        m(indexSet).latency.record(d);
    }

    public void queueDepth(String indexSet, long delta) {
        m(indexSet).depth.addAndGet(delta);
    }
}
