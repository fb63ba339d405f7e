package io.bklog.core.schedule;

import io.bklog.spi.TaskBroker;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T00:59:00Z"));

    /** The example task: bklog's clean_expired_restore_index_set, daily at 01:00. */
    @Test
    void examplePeriodicTaskRunsOncePerPeriodThroughBeatAndWorker() {
        List<Instant> cleaned = new ArrayList<>();
        TaskRegistry tasks = new TaskRegistry().register(PeriodicTask.builder("clean_expired_restore_index_set",
                Schedule.cron("0 1 * * *"), ctx -> {
                    cleaned.add(ctx.periodStart().orElseThrow());
                    return "removed 0 restore indices";
                }).timeout(Duration.ofMinutes(30)).maxRetries(1).build());
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).instanceId("i1").build()) {
            s.beat().tick();
            s.worker().drain("c");
            assertThat(cleaned).as("yesterday's 01:00 period is run once when the scheduler starts")
                    .containsExactly(Instant.parse("2026-11-24T01:00:00Z"));

            for (int minute = 0; minute < 3; minute++) {
                clock.advance(Duration.ofMinutes(1));
                s.beat().tick();
                s.worker().drain("c");
            }
            assertThat(cleaned).containsExactly(Instant.parse("2026-11-24T01:00:00Z"),
                    Instant.parse("2026-11-25T01:00:00Z"));
            assertThat(s.recorder().recent("clean_expired_restore_index_set", 10))
                    .extracting(TaskRun::runId).containsExactly("clean_expired_restore_index_set@2026-11-25T01:00:00Z",
                            "clean_expired_restore_index_set@2026-11-24T01:00:00Z");
        }
    }

    @Test
    void submittedTaskReportsQueuedRunningWithProgressAndDoneWithResult() {
        AtomicReference<TaskStatus> midway = new AtomicReference<>();
        AtomicReference<Scheduler> self = new AtomicReference<>();
        TaskRegistry tasks = new TaskRegistry().register(AsyncTask.of("async_export", ctx -> {
            ctx.progress(0.5, "exported 5000 of 10000 lines");
            midway.set(self.get().status(ctx.runId()).orElseThrow());
            return "export-" + ctx.args().get("index_set_id") + ".tar.gz";
        }).withQueue(TaskBroker.QUEUE_HIGH));
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).build()) {
            self.set(s);
            String id = s.submit("async_export", Map.of("index_set_id", "12"));
            assertThat(s.status(id).orElseThrow().state()).isEqualTo(TaskStatus.State.QUEUED);

            s.worker().drain("c");
            assertThat(midway.get().state()).isEqualTo(TaskStatus.State.RUNNING);
            assertThat(midway.get().progress()).isEqualTo(0.5);
            assertThat(midway.get().message()).isEqualTo("exported 5000 of 10000 lines");
            TaskStatus done = s.status(id).orElseThrow();
            assertThat(done.state()).isEqualTo(TaskStatus.State.DONE);
            assertThat(done.progress()).isEqualTo(1.0);
            assertThat(done.result()).isEqualTo("export-12.tar.gz");
            assertThat(done.finished()).isTrue();
        }
    }

    @Test
    void submittedTaskThatKeepsFailingEndsFailedWithTheReason() {
        TaskRegistry tasks = new TaskRegistry().register(AsyncTask.of("bad", ctx -> {
            throw new IllegalArgumentException("index set 7 does not exist");
        }).withMaxRetries(1));
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).retryBackoff(Duration.ofSeconds(1)).build()) {
            String id = s.submit("bad", Map.of());
            s.worker().drain("c");
            TaskStatus retrying = s.status(id).orElseThrow();
            assertThat(retrying.state()).isEqualTo(TaskStatus.State.QUEUED);
            assertThat(retrying.message()).startsWith("attempt 1 failed: IllegalArgumentException: index set 7");
            clock.advance(Duration.ofSeconds(1));
            s.worker().drain("c");
            TaskStatus failed = s.status(id).orElseThrow();
            assertThat(failed.state()).isEqualTo(TaskStatus.State.FAILED);
            assertThat(failed.attempt()).isEqualTo(2);
            assertThat(failed.message())
                    .isEqualTo("failed after 2 attempts: IllegalArgumentException: index set 7 does not exist");
        }
    }

    @Test
    void healthReportsBeatWorkerLastRunsAndDeadLetters() {
        TaskRegistry tasks = new TaskRegistry()
                .register(PeriodicTask.builder("ok_task", Schedule.every(Duration.ofMinutes(1)), ctx -> null).build())
                .register(PeriodicTask.builder("bad_task", Schedule.every(Duration.ofMinutes(1)), ctx -> {
                    throw new IllegalStateException("cluster red");
                }).maxRetries(0).build());
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).worker(false).build()) {
            s.beat().tick();
            s.worker().drain("c");
            var health = s.healthIndicator();
            assertThat(health.namespace()).isEqualTo("scheduler");
            var metrics = health.check();
            assertThat(metrics).filteredOn(m -> m.metricName().equals("beat_active"))
                    .singleElement().satisfies(m -> assertThat(m.metricValue()).isEqualTo(true));
            assertThat(metrics).filteredOn(m -> m.metricName().equals("last_run"))
                    .extracting(m -> m.dimensions().get("task") + "=" + m.metricValue() + ":" + m.status())
                    .containsExactly("bad_task=failure:false", "ok_task=success:true");
            assertThat(metrics).filteredOn(m -> !m.status()).singleElement().satisfies(m -> {
                assertThat(m.message()).contains("bad_task").contains("IllegalStateException: cluster red");
                assertThat(m.suggestion()).contains("dead letters");
            });
            assertThat(metrics).filteredOn(m -> m.metricName().equals("dead_letters"))
                    .extracting(m -> m.dimensions().get("queue") + "=" + m.metricValue())
                    .containsExactly("high=0", "default=1");
        }
    }

    @Test
    void submitRefusesUnknownTaskAndReservedArgument() {
        TaskRegistry tasks = new TaskRegistry().register(AsyncTask.of("a", ctx -> null));
        try (Scheduler s = Scheduler.builder(tasks).clock(clock).build()) {
            assertThatThrownBy(() -> s.submit("b", Map.of())).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("no task named 'b' is registered; registered: [a]");
            assertThatThrownBy(() -> s.submit("a", Map.of(Beat.PERIOD_ARG, "x")))
                    .hasMessageContaining("reserved");
        }
    }

    @Test
    void registryRefusesDuplicateNamesAndBadDefinitions() {
        TaskRegistry tasks = new TaskRegistry().register(AsyncTask.of("a", ctx -> null));
        assertThatThrownBy(() -> tasks.register(PeriodicTask.builder("a", Schedule.every(Duration.ofMinutes(1)),
                ctx -> null).build())).hasMessageContaining("already registered");
        assertThatThrownBy(() -> AsyncTask.of("x@y", ctx -> null)).hasMessageContaining("must not contain '@'");
        assertThatThrownBy(() -> AsyncTask.of("x", ctx -> null).withMaxRetries(-1))
                .hasMessage("task 'x': maxRetries must be >= 0, got -1");
    }

    @Test
    void startedSchedulerPublishesAndRunsOnItsOwnThreads() {
        List<String> runs = new java.util.concurrent.CopyOnWriteArrayList<>();
        TaskRegistry tasks = new TaskRegistry().register(PeriodicTask.builder("tick",
                Schedule.every(Duration.ofHours(1)), ctx -> { runs.add(ctx.runId()); return null; }).build());
        try (Scheduler s = Scheduler.builder(tasks).tickInterval(Duration.ofMillis(50)).pollWait(Duration.ofMillis(50))
                .build().start()) {
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> runs.size() == 1);
            assertThat(s.beat().isActive()).isTrue();
        }
    }
}
