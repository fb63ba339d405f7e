package io.bklog.redis;

import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances (each a beat and two workers, with its own Redis connections) share one Redis: every periodic task
 * runs exactly once per period, and when the active beat dies the other one takes over within one lease.
 */
class RedisSchedulerIT {

    private static final Duration PERIOD = Duration.ofSeconds(1);
    private static final Duration LEASE = Duration.ofMillis(1_500);
    private static RedisFixture redis;

    @BeforeAll
    static void connect() {
        redis = new RedisFixture("scheduler");
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) redis.close();
    }

    private record Run(String task, Instant period, String thread) {}

    /** One instance: its scheduler over its own broker and lock (own Redis clients). */
    private record Instance(Scheduler scheduler, RedisTaskBroker broker, RedisLock lock) implements AutoCloseable {
        @Override
        public void close() {
            scheduler.close();
            broker.close();
            lock.close();
        }
    }

    private static Instance instance(String id, String prefix, List<Run> runs) {
        TaskRegistry tasks = new TaskRegistry();
        for (String name : List.of("sync_space", "bk_monitor_report")) {
            PeriodicTask.Builder b = PeriodicTask.builder(name, Schedule.every(PERIOD), ctx -> {
                runs.add(new Run(ctx.task(), ctx.periodStart().orElseThrow(), Thread.currentThread().getName()));
                return null;
            }).timeout(Duration.ofSeconds(5));
            tasks.register(name.equals("sync_space") ? b.highPriority().build() : b.build());
        }
        RedisTaskBroker broker = RedisTaskBroker.builder().uri(RedisFixture.URI).prefix(prefix)
                .visibilityTimeout(Duration.ofSeconds(5)).build();
        RedisLock lock = RedisLock.builder().uri(RedisFixture.URI).prefix(prefix).build();
        return new Instance(Scheduler.builder(tasks).broker(broker).lock(lock).instanceId(id).workerThreads(2)
                .leaseTtl(LEASE).tickInterval(Duration.ofMillis(100)).pollWait(Duration.ofMillis(200)).build(),
                broker, lock);
    }

    @Test
    void twoInstancesRunEachPeriodicTaskExactlyOncePerPeriodAcrossBeatFailover() {
        String prefix = redis.nextPrefix();
        List<Run> runs = new CopyOnWriteArrayList<>();
        Instance ia = instance("a", prefix, runs);
        Instance ib = instance("b", prefix, runs);
        Scheduler a = ia.scheduler();
        Scheduler b = ib.scheduler();
        try {
            a.start();
            b.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> periods(runs, "sync_space").size() >= 5);
            assertThat(a.beat().isActive() ^ b.beat().isActive()).as("exactly one active beat").isTrue();
            Scheduler active = a.beat().isActive() ? a : b;
            Scheduler standby = active == a ? b : a;
            List<Instant> beforeFailover = periods(runs, "sync_space");

            active.beat().halt(); // the active beat dies without releasing its lease
            Instant died = Instant.now();
            await().atMost(LEASE.plusSeconds(5)).until(() -> standby.beat().isActive());
            assertThat(Duration.between(died, Instant.now())).as("takeover within one lease (+ a tick)")
                    .isLessThan(LEASE.plusMillis(700));
            int seen = beforeFailover.size();
            await().atMost(Duration.ofSeconds(20)).until(() -> periods(runs, "sync_space").size() >= seen + 3);
        } finally {
            ia.close();
            ib.close();
        }

        Map<String, Long> perRun = new TreeMap<>();
        for (Run r : runs) perRun.merge(r.task + "@" + r.period, 1L, Long::sum);
        assertThat(perRun).as("no period ran twice").allSatisfy((run, n) -> assertThat(n).as(run).isEqualTo(1L));

        for (String task : List.of("sync_space", "bk_monitor_report")) {
            List<Instant> periods = periods(runs, task);
            assertThat(periods.size()).as(task + " periods").isGreaterThanOrEqualTo(8);
            // consecutive periods, except the gap while the lease of the dead beat runs out
            long gaps = 0;
            for (int i = 1; i < periods.size(); i++) {
                long missing = Duration.between(periods.get(i - 1), periods.get(i)).dividedBy(PERIOD) - 1;
                assertThat(missing).as(task + " periods missed before " + periods.get(i)).isLessThanOrEqualTo(2);
                gaps += missing;
            }
            assertThat(gaps).as(task + ": only the failover may skip periods").isLessThanOrEqualTo(2);
        }
        assertThat(runs.stream().map(Run::thread).filter(t -> t.contains("-a-")).count()
                + runs.stream().map(Run::thread).filter(t -> t.contains("-b-")).count()).isEqualTo(runs.size());
    }

    private static List<Instant> periods(List<Run> runs, String task) {
        Map<Instant, Boolean> seen = new ConcurrentHashMap<>();
        for (Run r : runs) if (r.task.equals(task)) seen.put(r.period, true);
        List<Instant> out = new ArrayList<>(seen.keySet());
        out.sort(null);
        return out;
    }
}
