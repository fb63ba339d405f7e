package io.bklog.core.schedule;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.TaskBroker;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Health of the scheduler of this instance, namespace {@code scheduler}: {@code beat_active} (whether this instance's
 * beat holds the beat lease; a standby is healthy), {@code beat_tick_age_seconds} (when this instance runs a beat:
 * seconds since its last tick; fails above 10 tick intervals and at least 30 s, a beat stuck on its lock backend),
 * {@code worker_running} (fails when this instance should run workers and they are stopped), {@code live_workers}
 * (consumer threads alive; fails below the configured count), {@code failed_runs_last_hour} (runs that ended failed
 * or timed out in the last hour, across instances when the recorder is shared; informational), {@code last_run} per periodic task (dimension {@code task}; fails when the latest
 * recorded attempt failed or timed out), and {@code dead_letters} per queue (dimension {@code queue}, at most 1,000
 * counted; informational).
 */
public final class SchedulerHealthIndicator implements HealthIndicator {

    private static final int DEAD_LETTER_SCAN = 1_000;
    private static final Duration MIN_TICK_AGE_LIMIT = Duration.ofSeconds(30);

    private final Scheduler scheduler;
    private final TaskBroker broker;
    private final List<String> queues;
    private final boolean workerExpected;
    private final boolean beatExpected;
    private final Clock clock;

    SchedulerHealthIndicator(Scheduler scheduler, TaskBroker broker, List<String> queues, boolean workerExpected,
                             boolean beatExpected, Clock clock) {
        this.scheduler = scheduler;
        this.beatExpected = beatExpected;
        this.clock = clock;
        this.broker = broker;
        this.queues = List.copyOf(queues);
        this.workerExpected = workerExpected;
    }

    @Override
    public String namespace() {
        return "scheduler";
    }

    @Override
    public List<HealthzMetric> check() {
        List<HealthzMetric> out = new ArrayList<>();
        out.add(HealthzMetric.ok("beat_active", scheduler.beat().isActive()));
        if (beatExpected) out.add(beatTickAge());
        boolean running = scheduler.worker().isRunning();
        if (workerExpected && !running) {
            out.add(HealthzMetric.failed("worker_running", false, "the workers of this instance are stopped",
                    "restart the instance or check its logs for event=worker_poll_failed"));
        } else {
            out.add(HealthzMetric.ok("worker_running", running));
        }
        int live = scheduler.worker().liveConsumers();
        int expected = workerExpected ? scheduler.worker().threads() : 0;
        if (live < expected) {
            out.add(HealthzMetric.failed("live_workers", live, "only " + live + " of " + expected
                            + " worker threads of this instance are alive",
                    "restart the instance; its log says why a worker thread stopped"));
        } else {
            out.add(HealthzMetric.ok("live_workers", live));
        }
        try {
            out.add(HealthzMetric.ok("failed_runs_last_hour",
                    scheduler.recorder().failedSince(clock.instant().minus(Duration.ofHours(1)))));
        } catch (RuntimeException e) {
            out.add(HealthzMetric.failed("failed_runs_last_hour", null, "cannot read the task runs: " + e.getMessage(),
                    "check the metadata database (namespace mysql)"));
        }
        for (PeriodicTask task : scheduler.registry().periodic()) {
            List<TaskRun> last = scheduler.recorder().recent(task.name(), 1);
            Map<String, String> dims = Map.of("task", task.name());
            if (last.isEmpty()) {
                out.add(new HealthzMetric(true, "last_run", "none", dims, "", ""));
                continue;
            }
            TaskRun run = last.get(0);
            if (run.outcome() == TaskRun.Outcome.SUCCESS) {
                out.add(new HealthzMetric(true, "last_run", run.outcome().tag(), dims, "", ""));
            } else {
                out.add(new HealthzMetric(false, "last_run", run.outcome().tag(), dims,
                        "task " + task.name() + " run " + run.runId() + " attempt " + run.attempt() + " ended "
                                + run.outcome().tag() + ": " + run.message(),
                        "see the task's recent runs and the dead letters of queue '" + task.queue() + "'"));
            }
        }
        for (String queue : queues) {
            Map<String, String> dims = Map.of("queue", queue);
            try {
                int dead = broker.deadLetters(queue, DEAD_LETTER_SCAN).size();
                out.add(new HealthzMetric(true, "dead_letters", dead, dims, "", ""));
            } catch (RuntimeException e) {
                out.add(new HealthzMetric(false, "dead_letters", null, dims,
                        "cannot read dead letters: " + e.getMessage(), "check that the task broker is reachable"));
            }
        }
        return out;
    }

    private HealthzMetric beatTickAge() {
        Optional<Instant> last = scheduler.beat().lastTick();
        if (last.isEmpty()) return new HealthzMetric(true, "beat_tick_age_seconds", null, Map.of(), "", "");
        double age = Math.max(0, Duration.between(last.get(), clock.instant()).toMillis() / 1000.0);
        Duration limit = scheduler.beat().tickInterval().multipliedBy(10);
        if (limit.compareTo(MIN_TICK_AGE_LIMIT) < 0) limit = MIN_TICK_AGE_LIMIT;
        if (age > limit.toMillis() / 1000.0) {
            return HealthzMetric.failed("beat_tick_age_seconds", age, "the beat of this instance last ticked "
                            + Math.round(age) + " s ago (limit " + limit.toSeconds() + " s); periodic tasks are not"
                            + " published by it",
                    "check the task lock backend (namespace redis when configured) and the log for "
                            + "event=beat_tick_failed");
        }
        return HealthzMetric.ok("beat_tick_age_seconds", age);
    }
}
