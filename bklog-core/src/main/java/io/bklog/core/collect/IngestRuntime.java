package io.bklog.core.collect;

import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.BufferDrainer;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferTimeoutException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The front door of a platform's ingest: one {@link BatchingSink} into the store (bounded queue, retries, dead
 * letters) and, when an {@link IngestBuffer} is configured, a {@link BufferDrainer} moving the buffer into the sink.
 * Every source ends in the same place: request ingest ({@link #ingest}, {@link #store}: HTTP JSON, {@code _bulk})
 * and line sources (collectors: file, syslog, Kafka) through their pipelines from {@link #pipeline} deliver into the
 * buffer when there is one, else into the sink. A request is answered once its documents are durably in the buffer
 * (Kafka: acknowledged by the brokers, {@code acks=all}), or, without a buffer, once they are stored.
 * {@link #close()} stops the drainer (finishing its batch) and then drains the sink.
 */
public final class IngestRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestRuntime.class);

    /** How long a request waits for its documents to be stored before answering them as retryable. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);
    /** With a buffer, how long {@code refresh} waits for this node's drainer to store the batch before refreshing. */
    public static final Duration REFRESH_WAIT = Duration.ofSeconds(10);
    /** The {@code retry_after_seconds} of a 429 when the buffer is full. */
    public static final Duration BUFFER_RETRY_AFTER = Duration.ofSeconds(1);

    private final DirectIngest direct;
    private final LogStore store;
    private final IngestBuffer buffer;
    private final BatchingSink sink;
    private final BufferDrainer drainer;
    private final Clock clock;
    /** Buffered documents a {@code refresh} request waits for, by id; completed when this node's drainer wrote them. */
    private final Map<String, CompletableFuture<BulkResult.ItemResult>> awaited = new ConcurrentHashMap<>();

    private IngestRuntime(DirectIngest direct, LogStore store, IngestBuffer buffer, BatchingSink sink, Clock clock,
                          boolean drain) {
        this.direct = direct;
        this.store = store;
        this.buffer = buffer;
        this.sink = sink;
        this.clock = clock;
        this.drainer = buffer == null || !drain ? null : new BufferDrainer(buffer, sink, BufferDrainer.GROUP,
                sink.config().maxDocs(), "default", this::written);
    }

    /** Starts a sink on {@code store} with a 50 ms linger, and a drainer when {@code buffer} is not null. */
    public static IngestRuntime start(DirectIngest direct, LogStore store, IngestBuffer buffer, Clock clock) {
        return start(direct, store, buffer, clock, BatchingSink.builder(store).linger(Duration.ofMillis(50))
                .clock(clock).name("platform"));
    }

    /** Starts with a sink built by the caller (tests use a small queue). */
    public static IngestRuntime start(DirectIngest direct, LogStore store, IngestBuffer buffer, Clock clock,
                                      BatchingSink.Builder sink) {
        Objects.requireNonNull(direct, "direct");
        Objects.requireNonNull(store, "store");
        return new IngestRuntime(direct, store, buffer, sink.build(), clock, true);
    }

    /**
     * As {@link #start(DirectIngest, LogStore, IngestBuffer, Clock, BatchingSink.Builder)} without a drainer: what
     * this runtime puts in the {@code buffer} stays there until a drainer elsewhere moves it (another instance in the
     * consumer group {@link BufferDrainer#GROUP}, or a {@link BufferDrainer} on {@link #sink()}).
     */
    public static IngestRuntime startWithoutDrainer(DirectIngest direct, LogStore store, IngestBuffer buffer,
                                                    Clock clock, BatchingSink.Builder sink) {
        Objects.requireNonNull(direct, "direct");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(buffer, "buffer");
        return new IngestRuntime(direct, store, buffer, sink.build(), clock, false);
    }

    public BatchingSink sink() { return sink; }

    public Optional<IngestBuffer> buffer() { return Optional.ofNullable(buffer); }

    public Clock clock() { return clock; }

    /** A pipeline builder for {@code indexSet} delivering into the buffer when configured, else into the sink. */
    public IngestPipeline.Builder pipeline(String indexSet) {
        IngestPipeline.Builder b = IngestPipeline.builder(indexSet).clock(clock).enricher(direct.enricher());
        return buffer != null ? b.buffer(buffer) : b.sink(sink);
    }

    /**
     * Validates a batch like {@link DirectIngest#ingest} (a bad item refuses it whole, nothing stored) and hands it to
     * {@link #store(String, List, boolean, long)}: into the buffer when one is configured, else the sink, answered
     * per item as described there.
     */
    public DirectIngest.Result ingest(String indexSet, List<Map<String, Object>> items, boolean refresh) {
        return ingest(indexSet, items, refresh, 0, null);
    }

    /**
     * As {@link #ingest(String, List, boolean)}, counting {@code receivedBytes} (the request body) as received; with
     * an {@code idempotencyKey} (HTTP {@code Idempotency-Key}, null for none) sending the same batch again stores
     * nothing twice.
     */
    public DirectIngest.Result ingest(String indexSet, List<Map<String, Object>> items, boolean refresh,
                                      long receivedBytes, String idempotencyKey) {
        return store(indexSet, direct.documents(indexSet, items, checkIdempotencyKey(idempotencyKey)), refresh,
                receivedBytes);
    }

    /** The key as given, or null for none; a blank or over-long key is a 400 naming the header. */
    public static String checkIdempotencyKey(String key) {
        if (key == null) return null;
        if (key.isBlank() || key.length() > 255) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "header Idempotency-Key must be 1 to 255 characters"
                    + " (a UUID is usual); got " + key.length(), "Idempotency-Key");
        }
        return key;
    }

    /**
     * The front door for documents made by the caller (already validated, ids set): request ingest
     * ({@link #ingest}) and sources that make their own documents (the ES {@code _bulk} endpoint). Once the batch is
     * taken, its documents and {@code receivedBytes} count as received ({@code bklog_ingest_lines_total},
     * {@code bklog_ingest_bytes_total}).
     *
     * <p>With a buffer: the documents are appended to it (same ids) and each item is answered OK once the buffer
     * durably holds it (Kafka: every broker in sync acknowledged), before it is stored; the drainer stores it later
     * (a document the store refuses then goes to the dead letters). A full buffer throws
     * {@link ErrorCode#INGEST_BUSY} (details {@code retry_after_seconds}): nothing was taken. An append that fails or
     * is not confirmed in time (a broker down past its delivery timeout) answers every item RETRYABLE with the reason:
     * none is acknowledged, some may still land, so send them again with the same {@code Idempotency-Key}. With
     * {@code refresh}, the answer waits up to {@link #REFRESH_WAIT} for this node's drainer to write the batch (an
     * item the store refused is then answered REJECTED with the reason), then refreshes: what another node drains,
     * or what is not written in time, may become searchable only after the next refresh.
     *
     * <p>Without a buffer: queued in the sink and answered once stored (OK), refused into the dead letters
     * (REJECTED, with the reason) or not stored (RETRYABLE); a full sink queue throws {@link ErrorCode#INGEST_BUSY}.
     * Items not confirmed within {@link #ACK_TIMEOUT} are answered RETRYABLE (they may still be stored: send them
     * again with the same {@code Idempotency-Key} so nothing is stored twice). {@code refresh} makes them searchable
     * before the answer.
     *
     * @throws BklogException {@link ErrorCode#PAYLOAD_TOO_LARGE} when the batch alone is larger than the sink queue
     */
    public DirectIngest.Result store(String indexSet, List<LogDocument> docs, boolean refresh, long receivedBytes) {
        if (buffer == null) return storeInSink(indexSet, docs, refresh, receivedBytes);
        return storeInBuffer(indexSet, docs, refresh, receivedBytes);
    }

    /** As {@link #store(String, List, boolean, long)} with nothing counted as received bytes. */
    public DirectIngest.Result store(String indexSet, List<LogDocument> docs, boolean refresh) {
        return store(indexSet, docs, refresh, 0);
    }

    /**
     * Queues documents in the sink, never the buffer, and waits until they are stored; answers as {@link #store}
     * does without a buffer. For dead-letter replays: their documents came through the front door once, and a replay
     * needs the store's answer for each.
     */
    public DirectIngest.Result storeInSink(String indexSet, List<LogDocument> docs, boolean refresh) {
        return storeInSink(indexSet, docs, refresh, 0);
    }

    private DirectIngest.Result storeInBuffer(String indexSet, List<LogDocument> docs, boolean refresh,
                                              long receivedBytes) {
        long started = System.nanoTime();
        checkBatchSize(docs);
        List<BufferedDocument> records = new ArrayList<>(docs.size());
        for (LogDocument d : docs) records.add(new BufferedDocument(indexSet, null, d));
        // registered before the append: the drainer may write them before append returns
        Map<String, CompletableFuture<BulkResult.ItemResult>> waits =
                refresh && drainer != null ? await(docs) : Map.of();
        List<BulkResult.ItemResult> out;
        try {
            buffer.append(records);
            sink.metrics().lines(indexSet, docs.size(), receivedBytes);
            out = new ArrayList<>(docs.size());
            for (LogDocument d : docs) out.add(BulkResult.ItemResult.ok(d.id()));
        } catch (BufferTimeoutException e) {
            forget(waits);
            log.warn("ingest not confirmed by the buffer index_set={} docs={} reason=\"{}\"", indexSet, docs.size(),
                    e.getMessage());
            out = all(docs, e.getMessage() + " (some may be in the buffer: send them again with the same"
                    + " Idempotency-Key so nothing is stored twice)");
        } catch (BufferFullException e) {
            forget(waits);
            long seconds = Math.max(1, BUFFER_RETRY_AFTER.toSeconds());
            throw new BklogException(ErrorCode.INGEST_BUSY, e.getMessage() + "; nothing of this batch was taken,"
                    + " retry after " + seconds + " s", null, Map.of("retry_after_seconds", seconds), null);
        } catch (RuntimeException e) {
            forget(waits);
            String reason = "the ingest buffer (" + buffer.backendName() + ") did not take the batch: "
                    + (e.getMessage() == null ? e.toString() : e.getMessage());
            log.warn("ingest not buffered index_set={} docs={} reason=\"{}\"", indexSet, docs.size(), reason);
            out = all(docs, reason);
        }
        if (refresh && out.stream().anyMatch(r -> r.status() == BulkResult.Status.OK)) {
            out = withDrainOutcome(out, waits);
            refreshAfter(indexSet, out);
        }
        return result(indexSet, out, started);
    }

    private Map<String, CompletableFuture<BulkResult.ItemResult>> await(List<LogDocument> docs) {
        Map<String, CompletableFuture<BulkResult.ItemResult>> waits = new HashMap<>();
        for (LogDocument d : docs) waits.put(d.id(), awaited.computeIfAbsent(d.id(), id -> new CompletableFuture<>()));
        return waits;
    }

    private void forget(Map<String, CompletableFuture<BulkResult.ItemResult>> waits) {
        waits.forEach(awaited::remove);
    }

    /** The drainer's outcome: a document stored or dead-lettered is final; a RETRYABLE one comes again. */
    private void written(List<BulkResult.ItemResult> results) {
        if (awaited.isEmpty()) return;
        for (BulkResult.ItemResult r : results) {
            if (r.status() == BulkResult.Status.RETRYABLE) continue;
            CompletableFuture<BulkResult.ItemResult> f = awaited.remove(r.id());
            if (f != null) f.complete(r);
        }
    }

    /** Waits up to {@link #REFRESH_WAIT} for the drainer; an item it did not write in time stays OK (buffered). */
    private List<BulkResult.ItemResult> withDrainOutcome(List<BulkResult.ItemResult> out,
                                                         Map<String, CompletableFuture<BulkResult.ItemResult>> waits) {
        if (waits.isEmpty()) return out;
        try {
            CompletableFuture.allOf(waits.values().toArray(new CompletableFuture<?>[0]))
                    .get(REFRESH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.info("refresh waited {} s for the drainer; documents not written yet are refreshed later",
                    REFRESH_WAIT.toSeconds());
        } catch (ExecutionException e) {
            log.warn("refresh wait failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            forget(waits);
        }
        List<BulkResult.ItemResult> merged = new ArrayList<>(out.size());
        for (BulkResult.ItemResult r : out) {
            CompletableFuture<BulkResult.ItemResult> f = waits.get(r.id());
            merged.add(r.status() == BulkResult.Status.OK && f != null && f.isDone() ? f.join() : r);
        }
        return merged;
    }

    private void checkBatchSize(List<LogDocument> docs) {
        if (docs.size() > sink.config().queueCapacityDocs()) {
            throw new BklogException(ErrorCode.PAYLOAD_TOO_LARGE, "batch of " + docs.size() + " documents exceeds the"
                    + " sink queue capacity of " + sink.config().queueCapacityDocs() + "; split it", null);
        }
    }

    private DirectIngest.Result storeInSink(String indexSet, List<LogDocument> docs, boolean refresh,
                                            long receivedBytes) {
        long started = System.nanoTime();
        BatchingSink.Offer offer;
        try {
            offer = sink.offer(indexSet, docs);
        } catch (IllegalArgumentException e) {
            throw new BklogException(ErrorCode.PAYLOAD_TOO_LARGE, e.getMessage(), null);
        }
        if (offer.full()) {
            long seconds = Math.max(1, (offer.retryAfter().toMillis() + 999) / 1000);
            throw new BklogException(ErrorCode.INGEST_BUSY, offer.reason() + "; nothing of this batch was taken,"
                    + " retry after " + seconds + " s", null, Map.of("retry_after_seconds", seconds), null);
        }
        sink.metrics().lines(indexSet, docs.size(), receivedBytes);
        List<BulkResult.ItemResult> out;
        try {
            out = offer.done().get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            out = all(docs, "not confirmed stored within " + ACK_TIMEOUT.toSeconds() + " s (still queued: it may"
                    + " still be stored; send it again with the same Idempotency-Key so it is not stored twice)");
        } catch (ExecutionException | CompletionException e) {
            String reason = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            log.warn("ingest not stored index_set={} docs={} reason=\"{}\"", indexSet, docs.size(), reason);
            out = all(docs, reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            out = all(docs, "interrupted while waiting for the store");
        }
        if (refresh) refreshAfter(indexSet, out);
        return result(indexSet, out, started);
    }

    /**
     * The refresh a {@code refresh=true} batch asks for: its index set when something was stored, and the dead-letter
     * index set when something was refused (and so dead-lettered), so the dead letters list shows it at once.
     */
    private void refreshAfter(String indexSet, List<BulkResult.ItemResult> out) {
        if (out.stream().anyMatch(r -> r.status() == BulkResult.Status.OK)) store.refresh(indexSet);
        String dl = sink.config().deadLetterIndexSet();
        if (!dl.equals(indexSet) && out.stream().anyMatch(r -> r.status() == BulkResult.Status.REJECTED)
                && store.indexSets().contains(dl)) {
            try {
                store.refresh(dl);
            } catch (RuntimeException e) {
                // the batch is answered as stored: a failed refresh of the dead letters must not make it resent
                log.warn("dead-letter refresh failed index_set={} reason=\"{}\"", dl, e.toString());
            }
        }
    }

    private static DirectIngest.Result result(String indexSet, List<BulkResult.ItemResult> out, long startedNanos) {
        long ok = 0;
        long retryable = 0;
        long rejected = 0;
        for (BulkResult.ItemResult r : out) {
            switch (r.status()) {
                case OK -> ok++;
                case RETRYABLE -> retryable++;
                case REJECTED -> rejected++;
            }
        }
        return new DirectIngest.Result(indexSet, out, ok, retryable, rejected,
                (System.nanoTime() - startedNanos) / 1_000_000);
    }

    private static List<BulkResult.ItemResult> all(List<LogDocument> docs, String reason) {
        List<BulkResult.ItemResult> out = new ArrayList<>(docs.size());
        for (LogDocument d : docs) out.add(BulkResult.ItemResult.retryable(d.id(), reason));
        return out;
    }

    /** Stops the drainer (its batch in hand is finished and committed), then writes what the sink holds. */
    @Override
    public void close() {
        if (drainer != null) drainer.close();
        sink.close();
        log.info("ingest runtime closed pending_docs={}", sink.queuedDocuments());
    }
}
