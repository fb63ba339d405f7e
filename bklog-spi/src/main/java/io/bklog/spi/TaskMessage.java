package io.bklog.spi;

import java.util.Map;
import java.util.Objects;

/**
 * A task to run: its id (unique per run; publishing the same id twice may deliver twice, workers dedupe by it),
 * queue, task name, string arguments, attempt number (1-based) and the earliest time to run it (epoch millis,
 * 0 = now; used for retry back-off).
 */
public record TaskMessage(String id, String queue, String task, Map<String, String> args, int attempt,
                          long notBeforeMillis) {
    public TaskMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(task, "task");
        args = Map.copyOf(args);
        if (attempt < 1) throw new IllegalArgumentException("attempt must be >= 1");
    }

    public static TaskMessage of(String id, String queue, String task, Map<String, String> args) {
        return new TaskMessage(id, queue, task, args, 1, 0);
    }

    public TaskMessage nextAttempt(long notBeforeMillis) {
        return new TaskMessage(id, queue, task, args, attempt + 1, notBeforeMillis);
    }
}
