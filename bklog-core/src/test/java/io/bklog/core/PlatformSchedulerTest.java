package io.bklog.core;

import io.bklog.core.health.HealthReport;
import io.bklog.core.health.NamespaceData;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.SchedulerSettings;
import io.bklog.core.schedule.TaskStatus;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The scheduler every platform runs: built-in and extra tasks, roles, health, and the operations as tasks. */
class PlatformSchedulerTest {

    @TempDir
    Path dir;

    private static TaskStatus awaitFinished(LogPlatform p, String id) {
        await().atMost(Duration.ofSeconds(30)).until(() -> p.scheduler().status(id).map(TaskStatus::finished)
                .orElse(false));
        return p.scheduler().status(id).orElseThrow();
    }

    private static NamespaceData namespace(HealthReport r, String ns) {
        return r.data().stream().filter(d -> d.namespace().equals(ns)).findFirst()
                .orElseThrow(() -> new AssertionError("no namespace " + ns + " in " + r));
    }

    private static HealthzMetric metric(NamespaceData ns, String name) {
        return ns.data().stream().filter(m -> m.metricName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + ns));
    }

    @Test
    void defaultPlatformRunsWorkersForBuiltInAndExtraTasksButNoBeat() {
        AtomicInteger exports = new AtomicInteger();
        try (LogPlatform p = LogPlatform.builder().backend("memory", Map.of()).dataDir(dir)
                .task(AsyncTask.of("export", ctx -> {
                    ctx.progress(0.5, "half");
                    return "rows=" + exports.incrementAndGet();
                })).build()) {
            assertThat(p.scheduler().registry().names()).contains("ops.retention", "ops.snapshot_expiry",
                    "ops.capacity_sync", "ops.restore_expiry", "ops.rotation", "backup", "restore_backup",
                    "archive_restore", "export", "ops.export_cleanup");
            assertThat(p.scheduler().runsBeat()).isFalse();
            assertThat(p.scheduler().runsWorkers()).isTrue();

            TaskStatus export = awaitFinished(p, p.scheduler().submit("export", Map.of()));
            assertThat(export.state()).isEqualTo(TaskStatus.State.DONE);
            assertThat(export.result()).isEqualTo("rows=1");
            // the run is in the metadata database
            assertThat(p.internals().metadata().taskRuns().findByRunId(export.id())).get()
                    .satisfies(r -> assertThat(r.outcome()).isEqualTo("success"));
            assertThat(p.meterRegistry().find("bklog.task.runs").tag("task", "export").tag("outcome", "success")
                    .counter().count()).isEqualTo(1.0);
            assertThat(p.meterRegistry().find("bklog.task.duration").tag("task", "export").timer().count())
                    .isEqualTo(1);

            String backupTask = p.operations().submitBackup("full");
            TaskStatus backup = awaitFinished(p, backupTask);
            assertThat(backup.state()).as(backup.message()).isEqualTo(TaskStatus.State.DONE);
            assertThat(backup.progress()).isEqualTo(1.0);
            assertThat(p.operations().backups().list()).extracting(m -> m.id()).containsExactly(backup.result());
            assertThat(p.operations().backups().verify(backup.result()).ok()).isTrue();

            assertThatThrownBy(() -> p.operations().submitBackup("weekly"))
                    .isInstanceOf(BklogException.class).hasMessageContaining("'full' or 'incremental'")
                    .extracting(e -> ((BklogException) e).code()).isEqualTo(ErrorCode.BAD_REQUEST);
        }
    }

    @Test
    void healthHasTheSchedulerNamespaceAndDeadLettersInService() {
        try (LogPlatform p = LogPlatform.builder().backend("memory", Map.of())
                .scheduler(SchedulerSettings.defaults().withTickInterval(Duration.ofMillis(50)))
                .healthTimeout(Duration.ofMillis(1500)).build()) {
            assertThat(p.health().timeout()).isEqualTo(Duration.ofMillis(1500));
            String dl = BatchingSink.DEAD_LETTER_INDEX_SET;
            p.internals().store().ensureIndexSet(BatchingSink.deadLetterSchema(dl));
            List<LogDocument> dead = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                dead.add(new LogDocument("d" + i, Instant.now(), Map.of("log", "refused " + i)));
            }
            p.internals().store().index(dl, dead);
            p.internals().store().refresh(dl);

            await().atMost(Duration.ofSeconds(10)).until(() -> p.scheduler().beat().isActive());
            HealthReport r = p.health().collect();
            NamespaceData scheduler = namespace(r, "scheduler");
            assertThat(scheduler.status()).as(scheduler.toString()).isTrue();
            assertThat(metric(scheduler, "live_workers").metricValue()).isEqualTo(2);
            assertThat(metric(scheduler, "failed_runs_last_hour").metricValue()).isEqualTo(0L);
            assertThat(((Number) metric(scheduler, "beat_tick_age_seconds").metricValue()).doubleValue())
                    .isLessThan(5.0);
            assertThat(metric(namespace(r, "service"), "dead_letters").metricValue()).isEqualTo(3.0);
            // each namespace's checks once: the metadata database is checked by one indicator
            assertThat(namespace(r, "mysql").data()).filteredOn(m -> m.metricName().equals("ping")).hasSize(1);
        }
    }

    @Test
    void badTaskSetupsAreRefusedAtBuild() {
        assertThatThrownBy(() -> LogPlatform.builder().backend("memory", Map.of())
                .task(AsyncTask.of("backup", ctx -> "mine")).build())
                .hasMessageContaining("task 'backup' is built in");
        assertThatThrownBy(() -> LogPlatform.builder().backend("memory", Map.of())
                .scheduler(SchedulerSettings.workersOnly().withSchedule("ops.retentoin", Schedule.cron("0 3 * * *")))
                .build())
                .isInstanceOf(BklogException.class)
                .hasMessageContaining("'ops.retentoin'").hasMessageContaining("ops.retention");
    }

    @Test
    void scheduleOverridesApplyToBuiltInAndExtraPeriodicTasks() {
        try (LogPlatform p = LogPlatform.builder().backend("memory", Map.of())
                .scheduler(SchedulerSettings.apiOnly().withSchedule("ops.retention", Schedule.cron("0 3 * * *"))
                        .withSchedule("mine", Schedule.every(Duration.ofMinutes(5))))
                .task(PeriodicTask.builder("mine", Schedule.every(Duration.ofHours(1)), ctx -> "ok").build())
                .build()) {
            assertThat(p.scheduler().registry().periodic()).extracting(t -> t.name() + "=" + t.schedule())
                    .contains("ops.retention=cron(0 3 * * *)", "mine=every(PT5M)", "ops.capacity_sync=every(PT10M)");
            assertThat(p.scheduler().runsWorkers()).isFalse();
            assertThat(p.scheduler().runsBeat()).isFalse();
            assertThat(SchedulerSettings.parseSchedule("10m")).isEqualTo(Schedule.every(Duration.ofMinutes(10)));
            assertThat(SchedulerSettings.parseSchedule("PT1H")).isEqualTo(Schedule.every(Duration.ofHours(1)));
            assertThatThrownBy(() -> SchedulerSettings.parseSchedule("weekly"))
                    .hasMessageContaining("expected a cron expression");
        }
    }
}
