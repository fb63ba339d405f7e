package io.bklog.core.schedule;

import java.time.Duration;

/** What every registered task has: a unique name, its queue, a timeout per attempt, retries and its handler. */
public sealed interface TaskSpec permits PeriodicTask, AsyncTask {

    /** Default timeout of one attempt: 10 minutes. */
    Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
    /** Default number of retries after the first attempt fails: 3. */
    int DEFAULT_MAX_RETRIES = 3;

    String name();

    /** {@code high} or {@code default} (or another queue a worker consumes). */
    String queue();

    Duration timeout();

    /** Retries after the first attempt: a run is tried at most {@code maxRetries + 1} times. */
    int maxRetries();

    TaskHandler handler();

    static void validate(String name, String queue, Duration timeout, int maxRetries, TaskHandler handler) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("task name must not be blank");
        if (name.contains("@")) {
            throw new IllegalArgumentException("task name '" + name + "' must not contain '@' (it separates the run id)");
        }
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("task '" + name + "': queue must not be blank (high or default)");
        }
        if (timeout == null || timeout.toMillis() < 1) {
            throw new IllegalArgumentException("task '" + name + "': timeout must be positive, got " + timeout);
        }
        if (maxRetries < 0) {
            throw new IllegalArgumentException("task '" + name + "': maxRetries must be >= 0, got " + maxRetries);
        }
        if (handler == null) throw new IllegalArgumentException("task '" + name + "': handler is missing");
    }
}
