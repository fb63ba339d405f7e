package io.bklog.core.schedule;

import io.bklog.spi.DistributedLock;
import io.bklog.spi.DistributedLock.LockLease;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs tasks from the broker (Celery workers).
 *
 * <ul>
 *   <li><b>Priority without starvation.</b> Each consumer receives from the queues in their priority order
 *       ({@code high}, {@code default}), except every {@code fairnessEvery}-th poll (default 5), which tries them in
 *       rotated order so {@code default} is served even while {@code high} never empties.</li>
 *   <li><b>Timeout.</b> A handler runs on a task thread and is interrupted when its task's timeout passes; that
 *       attempt fails with "timed out after ...".</li>
 *   <li><b>Success</b> acknowledges the delivery. <b>Failure</b> republishes the message as the next attempt with
 *       exponential back-off ({@code retryBackoff × 2^(attempt-1)}, at most {@code maxBackoff}, as
 *       {@code notBefore}) while {@code attempt <= maxRetries}, then dead-letters it with the reason.</li>
 *   <li><b>Dedupe.</b> A run id that already succeeded ({@link TaskRunRecorder#succeeded}) is acknowledged without
 *       running. A run goes only while its worker holds a lock: the task's lock for a periodic task with
 *       {@code oncePerPeriod}, the run id's lock for every other one. A delivery that finds it held (a run still
 *       going past the visibility timeout, or an overlapping period) is left for the broker to deliver again
 *       after its visibility timeout. The lock's lease is 30 s, renewed at every beat of the run, so a worker
 *       killed mid-run holds its task back for one lease, not for the task's timeout.</li>
 *   <li>Every attempt is recorded ({@link TaskRunRecorder}) and measured: counter {@code bklog.task.runs}
 *       (Prometheus {@code bklog_task_runs_total}) tagged {@code task} and {@code outcome} (success, failure, timeout,
 *       duplicate, deferred, unknown_task) and timer {@code bklog.task.duration} tagged {@code task}.</li>
 * </ul>
 */
public final class Worker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Worker.class);

    /** Prefix of the lock a once-per-period task runs under. */
    public static final String TASK_LOCK_PREFIX = "bklog.task:";
    /** Prefix of the lock any other run holds while it runs. */
    public static final String RUN_LOCK_PREFIX = "bklog.run:";
    /**
     * How long a run's lock outlives its worker. The worker renews it at every beat while the run goes, so a worker
     * killed mid-run (kill -9) holds its task back for at most this long, not for the task's whole timeout.
     */
    static final Duration RUN_LOCK_LEASE = Duration.ofSeconds(30);

    private final TaskRegistry registry;
    private final TaskBroker broker;
    private final DistributedLock lock;
    private final Clock clock;
    private final TaskStatusStore statusStore;
    private final TaskRunRecorder recorder;
    private final MeterRegistry meters;
    private final String instanceId;
    private final int threads;
    private final List<String> queues;
    private final int fairnessEvery;
    private final Duration pollWait;
    private final Duration retryBackoff;
    private final Duration maxBackoff;
    private final ThreadPoolExecutor taskThreads;
    private final AtomicLong polls = new AtomicLong();
    private final List<Thread> consumers = new ArrayList<>();
    private volatile boolean running;

    private Worker(Builder b) {
        this.registry = b.registry;
        this.broker = b.broker;
        this.lock = b.lock;
        this.clock = b.clock;
        this.statusStore = b.statusStore;
        this.recorder = b.recorder;
        this.meters = b.meters;
        this.instanceId = b.instanceId;
        this.threads = b.threads;
        this.queues = List.copyOf(b.queues);
        this.fairnessEvery = b.fairnessEvery;
        this.pollWait = b.pollWait;
        this.retryBackoff = b.retryBackoff;
        this.maxBackoff = b.maxBackoff;
        AtomicInteger n = new AtomicInteger();
        // task threads: one per consumer, plus room for as many handlers that ignore interruption after a timeout
        this.taskThreads = new ThreadPoolExecutor(0, threads * 2, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, "bklog-task-" + instanceId + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public static Builder builder(TaskRegistry registry, TaskBroker broker, DistributedLock lock) {
        return new Builder(registry, broker, lock);
    }

    /** Starts {@code threads} consumer threads named {@code bklog-worker-<instance>-<n>}. */
    public synchronized Worker start() {
        if (running) return this;
        running = true;
        for (int i = 1; i <= threads; i++) {
            String consumer = instanceId + "-" + i;
            Thread t = new Thread(() -> consume(consumer), "bklog-worker-" + consumer);
            t.setDaemon(true);
            consumers.add(t);
            t.start();
        }
        return this;
    }

    private void consume(String consumer) {
        while (running) {
            try {
                processNext(consumer, pollWait);
            } catch (RuntimeException e) {
                if (!running) return;
                log.warn("event=worker_poll_failed consumer={} error=\"{}\"", consumer, e.toString());
                // back off a little so a broker outage does not spin: wait on the broker with nothing to do
                try {
                    Thread.sleep(Math.min(1_000, pollWait.toMillis()));
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    /**
     * Receives one delivery (waiting up to {@code wait}) and processes it on the calling thread's behalf. Returns
     * false when nothing arrived. {@link #start()} calls it in a loop; tests call it directly.
     */
    public boolean processNext(String consumer, Duration wait) {
        Optional<TaskDelivery> d = broker.receive(pollOrder(), consumer, wait);
        if (d.isEmpty()) return false;
        process(d.get(), consumer);
        return true;
    }

    /** Processes every delivery available now; returns how many. For tests driving a clock. */
    public int drain(String consumer) {
        int n = 0;
        while (processNext(consumer, Duration.ZERO)) n++;
        return n;
    }

    List<String> pollOrder() {
        long n = polls.incrementAndGet();
        if (queues.size() < 2 || n % fairnessEvery != 0) return queues;
        List<String> rotated = new ArrayList<>(queues.subList(1, queues.size()));
        rotated.add(queues.get(0));
        return rotated;
    }

    private void process(TaskDelivery delivery, String consumer) {
        TaskMessage m = delivery.message();
        Optional<TaskSpec> found = registry.find(m.task());
        if (found.isEmpty()) {
            count(m.task(), "unknown_task");
            String reason = "no handler registered for task '" + m.task() + "'; registered: " + registry.names();
            broker.deadLetter(delivery, reason);
            failStatus(m, reason);
            log.warn("event=task_unknown task={} run={}", m.task(), m.id());
            return;
        }
        TaskSpec spec = found.get();
        if (recorder.succeeded(m.id())) {
            count(spec.name(), "duplicate");
            broker.ack(delivery);
            log.info("event=task_duplicate task={} run={} deliveries={}", spec.name(), m.id(), delivery.deliveries());
            return;
        }
        // one run at a time: of the task (once-per-period tasks, bklog's share_lock) or of this run id (all others),
        // so a delivery handed out again while its first run is still going never runs twice at once
        boolean perTask = spec instanceof PeriodicTask p && p.oncePerPeriod();
        String lockName = perTask ? TASK_LOCK_PREFIX + spec.name() : RUN_LOCK_PREFIX + m.id();
        LockLease taskLease = lock.tryAcquire(lockName, consumer + "/" + m.id(), RUN_LOCK_LEASE).orElse(null);
        if (taskLease == null) {
            count(spec.name(), "deferred");
            log.info("event=task_deferred task={} run={} reason=\"another run holds {}\"", spec.name(), m.id(),
                    lockName);
            return;
        }
        try {
            execute(delivery, spec, consumer, taskLease);
        } finally {
            try {
                lock.release(taskLease);
            } catch (RuntimeException e) {
                log.warn("event=task_lock_release_failed task={} error=\"{}\"", spec.name(), e.toString());
            }
        }
    }

    private void execute(TaskDelivery delivery, TaskSpec spec, String consumer, LockLease lease) {
        TaskMessage m = delivery.message();
        Instant started = clock.instant();
        long startedNanos = System.nanoTime();
        Context ctx = new Context(m, started);
        putStatus(m, TaskStatus.State.RUNNING, 0, "", null);

        TaskRun.Outcome outcome;
        String result = null;
        String error = null;
        Future<String> future = null;
        try {
            future = submit(spec, ctx);
            result = awaitBeating(future, delivery, consumer, spec, lease);
            outcome = TaskRun.Outcome.SUCCESS;
        } catch (TimeoutException e) {
            future.cancel(true);
            outcome = TaskRun.Outcome.TIMEOUT;
            error = "timed out after " + spec.timeout();
        } catch (LockLostException e) {
            future.cancel(true);
            outcome = TaskRun.Outcome.FAILURE;
            error = "stopped: lost its lock (" + e.getMessage() + ")";
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            outcome = TaskRun.Outcome.FAILURE;
            error = cause.getClass().getSimpleName() + ": " + cause.getMessage();
        } catch (CancellationException | RejectedExecutionException e) {
            outcome = TaskRun.Outcome.FAILURE;
            error = "could not run: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (future != null) future.cancel(true);
            // the worker is stopping: leave the delivery for the broker to hand out again
            log.info("event=task_interrupted task={} run={}", spec.name(), m.id());
            return;
        }
        Instant ended = clock.instant();
        Duration took = Duration.ofNanos(System.nanoTime() - startedNanos);
        recorder.record(new TaskRun(m.id(), spec.name(), m.queue(), ctx.periodStart().orElse(null), m.attempt(),
                started, ended, outcome,
                outcome == TaskRun.Outcome.SUCCESS ? result : error));
        count(spec.name(), outcome.tag());
        Timer.builder("bklog.task.duration").tag("task", spec.name()).register(meters).record(took);

        if (outcome == TaskRun.Outcome.SUCCESS) {
            broker.ack(delivery);
            putStatus(m, TaskStatus.State.DONE, 1, "done", result);
            log.info("event=task_done task={} run={} attempt={} took_ms={}", spec.name(), m.id(), m.attempt(),
                    took.toMillis());
        } else if (m.attempt() <= spec.maxRetries()) {
            Duration backoff = backoff(m.attempt());
            Instant notBefore = clock.instant().plus(backoff);
            broker.publish(m.nextAttempt(notBefore.toEpochMilli()));
            broker.ack(delivery);
            putStatus(m, TaskStatus.State.QUEUED, 0, "attempt " + m.attempt() + " failed: " + error
                    + "; retrying at " + notBefore, null);
            log.warn("event=task_retry task={} run={} attempt={} backoff_ms={} error=\"{}\"", spec.name(), m.id(),
                    m.attempt(), backoff.toMillis(), error);
        } else {
            String reason = "failed after " + m.attempt() + " attempt" + (m.attempt() == 1 ? "" : "s") + ": " + error;
            broker.deadLetter(delivery, reason);
            failStatus(m, reason);
            log.error("event=task_dead_lettered task={} run={} reason=\"{}\"", spec.name(), m.id(), reason);
        }
    }

    /** How long a run waits for a task thread when all are busy, in steps of {@link #SUBMIT_RETRY_MILLIS}. */
    private static final int SUBMIT_RETRIES = 100;
    private static final long SUBMIT_RETRY_MILLIS = 20;

    /**
     * Hands the run to a task thread. The pool has no queue: when each thread is busy, most often one that has
     * just finished a run and is not back in the pool yet, or a handler still running after its timeout, the run
     * waits up to 2 s for one instead of being recorded as a failed attempt (which turned the scheduler's health
     * red when several tasks were due at once, as at start).
     */
    private Future<String> submit(TaskSpec spec, Context ctx) throws InterruptedException {
        for (int i = 0; ; i++) {
            try {
                return taskThreads.submit(() -> spec.handler().run(ctx));
            } catch (RejectedExecutionException e) {
                if (i >= SUBMIT_RETRIES || taskThreads.isShutdown()) throw e;
                Thread.sleep(SUBMIT_RETRY_MILLIS);
            }
        }
    }

    /**
     * Waits for a run up to its timeout, extending the delivery's visibility every third of the broker's visibility
     * timeout, so a run longer than that timeout is never handed to a second worker while this one is alive.
     */
    private String awaitBeating(Future<String> future, TaskDelivery delivery, String consumer, TaskSpec spec,
                                LockLease lease)
            throws InterruptedException, ExecutionException, TimeoutException, LockLostException {
        long deadline = System.nanoTime() + spec.timeout().toNanos();
        long beat = Math.max(1_000_000L, Math.min(broker.visibilityTimeout().toNanos(), RUN_LOCK_LEASE.toNanos()) / 3);
        boolean warned = false;
        long renewedAt = System.nanoTime();
        while (true) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0) throw new TimeoutException();
            try {
                return future.get(Math.min(remaining, beat), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                if (deadline - System.nanoTime() <= 0) throw e;
                Boolean renewed = renewLease(lease, spec);
                if (Boolean.TRUE.equals(renewed)) {
                    renewedAt = System.nanoTime();
                } else if (renewed != null || System.nanoTime() - renewedAt >= RUN_LOCK_LEASE.toNanos()) {
                    // lost, or not renewed for a whole lease (the lock backend did not answer): another worker may
                    // hold the lock and start this task now, so this run stops rather than run beside it
                    throw new LockLostException(renewed != null ? "another worker took it"
                            : "not renewed for " + RUN_LOCK_LEASE + ": the lock backend did not answer");
                }
                boolean extended;
                try {
                    extended = broker.extendVisibility(delivery, consumer);
                } catch (RuntimeException ex) {
                    extended = false;
                }
                if (!extended && !warned) {
                    warned = true;
                    log.warn("event=task_visibility_not_extended task={} run={} visibility_timeout={} hint=\"the"
                            + " broker may hand this run to another worker, which waits for this one's lock\"",
                            spec.name(), delivery.message().id(), broker.visibilityTimeout());
                }
            }
        }
    }

    /** Renews the run's lock for another lease: true, false when it was lost, null when the backend failed. */
    private Boolean renewLease(LockLease lease, TaskSpec spec) {
        try {
            boolean renewed = lock.renew(lease, RUN_LOCK_LEASE);
            if (!renewed) {
                log.warn("event=task_lock_lost task={} lock={} hint=\"the lease passed before it was renewed (a pause"
                        + " longer than {}, or a lock backend failover); the run stops so it never runs beside another\"",
                        spec.name(), lease.name(), RUN_LOCK_LEASE);
            }
            return renewed;
        } catch (RuntimeException e) {
            log.warn("event=task_lock_renew_failed task={} lock={} error=\"{}\"", spec.name(), lease.name(),
                    e.toString());
            return null;
        }
    }

    /** A run stopped because its lock's lease was lost. */
    private static final class LockLostException extends Exception {
        LockLostException(String why) {
            super(why, null, false, false);
        }
    }

    Duration backoff(int attempt) {
        long base = retryBackoff.toMillis();
        int shift = Math.min(attempt - 1, 30);
        long ms = base << shift;
        if (ms < 0 || ms > maxBackoff.toMillis()) ms = maxBackoff.toMillis();
        return Duration.ofMillis(ms);
    }

    private void count(String task, String outcome) {
        Counter.builder("bklog.task.runs").tag("task", task).tag("outcome", outcome).register(meters).increment();
    }

    private boolean tracked(TaskMessage m) {
        return !m.args().containsKey(Beat.PERIOD_ARG);
    }

    private void putStatus(TaskMessage m, TaskStatus.State state, double progress, String message, String result) {
        if (!tracked(m)) return;
        TaskStatus before = statusStore.get(m.id()).orElse(TaskStatus.queued(m.id(), m.task(), clock.instant()));
        statusStore.put(before.with(state, progress, message, result, m.attempt(), clock.instant()));
    }

    private void failStatus(TaskMessage m, String reason) {
        putStatus(m, TaskStatus.State.FAILED, 0, reason, null);
    }

    /** How many consumer threads of this worker are alive (0 when stopped). */
    public synchronized int liveConsumers() {
        int n = 0;
        for (Thread t : consumers) if (t.isAlive()) n++;
        return n;
    }

    /** The number of consumer threads {@link #start()} runs. */
    public int threads() {
        return threads;
    }

    /** True between {@link #start()} and {@link #close()}. */
    public boolean isRunning() {
        return running;
    }

    /** Stops the consumers (a task running now is interrupted and its delivery left to the broker). */
    @Override
    public synchronized void close() {
        running = false;
        for (Thread t : consumers) t.interrupt();
        for (Thread t : consumers) {
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        consumers.clear();
        taskThreads.shutdownNow();
    }

    private final class Context implements TaskContext {
        private final TaskMessage message;
        private final Instant periodStart;

        Context(TaskMessage message, Instant startedAt) {
            this.message = message;
            Instant p = null;
            String raw = message.args().get(Beat.PERIOD_ARG);
            if (raw != null) {
                try {
                    p = Instant.parse(raw);
                } catch (DateTimeParseException e) {
                    log.warn("event=bad_period_arg run={} value={}", message.id(), raw);
                }
            }
            this.periodStart = p;
        }

        @Override
        public String runId() {
            return message.id();
        }

        @Override
        public String task() {
            return message.task();
        }

        @Override
        public Map<String, String> args() {
            return message.args();
        }

        @Override
        public int attempt() {
            return message.attempt();
        }

        @Override
        public Optional<Instant> periodStart() {
            return Optional.ofNullable(periodStart);
        }

        @Override
        public void progress(double fraction, String text) {
            putStatus(message, TaskStatus.State.RUNNING, fraction, text, null);
        }
    }

    /** Options of a {@link Worker}. */
    public static final class Builder extends WorkerOptions<Builder> {
        private final TaskRegistry registry;
        private final TaskBroker broker;
        private final DistributedLock lock;
        private int fairnessEvery = 5;

        private Builder(TaskRegistry registry, TaskBroker broker, DistributedLock lock) {
            this.registry = Objects.requireNonNull(registry, "registry");
            this.broker = Objects.requireNonNull(broker, "broker");
            this.lock = Objects.requireNonNull(lock, "lock");
        }

        /** Consumer threads; default 2. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /** Every n-th poll tries the queues rotated (lower priority first); default 5. */
        public Builder fairnessEvery(int fairnessEvery) {
            this.fairnessEvery = fairnessEvery;
            return this;
        }

        public Worker build() {
            if (threads < 1) throw new IllegalArgumentException("worker threads must be >= 1, got " + threads);
            if (queues.isEmpty()) throw new IllegalArgumentException("worker needs at least one queue");
            if (fairnessEvery < 2) {
                throw new IllegalArgumentException("fairnessEvery must be >= 2 (every n-th poll), got " + fairnessEvery);
            }
            if (retryBackoff.isNegative() || maxBackoff.isNegative()) {
                throw new IllegalArgumentException("retry back-off must not be negative");
            }
            if (instanceId.isBlank()) throw new IllegalArgumentException("worker instanceId must not be blank");
            return new Worker(this);
        }
    }
}
