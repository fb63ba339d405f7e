package io.bklog.core.schedule;

import java.time.Clock;
import java.util.Objects;

/**
 * The options every task runner's builder shares ({@link Beat.Builder}, {@link Worker.Builder},
 * {@link Scheduler.Builder}): the clock and the instance id. Not extended outside this package.
 *
 * @param <B> the builder type, returned by every option for chaining
 */
public abstract class TaskRunnerOptions<B extends TaskRunnerOptions<B>> {
    Clock clock = Clock.systemUTC();
    String instanceId = Scheduler.defaultInstanceId();

    TaskRunnerOptions() {
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /** Default system UTC. */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return self();
    }

    /** Owner name in locks and consumer names; default host name + random suffix. */
    public B instanceId(String instanceId) {
        this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
        return self();
    }
}
