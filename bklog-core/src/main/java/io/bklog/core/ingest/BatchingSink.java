package io.bklog.core.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.DocumentFields;
import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Writes documents to a {@link LogStore} in batches. A batch of one index set is written when it reaches
 * {@code maxDocs} documents or {@code maxBytes} (estimated), or its oldest document waited {@code linger}.
 * RETRYABLE items are retried with exponential backoff and jitter up to {@code maxAttempts}; REJECTED items, and
 * items still failing after the last attempt (unless their offer said {@link WhenRetriesRunOut#ANSWER_RETRYABLE}),
 * go to the dead-letter index set ({@code bklog_dead_letter}) with the reason and the original document. The
 * queue is bounded (documents and bytes): {@link #offer} answers
 * {@link Offer#full} instead of growing, so the HTTP layer can answer 429 with {@code Retry-After}. {@link #close}
 * drains what was accepted. One named writer thread, owned by this sink.
 */
public final class BatchingSink implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BatchingSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();

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

    /** The outcomes of one offer, one per document, completed when the last one is known. */
    private static final class Ticket {
        final BulkResult.ItemResult[] results;
        final AtomicInteger remaining;
        final WhenRetriesRunOut whenRetriesRunOut;
        final CompletableFuture<List<BulkResult.ItemResult>> future = new CompletableFuture<>();

        Ticket(int n, WhenRetriesRunOut whenRetriesRunOut) {
            results = new BulkResult.ItemResult[n];
            remaining = new AtomicInteger(n);
            this.whenRetriesRunOut = whenRetriesRunOut;
        }

        void settle(int index, BulkResult.ItemResult r) {
            results[index] = r;
            if (remaining.decrementAndGet() == 0) future.complete(List.of(results));
        }
    }

    private record Pending(LogDocument doc, long bytes, Ticket ticket, int index, long enqueuedMillis) {
        void stored() {
            ticket.settle(index, BulkResult.ItemResult.ok(doc.id()));
        }

        void notStored(Throwable t) {
            notStored(t.getMessage() == null ? t.toString() : t.getMessage());
        }

        void notStored(String reason) {
            ticket.settle(index, BulkResult.ItemResult.retryable(doc.id(), reason));
        }
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

    private record DeadLetter(Pending pending, String reason, int attempts) {
    }

    private static final class Queue {
        final ArrayDeque<Pending> docs = new ArrayDeque<>();
        long bytes;
    }

    private final LogStore store;
    private final Config config;
    private final Clock clock;
    private final IngestMetrics metrics;
    private final Sleeper sleeper;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Queue> queues = new LinkedHashMap<>();
    private final AtomicBoolean deadLetterReady = new AtomicBoolean();
    private final Thread writer;
    private long queuedDocs;
    private long queuedBytes;
    private boolean closing;
    private int flushRequests;

    private BatchingSink(Builder b) {
        this.store = Objects.requireNonNull(b.store, "store");
        this.config = new Config(b.maxDocs, b.maxBytes, b.linger, b.maxAttempts, b.initialBackoff, b.maxBackoff,
                b.queueCapacityDocs, b.queueCapacityBytes, b.deadLetterIndexSet, b.shutdownTimeout);
        this.clock = b.clock;
        this.metrics = b.metrics;
        this.sleeper = b.sleeper;
        this.writer = new Thread(this::run, "bklog-sink-" + b.name);
        this.writer.setDaemon(true);
        this.writer.start();
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
        lock.lock();
        try {
            return queuedDocs;
        } finally {
            lock.unlock();
        }
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
        long[] sizes = new long[docs.size()];
        long total = 0;
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = estimateBytes(docs.get(i));
            total += sizes[i];
        }
        lock.lock();
        try {
            if (closing) return Offer.full(Duration.ofSeconds(5), "sink is shutting down");
            if (queuedDocs + docs.size() > config.queueCapacityDocs()
                    || (queuedBytes + total > config.queueCapacityBytes() && queuedDocs > 0)) {
                return Offer.full(retryAfter(), "ingest queue is full (" + queuedDocs + " documents, " + queuedBytes
                        + " bytes queued)");
            }
            Ticket t = new Ticket(docs.size(), whenRetriesRunOut);
            Queue q = queues.computeIfAbsent(indexSet, k -> new Queue());
            long now = clock.millis();
            for (int i = 0; i < sizes.length; i++) q.docs.add(new Pending(docs.get(i), sizes[i], t, i, now));
            q.bytes += total;
            queuedDocs += docs.size();
            queuedBytes += total;
            metrics.queueDepth(indexSet, docs.size());
            changed.signalAll();
            return Offer.accepted(t.future);
        } finally {
            lock.unlock();
        }
    }

    private Duration retryAfter() {
        long ms = Math.max(1000, config.linger().toMillis() * 2);
        return Duration.ofMillis(ms);
    }

    /** Writes everything queued now, without waiting for linger; waits until the queue is empty or the timeout. */
    public boolean flush(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            flushRequests++;
            changed.signalAll();
            try {
                while (queuedDocs > 0) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) return false;
                    changed.awaitNanos(left);
                }
                return true;
            } finally {
                flushRequests--;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    // ---- the writer ----

    private void run() {
        while (true) {
            String indexSet;
            List<Pending> batch;
            lock.lock();
            try {
                while (true) {
                    long now = clock.millis();
                    long wait = Long.MAX_VALUE;
                    indexSet = null;
                    for (Map.Entry<String, Queue> e : queues.entrySet()) {
                        Queue q = e.getValue();
                        if (q.docs.isEmpty()) continue;
                        long due = q.docs.peekFirst().enqueuedMillis() + config.linger().toMillis();
                        if (closing || flushRequests > 0 || q.docs.size() >= config.maxDocs()
                                || q.bytes >= config.maxBytes() || now >= due) {
                            indexSet = e.getKey();
                            break;
                        }
                        wait = Math.min(wait, due - now);
                    }
                    if (indexSet != null) break;
                    if (closing && queuedDocs == 0) return;
                    try {
                        if (wait == Long.MAX_VALUE) changed.await();
                        else changed.await(Math.max(1, wait), TimeUnit.MILLISECONDS);
                    } catch (InterruptedException ie) {
                        if (closing) {
                            failRemaining(new IllegalStateException("sink closed before these documents were stored"));
                            return;
                        }
                    }
                }
                Queue q = queues.get(indexSet);
                batch = new ArrayList<>(Math.min(q.docs.size(), config.maxDocs()));
                long bytes = 0;
                while (!q.docs.isEmpty() && batch.size() < config.maxDocs()
                        && (batch.isEmpty() || bytes + q.docs.peekFirst().bytes() <= config.maxBytes())) {
                    Pending p = q.docs.pollFirst();
                    bytes += p.bytes();
                    batch.add(p);
                }
                q.bytes -= bytes;
                // rotate so one busy index set does not starve the others
                queues.remove(indexSet);
                if (!q.docs.isEmpty()) queues.put(indexSet, q);
                else if (!closing) queues.put(indexSet, q);
            } finally {
                lock.unlock();
            }
            long bytes = 0;
            for (Pending p : batch) bytes += p.bytes();
            try {
                write(indexSet, batch);
            } catch (RuntimeException e) {
                LOG.error("event=sink_write_failed index_set={} docs={}", indexSet, batch.size(), e);
                for (Pending p : batch) p.notStored(e);
            } catch (InterruptedException e) {
                for (Pending p : batch) p.notStored("sink interrupted while storing");
                Thread.currentThread().interrupt();
            } finally {
                lock.lock();
                try {
                    queuedDocs -= batch.size();
                    queuedBytes -= bytes;
                    metrics.queueDepth(indexSet, -batch.size());
                    changed.signalAll();
                } finally {
                    lock.unlock();
                }
            }
            if (Thread.currentThread().isInterrupted()) {
                lock.lock();
                try {
                    failRemaining(new IllegalStateException("sink closed before these documents were stored"));
                } finally {
                    lock.unlock();
                }
                return;
            }
        }
    }

    private void failRemaining(Throwable t) {
        for (Map.Entry<String, Queue> e : queues.entrySet()) {
            for (Pending p : e.getValue().docs) p.notStored(t);
            metrics.queueDepth(e.getKey(), -e.getValue().docs.size());
            queuedDocs -= e.getValue().docs.size();
            e.getValue().docs.clear();
        }
        if (queuedDocs > 0 || queuedBytes > 0) {
            LOG.error("event=sink_closed_with_pending docs={}", queuedDocs);
        }
        changed.signalAll();
    }

    private void ensureDeadLetterIndexSet() {
        if (deadLetterReady.compareAndSet(false, true)) {
            try {
                store.ensureIndexSet(deadLetterSchema(config.deadLetterIndexSet()));
            } catch (RuntimeException e) {
                deadLetterReady.set(false);
                throw e;
            }
        }
    }

    private void write(String indexSet, List<Pending> batch) throws InterruptedException {
        if (indexSet.equals(config.deadLetterIndexSet())) ensureDeadLetterIndexSet();
        List<Pending> todo = batch;
        List<DeadLetter> dead = new ArrayList<>();
        int attempt = 0;
        while (!todo.isEmpty()) {
            attempt++;
            List<LogDocument> docs = new ArrayList<>(todo.size());
            for (Pending p : todo) docs.add(p.doc());
            BulkResult r = indexOnce(indexSet, docs);
            List<Pending> retry = new ArrayList<>();
            String lastReason = null;
            List<Pending> stored = new ArrayList<>();
            for (int i = 0; i < todo.size(); i++) {
                BulkResult.ItemResult item = r.items().get(i);
                Pending p = todo.get(i);
                switch (item.status()) {
                    case OK -> stored.add(p);
                    case REJECTED -> dead.add(new DeadLetter(p, item.reason(), attempt));
                    case RETRYABLE -> {
                        retry.add(p);
                        lastReason = item.reason();
                    }
                }
            }
            // counted before they are answered: a caller that reads the meters after its answer sees them
            metrics.stored(indexSet, stored.size());
            for (Pending p : stored) p.stored();
            if (retry.isEmpty()) break;
            if (attempt >= config.maxAttempts()) {
                int answered = 0;
                for (Pending p : retry) {
                    if (p.ticket().whenRetriesRunOut == WhenRetriesRunOut.DEAD_LETTER) {
                        dead.add(new DeadLetter(p, "gave up after " + attempt + " attempts: " + lastReason, attempt));
                    } else {
                        p.notStored("not stored after " + attempt + " attempts: " + lastReason
                                + " (not dead-lettered: its source delivers it again)");
                        answered++;
                    }
                }
                if (answered > 0) {
                    LOG.warn("event=sink_retries_run_out index_set={} docs={} attempts={} reason=\"{}\"; answered"
                            + " retryable, their source delivers them again", indexSet, answered, attempt, lastReason);
                }
                break;
            }
            Duration backoff = backoff(attempt);
            LOG.warn("event=sink_retry index_set={} docs={} attempt={} backoff_ms={} reason=\"{}\"", indexSet,
                    retry.size(), attempt, backoff.toMillis(), lastReason);
            sleeper.sleep(backoff);
            todo = retry;
        }
        if (!dead.isEmpty()) deadLetter(indexSet, dead);
    }

    private BulkResult indexOnce(String indexSet, List<LogDocument> docs) {
        long t0 = System.nanoTime();
        BulkResult r;
        try {
            r = store.index(indexSet, docs);
            if (r.items().size() != docs.size()) {
                r = all(docs, BulkResult.Status.RETRYABLE, "store returned " + r.items().size() + " results for "
                        + docs.size() + " documents");
            }
        } catch (BackendException e) {
            r = all(docs, e.retryable() ? BulkResult.Status.RETRYABLE : BulkResult.Status.REJECTED, e.getMessage());
        } catch (IllegalArgumentException e) {
            r = all(docs, BulkResult.Status.REJECTED, e.getMessage());
        } catch (RuntimeException e) {
            r = all(docs, BulkResult.Status.RETRYABLE, e.toString());
        }
        metrics.batchLatency(indexSet, Duration.ofNanos(System.nanoTime() - t0));
        return r;
    }

    private static BulkResult all(List<LogDocument> docs, BulkResult.Status s, String reason) {
        List<BulkResult.ItemResult> items = new ArrayList<>(docs.size());
        for (LogDocument d : docs) items.add(new BulkResult.ItemResult(d.id(), s, reason));
        return new BulkResult(items);
    }

    Duration backoff(int attempt) {
        long initial = Math.max(1, config.initialBackoff().toMillis());
        long cap = Math.max(initial, config.maxBackoff().toMillis());
        long base = attempt >= 31 ? cap : Math.min(cap, initial << (attempt - 1));
        long half = base / 2;
        return Duration.ofMillis(half + ThreadLocalRandom.current().nextLong(base - half + 1));
    }

    /** The dead-letter document of {@code doc}: where it was going, why it was refused, and the document itself. */
    public static LogDocument deadLetterDocument(String indexSet, LogDocument doc, String reason, int attempts,
                                                 java.time.Instant now) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("index_set", indexSet);
        f.put("doc_id", doc.id());
        f.put("reason", reason == null ? "rejected by the store" : reason);
        f.put("attempts", (long) attempts);
        f.put("original_time", doc.timestamp().toEpochMilli());
        try {
            f.put("original", JSON.writeValueAsString(doc.fields()));
        } catch (JsonProcessingException e) {
            f.put("original", String.valueOf(doc.fields()));
        }
        f.put(DocumentFields.TIME, now.toEpochMilli());
        return new LogDocument(DocumentIds.ofContent("dead-letter/" + indexSet, doc.id()), now, f);
    }

    /** The schema of the dead-letter index set. */
    public static IndexSetSchema deadLetterSchema(String name) {
        return IndexSetSchema.of(name, List.of(FieldSpec.of("index_set", FieldType.KEYWORD),
                FieldSpec.of("doc_id", FieldType.KEYWORD), FieldSpec.of("reason", FieldType.TEXT),
                FieldSpec.of("attempts", FieldType.LONG), FieldSpec.of("original_time", FieldType.DATE),
                FieldSpec.of("original", FieldType.TEXT), FieldSpec.of("replayed", FieldType.BOOLEAN),
                FieldSpec.of("replayed_at", FieldType.DATE)));
    }

    private void deadLetter(String indexSet, List<DeadLetter> dead) throws InterruptedException {
        String dl = config.deadLetterIndexSet();
        List<LogDocument> docs = new ArrayList<>(dead.size());
        java.time.Instant now = clock.instant();
        for (DeadLetter d : dead) docs.add(deadLetterDocument(indexSet, d.pending().doc(), d.reason(), d.attempts(), now));
        List<DeadLetter> todo = dead;
        List<LogDocument> todoDocs = docs;
        for (int attempt = 1; ; attempt++) {
            String lastReason;
            try {
                ensureDeadLetterIndexSet();
                BulkResult r = store.index(dl, todoDocs);
                List<DeadLetter> retry = new ArrayList<>();
                List<LogDocument> retryDocs = new ArrayList<>();
                lastReason = null;
                for (int i = 0; i < todo.size(); i++) {
                    BulkResult.ItemResult item = i < r.items().size() ? r.items().get(i) : null;
                    if (item != null && item.status() == BulkResult.Status.OK) {
                        Pending p = todo.get(i).pending();
                        metrics.deadLetters(indexSet, 1, reasonTag(todo.get(i).reason()));
                        p.ticket().settle(p.index(), BulkResult.ItemResult.rejected(p.doc().id(), todo.get(i).reason()
                                + " (kept in the dead letters of '" + indexSet + "'; list and replay them with"
                                + " /api/v1/index_sets/" + indexSet + "/dead_letters)"));
                        LOG.warn("event=dead_letter index_set={} doc_id={} reason=\"{}\"", indexSet,
                                todo.get(i).pending().doc().id(), todo.get(i).reason());
                    } else {
                        retry.add(todo.get(i));
                        retryDocs.add(todoDocs.get(i));
                        lastReason = item == null ? "missing result" : item.reason();
                    }
                }
                if (retry.isEmpty()) return;
                todo = retry;
                todoDocs = retryDocs;
            } catch (RuntimeException e) {
                lastReason = e.toString();
            }
            if (attempt >= config.maxAttempts()) {
                BackendException ex = new BackendException("could not write " + todo.size()
                        + " documents to dead-letter index set '" + dl + "': " + lastReason);
                for (DeadLetter d : todo) {
                    LOG.error("event=dead_letter_failed index_set={} doc_id={} reason=\"{}\" dead_letter_error=\"{}\"",
                            indexSet, d.pending().doc().id(), d.reason(), lastReason);
                    d.pending().notStored(d.reason() + "; it could not be kept in the dead letters either: "
                            + ex.getMessage());
                }
                return;
            }
            sleeper.sleep(backoff(attempt));
        }
    }

    /** The {@code reason} tag of {@code bklog_ingest_dead_letters_total}: a small fixed set, never the free text. */
    static String reasonTag(String reason) {
        String r = reason == null ? "" : reason.toLowerCase(java.util.Locale.ROOT);
        if (r.startsWith("gave up after")) return "retries_exhausted";
        if (r.contains("immense term") || r.contains("too long") || r.contains("longer than")) return "too_long";
        if (r.contains("reserved") || r.contains("metadata field")) return "reserved_field";
        if (r.contains("mapper_parsing") || r.contains("mapped as") || r.contains("expected") || r.contains("failed to parse")
                || r.contains("not a valid") || r.contains("cannot be") || r.contains("is not an")) return "bad_value";
        return "rejected";
    }

    static long estimateBytes(LogDocument d) {
        long n = 48 + d.id().length();
        for (Map.Entry<String, Object> e : d.fields().entrySet()) {
            n += e.getKey().length() + 4;
            Object v = e.getValue();
            if (v instanceof String s) n += s.length();
            else if (v instanceof List<?> l) n += 16L * l.size();
            else n += 8;
        }
        return n;
    }

    /** Stops accepting, writes what was accepted (up to {@code shutdownTimeout}), then stops the writer thread. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closing) return;
            closing = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            writer.join(config.shutdownTimeout().toMillis());
            if (writer.isAlive()) {
                LOG.error("event=sink_shutdown_timeout pending_docs={}", queuedDocuments());
                writer.interrupt();
                writer.join(5000);
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
        /** Names the writer thread {@code bklog-sink-<name>}. */
        public Builder name(String v) { this.name = v; return this; }

        public BatchingSink build() {
            return new BatchingSink(this);
        }
    }
}
