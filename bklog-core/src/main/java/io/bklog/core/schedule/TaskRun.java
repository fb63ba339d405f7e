package io.bklog.core.schedule;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One executed attempt of a task: when it started and ended, how it went, and a message (error or result).
 *
 * @param periodStart the period a periodic run was for; null for an ad-hoc task
 */
public record TaskRun(String runId, String task, String queue, Instant periodStart, int attempt, Instant startedAt,
                      Instant endedAt, Outcome outcome, String message) {

    public enum Outcome {
        SUCCESS, FAILURE, TIMEOUT;

        /** The tag value in metrics: {@code success}, {@code failure}, {@code timeout}. */
        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public TaskRun {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(endedAt, "endedAt");
        Objects.requireNonNull(outcome, "outcome");
        message = message == null ? "" : message;
    }

    public Duration duration() {
        return Duration.between(startedAt, endedAt);
    }
}
