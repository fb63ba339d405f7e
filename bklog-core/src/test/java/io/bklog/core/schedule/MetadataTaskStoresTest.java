package io.bklog.core.schedule;

import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The metadata-backed recorder and status store, driven by a real scheduler over an embedded H2 database. */
class MetadataTaskStoresTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:59:30Z"));
    @TempDir
    Path dir;
    private MetadataStore meta;

    @BeforeEach
    void open() {
        meta = MetadataStore.open(MetadataConfig.embedded(dir), clock);
        meta.migrate();
    }

    @AfterEach
    void close() {
        meta.close();
    }

    @Test
    void periodicRunsAreRecordedInTaskRunsWithOutcomeDurationAndError() {
        int[] calls = {0};
        TaskRegistry tasks = new TaskRegistry()
                .register(PeriodicTask.builder("ops.capacity_sync", Schedule.every(Duration.ofMinutes(10)),
                        ctx -> "index_sets=3").build())
                .register(PeriodicTask.builder("flaky", Schedule.every(Duration.ofMinutes(10)), ctx -> {
                    if (calls[0]++ == 0) throw new IllegalStateException("store is down");
                    return "ok";
                }).maxRetries(1).build());
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).retryBackoff(Duration.ofSeconds(1))
                .recorder(new MetadataTaskRunRecorder(meta)).statusStore(new MetadataTaskStatusStore(meta)).build()) {
            s.beat().tick();
            s.worker().drain("c");

            TaskRun sync = s.recorder().recent("ops.capacity_sync", 5).get(0);
            assertThat(sync.runId()).isEqualTo("ops.capacity_sync@2026-11-25T00:50:00Z");
            assertThat(sync.outcome()).isEqualTo(TaskRun.Outcome.SUCCESS);
            assertThat(sync.periodStart()).isEqualTo(Instant.parse("2026-11-25T00:50:00Z"));
            assertThat(s.recorder().succeeded(sync.runId())).isTrue();

            TaskRun failed = s.recorder().recent("flaky", 5).get(0);
            assertThat(failed.outcome()).isEqualTo(TaskRun.Outcome.FAILURE);
            assertThat(failed.message()).contains("store is down");
            assertThat(s.recorder().failedSince(clock.instant().minus(Duration.ofHours(1)))).isEqualTo(1);
            var row = meta.taskRuns().findByRunId(failed.runId()).orElseThrow();
            assertThat(row.error()).contains("IllegalStateException: store is down");
            assertThat(row.durationMs()).isNotNull();

            clock.advance(Duration.ofSeconds(2));
            s.worker().drain("c");
            TaskRun retried = s.recorder().recent("flaky", 5).get(0);
            assertThat(retried.outcome()).as("the retry that succeeded replaces the failure").isEqualTo(TaskRun.Outcome.SUCCESS);
            assertThat(retried.attempt()).isEqualTo(2);
            assertThat(s.recorder().failedSince(clock.instant().minus(Duration.ofHours(1)))).isZero();
            assertThat(s.recorder().recent(10)).hasSize(2);
        }
    }

    @Test
    void adHocStatusIsSharedThroughTheDatabaseWithProgressResultAndFailureReason() {
        TaskRegistry tasks = new TaskRegistry()
                .register(AsyncTask.of("backup", ctx -> {
                    ctx.progress(0.5, "copied 3 of 6 files");
                    return "backup-1";
                }))
                .register(AsyncTask.of("broken", ctx -> {
                    throw new IllegalArgumentException("no snapshot repository");
                }).withMaxRetries(0));
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).statusStore(new MetadataTaskStatusStore(meta))
                .recorder(new MetadataTaskRunRecorder(meta)).build()) {
            String ok = s.submit("backup", Map.of("kind", "full"));
            String bad = s.submit("broken", Map.of());
            // another instance reads the same rows
            MetadataTaskStatusStore other = new MetadataTaskStatusStore(meta);
            assertThat(other.get(ok).orElseThrow().state()).isEqualTo(TaskStatus.State.QUEUED);
            s.worker().drain("c");

            TaskStatus done = other.get(ok).orElseThrow();
            assertThat(done.state()).isEqualTo(TaskStatus.State.DONE);
            assertThat(done.result()).isEqualTo("backup-1");
            assertThat(done.progress()).isEqualTo(1.0);
            assertThat(done.task()).isEqualTo("backup");
            TaskStatus failed = other.get(bad).orElseThrow();
            assertThat(failed.state()).isEqualTo(TaskStatus.State.FAILED);
            assertThat(failed.message()).contains("no snapshot repository");
            assertThat(meta.asyncTasks().getById(bad).status()).isEqualTo("failed");
        }
    }

    @Test
    void taskHistoryCleanupDropsOldRunsAndFinishedStatusesOnly() {
        MetadataTaskRunRecorder runs = new MetadataTaskRunRecorder(meta);
        MetadataTaskStatusStore statuses = new MetadataTaskStatusStore(meta);
        Instant t = clock.instant();
        runs.record(new TaskRun("old@1", "old", "default", null, 1, t, t, TaskRun.Outcome.SUCCESS, "ok"));
        statuses.put(TaskStatus.queued("done-1", "backup", t).with(TaskStatus.State.DONE, 1, "done", "b1", 1, t));
        statuses.put(TaskStatus.queued("waiting-1", "backup", t));
        clock.advance(Duration.ofDays(31));
        runs.record(new TaskRun("new@2", "new", "default", null, 1, clock.instant(), clock.instant(),
                TaskRun.Outcome.SUCCESS, "ok"));

        String summary = new io.bklog.core.ops.IndexLifecycle(meta, new io.bklog.core.memory.MemoryLogStore(), null,
                clock).cleanTaskHistory(Duration.ofDays(30), Duration.ofDays(7));
        assertThat(summary).isEqualTo("task_runs=1 async_tasks=1");
        assertThat(runs.recent(10)).extracting(TaskRun::runId).containsExactly("new@2");
        assertThat(statuses.get("done-1")).isEmpty();
        assertThat(statuses.get("waiting-1")).as("an unfinished task keeps its status").isPresent();
    }
}
