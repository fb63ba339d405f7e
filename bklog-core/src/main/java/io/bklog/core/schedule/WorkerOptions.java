package io.bklog.core.schedule;

import io.bklog.spi.TaskBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The options of running tasks, shared by {@link Worker.Builder} and {@link Scheduler.Builder} (which hands them on
 * to its worker): where statuses and runs are kept, meters, consumer threads, queues, polling and retry back-off.
 * Not extended outside this package.
 *
 * @param <B> the builder type, returned by every option for chaining
 */
public abstract class WorkerOptions<B extends WorkerOptions<B>> extends TaskRunnerOptions<B> {
    TaskStatusStore statusStore = new InMemoryTaskStatusStore();
    TaskRunRecorder recorder = new InMemoryTaskRunRecorder();
    MeterRegistry meters = new SimpleMeterRegistry();
    int threads = 2;
    List<String> queues = List.of(TaskBroker.QUEUE_HIGH, TaskBroker.QUEUE_DEFAULT);
    Duration pollWait = Duration.ofSeconds(1);
    Duration retryBackoff = Duration.ofSeconds(5);
    Duration maxBackoff = Duration.ofMinutes(10);

    WorkerOptions() {
    }

    /** Default in memory (use a shared store when several instances run). */
    public B statusStore(TaskStatusStore statusStore) {
        this.statusStore = Objects.requireNonNull(statusStore, "statusStore");
        return self();
    }

    /** Default in memory (use a shared store when several instances run). */
    public B recorder(TaskRunRecorder recorder) {
        this.recorder = Objects.requireNonNull(recorder, "recorder");
        return self();
    }

    /** Default a private {@link SimpleMeterRegistry}. */
    public B meterRegistry(MeterRegistry meters) {
        this.meters = Objects.requireNonNull(meters, "meters");
        return self();
    }

    /** Queues consumed, in priority order; default {@code high, default}. */
    public B queues(List<String> queues) {
        this.queues = List.copyOf(queues);
        return self();
    }

    /** How long one receive waits; default 1 s. */
    public B pollWait(Duration pollWait) {
        this.pollWait = Objects.requireNonNull(pollWait, "pollWait");
        return self();
    }

    /** Back-off before the first retry, doubled per attempt; default 5 s. */
    public B retryBackoff(Duration retryBackoff) {
        this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
        return self();
    }

    /** Longest retry back-off; default 10 min. */
    public B maxBackoff(Duration maxBackoff) {
        this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
        return self();
    }

    /** Gives these options (and the clock and instance id) to {@code other}. */
    <O extends WorkerOptions<O>> O copyTo(O other) {
        other.clock = clock;
        other.instanceId = instanceId;
        other.statusStore = statusStore;
        other.recorder = recorder;
        other.meters = meters;
        other.threads = threads;
        other.queues = queues;
        other.pollWait = pollWait;
        other.retryBackoff = retryBackoff;
        other.maxBackoff = maxBackoff;
        return other;
    }
}
