package io.bklog.core.collect;

import io.bklog.core.ingest.IngestPipeline;
import io.bklog.spi.source.LineSink;
import io.bklog.spi.source.Receipt;
import io.bklog.spi.source.SourceLine;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * The {@link LineSink} of a collector: its {@link IngestPipeline} (multi-line join, filters, ETL, then the ingest
 * buffer or the batching sink). A batch the pipeline refuses (its spill has not drained) is answered
 * {@link Receipt.Status#RETRYABLE} with the pipeline's {@code Retry-After}, nothing taken; a closed pipeline answers
 * {@link Receipt.Status#REJECTED}. An accepted batch's {@link Receipt#stored()} completes once the pipeline's spill
 * drained and everything handed on is safe ({@link IngestPipeline#handedOnStored()}: in the ingest buffer, or
 * written to the store or the dead letters by the batching sink).
 *
 * <p>Lines still held by an open multi-line event are not handed on yet and not covered by {@code stored()}.
 */
public final class PipelineLineSink implements LineSink {

    /** How long a {@code stored()} waits for the pipeline's spill to drain before it fails. */
    static final Duration SPILL_WAIT = Duration.ofMinutes(5);
    private static final long POLL_MILLIS = 20;
    private static final Executor POLL = CompletableFuture.delayedExecutor(POLL_MILLIS, TimeUnit.MILLISECONDS);

    private final IngestPipeline pipeline;

    public PipelineLineSink(IngestPipeline pipeline) {
        this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    }

    @Override
    public Receipt accept(List<SourceLine> lines) {
        IngestPipeline.SubmitResult r;
        try {
            r = pipeline.submit(lines);
        } catch (IllegalStateException closed) {
            return new Refused(Receipt.Status.REJECTED, closed.getMessage(), Duration.ZERO);
        }
        if (r.full()) return new Refused(Receipt.Status.RETRYABLE, r.reason(), r.retryAfter());
        return new Accepted(lines.size(), r.processed());
    }

    @Override
    public CompletionStage<Void> allStored() {
        return storedSoFar();
    }

    private CompletableFuture<Void> storedSoFar() {
        if (pipeline.spilled() == 0) return pipeline.handedOnStored();
        CompletableFuture<Void> f = new CompletableFuture<>();
        awaitSpill(f, System.nanoTime() + SPILL_WAIT.toNanos());
        return f;
    }

    private void awaitSpill(CompletableFuture<Void> f, long deadlineNanos) {
        int spilled = pipeline.spilled();
        if (spilled == 0) {
            pipeline.handedOnStored().whenComplete((v, e) -> {
                if (e != null) f.completeExceptionally(e);
                else f.complete(null);
            });
        } else if (System.nanoTime() > deadlineNanos) {
            f.completeExceptionally(new IllegalStateException(spilled + " documents of index set '"
                    + pipeline.indexSet() + "' not taken by the buffer within " + SPILL_WAIT));
        } else {
            POLL.execute(() -> awaitSpill(f, deadlineNanos));
        }
    }

    private record Refused(Status status, String reason, Duration retryAfter) implements Receipt {
        @Override
        public CompletionStage<Void> stored() {
            return CompletableFuture.failedFuture(new IllegalStateException("not accepted: " + reason));
        }

        @Override
        public LineOutcome outcome(int index) {
            return new LineOutcome(LineStatus.RETRYABLE, reason);
        }
    }

    /**
     * An accepted batch. Its {@code stored()} future is made on first use (a source that never asks, like syslog,
     * costs nothing more per batch); made later it also covers lines accepted meanwhile, which only makes the wait
     * longer, never shorter. Per-line outcomes are read from the pipeline's own result when lines map 1:1 to events.
     */
    private final class Accepted implements Receipt {
        private final int lines;
        private final List<IngestPipeline.Processed> processed;
        private CompletableFuture<Void> stored;

        Accepted(int lines, List<IngestPipeline.Processed> processed) {
            this.lines = lines;
            this.processed = processed;
        }

        @Override
        public Status status() {
            return Status.ACCEPTED;
        }

        @Override
        public String reason() {
            return null;
        }

        @Override
        public Duration retryAfter() {
            return Duration.ZERO;
        }

        @Override
        public synchronized CompletableFuture<Void> stored() {
            if (stored == null) stored = storedSoFar();
            return stored;
        }

        @Override
        public LineOutcome outcome(int index) {
            Objects.checkIndex(index, lines);
            CompletableFuture<Void> f = stored();
            if (!f.isDone()) return new LineOutcome(LineStatus.RETRYABLE, "not stored yet");
            if (f.isCompletedExceptionally()) {
                return new LineOutcome(LineStatus.RETRYABLE, "not stored: " + f.handle((v, e) -> e).join());
            }
            if (processed.size() != lines) return LineOutcome.STORED; // joined into multi-line events
            IngestPipeline.Processed p = processed.get(index);
            if (p.filtered()) return new LineOutcome(LineStatus.REJECTED, "dropped by the collector's filters");
            if (!pipeline.indexSet().equals(p.indexSet())) {
                return new LineOutcome(LineStatus.REJECTED, "dead-lettered: parse failure with"
                        + " enable_retain_content off");
            }
            return LineOutcome.STORED;
        }
    }

    @Override
    public long heldFrom(String sourceId) {
        return pipeline.pendingOffset(sourceId);
    }
}
