package io.bklog.spi.source;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** The answer of {@link LineSink#accept} for one batch. */
public interface Receipt {

    enum Status { ACCEPTED, RETRYABLE, REJECTED }

    /** What became of one line once {@link #stored()} completed. */
    enum LineStatus { STORED, REJECTED, RETRYABLE }

    /** One line's outcome: stored, rejected with a reason (filtered, dead-lettered) or retryable (not stored). */
    record LineOutcome(LineStatus status, String reason) {
        public static final LineOutcome STORED = new LineOutcome(LineStatus.STORED, null);
    }

    Status status();

    /** Why the batch was not accepted; null when it was. */
    String reason();

    /** With {@link Status#RETRYABLE}: how long to wait before offering the lines again. */
    Duration retryAfter();

    /**
     * Completes normally once every line of this batch (and every line accepted before it) is durably stored or
     * final; completes exceptionally when some were not stored (the source must not commit their position: read
     * them again). For a batch that was not accepted it is already completed exceptionally.
     */
    CompletionStage<Void> stored();

    /**
     * The outcome of line {@code index} of the batch: after {@link #stored()} completed normally, {@code STORED} or
     * {@code REJECTED} with the reason; {@code RETRYABLE} when the batch was not accepted or not stored.
     */
    LineOutcome outcome(int index);

    default boolean accepted() {
        return status() == Status.ACCEPTED;
    }
}
