package io.bklog.core.memory;

import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded default {@link TaskBroker}: named in-memory queues in one JVM.
 *
 * <ul>
 *   <li>A received message stays in flight until {@link #ack}; one not acknowledged within the visibility
 *       timeout (measured on the injected {@link Clock}) is delivered again, before new messages, with
 *       {@code deliveries + 1}.</li>
 *   <li>A message whose {@code notBeforeMillis} lies in the future (on the clock) waits in its queue and counts in
 *       {@link #queueLength} until it is due.</li>
 *   <li>{@link #deadLetter} keeps the message with its reason; at most {@code deadLetterCap} per queue (oldest
 *       dropped first).</li>
 * </ul>
 * Nothing survives a restart: use a shared broker (Redis) when several instances run.
 */
public final class InProcessTaskBroker implements TaskBroker {

    /** Default visibility timeout: 5 minutes. */
    public static final Duration DEFAULT_VISIBILITY_TIMEOUT = Duration.ofMinutes(5);
    /** Default dead letters kept per queue: 10,000. */
    public static final int DEFAULT_DEAD_LETTER_CAP = 10_000;

    /** How often a waiting receive looks again at clock-driven state (delays, visibility timeouts). */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

    private final Clock clock;
    private final Duration visibilityTimeout;
    private final int deadLetterCap;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<String, Deque<Entry>> ready = new LinkedHashMap<>();
    private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
    private final Map<String, Deque<DeadLetter>> dead = new HashMap<>();
    private long sequence;
    private boolean closed;

    private InProcessTaskBroker(Builder b) {
        this.clock = b.clock;
        this.visibilityTimeout = b.visibilityTimeout;
        this.deadLetterCap = b.deadLetterCap;
    }

    /** A broker with the system UTC clock and the default visibility timeout. */
    public static InProcessTaskBroker create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String backendName() {
        return "memory";
    }

    @Override
    public String publish(TaskMessage message) {
        Objects.requireNonNull(message, "message");
        requireQueueName(message.queue());
        lock.lock();
        try {
            checkOpen();
            String id = Long.toString(++sequence);
            ready.computeIfAbsent(message.queue(), q -> new ArrayDeque<>()).addLast(new Entry(id, message, 0));
            changed.signalAll();
            return id;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<TaskDelivery> receive(List<String> queues, String consumer, Duration wait) {
        if (queues == null || queues.isEmpty()) {
            throw new IllegalArgumentException("receive needs at least one queue name, in priority order");
        }
        queues.forEach(InProcessTaskBroker::requireQueueName);
        Objects.requireNonNull(consumer, "consumer");
        long waitNanos = wait == null || wait.isNegative() ? 0 : wait.toNanos();
        long deadline = System.nanoTime() + waitNanos;
        lock.lock();
        try {
            while (true) {
                if (closed) return Optional.empty();
                Optional<TaskDelivery> d = takeOne(queues);
                if (d.isPresent()) return d;
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) return Optional.empty();
                changed.awaitNanos(Math.min(remaining, RECHECK_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            lock.unlock();
        }
    }

    private Optional<TaskDelivery> takeOne(List<String> queues) {
        long now = clock.millis();
        // expired deliveries first: their worker is presumed dead
        for (String queue : queues) {
            for (Iterator<InFlight> it = inFlight.values().iterator(); it.hasNext(); ) {
                InFlight f = it.next();
                if (f.entry.message.queue().equals(queue) && f.deadlineMillis <= now) {
                    it.remove();
                    return Optional.of(deliver(f.entry, now));
                }
            }
        }
        for (String queue : queues) {
            Deque<Entry> q = ready.get(queue);
            if (q == null) continue;
            for (Iterator<Entry> it = q.iterator(); it.hasNext(); ) {
                Entry e = it.next();
                if (e.message.notBeforeMillis() <= now) {
                    it.remove();
                    return Optional.of(deliver(e, now));
                }
            }
        }
        return Optional.empty();
    }

    private TaskDelivery deliver(Entry e, long now) {
        Entry delivered = new Entry(e.id, e.message, e.deliveries + 1);
        inFlight.put(e.id, new InFlight(delivered, now + visibilityTimeout.toMillis()));
        return new TaskDelivery(e.message, e.id, delivered.deliveries);
    }

    @Override
    public boolean extendVisibility(TaskDelivery delivery, String consumer) {
        Objects.requireNonNull(delivery, "delivery");
        lock.lock();
        try {
            InFlight f = inFlight.get(delivery.receipt());
            if (f == null || f.entry.deliveries != delivery.deliveries()) return false;
            inFlight.put(delivery.receipt(), new InFlight(f.entry, clock.millis() + visibilityTimeout.toMillis()));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ack(TaskDelivery delivery) {
        Objects.requireNonNull(delivery, "delivery");
        lock.lock();
        try {
            inFlight.remove(delivery.receipt());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void deadLetter(TaskDelivery delivery, String reason) {
        Objects.requireNonNull(delivery, "delivery");
        lock.lock();
        try {
            inFlight.remove(delivery.receipt());
            Deque<DeadLetter> list = dead.computeIfAbsent(delivery.message().queue(), q -> new ArrayDeque<>());
            list.addLast(new DeadLetter(delivery.message(), reason == null ? "" : reason, clock.millis()));
            while (list.size() > deadLetterCap) list.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<DeadLetter> deadLetters(String queue, int limit) {
        lock.lock();
        try {
            Deque<DeadLetter> list = dead.get(queue);
            if (list == null || limit <= 0) return List.of();
            List<DeadLetter> out = new ArrayList<>(Math.min(limit, list.size()));
            for (DeadLetter d : list) {
                if (out.size() >= limit) break;
                out.add(d);
            }
            return List.copyOf(out);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long queueLength(String queue) {
        lock.lock();
        try {
            Deque<Entry> q = ready.get(queue);
            return q == null ? 0 : q.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Duration visibilityTimeout() {
        return visibilityTimeout;
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("in-process task broker is closed");
    }

    private static void requireQueueName(String queue) {
        if (queue == null || queue.isBlank()) {
            throw new IllegalArgumentException("queue name must not be blank (e.g. '" + QUEUE_DEFAULT + "')");
        }
    }

    private record Entry(String id, TaskMessage message, int deliveries) {}

    private record InFlight(Entry entry, long deadlineMillis) {}

    /** Options of an {@link InProcessTaskBroker}. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration visibilityTimeout = DEFAULT_VISIBILITY_TIMEOUT;
        private int deadLetterCap = DEFAULT_DEAD_LETTER_CAP;

        private Builder() {}

        /** Clock for visibility timeouts and {@code notBefore}; default system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long a delivered message stays invisible; default 5 minutes. */
        public Builder visibilityTimeout(Duration visibilityTimeout) {
            this.visibilityTimeout = Objects.requireNonNull(visibilityTimeout, "visibilityTimeout");
            return this;
        }

        /** Dead letters kept per queue; default 10,000. */
        public Builder deadLetterCap(int deadLetterCap) {
            this.deadLetterCap = deadLetterCap;
            return this;
        }

        public InProcessTaskBroker build() {
            if (visibilityTimeout.isNegative() || visibilityTimeout.isZero()) {
                throw new IllegalArgumentException("visibilityTimeout must be positive, got " + visibilityTimeout);
            }
            if (deadLetterCap < 1) {
                throw new IllegalArgumentException("deadLetterCap must be >= 1, got " + deadLetterCap);
            }
            return new InProcessTaskBroker(this);
        }
    }
}
