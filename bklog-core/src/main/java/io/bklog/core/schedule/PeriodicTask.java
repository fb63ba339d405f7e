package io.bklog.core.schedule;

import io.bklog.spi.TaskBroker;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * A task the beat publishes once per period of its {@link Schedule}.
 *
 * @param oncePerPeriod when true (the default) a worker runs the task only while holding the task's lock (bklog's
 *                      {@code share_lock}), so two runs of the task never overlap across instances; a delivery that
 *                      finds the lock taken is left unacknowledged and comes back after the broker's visibility
 *                      timeout (by then the other run has finished, or its lease has expired because it died). With
 *                      false, runs of different periods may overlap. Either way each period is published once and
 *                      a run id that already succeeded is not run again.
 */
public record PeriodicTask(String name, Schedule schedule, String queue, Duration timeout, int maxRetries,
                           boolean oncePerPeriod, Map<String, String> args, TaskHandler handler) implements TaskSpec {
    public PeriodicTask {
        TaskSpec.validate(name, queue, timeout, maxRetries, handler);
        Objects.requireNonNull(schedule, () -> "task '" + name + "': schedule is missing");
        args = Map.copyOf(args);
    }

    public static Builder builder(String name, Schedule schedule, TaskHandler handler) {
        return new Builder(name, schedule, handler);
    }

    /** Builder; defaults: queue {@code default}, timeout 10 min, 3 retries, once per period, no args. */
    public static final class Builder {
        private final String name;
        private final Schedule schedule;
        private final TaskHandler handler;
        private String queue = TaskBroker.QUEUE_DEFAULT;
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxRetries = DEFAULT_MAX_RETRIES;
        private boolean oncePerPeriod = true;
        private Map<String, String> args = Map.of();

        private Builder(String name, Schedule schedule, TaskHandler handler) {
            this.name = name;
            this.schedule = schedule;
            this.handler = handler;
        }

        public Builder queue(String queue) {
            this.queue = queue;
            return this;
        }

        /** Routes the task to the {@code high} queue (bklog's {@code high_priority_periodic_task}). */
        public Builder highPriority() {
            return queue(TaskBroker.QUEUE_HIGH);
        }

        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        public Builder oncePerPeriod(boolean oncePerPeriod) {
            this.oncePerPeriod = oncePerPeriod;
            return this;
        }

        public Builder args(Map<String, String> args) {
            this.args = Objects.requireNonNull(args, "args");
            return this;
        }

        public PeriodicTask build() {
            return new PeriodicTask(name, schedule, queue, timeout, maxRetries, oncePerPeriod, args, handler);
        }
    }
}
