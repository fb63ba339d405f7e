package io.bklog.core.schedule;

import java.time.Instant;
import java.util.Objects;

/**
 * Where an ad-hoc task stands: {@code QUEUED} (also while waiting for a retry), {@code RUNNING} with progress 0..1 and
 * a message, {@code DONE} with its result, or {@code FAILED} with the reason.
 */
public record TaskStatus(String id, String task, State state, double progress, String message, String result,
                         int attempt, Instant createdAt, Instant updatedAt) {

    public enum State { QUEUED, RUNNING, DONE, FAILED }

    public TaskStatus {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(state, "state");
        progress = Math.max(0, Math.min(1, Double.isNaN(progress) ? 0 : progress));
        message = message == null ? "" : message;
    }

    public static TaskStatus queued(String id, String task, Instant at) {
        return new TaskStatus(id, task, State.QUEUED, 0, "", null, 1, at, at);
    }

    public TaskStatus with(State state, double progress, String message, String result, int attempt, Instant at) {
        return new TaskStatus(id, task, state, progress, message, result, attempt, createdAt, at);
    }

    public boolean finished() {
        return state == State.DONE || state == State.FAILED;
    }
}
