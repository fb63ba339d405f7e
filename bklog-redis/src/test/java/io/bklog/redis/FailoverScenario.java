package io.bklog.redis;

import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskRegistry;
import io.bklog.spi.Backend;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The load both failover ITs run over a Redis backend (broker, lock, health) while the test kills the primary
 * holding bklog's keys: one instance's scheduler (beat + 2 workers) runs a periodic task every {@link #PERIOD};
 * a client submits an ad-hoc task every 50 ms; a third thread takes and releases the lock {@code fenced} every
 * 20 ms and records each fencing token.
 *
 * <p>Asserted afterwards: each periodic task ran for every period from its first to its last, exactly once (a
 * period whose publication fell in the outage runs late, none is skipped, since the outage is shorter than a
 * period); every ad-hoc task whose submission returned an id ran at least once (a submission that failed during
 * the outage was told so; a task may run twice when the command carrying its ack was lost); the fencing tokens,
 * in the order granted, strictly increase; and health showed the failover with a suggestion.
 */
final class FailoverScenario implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(FailoverScenario.class);
    static final Duration PERIOD = Duration.ofSeconds(5);

    private final Backend backend;
    private final Scheduler scheduler;
    private final DistributedLock lock;
    private final HealthIndicator health;
    private final List<Instant> periodicRuns = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> adHocRuns = new ConcurrentHashMap<>();
    private final Set<String> submitted = ConcurrentHashMap.newKeySet();
    private final AtomicInteger submitFailures = new AtomicInteger();
    private final List<Long> tokens = new CopyOnWriteArrayList<>();
    private final AtomicInteger lockFailures = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private volatile long killedNanos;
    private volatile long firstSubmitAfterKillNanos;
    private volatile long failoverSeenNanos;

    FailoverScenario(Backend backend) {
        this.backend = backend;
        this.lock = backend.distributedLock().orElseThrow();
        this.health = backend.healthIndicators().get(0);
        TaskRegistry tasks = new TaskRegistry();
        tasks.register(PeriodicTask.builder("ha_tick", Schedule.every(PERIOD), ctx -> {
            periodicRuns.add(ctx.periodStart().orElseThrow());
            return null;
        }).timeout(Duration.ofSeconds(10)).build());
        tasks.register(AsyncTask.of("ha_adhoc", ctx -> {
            adHocRuns.computeIfAbsent(ctx.args().get("n"), k -> new AtomicInteger()).incrementAndGet();
            return "ok";
        }).withMaxRetries(3));
        this.scheduler = Scheduler.builder(tasks).broker(backend.taskBroker().orElseThrow()).lock(lock)
                .instanceId("ha").workerThreads(2).leaseTtl(Duration.ofSeconds(3)).tickInterval(Duration.ofMillis(100))
                .pollWait(Duration.ofMillis(200)).build();
    }

    void start() {
        scheduler.start();
        threads.add(loop("ha-submit", 50, new Runnable() {
            int n;

            @Override
            public void run() {
                String key = Integer.toString(++n);
                try {
                    scheduler.submit("ha_adhoc", Map.of("n", key));
                    submitted.add(key);
                    if (killedNanos != 0 && firstSubmitAfterKillNanos == 0) firstSubmitAfterKillNanos = System.nanoTime();
                } catch (RuntimeException e) {
                    submitFailures.incrementAndGet();
                    log.info("event=ha_submit_failed n={} error=\"{}\"", key, e.toString());
                }
            }
        }));
        threads.add(loop("ha-fence", 20, () -> {
            try {
                Optional<DistributedLock.LockLease> l = lock.tryAcquire("fenced", "ha", Duration.ofSeconds(2));
                if (l.isPresent()) {
                    tokens.add(l.get().fencingToken());
                    lock.release(l.get());
                }
            } catch (RuntimeException e) {
                lockFailures.incrementAndGet();
            }
        }));
    }

    private Thread loop(String name, long everyMillis, Runnable step) {
        Thread t = new Thread(() -> {
            while (running.get()) {
                step.run();
                try {
                    Thread.sleep(everyMillis); // the load's pace, not a wait for a condition
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The test killed the primary now (for the figures: how long submissions and health took to recover). */
    void killed() {
        killedNanos = System.nanoTime();
    }

    int periodsRun() {
        return new java.util.TreeSet<>(periodicRuns).size();
    }

    List<HealthzMetric> health() {
        return health.check();
    }

    /** Waits until the failover shows in health: the {@code failover} metric fails naming both primaries. */
    HealthzMetric awaitFailoverInHealth(String oldPrimary, Duration atMost) {
        HealthzMetric[] seen = new HealthzMetric[1];
        await("health shows the failover away from " + oldPrimary).atMost(atMost).pollInterval(Duration.ofMillis(250))
                .until(() -> {
                    Optional<HealthzMetric> m = health().stream()
                            .filter(x -> x.metricName().equals("failover")).findFirst();
                    m.ifPresent(x -> seen[0] = x);
                    return m.isPresent() && !m.get().status();
                });
        failoverSeenNanos = System.nanoTime();
        return seen[0];
    }

    /** Stops the load, lets the queued ad-hoc tasks drain, and asserts what the class comment says. */
    void stopAndAssert() {
        running.set(false);
        for (Thread t : threads) {
            try {
                t.join(70_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        await("every acknowledged ad-hoc task ran").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(submitted.stream().filter(n -> !adHocRuns.containsKey(n)).sorted()
                        .toList()).as("acknowledged ad-hoc tasks not run yet (of " + submitted.size() + ")").isEmpty());
        scheduler.close();

        Map<Instant, Long> perPeriod = new TreeMap<>();
        for (Instant p : periodicRuns) perPeriod.merge(p, 1L, Long::sum);
        assertThat(perPeriod).as("each period ran once").allSatisfy((p, n) -> assertThat(n).as(p.toString()).isEqualTo(1L));
        List<Instant> periods = new ArrayList<>(perPeriod.keySet());
        for (int i = 1; i < periods.size(); i++) {
            assertThat(Duration.between(periods.get(i - 1), periods.get(i))).as("no period skipped before " + periods.get(i))
                    .isEqualTo(PERIOD);
        }
        long twice = adHocRuns.values().stream().filter(n -> n.get() > 1).count();
        for (int i = 1; i < tokens.size(); i++) {
            assertThat(tokens.get(i)).as("fencing token #" + i + " after " + tokens.get(i - 1)).isGreaterThan(tokens.get(i - 1));
        }
        log.info("event=ha_figures periods={} adhoc_acknowledged={} adhoc_ran={} adhoc_ran_twice={} submit_failures={} "
                        + "lock_grants={} lock_failures={} first_submit_after_kill_ms={} failover_in_health_after_ms={}",
                periods.size(), submitted.size(), adHocRuns.size(), twice, submitFailures.get(), tokens.size(),
                lockFailures.get(), (firstSubmitAfterKillNanos - killedNanos) / 1_000_000,
                (failoverSeenNanos - killedNanos) / 1_000_000);
        assertThat(submitted.size()).as("ad-hoc tasks acknowledged").isGreaterThan(100);
        assertThat(tokens.size()).as("lock grants").isGreaterThan(100);
    }

    @Override
    public void close() {
        running.set(false);
        scheduler.close();
        backend.close();
    }
}
