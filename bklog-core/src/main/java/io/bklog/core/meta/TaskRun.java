package io.bklog.core.meta;

import java.time.Duration;
import java.time.Instant;

/**
 * The result record of one run of a scheduled or queued task.
 *
 * @param runId        the broker's id of the delivery; the key
 * @param queue        {@code high} or {@code default}
 * @param scheduledFor the period it ran for (periodic tasks); null for ad-hoc tasks
 * @param outcome      {@link #RUNNING}, {@link #SUCCESS}, {@link #FAILURE}, {@link #RETRY} or {@link #SKIPPED}
 * @param attempts     how many times it was tried, this one included
 * @param durationMs   null until it ends
 */
public record TaskRun(String runId, String task, String queue, Instant scheduledFor, Instant startedAt,
                      Instant endedAt, String outcome, int attempts, String error, Long durationMs, long version,
                      Instant createdAt, Instant updatedAt) {

    public static final String RUNNING = "running";
    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String RETRY = "retry";
    public static final String SKIPPED = "skipped";

    public TaskRun {
        Rows.max(Rows.required(runId, "task run id"), 64, "task run id");
        Rows.max(Rows.required(task, "task name"), 255, "task name");
        Rows.max(Rows.required(queue, "task queue"), 32, "task queue");
        Rows.max(Rows.required(outcome, "task outcome"), 32, "task outcome");
        if (attempts < 0) throw new IllegalArgumentException("task run attempts must be >= 0, got " + attempts);
        scheduledFor = Rows.ms(scheduledFor);
        startedAt = Rows.ms(startedAt);
        endedAt = Rows.ms(endedAt);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A run that has just started. */
    public static TaskRun started(String runId, String task, String queue, Instant scheduledFor, Instant startedAt,
                                  int attempts) {
        return new TaskRun(runId, task, queue, scheduledFor, startedAt, null, RUNNING, attempts, null, null, 0, null,
                null);
    }

    /** The same run, ended with {@code outcome}; the duration is taken from start to end. */
    public TaskRun ended(String newOutcome, Instant newEndedAt, String newError) {
        Long duration = startedAt == null ? null : Duration.between(startedAt, newEndedAt).toMillis();
        return new TaskRun(runId, task, queue, scheduledFor, startedAt, newEndedAt, newOutcome, attempts, newError,
                duration, version, createdAt, updatedAt);
    }
}
