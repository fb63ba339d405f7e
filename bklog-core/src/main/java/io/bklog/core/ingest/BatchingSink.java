package io.bklog.core.ingest;

import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Writes documents to a {@link LogStore} in batches. A batch of one index set is written when it reaches
 * {@code maxDocs} documents or {@code maxBytes} (estimated), or its oldest document waited {@code linger}.
 * RETRYABLE items are retried with exponential backoff and jitter up to {@code maxAttempts}; REJECTED items, and
 * items still failing after the last attempt (unless their offer said {@link WhenRetriesRunOut#ANSWER_RETRYABLE}),
 * go to the dead-letter index set ({@code bklog_dead_letter}) with the reason and the original document. The
 * queue is bounded (documents and bytes): {@link #offer} answers
 * {@link Offer#full} instead of growing, so the HTTP layer can answer 429 with {@code Retry-After}. {@link #close}
 * drains what was accepted. One named writer thread, owned by this sink, or {@code writers} of them for a store that
 * takes several index calls at once ({@link LogStore#concurrentWrites()}): then several batches are in flight, a
 * batch is written as soon as no other batch of its index set is in flight (no linger while a writer is free: the
 * documents that arrive meanwhile make the next batch, as a group commit), and a document waits while another with
 * the same id is in flight, so writes of one id stay in order.
 *
 * <p>Three parts: the bounded queue ({@link SinkQueue}), the writer with its retries ({@link SinkWriter}) and the
 * dead letters ({@link DeadLetterWriter}); this class is their front: settings, offers, the writer thread.
 */
public final class BatchingSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingSink.class);

    /** Default dead-letter index set. */
    public static final String DEAD_LETTER_INDEX_SET = "bklog_dead_letter";

    /** Waits between retries; replaceable in tests. */
    @FunctionalInterface
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /**
     * Sink settings.
     *
     * @param maxDocs            documents per batch (default 1000)
     * @param maxBytes           estimated bytes per batch (default 5 MiB)
     * @param linger             longest wait of a document before its batch is written (default 200 ms)
     * @param maxAttempts        store attempts per document before it is dead-lettered (default 5)
     * @param initialBackoff     first retry delay (default 100 ms), doubled per attempt, with jitter
     * @param maxBackoff         retry delay cap (default 10 s)
     * @param queueCapacityDocs  documents accepted and not yet written (default 100 000)
     * @param queueCapacityBytes estimated bytes accepted and not yet written (default 256 MiB)
     * @param deadLetterIndexSet where rejected documents go (default {@code bklog_dead_letter})
     * @param shutdownTimeout    how long {@link #close} waits for the queue to drain (default 30 s)
     */
    public record Config(int maxDocs, long maxBytes, Duration linger, int maxAttempts, Duration initialBackoff,
                         Duration maxBackoff, int queueCapacityDocs, long queueCapacityBytes, String deadLetterIndexSet,
                         Duration shutdownTimeout) {
        public Config {
            if (maxDocs < 1) throw new IllegalArgumentException("maxDocs must be >= 1");
            if (maxBytes < 1) throw new IllegalArgumentException("maxBytes must be >= 1");
            if (maxAttempts < 1) throw new IllegalArgumentException("maxAttempts must be >= 1");
            if (queueCapacityDocs < maxDocs) throw new IllegalArgumentException("queueCapacityDocs must be >= maxDocs");
            Objects.requireNonNull(linger, "linger");
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            Objects.requireNonNull(deadLetterIndexSet, "deadLetterIndexSet");
            Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        }
    }

    /**
     * Outcome of {@link #offer}: accepted (with a future completed once every document has its outcome, one per
     * document in offer order: OK = stored; REJECTED = refused by the store and kept in the dead letters, the reason
     * says why; RETRYABLE = neither stored nor dead-lettered, e.g. the sink closed first or the dead-letter write
     * failed), or full (nothing taken; retry after {@code retryAfter}).
     */
    public record Offer(boolean accepted, CompletableFuture<List<BulkResult.ItemResult>> done, Duration retryAfter,
                        String reason) {
        static Offer accepted(CompletableFuture<List<BulkResult.ItemResult>> f) {
            return new Offer(true, f, Duration.ZERO, null);
        }

        static Offer full(Duration retryAfter, String reason) {
            return new Offer(false, null, retryAfter, reason);
        }

        public boolean full() {
            return !accepted;
        }
    }

    /** What becomes of a document the store still answers retryable after the last of {@code maxAttempts}. */
    public enum WhenRetriesRunOut {
        /** It goes to the dead letters with the last reason (the default: its source cannot deliver it again). */
        DEAD_LETTER,
        /**
         * It is answered RETRYABLE and is not dead-lettered: for a source that holds it durably and delivers it
         * again (the {@link BufferDrainer}), so that an outage of the store, however long, never turns documents
         * into dead letters. Only what the store refuses (REJECTED) goes to the dead letters.
         */
        ANSWER_RETRYABLE
    }

    /**
     * Completes normally once every outcome of {@code done} is known and none is RETRYABLE (each document is stored
     * or kept in the dead letters); exceptionally otherwise. What a source waits on before it acknowledges its input.
     */
    public static CompletableFuture<Void> safe(CompletableFuture<List<BulkResult.ItemResult>> done) {
        return done.thenAccept(items -> {
            for (BulkResult.ItemResult r : items) {
                if (r.status() == BulkResult.Status.RETRYABLE) {
                    throw new BackendException("document " + r.id() + " was neither stored nor dead-lettered: "
                            + r.reason(), true, null);
                }
            }
        });
    }

    private final Config config;
    private final IngestMetrics metrics;
    private final SinkQueue queue;
    private final SinkWriter sinkWriter;
    private final List<Thread> writers;

    private BatchingSink(Builder b) {
        LogStore store = Objects.requireNonNull(b.store, "store");
        this.config = new Config(b.maxDocs, b.maxBytes, b.linger, b.maxAttempts, b.initialBackoff, b.maxBackoff,
                b.queueCapacityDocs, b.queueCapacityBytes, b.deadLetterIndexSet, b.shutdownTimeout);
        this.metrics = b.metrics;
        if (b.writers < 1) throw new IllegalArgumentException("writers must be >= 1");
        this.queue = new SinkQueue(config, b.clock, metrics, b.writers);
        this.sinkWriter = new SinkWriter(store, config, metrics, b.sleeper,
                new DeadLetterWriter(store, config, b.clock, metrics, b.sleeper));
        List<Thread> threads = new java.util.ArrayList<>(b.writers);
        for (int i = 0; i < b.writers; i++) {
            Thread t = new Thread(this::run, "bklog-sink-" + b.name + (i == 0 ? "" : "-" + i));
            t.setDaemon(true);
            threads.add(t);
        }
        this.writers = List.copyOf(threads);
        writers.forEach(Thread::start);
    }

    /** The meters this sink reports to (and its callers count received lines in). */
    public IngestMetrics metrics() {
        return metrics;
    }

    public static Builder builder(LogStore store) {
        return new Builder(store);
    }

    public Config config() {
        return config;
    }

    /** Documents accepted and not yet written. */
    public long queuedDocuments() {
        return queue.queuedDocuments();
    }

    /**
     * Queues documents of one index set, or refuses them all when the queue is at its bound. A document still
     * answered retryable after the last attempt goes to the dead letters.
     *
     * @throws IllegalArgumentException when the batch alone is larger than the queue
     */
    public Offer offer(String indexSet, List<LogDocument> docs) {
        return offer(indexSet, docs, WhenRetriesRunOut.DEAD_LETTER);
    }

    /**
     * As {@link #offer(String, List)}; {@code whenRetriesRunOut} says what becomes of a document the store still
     * answers retryable after the last attempt.
     */
    public Offer offer(String indexSet, List<LogDocument> docs, WhenRetriesRunOut whenRetriesRunOut) {
        Objects.requireNonNull(indexSet, "indexSet");
        Objects.requireNonNull(whenRetriesRunOut, "whenRetriesRunOut");
        if (docs.size() > config.queueCapacityDocs()) {
            throw new IllegalArgumentException("batch of " + docs.size() + " documents exceeds the sink queue capacity of "
                    + config.queueCapacityDocs() + "; split it");
        }
        if (docs.isEmpty()) return Offer.accepted(CompletableFuture.completedFuture(List.of()));
        return queue.offer(indexSet, docs, whenRetriesRunOut);
    }

    /** Writes everything queued now, without waiting for linger; waits until the queue is empty or the timeout. */
    public boolean flush(Duration timeout) {
        return queue.flush(timeout);
    }

    /** The writer thread: takes the next due batch, writes it, gives its room back; stops when closed. */
    private void run() {
        while (true) {
            SinkQueue.Batch batch = queue.next();
            if (batch == null) return;
            try {
                sinkWriter.write(batch.indexSet(), batch.items());
            } catch (RuntimeException e) {
                LOG.error("event=sink_write_failed index_set={} docs={}", batch.indexSet(), batch.items().size(), e);
                for (SinkItem p : batch.items()) p.notStored(e);
            } catch (InterruptedException e) {
                for (SinkItem p : batch.items()) p.notStored("sink interrupted while storing");
                Thread.currentThread().interrupt();
            } finally {
                queue.done(batch);
            }
            if (Thread.currentThread().isInterrupted()) {
                queue.failRemaining(new IllegalStateException("sink closed before these documents were stored"));
                return;
            }
        }
    }

    Duration backoff(int attempt) {
        return SinkWriter.backoff(config, attempt);
    }

    /** The dead-letter document of {@code doc}: where it was going, why it was refused, and the document itself. */
    public static LogDocument deadLetterDocument(String indexSet, LogDocument doc, String reason, int attempts,
                                                 java.time.Instant now) {
        return DeadLetterWriter.document(indexSet, doc, reason, attempts, now);
    }

    /** The schema of the dead-letter index set. */
    public static IndexSetSchema deadLetterSchema(String name) {
        return DeadLetterWriter.schema(name);
    }

    /** The {@code reason} tag of {@code bklog_ingest_dead_letters_total}: a small fixed set, never the free text. */
    static String reasonTag(String reason) {
        return DeadLetterWriter.reasonTag(reason);
    }

    static long estimateBytes(LogDocument d) {
        return SinkQueue.estimateBytes(d);
    }

    /** Stops accepting, writes what was accepted (up to {@code shutdownTimeout}), then stops the writer thread. */
    @Override
    public void close() {
        if (!queue.close()) return;
        try {
            long deadline = System.nanoTime() + config.shutdownTimeout().toNanos();
            for (Thread writer : writers) {
                writer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            }
            if (writers.stream().anyMatch(Thread::isAlive)) {
                LOG.error("event=sink_shutdown_timeout pending_docs={}", queuedDocuments());
                writers.forEach(Thread::interrupt);
                for (Thread writer : writers) writer.join(5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Builder; every option has a documented default (see {@link Config}). */
    public static final class Builder {
        private final LogStore store;
        private int maxDocs = 1000;
        private long maxBytes = 5L << 20;
        private Duration linger = Duration.ofMillis(200);
        private int maxAttempts = 5;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private int queueCapacityDocs = 100_000;
        private long queueCapacityBytes = 256L << 20;
        private String deadLetterIndexSet = DEAD_LETTER_INDEX_SET;
        private Duration shutdownTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private IngestMetrics metrics = IngestMetrics.noop();
        private Sleeper sleeper = d -> Thread.sleep(d.toMillis());
        private String name = "default";
        private int writers = 1;

        private Builder(LogStore store) {
            this.store = store;
        }

        public Builder maxDocs(int v) { this.maxDocs = v; return this; }
        public Builder maxBytes(long v) { this.maxBytes = v; return this; }
        public Builder linger(Duration v) { this.linger = v; return this; }
        public Builder maxAttempts(int v) { this.maxAttempts = v; return this; }
        public Builder initialBackoff(Duration v) { this.initialBackoff = v; return this; }
        public Builder maxBackoff(Duration v) { this.maxBackoff = v; return this; }
        public Builder queueCapacityDocs(int v) { this.queueCapacityDocs = v; return this; }
        public Builder queueCapacityBytes(long v) { this.queueCapacityBytes = v; return this; }
        public Builder deadLetterIndexSet(String v) { this.deadLetterIndexSet = v; return this; }
        public Builder shutdownTimeout(Duration v) { this.shutdownTimeout = v; return this; }
        public Builder clock(Clock v) { this.clock = v; return this; }
        public Builder metrics(IngestMetrics v) { this.metrics = v; return this; }
        public Builder sleeper(Sleeper v) { this.sleeper = v; return this; }
        /**
         * Writer threads, each with one batch in flight (default 1); more for a store that takes several index calls
         * at once ({@link LogStore#concurrentWrites()}). With more than one, a batch is written as soon as no other
         * batch of its index set is in flight, without waiting for the linger.
         */
        public Builder writers(int v) { this.writers = v; return this; }
        /** Names the writer threads {@code bklog-sink-<name>}, {@code bklog-sink-<name>-1}, ... */
        public Builder name(String v) { this.name = v; return this; }

        public BatchingSink build() {
            return new BatchingSink(this);
        }
    }
}
