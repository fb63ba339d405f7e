package io.bklog.core.collect;

import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.BufferDrainer;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The running ingest machinery of a platform: one {@link BatchingSink} into the store (bounded queue, retries,
 * dead letters) and, when an {@link IngestBuffer} is configured, a {@link BufferDrainer} moving the buffer into the
 * sink. Request ingest ({@link #ingest}) goes to the sink and answers once the documents are stored; line sources
 * (collectors, syslog) get pipelines from {@link #pipeline} that deliver into the buffer when there is one, else the
 * sink. {@link #close()} stops the drainer (finishing its batch) and then drains the sink.
 */
public final class IngestRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IngestRuntime.class);

    /** How long a request waits for its documents to be stored before answering them as retryable. */
    public static final Duration ACK_TIMEOUT = Duration.ofSeconds(30);

    private final DirectIngest direct;
    private final LogStore store;
    private final IngestBuffer buffer;
    private final BatchingSink sink;
    private final BufferDrainer drainer;
    private final Clock clock;

    private IngestRuntime(DirectIngest direct, LogStore store, IngestBuffer buffer, BatchingSink sink, Clock clock) {
        this.direct = direct;
        this.store = store;
        this.buffer = buffer;
        this.sink = sink;
        this.clock = clock;
        this.drainer = buffer == null ? null : new BufferDrainer(buffer, sink);
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
        return new IngestRuntime(direct, store, buffer, sink.build(), clock);
    }

    public BatchingSink sink() { return sink; }

    public Optional<IngestBuffer> buffer() { return Optional.ofNullable(buffer); }

    public Clock clock() { return clock; }

    /** A pipeline builder for {@code indexSet} delivering into the buffer when configured, else into the sink. */
    public IngestPipeline.Builder pipeline(String indexSet) {
        IngestPipeline.Builder b = IngestPipeline.builder(indexSet).clock(clock);
        return buffer != null ? b.buffer(buffer) : b.sink(sink);
    }

    /**
     * Validates a batch like {@link DirectIngest#ingest} (a bad item refuses it whole, nothing stored), queues it in
     * the sink and waits until it is stored. Throws {@link ErrorCode#INGEST_BUSY} (details {@code retry_after_seconds})
     * when the sink queue is full: nothing was taken. Items not confirmed within {@link #ACK_TIMEOUT} are answered
     * RETRYABLE (sending them again is safe: ids are deterministic).
     */
    public DirectIngest.Result ingest(String indexSet, List<Map<String, Object>> items, boolean refresh) {
        return ingest(indexSet, items, refresh, 0);
    }

    /** As {@link #ingest(String, List, boolean)}, counting {@code receivedBytes} (the request body) as received. */
    public DirectIngest.Result ingest(String indexSet, List<Map<String, Object>> items, boolean refresh,
                                      long receivedBytes) {
        return store(indexSet, direct.documents(indexSet, items), refresh, receivedBytes);
    }

    /**
     * Queues documents made by the caller (already validated, ids set) in the sink and waits until they are stored;
     * answers and throws as {@link #ingest}. Used by sources that make their own documents (the ES {@code _bulk}
     * endpoint).
     */
    public DirectIngest.Result store(String indexSet, List<LogDocument> docs, boolean refresh) {
        return store(indexSet, docs, refresh, 0);
    }

    /**
     * As {@link #store(String, List, boolean)}; once the sink took the batch, its documents and
     * {@code receivedBytes} count as received ({@code bklog_ingest_lines_total}, {@code bklog_ingest_bytes_total}).
     */
    public DirectIngest.Result store(String indexSet, List<LogDocument> docs, boolean refresh, long receivedBytes) {
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
        BulkResult.Status status = BulkResult.Status.OK;
        String reason = null;
        try {
            offer.done().get(ACK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            status = BulkResult.Status.RETRYABLE;
            reason = "not confirmed stored within " + ACK_TIMEOUT.toSeconds() + " s (still queued); sending again is safe";
        } catch (ExecutionException | CompletionException e) {
            status = BulkResult.Status.RETRYABLE;
            reason = e.getCause() == null ? e.toString() : e.getCause().getMessage();
            log.warn("ingest not stored index_set={} docs={} reason=\"{}\"", indexSet, docs.size(), reason);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            status = BulkResult.Status.RETRYABLE;
            reason = "interrupted while waiting for the store";
        }
        if (refresh && status == BulkResult.Status.OK && !docs.isEmpty()) store.refresh(indexSet);
        List<BulkResult.ItemResult> out = new ArrayList<>(docs.size());
        for (LogDocument d : docs) out.add(new BulkResult.ItemResult(d.id(), status, reason));
        long ok = status == BulkResult.Status.OK ? docs.size() : 0;
        return new DirectIngest.Result(indexSet, out, ok, docs.size() - ok, 0,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Stops the drainer (its batch in hand is finished and committed), then writes what the sink holds. */
    @Override
    public void close() {
        if (drainer != null) drainer.close();
        sink.close();
        log.info("ingest runtime closed pending_docs={}", sink.queuedDocuments());
    }
}
