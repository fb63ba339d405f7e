package io.bklog.core.schedule;

import io.bklog.core.memory.InProcessLock;
import io.bklog.core.memory.InProcessTaskBroker;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskMessage;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The scheduler of one instance: a {@link Beat} (publishes periodic tasks; one active across instances) and a
 * {@link Worker} pool (runs periodic and ad-hoc tasks), over one broker and lock. Ad-hoc tasks are
 * {@link #submit submitted} by name and followed by id through the {@link TaskStatusStore}.
 *
 * <pre>{@code
 * TaskRegistry tasks = new TaskRegistry()
 *     .register(PeriodicTask.builder("clean_expired_restore", Schedule.cron("0 1 * * *"), ctx -> ...).build())
 *     .register(AsyncTask.of("export", ctx -> ...));
 * try (Scheduler s = Scheduler.builder(tasks).broker(redisBroker).lock(redisLock).build().start()) {
 *     String id = s.submit("export", Map.of("index_set", "12"));
 *     s.status(id);
 * }
 * }</pre>
 */
public final class Scheduler implements AutoCloseable {

    private final TaskRegistry registry;
    private final TaskBroker broker;
    private final Clock clock;
    private final TaskStatusStore statusStore;
    private final TaskRunRecorder recorder;
    private final Beat beat;
    private final Worker worker;
    private final boolean runBeat;
    private final boolean runWorker;
    private final java.util.List<String> queues;
    private final AutoCloseable ownedBroker;
    private final AutoCloseable ownedLock;

    private Scheduler(Builder b) {
        this.ownedBroker = b.ownedBroker;
        this.ownedLock = b.ownedLock;
        this.registry = b.registry;
        this.broker = b.broker;
        this.clock = b.clock;
        this.statusStore = b.statusStore;
        this.recorder = b.recorder;
        this.runBeat = b.beat;
        this.runWorker = b.worker;
        this.queues = b.queues;
        this.beat = Beat.builder(b.registry, b.broker, b.lock).clock(b.clock).instanceId(b.instanceId)
                .leaseTtl(b.leaseTtl).tickInterval(b.tickInterval).build();
        this.worker = b.copyTo(Worker.builder(b.registry, b.broker, b.lock)).build();
    }

    /** A scheduler over {@code registry}; by default in-process broker and lock, beat and 2 worker threads. */
    public static Builder builder(TaskRegistry registry) {
        return new Builder(registry);
    }

    static String defaultInstanceId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "localhost";
        }
        return host + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Starts the beat and the workers, as configured. */
    public Scheduler start() {
        if (runWorker) worker.start();
        if (runBeat) beat.start();
        return this;
    }

    /**
     * Queues an ad-hoc run of a registered task; returns its task id, whose {@link #status} starts as
     * {@code QUEUED}.
     */
    public String submit(String task, Map<String, String> args) {
        TaskSpec spec = registry.find(task).orElseThrow(() -> new IllegalArgumentException(
                "no task named '" + task + "' is registered; registered: " + registry.names()));
        Objects.requireNonNull(args, "args");
        if (args.containsKey(Beat.PERIOD_ARG)) {
            throw new IllegalArgumentException("argument '" + Beat.PERIOD_ARG + "' is reserved for periodic runs");
        }
        String id = UUID.randomUUID().toString();
        statusStore.put(TaskStatus.queued(id, task, clock.instant()));
        try {
            broker.publish(TaskMessage.of(id, spec.queue(), task, args));
        } catch (RuntimeException e) {
            statusStore.put(statusStore.get(id).orElseThrow().with(TaskStatus.State.FAILED, 0,
                    "could not queue: " + e.getMessage(), null, 1, clock.instant()));
            throw e;
        }
        return id;
    }

    /** The status of an ad-hoc task by id. */
    public Optional<TaskStatus> status(String id) {
        return statusStore.get(id);
    }

    /** Health of this scheduler, namespace {@code scheduler}. */
    public SchedulerHealthIndicator healthIndicator() {
        return new SchedulerHealthIndicator(this, broker, queues, runWorker, runBeat, clock);
    }

    public Beat beat() {
        return beat;
    }

    public Worker worker() {
        return worker;
    }

    public TaskRegistry registry() {
        return registry;
    }

    public TaskRunRecorder recorder() {
        return recorder;
    }

    /** Where ad-hoc task statuses are kept. */
    public TaskStatusStore statusStore() {
        return statusStore;
    }

    /** Whether this instance runs a beat (role {@code beat}). */
    public boolean runsBeat() {
        return runBeat;
    }

    /** Whether this instance runs workers (role {@code worker}). */
    public boolean runsWorkers() {
        return runWorker;
    }

    /** Stops the beat (releasing its lease) and then the workers. */
    @Override
    public void close() {
        beat.close();
        worker.close();
        closeQuietly(ownedBroker);
        closeQuietly(ownedLock);
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception ignored) {
            // closing anyway
        }
    }

    /** Options of a {@link Scheduler}. */
    public static final class Builder extends WorkerOptions<Builder> {
        private final TaskRegistry registry;
        private TaskBroker broker;
        private DistributedLock lock;
        private boolean beat = true;
        private boolean worker = true;
        private Duration leaseTtl = Duration.ofSeconds(30);
        private Duration tickInterval = Duration.ofSeconds(1);
        private AutoCloseable ownedBroker;
        private AutoCloseable ownedLock;

        private Builder(TaskRegistry registry) {
            this.registry = Objects.requireNonNull(registry, "registry");
        }

        /** Default: a new {@link InProcessTaskBroker} on the scheduler's clock. */
        public Builder broker(TaskBroker broker) {
            this.broker = Objects.requireNonNull(broker, "broker");
            return this;
        }

        /** Default: a new {@link InProcessLock} on the scheduler's clock. */
        public Builder lock(DistributedLock lock) {
            this.lock = Objects.requireNonNull(lock, "lock");
            return this;
        }

        /** Whether this instance runs a beat (role {@code beat}); default true. */
        public Builder beat(boolean beat) {
            this.beat = beat;
            return this;
        }

        /** Whether this instance runs workers (role {@code worker}); default true. */
        public Builder worker(boolean worker) {
            this.worker = worker;
            return this;
        }

        /** Default 2. */
        public Builder workerThreads(int workerThreads) {
            this.threads = workerThreads;
            return this;
        }

        /** Beat lease TTL; default 30 s. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
            return this;
        }

        /** Beat tick interval; default 1 s. */
        public Builder tickInterval(Duration tickInterval) {
            this.tickInterval = Objects.requireNonNull(tickInterval, "tickInterval");
            return this;
        }

        public Scheduler build() {
            if (broker == null) {
                broker = InProcessTaskBroker.builder().clock(clock).build();
                ownedBroker = broker;
            }
            if (lock == null) {
                lock = new InProcessLock(clock);
                ownedLock = lock;
            }
            return new Scheduler(this);
        }
    }
}
