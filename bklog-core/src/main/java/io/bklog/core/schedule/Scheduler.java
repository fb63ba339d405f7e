package io.bklog.core.schedule;

import io.bklog.core.memory.InProcessLock;
import io.bklog.core.memory.InProcessTaskBroker;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskMessage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

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
        this.worker = Worker.builder(b.registry, b.broker, b.lock).clock(b.clock).instanceId(b.instanceId)
                .statusStore(b.statusStore).recorder(b.recorder).meterRegistry(b.meters).threads(b.workerThreads)
                .queues(b.queues).pollWait(b.pollWait).retryBackoff(b.retryBackoff).maxBackoff(b.maxBackoff).build();
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
    public static final class Builder {
        private final TaskRegistry registry;
        private TaskBroker broker;
        private DistributedLock lock;
        private Clock clock = Clock.systemUTC();
        private TaskStatusStore statusStore = new InMemoryTaskStatusStore();
        private TaskRunRecorder recorder = new InMemoryTaskRunRecorder();
        private MeterRegistry meters = new SimpleMeterRegistry();
        private String instanceId = defaultInstanceId();
        private boolean beat = true;
        private boolean worker = true;
        private int workerThreads = 2;
        private java.util.List<String> queues = java.util.List.of(TaskBroker.QUEUE_HIGH, TaskBroker.QUEUE_DEFAULT);
        private Duration leaseTtl = Duration.ofSeconds(30);
        private Duration tickInterval = Duration.ofSeconds(1);
        private Duration pollWait = Duration.ofSeconds(1);
        private Duration retryBackoff = Duration.ofSeconds(5);
        private Duration maxBackoff = Duration.ofMinutes(10);
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

        /** Default system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Default in memory (use a shared store when several instances run). */
        public Builder statusStore(TaskStatusStore statusStore) {
            this.statusStore = Objects.requireNonNull(statusStore, "statusStore");
            return this;
        }

        /** Default in memory (use a shared store when several instances run). */
        public Builder recorder(TaskRunRecorder recorder) {
            this.recorder = Objects.requireNonNull(recorder, "recorder");
            return this;
        }

        /** Default a private {@link SimpleMeterRegistry}. */
        public Builder meterRegistry(MeterRegistry meters) {
            this.meters = Objects.requireNonNull(meters, "meters");
            return this;
        }

        /** Owner name in locks and consumer names; default host name + random suffix. */
        public Builder instanceId(String instanceId) {
            this.instanceId = Objects.requireNonNull(instanceId, "instanceId");
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
            this.workerThreads = workerThreads;
            return this;
        }

        /** Queues the workers consume, in priority order; default {@code high, default}. */
        public Builder queues(java.util.List<String> queues) {
            this.queues = java.util.List.copyOf(queues);
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

        /** How long a worker's receive waits; default 1 s. */
        public Builder pollWait(Duration pollWait) {
            this.pollWait = Objects.requireNonNull(pollWait, "pollWait");
            return this;
        }

        /** First retry back-off, doubled per attempt; default 5 s. */
        public Builder retryBackoff(Duration retryBackoff) {
            this.retryBackoff = Objects.requireNonNull(retryBackoff, "retryBackoff");
            return this;
        }

        /** Longest retry back-off; default 10 min. */
        public Builder maxBackoff(Duration maxBackoff) {
            this.maxBackoff = Objects.requireNonNull(maxBackoff, "maxBackoff");
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
