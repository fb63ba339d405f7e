package io.bklog.core.schedule;

import io.bklog.spi.TaskBroker;

import java.time.Duration;

/** A task run on demand ({@link Scheduler#submit}), with a status readable by its task id. */
public record AsyncTask(String name, String queue, Duration timeout, int maxRetries, TaskHandler handler)
        implements TaskSpec {
    public AsyncTask {
        TaskSpec.validate(name, queue, timeout, maxRetries, handler);
    }

    /** An async task on the {@code default} queue, 10 min timeout, 3 retries. */
    public static AsyncTask of(String name, TaskHandler handler) {
        return new AsyncTask(name, TaskBroker.QUEUE_DEFAULT, DEFAULT_TIMEOUT, DEFAULT_MAX_RETRIES, handler);
    }

    public AsyncTask withQueue(String queue) {
        return new AsyncTask(name, queue, timeout, maxRetries, handler);
    }

    public AsyncTask withTimeout(Duration timeout) {
        return new AsyncTask(name, queue, timeout, maxRetries, handler);
    }

    public AsyncTask withMaxRetries(int maxRetries) {
        return new AsyncTask(name, queue, timeout, maxRetries, handler);
    }
}
