package io.bklog.core.schedule;

import io.bklog.core.memory.InProcessLock;
import io.bklog.core.memory.InProcessTaskBroker;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskMessage;
import io.bklog.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class WorkerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-25T10:00:00Z"));
    private final InProcessTaskBroker broker = InProcessTaskBroker.builder().clock(clock)
            .visibilityTimeout(Duration.ofMinutes(1)).build();
    private final InProcessLock lock = new InProcessLock(clock);
    private final InMemoryTaskRunRecorder recorder = new InMemoryTaskRunRecorder();
    private final InMemoryTaskStatusStore statuses = new InMemoryTaskStatusStore();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TaskRegistry registry = new TaskRegistry();
    private final List<String> ran = new ArrayList<>();
    private Worker worker;

    private Worker worker() {
        worker = Worker.builder(registry, broker, lock).clock(clock).recorder(recorder).statusStore(statuses)
                .meterRegistry(meters).instanceId("w").retryBackoff(Duration.ofSeconds(10)).build();
        return worker;
    }

    @AfterEach
    void close() {
        if (worker != null) worker.close();
    }

    private double runs(String task, String outcome) {
        var c = meters.find("bklog.task.runs").tag("task", task).tag("outcome", outcome).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void takesHighBeforeDefaultButServesDefaultOnEveryFifthPoll() {
        registry.register(AsyncTask.of("h", ctx -> { ran.add("h"); return null; }).withQueue("high"));
        registry.register(AsyncTask.of("d", ctx -> { ran.add("d"); return null; }));
        for (int i = 0; i < 10; i++) {
            broker.publish(TaskMessage.of("h" + i, "high", "h", Map.of()));
            broker.publish(TaskMessage.of("d" + i, "default", "d", Map.of()));
        }
        Worker w = worker();
        for (int i = 0; i < 10; i++) w.processNext("c", Duration.ZERO);
        assertThat(ran).containsExactly("h", "h", "h", "h", "d", "h", "h", "h", "h", "d");
        assertThat(w.drain("c")).isEqualTo(10);
    }

    @Test
    void aRunWaitsForATaskThreadWhenEveryOneIsBusyInsteadOfFailing() throws Exception {
        // one consumer: two task threads; two handlers that outlive their timeout hold both
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch bothStuck = new CountDownLatch(2);
        registry.register(AsyncTask.of("stuck", ctx -> {
            bothStuck.countDown();
            com.google.common.util.concurrent.Uninterruptibles.awaitUninterruptibly(release);
            return null;
        }).withTimeout(Duration.ofMillis(50)).withMaxRetries(0));
        registry.register(AsyncTask.of("quick", ctx -> "ok"));
        broker.publish(TaskMessage.of("stuck-1", "default", "stuck", Map.of()));
        broker.publish(TaskMessage.of("stuck-2", "default", "stuck", Map.of()));
        broker.publish(TaskMessage.of("quick-1", "default", "quick", Map.of()));
        Thread releaser = new Thread(() -> {
            com.google.common.util.concurrent.Uninterruptibles.awaitUninterruptibly(bothStuck);
            com.google.common.util.concurrent.Uninterruptibles.sleepUninterruptibly(Duration.ofMillis(300));
            release.countDown();
        });
        releaser.start();
        Worker w = Worker.builder(registry, broker, lock).clock(clock).recorder(recorder).statusStore(statuses)
                .meterRegistry(meters).instanceId("w").threads(1).build();
        worker = w;
        assertThat(w.drain("c")).isEqualTo(3);
        releaser.join();
        assertThat(recorder.recent("quick", 10)).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(TaskRun.Outcome.SUCCESS);
            assertThat(r.attempt()).isEqualTo(1);
        });
    }

    @Test
    void acksSuccessfulRunAndRecordsItWithMetrics() {
        registry.register(AsyncTask.of("sync_storage_capacity", ctx -> {
            clock.advance(Duration.ofSeconds(3));
            return "12 clusters";
        }));
        broker.publish(TaskMessage.of("run-1", "default", "sync_storage_capacity", Map.of()));
        assertThat(worker().drain("c")).isEqualTo(1);

        TaskRun run = recorder.recent("sync_storage_capacity", 10).get(0);
        assertThat(run.outcome()).isEqualTo(TaskRun.Outcome.SUCCESS);
        assertThat(run.message()).isEqualTo("12 clusters");
        assertThat(run.duration()).isEqualTo(Duration.ofSeconds(3));
        assertThat(run.startedAt()).isEqualTo(Instant.parse("2026-11-25T10:00:00Z"));
        assertThat(recorder.succeeded("run-1")).isTrue();
        assertThat(runs("sync_storage_capacity", "success")).isEqualTo(1);
        assertThat(meters.find("bklog.task.duration").tag("task", "sync_storage_capacity").timer().count())
                .isEqualTo(1);
        clock.advance(Duration.ofMinutes(5));
        assertThat(broker.receive(List.of("default"), "x", Duration.ZERO)).as("acked, never redelivered").isEmpty();
    }

    @Test
    void retriesWithExponentialBackoffThenDeadLettersWithTheReason() {
        AtomicInteger attempts = new AtomicInteger();
        registry.register(AsyncTask.of("flaky", ctx -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("es unreachable");
        }).withMaxRetries(2));
        broker.publish(TaskMessage.of("run-1", "default", "flaky", Map.of()));
        Worker w = worker();

        assertThat(w.drain("c")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(9));
        assertThat(w.drain("c")).as("first back-off is 10 s").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(w.drain("c")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(19));
        assertThat(w.drain("c")).as("second back-off is 20 s").isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(w.drain("c")).isEqualTo(1);

        assertThat(attempts).hasValue(3);
        assertThat(broker.deadLetters("default", 10)).singleElement().satisfies(d -> {
            assertThat(d.reason()).isEqualTo("failed after 3 attempts: IllegalStateException: es unreachable");
            assertThat(d.message().attempt()).isEqualTo(3);
        });
        assertThat(recorder.recent("flaky", 10)).extracting(TaskRun::attempt).containsExactly(3, 2, 1);
        assertThat(runs("flaky", "failure")).isEqualTo(3);
        clock.advance(Duration.ofHours(1));
        assertThat(w.drain("c")).isZero();
    }

    @Test
    void backoffDoublesUpToTheMaximum() {
        Worker w = Worker.builder(registry, broker, lock).retryBackoff(Duration.ofSeconds(5))
                .maxBackoff(Duration.ofMinutes(1)).build();
        worker = w;
        assertThat(w.backoff(1)).isEqualTo(Duration.ofSeconds(5));
        assertThat(w.backoff(3)).isEqualTo(Duration.ofSeconds(20));
        assertThat(w.backoff(5)).isEqualTo(Duration.ofMinutes(1));
        assertThat(w.backoff(80)).isEqualTo(Duration.ofMinutes(1));
    }

    @Test
    void handlerPastItsTimeoutIsInterruptedAndTheRunFails() {
        CountDownLatch never = new CountDownLatch(1);
        AtomicInteger interrupted = new AtomicInteger();
        registry.register(AsyncTask.of("stuck", ctx -> {
            try {
                never.await();
            } catch (InterruptedException e) {
                interrupted.incrementAndGet();
                throw e;
            }
            return null;
        }).withTimeout(Duration.ofMillis(200)).withMaxRetries(0));
        broker.publish(TaskMessage.of("run-1", "default", "stuck", Map.of()));
        worker().drain("c");
        assertThat(broker.deadLetters("default", 1)).singleElement()
                .extracting(TaskBroker.DeadLetter::reason).isEqualTo("failed after 1 attempt: timed out after PT0.2S");
        assertThat(recorder.recent("stuck", 1).get(0).outcome()).isEqualTo(TaskRun.Outcome.TIMEOUT);
        assertThat(runs("stuck", "timeout")).isEqualTo(1);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> interrupted.get() == 1);
    }

    @Test
    void aRunLongerThanTheVisibilityTimeoutKeepsItsDeliveryByHeartbeatAndRunsOnce() throws Exception {
        // real time here: the broker's visibility timeout is 300 ms, the run takes four of them
        InProcessTaskBroker fast = InProcessTaskBroker.builder().visibilityTimeout(Duration.ofMillis(300)).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.register(AsyncTask.of("long_run", ctx -> {
            started.countDown();
            release.await();
            return "ok";
        }).withTimeout(Duration.ofSeconds(30)));
        fast.publish(TaskMessage.of("run-long", "default", "long_run", Map.of()));
        Worker w = Worker.builder(registry, fast, lock).clock(clock).recorder(recorder).statusStore(statuses)
                .meterRegistry(meters).instanceId("w").build();
        Thread runner = new Thread(() -> w.processNext("c1", Duration.ofSeconds(1)), "test-runner");
        runner.start();
        assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        long end = System.nanoTime() + Duration.ofMillis(1_200).toNanos();
        while (System.nanoTime() < end) {
            assertThat(fast.receive(List.of("default"), "c2", Duration.ofMillis(100)))
                    .as("handed to a second worker while the first one runs it").isEmpty();
        }
        release.countDown();
        runner.join(5_000);
        assertThat(runs("long_run", "success")).isEqualTo(1);
        assertThat(runs("long_run", "deferred")).isZero();
        assertThat(fast.receive(List.of("default"), "c2", Duration.ofMillis(400))).as("acknowledged").isEmpty();
        w.close();
        fast.close();
    }

    @Test
    void aLongRunRenewsItsTaskLockSoItOutlivesTheLeaseButAKilledWorkersLockPassesAfterOneLease() throws Exception {
        // the lock is timed by the test's clock; the worker's beats run on real time (300 ms visibility => 100 ms)
        InProcessTaskBroker fast = InProcessTaskBroker.builder().visibilityTimeout(Duration.ofMillis(300)).build();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        registry.register(PeriodicTask.builder("rollover", Schedule.cron("*/15 * * * *"), ctx -> {
            started.countDown();
            release.await();
            return "ok";
        }).timeout(Duration.ofMinutes(10)).build());
        fast.publish(new TaskMessage("rollover@2026-11-25T10:00:00Z", "default", "rollover",
                Map.of(Beat.PERIOD_ARG, "2026-11-25T10:00:00Z"), 1, 0));
        Worker w = Worker.builder(registry, fast, lock).clock(clock).recorder(recorder).statusStore(statuses)
                .meterRegistry(meters).instanceId("w").build();
        Thread runner = new Thread(() -> w.processNext("c1", Duration.ofSeconds(1)), "test-runner");
        runner.start();
        assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String lockName = Worker.TASK_LOCK_PREFIX + "rollover";
        for (int i = 0; i < 4; i++) { // 4 × 20 s: well past one 30 s lease, renewed at every beat
            clock.advance(Duration.ofSeconds(20));
            Thread.sleep(350);
            assertThat(lock.tryAcquire(lockName, "other-instance", Duration.ofMinutes(1)))
                    .as("the lock of a run still going, %d s in", 20 * (i + 1)).isEmpty();
        }
        release.countDown();
        runner.join(5_000);
        assertThat(runs("rollover", "success")).isEqualTo(1);
        w.close();
        fast.close();

        // a worker killed mid-run renews nothing: its lease of the 10-minute task passes after 30 s, not 10 minutes
        var dead = lock.tryAcquire(lockName, "killed-instance", Worker.RUN_LOCK_LEASE).orElseThrow();
        clock.advance(Duration.ofSeconds(29));
        assertThat(lock.tryAcquire(lockName, "other-instance", Duration.ofMinutes(1))).isEmpty();
        clock.advance(Duration.ofSeconds(2));
        assertThat(lock.tryAcquire(lockName, "other-instance", Duration.ofMinutes(1))).isPresent();
        assertThat(lock.isHeld(dead)).isFalse();
    }

    @Test
    void aRunThatLosesItsLockStopsInsteadOfRunningBesideTheNextHolder() throws Exception {
        InProcessTaskBroker fast = InProcessTaskBroker.builder().visibilityTimeout(Duration.ofMillis(300)).build();
        CountDownLatch started = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean interrupted = new java.util.concurrent.atomic.AtomicBoolean();
        registry.register(PeriodicTask.builder("retention", Schedule.cron("*/15 * * * *"), ctx -> {
            started.countDown();
            try {
                Thread.sleep(30_000);
            } catch (InterruptedException e) {
                interrupted.set(true);
            }
            return "ok";
        }).timeout(Duration.ofMinutes(10)).maxRetries(0).build());
        fast.publish(new TaskMessage("retention@2026-11-25T10:00:00Z", "default", "retention",
                Map.of(Beat.PERIOD_ARG, "2026-11-25T10:00:00Z"), 1, 0));
        Worker w = Worker.builder(registry, fast, lock).clock(clock).recorder(recorder).statusStore(statuses)
                .meterRegistry(meters).instanceId("w").build();
        Thread runner = new Thread(() -> w.processNext("c1", Duration.ofSeconds(1)), "test-runner");
        runner.start();
        assertThat(started.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        // a pause longer than the lease (the test's clock): another instance takes the lock before the next beat
        clock.advance(Worker.RUN_LOCK_LEASE.plusSeconds(1));
        assertThat(lock.tryAcquire(Worker.TASK_LOCK_PREFIX + "retention", "other-instance", Duration.ofMinutes(1)))
                .isPresent();
        runner.join(5_000);
        assertThat(runner.isAlive()).isFalse();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
        assertThat(recorder.recent("retention", 1).get(0).outcome()).isEqualTo(TaskRun.Outcome.FAILURE);
        assertThat(recorder.recent("retention", 1).get(0).message()).contains("lost its lock");
        w.close();
        fast.close();
    }

    @Test
    void runIdThatAlreadySucceededIsAcknowledgedWithoutRunning() {
        registry.register(AsyncTask.of("t", ctx -> { ran.add(ctx.runId()); return null; }));
        broker.publish(TaskMessage.of("run-1", "default", "t", Map.of()));
        broker.publish(TaskMessage.of("run-1", "default", "t", Map.of()));
        assertThat(worker().drain("c")).isEqualTo(2);
        assertThat(ran).containsExactly("run-1");
        assertThat(runs("t", "duplicate")).isEqualTo(1);
    }

    @Test
    void oncePerPeriodTaskWaitsWhileAnotherRunHoldsItsLockAndRunsAfterRedelivery() {
        registry.register(PeriodicTask.builder("no_data_check", Schedule.cron("*/15 * * * *"),
                ctx -> { ran.add(ctx.runId()); return null; }).build());
        var other = lock.tryAcquire(Worker.TASK_LOCK_PREFIX + "no_data_check", "other-instance",
                Duration.ofMinutes(10)).orElseThrow();
        broker.publish(new TaskMessage("no_data_check@2026-11-25T10:00:00Z", "default", "no_data_check",
                Map.of(Beat.PERIOD_ARG, "2026-11-25T10:00:00Z"), 1, 0));
        Worker w = worker();
        assertThat(w.drain("c")).isEqualTo(1);
        assertThat(ran).isEmpty();
        assertThat(runs("no_data_check", "deferred")).isEqualTo(1);

        lock.release(other);
        clock.advance(Duration.ofMinutes(1));
        assertThat(w.drain("c")).isEqualTo(1);
        assertThat(ran).containsExactly("no_data_check@2026-11-25T10:00:00Z");
    }

    @Test
    void runStillGoingElsewhereIsNotStartedAgainWhenItsDeliveryComesBack() {
        registry.register(AsyncTask.of("export", ctx -> { ran.add(ctx.runId()); return null; }));
        var running = lock.tryAcquire(Worker.RUN_LOCK_PREFIX + "run-1", "worker-on-other-instance",
                Duration.ofMinutes(10)).orElseThrow();
        broker.publish(TaskMessage.of("run-1", "default", "export", Map.of()));
        Worker w = worker();
        assertThat(w.drain("c")).isEqualTo(1);
        assertThat(ran).isEmpty();
        assertThat(runs("export", "deferred")).isEqualTo(1);

        lock.release(running);
        clock.advance(Duration.ofMinutes(1));
        assertThat(w.drain("c")).isEqualTo(1);
        assertThat(ran).containsExactly("run-1");
        assertThat(lock.tryAcquire(Worker.RUN_LOCK_PREFIX + "run-1", "x", Duration.ofSeconds(1)))
                .as("released after the run").isPresent();
    }

    @Test
    void periodicRunSeesItsPeriodStart() {
        List<Instant> seen = new ArrayList<>();
        registry.register(PeriodicTask.builder("p", Schedule.every(Duration.ofMinutes(1)),
                ctx -> { seen.add(ctx.periodStart().orElseThrow()); return null; }).build());
        broker.publish(new TaskMessage("p@2026-11-25T10:00:00Z", "default", "p",
                Map.of(Beat.PERIOD_ARG, "2026-11-25T10:00:00Z"), 1, 0));
        worker().drain("c");
        assertThat(seen).containsExactly(Instant.parse("2026-11-25T10:00:00Z"));
    }

    @Test
    void unknownTaskIsDeadLetteredNamingTheRegisteredOnes() {
        registry.register(AsyncTask.of("known", ctx -> null));
        broker.publish(TaskMessage.of("x", "default", "renamed_task", Map.of()));
        worker().drain("c");
        assertThat(broker.deadLetters("default", 1)).singleElement().extracting(TaskBroker.DeadLetter::reason)
                .isEqualTo("no handler registered for task 'renamed_task'; registered: [known]");
        assertThat(runs("renamed_task", "unknown_task")).isEqualTo(1);
    }

    @Test
    void startedWorkerThreadsConsumeUntilClosed() {
        registry.register(AsyncTask.of("t", ctx -> { synchronized (ran) { ran.add(ctx.runId()); } return null; }));
        for (int i = 0; i < 20; i++) broker.publish(TaskMessage.of("r" + i, i % 2 == 0 ? "high" : "default", "t", Map.of()));
        Worker w = Worker.builder(registry, broker, lock).clock(clock).recorder(recorder).threads(3)
                .pollWait(Duration.ofMillis(50)).instanceId("w").build().start();
        worker = w;
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            synchronized (ran) {
                return ran.size() == 20;
            }
        });
        w.close();
        assertThat(ran).doesNotHaveDuplicates();
    }
}
