package io.bklog.core.ops;

import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.TaskRegistry;

import java.time.Duration;
import java.util.List;

/**
 * The periodic index lifecycle tasks, registered in one call:
 * <ul>
 *   <li>{@value #RETENTION} daily at 01:00 UTC: archive then delete expired indices ({@link IndexLifecycle#retention()});</li>
 *   <li>{@value #SNAPSHOT_EXPIRY} daily at 02:00 UTC: delete archive snapshots past their snapshot_days;</li>
 *   <li>{@value #CAPACITY} every 10 minutes: sync index set sizes;</li>
 *   <li>{@value #RESTORE_EXPIRY} every hour: drop the indices of expired restores;</li>
 *   <li>{@value #ROTATION} every hour: make sure today's indices and aliases exist;</li>
 *   <li>{@value #TASK_HISTORY} daily at 03:10 UTC: drop task run records older than 30 days and finished ad-hoc task
 *   statuses older than 7 days (bklog's {@code clean_expired_status}).</li>
 * </ul>
 */
public final class MaintenanceTasks {
    public static final String RETENTION = "ops.retention";
    public static final String SNAPSHOT_EXPIRY = "ops.snapshot_expiry";
    public static final String CAPACITY = "ops.capacity_sync";
    public static final String RESTORE_EXPIRY = "ops.restore_expiry";
    public static final String ROTATION = "ops.rotation";
    public static final String TASK_HISTORY = "ops.task_history_cleanup";
    public static final List<String> ALL = List.of(RETENTION, SNAPSHOT_EXPIRY, CAPACITY, RESTORE_EXPIRY, ROTATION,
            TASK_HISTORY);
    /** How long task run records are kept. */
    public static final Duration KEEP_TASK_RUNS = Duration.ofDays(30);
    /** How long statuses of finished ad-hoc tasks are kept. */
    public static final Duration KEEP_TASK_STATUSES = Duration.ofDays(7);

    private MaintenanceTasks() {}

    /** Registers the lifecycle tasks with their default schedules. */
    public static void register(TaskRegistry registry, IndexLifecycle lifecycle) {
        registry.register(PeriodicTask.builder(RETENTION, Schedule.cron("0 1 * * *"),
                ctx -> lifecycle.retention().toString()).timeout(Duration.ofHours(2)).build());
        registry.register(PeriodicTask.builder(SNAPSHOT_EXPIRY, Schedule.cron("0 2 * * *"),
                ctx -> "deleted=" + lifecycle.expireSnapshots().size()).build());
        registry.register(PeriodicTask.builder(CAPACITY, Schedule.every(Duration.ofMinutes(10)),
                ctx -> "index_sets=" + lifecycle.syncCapacity().size()).build());
        registry.register(PeriodicTask.builder(RESTORE_EXPIRY, Schedule.every(Duration.ofHours(1)),
                ctx -> "deleted=" + lifecycle.expireRestores().size()).build());
        registry.register(PeriodicTask.builder(ROTATION, Schedule.every(Duration.ofHours(1)),
                ctx -> "index_sets=" + lifecycle.rotate().size()).build());
        registry.register(PeriodicTask.builder(TASK_HISTORY, Schedule.cron("10 3 * * *"),
                ctx -> lifecycle.cleanTaskHistory(KEEP_TASK_RUNS, KEEP_TASK_STATUSES)).build());
    }
}
