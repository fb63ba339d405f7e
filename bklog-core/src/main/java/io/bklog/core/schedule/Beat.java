package io.bklog.core.schedule;

import io.bklog.spi.DistributedLock;
import io.bklog.spi.DistributedLock.LockLease;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Publishes due periodic tasks (Celery beat). Every instance may run a beat; one is active at a time.
 *
 * <p><b>One active beat.</b> A beat is active while it holds the lease of the lock {@value #BEAT_LOCK}; it renews the
 * lease every third of its TTL. When the active beat dies its lease expires and another beat takes the lock on its
 * next tick, so the gap is at most one lease TTL plus one tick.
 *
 * <p><b>Once per period.</b> A run is named {@code task@periodStart} (ISO-8601 instant), the same on every instance.
 * Before publishing it the beat takes the lock {@code bklog.beat.run:<runId>} and never releases it; the lease lasts
 * until the next period starts plus one period (at least a minute), longer than the run can still be due. A beat that
 * finds it taken knows the period was published (by itself before a restart, or by a beat that lost its lease), so
 * two beats never publish the same period, with no metadata store involved. If publishing fails the claim is released
 * and the next tick tries again. Workers also skip a run id that already succeeded.
 *
 * <p><b>Missed periods.</b> Each tick looks only at the latest period start at or before now: after downtime a task
 * runs once for the current period, not once per missed period.
 *
 * <p>Time comes from the injected {@link Clock}: tests call {@link #tick()} after moving the clock, never sleep.
 */
public final class Beat implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Beat.class);

    /** The lock the active beat holds. */
    public static final String BEAT_LOCK = "bklog.beat";
    /** Prefix of the per-run claim locks. */
    public static final String RUN_CLAIM_PREFIX = "bklog.beat.run:";
    /** The argument carrying the period start of a periodic run. */
    public static final String PERIOD_ARG = "bklog.period";

    private final TaskRegistry registry;
    private final TaskBroker broker;
    private final DistributedLock lock;
    private final Clock clock;
    private final String instanceId;
    private final Duration leaseTtl;
    private final Duration tickInterval;
    private final Map<String, Instant> lastPublished = new HashMap<>();
    private volatile Instant lastTick;
    private LockLease lease;
    private Instant lastRenewed;
    private ScheduledExecutorService timer;

    private Beat(Builder b) {
        this.registry = b.registry;
        this.broker = b.broker;
        this.lock = b.lock;
        this.clock = b.clock;
        this.instanceId = b.instanceId;
        this.leaseTtl = b.leaseTtl;
        this.tickInterval = b.tickInterval;
    }

    public static Builder builder(TaskRegistry registry, TaskBroker broker, DistributedLock lock) {
        return new Builder(registry, broker, lock);
    }

    /** The run id of a period: {@code task@periodStart}. */
    public static String runId(String task, Instant periodStart) {
        return task + "@" + periodStart;
    }

    /** Ticks every {@code tickInterval} on a thread named {@code bklog-beat-<instance>} until {@link #close()}. */
    public synchronized Beat start() {
        if (timer != null) return this;
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "bklog-beat-" + instanceId);
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::safeTick, 0, tickInterval.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void safeTick() {
        try {
            tick();
        } catch (RuntimeException e) {
            log.warn("event=beat_tick_failed instance={} error=\"{}\"", instanceId, e.toString());
        }
    }

    /**
     * One beat: keeps or takes the beat lease, and when active publishes each periodic task whose current period was
     * not published yet. Returns the run ids published by this tick.
     */
    public synchronized Map<String, Instant> tick() {
        Instant now = clock.instant();
        lastTick = now;
        if (!holdLease(now)) return Map.of();
        Map<String, Instant> published = new LinkedHashMap<>();
        for (PeriodicTask task : registry.periodic()) {
            Optional<Instant> start = task.schedule().periodStartAtOrBefore(now);
            if (start.isEmpty()) continue;
            Instant periodStart = start.get();
            Instant last = lastPublished.get(task.name());
            if (last != null && !periodStart.isAfter(last)) continue;
            String runId = runId(task.name(), periodStart);
            Optional<LockLease> claim = lock.tryAcquire(RUN_CLAIM_PREFIX + runId, instanceId,
                    claimTtl(task.schedule(), periodStart, now));
            if (claim.isEmpty()) {
                log.debug("event=beat_period_already_published task={} run={}", task.name(), runId);
                lastPublished.put(task.name(), periodStart);
                continue;
            }
            Map<String, String> args = new HashMap<>(task.args());
            args.put(PERIOD_ARG, periodStart.toString());
            try {
                broker.publish(new TaskMessage(runId, task.queue(), task.name(), args, 1, 0));
            } catch (RuntimeException e) {
                lock.release(claim.get());
                log.warn("event=beat_publish_failed task={} run={} error=\"{}\"", task.name(), runId, e.toString());
                continue;
            }
            lastPublished.put(task.name(), periodStart);
            published.put(runId, periodStart);
            log.info("event=beat_published task={} run={} queue={}", task.name(), runId, task.queue());
        }
        return published;
    }

    private boolean holdLease(Instant now) {
        if (lease != null && !Duration.between(lastRenewed, now).minus(leaseTtl.dividedBy(3)).isNegative()) {
            if (lock.renew(lease, leaseTtl)) {
                lastRenewed = now;
            } else {
                log.warn("event=beat_lease_lost instance={} token={}", instanceId, lease.fencingToken());
                lease = null;
            }
        }
        if (lease == null) {
            lease = lock.tryAcquire(BEAT_LOCK, instanceId, leaseTtl).orElse(null);
            if (lease != null) {
                lastRenewed = now;
                log.info("event=beat_active instance={} token={}", instanceId, lease.fencingToken());
            }
        }
        return lease != null;
    }

    private static Duration claimTtl(Schedule schedule, Instant periodStart, Instant now) {
        Instant next = schedule.nextPeriodStartAfter(periodStart);
        Duration length = Duration.between(periodStart, next);
        Duration untilNext = Duration.between(now, next);
        if (untilNext.isNegative()) untilNext = Duration.ZERO;
        return untilNext.plus(length.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : length);
    }

    /** When this beat last ticked (on its clock); empty before its first tick. */
    public Optional<Instant> lastTick() {
        return Optional.ofNullable(lastTick);
    }

    /** How often the beat ticks. */
    public Duration tickInterval() {
        return tickInterval;
    }

    /** True while this beat holds the beat lease (as of its last tick). */
    public synchronized boolean isActive() {
        return lease != null;
    }

    public String instanceId() {
        return instanceId;
    }

    /**
     * Stops ticking without releasing the lease, as a crashed instance would; another beat takes over once the
     * lease expires. For failover tests and drills.
     */
    public synchronized void halt() {
        if (timer != null) {
            timer.shutdownNow();
            timer = null;
        }
        lease = null;
    }

    /** Stops ticking and releases the lease so another beat takes over at once. */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            timer = null;
        }
        if (lease != null) {
            try {
                lock.release(lease);
            } catch (RuntimeException e) {
                log.warn("event=beat_release_failed instance={} error=\"{}\"", instanceId, e.toString());
            }
            lease = null;
        }
    }

    /** Options of a {@link Beat}. */
    public static final class Builder extends TaskRunnerOptions<Builder> {
        private final TaskRegistry registry;
        private final TaskBroker broker;
        private final DistributedLock lock;
        private Duration leaseTtl = Duration.ofSeconds(30);
        private Duration tickInterval = Duration.ofSeconds(1);

        private Builder(TaskRegistry registry, TaskBroker broker, DistributedLock lock) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.broker = Objects.requireNonNull(broker, "broker");
            this.lock = Objects.requireNonNull(lock, "lock");
        }

        /** Beat lease TTL, the longest gap after the active beat dies; default 30 s. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
            return this;
        }

        /** How often {@link #start()}ed beats tick; default 1 s. */
        public Builder tickInterval(Duration tickInterval) {
            this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
            return this;
        }

        public Beat build() {
            if (instanceId.isBlank()) throw new IllegalArgumentException("beat instanceId must not be blank");
            if (leaseTtl.toMillis() < 3) throw new IllegalArgumentException("beat leaseTtl too short: " + leaseTtl);
            if (tickInterval.toMillis() < 1) {
                throw new IllegalArgumentException("beat tickInterval must be positive, got " + tickInterval);
            }
            if (tickInterval.compareTo(leaseTtl.dividedBy(3)) > 0) {
                throw new IllegalArgumentException("beat tickInterval " + tickInterval
                        + " must be at most a third of leaseTtl " + leaseTtl + " so the lease is renewed in time");
            }
            return new Beat(this);
        }
    }
}
