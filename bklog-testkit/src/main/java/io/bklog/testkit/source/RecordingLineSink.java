package io.bklog.testkit.source;

import io.bklog.spi.source.LineSink;
import io.bklog.spi.source.Receipt;
import io.bklog.spi.source.SourceLine;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link LineSink} for contract tests: records every accepted line in order; answers the first
 * {@link #refuseNext(int)} batches {@link Receipt.Status#RETRYABLE}; confirms storage at once, or, after
 * {@link #holdStorage()}, only when {@link #releaseStorage()} or {@link #failStorage(String)} is called.
 */
public final class RecordingLineSink implements LineSink {

    private final List<SourceLine> lines = new ArrayList<>();
    private final List<CompletableFuture<Void>> pending = new ArrayList<>();
    private int refuse;
    private int refused;
    private boolean hold;
    private String failed;

    /** Answers the next {@code batches} offers RETRYABLE (nothing taken). */
    public synchronized RecordingLineSink refuseNext(int batches) {
        this.refuse = batches;
        return this;
    }

    /** From now on, storage of accepted batches is confirmed only by {@link #releaseStorage()}. */
    public synchronized RecordingLineSink holdStorage() {
        this.hold = true;
        return this;
    }

    /** Confirms every held batch as stored and stops holding. */
    public synchronized void releaseStorage() {
        hold = false;
        pending.forEach(f -> f.complete(null));
        pending.clear();
    }

    /**
     * Fails every held batch, and from now on answers every offer RETRYABLE and {@link #allStored()} failed (the
     * store is down): the source must not commit their position.
     */
    public synchronized void failStorage(String reason) {
        hold = false;
        failed = reason;
        pending.forEach(f -> f.completeExceptionally(new IllegalStateException(reason)));
        pending.clear();
    }

    @Override
    public synchronized Receipt accept(List<SourceLine> batch) {
        if (failed != null) {
            return new SimpleReceipt(Receipt.Status.RETRYABLE, failed, Duration.ofMillis(10),
                    CompletableFuture.failedFuture(new IllegalStateException(failed)));
        }
        if (refuse > 0) {
            refuse--;
            refused++;
            return new SimpleReceipt(Receipt.Status.RETRYABLE, "refused by the contract test", Duration.ofMillis(10),
                    CompletableFuture.failedFuture(new IllegalStateException("not accepted")));
        }
        lines.addAll(batch);
        CompletableFuture<Void> stored = new CompletableFuture<>();
        if (hold) pending.add(stored);
        else stored.complete(null);
        return new SimpleReceipt(Receipt.Status.ACCEPTED, null, Duration.ZERO, stored);
    }

    @Override
    public synchronized CompletionStage<Void> allStored() {
        if (failed != null) return CompletableFuture.failedFuture(new IllegalStateException(failed));
        return CompletableFuture.allOf(pending.toArray(new CompletableFuture<?>[0]));
    }

    /** The accepted lines, in order. */
    public synchronized List<SourceLine> lines() {
        return List.copyOf(lines);
    }

    /** The texts of the accepted lines, in order. */
    public synchronized List<String> texts() {
        return lines.stream().map(SourceLine::text).toList();
    }

    /** Batches answered RETRYABLE so far. */
    public synchronized int refused() {
        return refused;
    }

    private record SimpleReceipt(Status status, String reason, Duration retryAfter, CompletableFuture<Void> stored)
            implements Receipt {
        @Override
        public LineOutcome outcome(int index) {
            if (status != Status.ACCEPTED || !stored.isDone() || stored.isCompletedExceptionally()) {
                return new LineOutcome(LineStatus.RETRYABLE, reason == null ? "not stored" : reason);
            }
            return LineOutcome.STORED;
        }
    }
}
