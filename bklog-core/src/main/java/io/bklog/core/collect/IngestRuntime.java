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
     * RETRYABLE (they may still be stored: send them again with the same {@code Idempotency-Key} so nothing is stored
     * twice).
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
        if (refresh && ok > 0) store.refresh(indexSet);
        return new DirectIngest.Result(indexSet, out, ok, retryable, rejected,
                (System.nanoTime() - started) / 1_000_000);
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
