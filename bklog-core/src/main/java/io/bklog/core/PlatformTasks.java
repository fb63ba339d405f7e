package io.bklog.core;

import io.bklog.core.ops.Operations;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.MetadataTaskRunRecorder;
import io.bklog.core.schedule.MetadataTaskStatusStore;
import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.SchedulerSettings;
import io.bklog.core.schedule.TaskRegistry;
import io.bklog.core.schedule.TaskSpec;
import io.bklog.core.meta.MetadataStore;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.TaskBroker;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** How {@link LogPlatformBuilder} makes the platform's scheduler and registers its tasks. */
final class PlatformTasks {
    private PlatformTasks() {}

    /** A scheduler (not started) on the platform's broker, lock, clock and meters, with runs and statuses in metadata. */
    static Scheduler scheduler(SchedulerSettings settings, TaskBroker broker, DistributedLock lock, Clock clock,
                               MetadataStore meta, MeterRegistry meters) {
        return settings.apply(Scheduler.builder(new TaskRegistry())).broker(broker).lock(lock).clock(clock)
                .recorder(new MetadataTaskRunRecorder(meta)).statusStore(new MetadataTaskStatusStore(meta))
                .meterRegistry(meters).build();
    }

    /** Deletes async export files past their expiry (bklog's export clean-up). */
    static final String EXPORT_CLEANUP_TASK = "ops.export_cleanup";

    /** Names of the tasks every platform registers. */
    static final List<String> BUILT_IN = builtIn();

    private static List<String> builtIn() {
        List<String> names = new ArrayList<>(io.bklog.core.ops.MaintenanceTasks.ALL);
        names.addAll(List.of(Operations.BACKUP_TASK, Operations.RESTORE_BACKUP_TASK, Operations.ARCHIVE_RESTORE_TASK,
                EXPORT_CLEANUP_TASK, io.bklog.core.alert.AlertService.TASK,
                io.bklog.core.alert.AlertService.DELIVER_TASK, io.bklog.core.alert.AlertService.RETENTION_TASK));
        return List.copyOf(names);
    }

    /** Refuses extra tasks that reuse a built-in name and schedule overrides that name no periodic task. */
    static void validate(SchedulerSettings settings, List<TaskSpec> extra) {
        TreeSet<String> periodic = new TreeSet<>(io.bklog.core.ops.MaintenanceTasks.ALL);
        periodic.add(EXPORT_CLEANUP_TASK);
        periodic.add(io.bklog.core.alert.AlertService.TASK);
        periodic.add(io.bklog.core.alert.AlertService.DELIVER_TASK);
        periodic.add(io.bklog.core.alert.AlertService.RETENTION_TASK);
        for (TaskSpec t : extra) {
            if (BUILT_IN.contains(t.name())) {
                throw new IllegalArgumentException("task '" + t.name() + "' is built in; give your task another name");
            }
            if (t instanceof PeriodicTask) periodic.add(t.name());
        }
        for (String name : settings.schedules().keySet()) {
            if (!periodic.contains(name)) {
                throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "scheduler.schedules names '" + name
                        + "', which is no periodic task; periodic tasks: " + periodic, "scheduler.schedules",
                        Map.of("known", List.copyOf(periodic)), null);
            }
        }
    }

    /**
     * Registers the operations' tasks and the caller's extra ones in the scheduler's registry, with the schedule
     * overrides of {@code settings} (checked before by {@link #validate}).
     */
    /**
     * The ad-hoc task that indexes an index set's stored documents again after fields were added to it (argument
     * {@code index_set}), so they are searchable in documents stored before; queued by every explicit field addition.
     */
    static final String REINDEX_TASK = "index_set_reindex";

    static void register(Scheduler scheduler, Operations ops, io.bklog.spi.LogStore store,
                         io.bklog.core.search.ExportJobService exports, List<TaskSpec> extra,
                         SchedulerSettings settings) {
        TaskRegistry staged = new TaskRegistry();
        ops.register(staged);
        staged.register(AsyncTask.of(REINDEX_TASK, ctx -> {
            String set = ctx.args().get("index_set");
            store.reindex(set, ctx::progress);
            return "reindexed index set " + set;
        }).withTimeout(java.time.Duration.ofHours(6)).withMaxRetries(2));
        staged.register(PeriodicTask.builder(EXPORT_CLEANUP_TASK, Schedule.every(java.time.Duration.ofMinutes(30)),
                ctx -> "deleted " + exports.cleanExpired() + " expired export files")
                .timeout(java.time.Duration.ofMinutes(10)).build());
        List<TaskSpec> all = new ArrayList<>();
        for (String name : staged.names()) all.add(staged.find(name).orElseThrow());
        all.addAll(extra);
        for (TaskSpec t : all) registerWithOverride(scheduler, t, settings);
    }

    /** Registers one task with the schedule override of {@code settings}, if any. */
    static void registerWithOverride(Scheduler scheduler, TaskSpec t, SchedulerSettings settings) {
        Schedule override = settings.schedules().get(t.name());
        if (override != null && t instanceof PeriodicTask p) {
            t = new PeriodicTask(p.name(), override, p.queue(), p.timeout(), p.maxRetries(), p.oncePerPeriod(),
                    p.args(), p.handler());
        }
        scheduler.registry().register(t);
    }
}
