package io.bklog.spi.source;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Where a source hands its lines: the collector's ingest pipeline (multi-line join, filters, ETL, buffer, store).
 * Thread-safe.
 *
 * <p>A source that can replay (a file offset, a Kafka offset) moves its committed position only once the lines
 * before it are stored: it waits on {@link Receipt#stored()} of the batch (or on {@link #allStored()}) and commits
 * then; a line whose storage was never confirmed is read again after a restart (its id makes the replay overwrite,
 * not duplicate).
 */
public interface LineSink {

    /**
     * Hands {@code lines} on, in order. Answers at once: {@link Receipt.Status#ACCEPTED} (taken; storage confirmed
     * later by {@link Receipt#stored()}), {@link Receipt.Status#RETRYABLE} (backpressure: nothing was taken, offer
     * the same lines again after {@link Receipt#retryAfter()}), or {@link Receipt.Status#REJECTED} (nothing taken and
     * offering them again will not help, e.g. the collector is stopping; the reason says why).
     */
    Receipt accept(List<SourceLine> lines);

    /** Completes when every line accepted so far is durably stored (or final: filtered, dead-lettered). */
    CompletionStage<Void> allStored();

    /**
     * The offset of the first line of {@code sourceId} (a {@link SourceLine#sourceId()}) the sink still holds in
     * memory and has not handed on — the first line of a multi-line event that is still open — or {@code -1} when it
     * holds none. {@link #allStored()} and {@link Receipt#stored()} do not cover such lines (they are not events
     * yet): a source that commits positions commits no further than this offset, so a crash re-reads the open event
     * instead of losing it.
     */
    default long heldFrom(String sourceId) {
        return -1;
    }
}
