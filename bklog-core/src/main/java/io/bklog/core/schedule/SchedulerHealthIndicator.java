package io.bklog.core.schedule;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.TaskBroker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Health of the scheduler of this instance, namespace {@code scheduler}: {@code beat_active} (whether this instance's
 * beat holds the beat lease; a standby is healthy), {@code worker_running} (fails when this instance should run
 * workers and they are stopped), {@code last_run} per periodic task (dimension {@code task}; fails when the latest
 * recorded attempt failed or timed out), and {@code dead_letters} per queue (dimension {@code queue}, at most 1,000
 * counted; informational).
 */
public final class SchedulerHealthIndicator implements HealthIndicator {

    private static final int DEAD_LETTER_SCAN = 1_000;

    private final Scheduler scheduler;
    private final TaskBroker broker;
    private final List<String> queues;
    private final boolean workerExpected;

    SchedulerHealthIndicator(Scheduler scheduler, TaskBroker broker, List<String> queues, boolean workerExpected) {
        this.scheduler = scheduler;
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
        boolean running = scheduler.worker().isRunning();
        if (workerExpected && !running) {
            out.add(HealthzMetric.failed("worker_running", false, "the workers of this instance are stopped",
                    "restart the instance or check its logs for event=worker_poll_failed"));
        } else {
            out.add(HealthzMetric.ok("worker_running", running));
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
}
