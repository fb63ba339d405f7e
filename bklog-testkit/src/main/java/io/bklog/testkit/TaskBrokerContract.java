package io.bklog.testkit;

import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskDelivery;
import io.bklog.spi.TaskMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a {@link TaskBroker}. A backend's test extends this class and builds a fresh broker (with empty
 * queues) in {@link #createBroker(Duration)}; the broker is closed after each test.
 *
 * <p>Time is real here (a backend such as Redis measures idle time on its server): the visibility timeout is
 * short ({@link #visibilityTimeout()}, default 1 s) and the tests wait with Awaitility, never by sleeping.
 */
public abstract class TaskBrokerContract {

    protected static final List<String> HIGH_THEN_DEFAULT = List.of(TaskBroker.QUEUE_HIGH, TaskBroker.QUEUE_DEFAULT);
    private static final Duration SHORT = Duration.ofMillis(100);

    protected TaskBroker broker;

    /** A new broker with empty queues and the given visibility timeout. */
    protected abstract TaskBroker createBroker(Duration visibilityTimeout);

    /** The visibility timeout the tests use; default 1 second. */
    protected Duration visibilityTimeout() {
        return Duration.ofSeconds(1);
    }

    @BeforeEach
    void openBroker() {
        broker = createBroker(visibilityTimeout());
    }

    @AfterEach
    void closeBroker() throws Exception {
        if (broker != null) broker.close();
    }

    protected static TaskMessage message(String queue, String task) {
        return TaskMessage.of(UUID.randomUUID().toString(), queue, task, Map.of("k", "v", "space", "s 1"));
    }

    @Test
    void receivesPublishedMessageWithItsFieldsAndForgetsItOnAck() {
        TaskMessage sent = new TaskMessage("run-1", TaskBroker.QUEUE_DEFAULT, "clean_expired",
                Map.of("index", "bklog_*", "empty", "", "unicode", "日志 ✓"), 3, 0);
        String id = broker.publish(sent);
        assertThat(id).isNotBlank();

        TaskDelivery d = broker.receive(List.of(TaskBroker.QUEUE_DEFAULT), "c1", Duration.ofSeconds(2)).orElseThrow();
        assertThat(d.message()).isEqualTo(sent);
        assertThat(d.deliveries()).isEqualTo(1);
        assertThat(d.receipt()).isNotBlank();
        broker.ack(d);

        assertThat(broker.receive(List.of(TaskBroker.QUEUE_DEFAULT), "c1", SHORT)).isEmpty();
        assertThat(broker.queueLength(TaskBroker.QUEUE_DEFAULT)).isZero();
        assertThat(broker.visibilityTimeout()).isEqualTo(visibilityTimeout());
    }

    @Test
    void receiveOnEmptyQueuesReturnsEmptyAfterWaiting() {
        assertThat(broker.receive(HIGH_THEN_DEFAULT, "c1", SHORT)).isEmpty();
    }

    @Test
    void deliversHighPriorityBeforeDefaultWhenBothWait() {
        TaskMessage low1 = message(TaskBroker.QUEUE_DEFAULT, "low");
        TaskMessage low2 = message(TaskBroker.QUEUE_DEFAULT, "low");
        TaskMessage high = message(TaskBroker.QUEUE_HIGH, "high");
        broker.publish(low1);
        broker.publish(low2);
        broker.publish(high);

        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            TaskDelivery d = broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(2)).orElseThrow();
            order.add(d.message().id());
            broker.ack(d);
        }
        assertThat(order).containsExactly(high.id(), low1.id(), low2.id());
    }

    @Test
    void queueOrderOfReceiveIsThePriority() {
        TaskMessage low = message(TaskBroker.QUEUE_DEFAULT, "low");
        TaskMessage high = message(TaskBroker.QUEUE_HIGH, "high");
        broker.publish(high);
        broker.publish(low);
        TaskDelivery d = broker.receive(List.of(TaskBroker.QUEUE_DEFAULT, TaskBroker.QUEUE_HIGH), "c1",
                Duration.ofSeconds(2)).orElseThrow();
        assertThat(d.message().id()).isEqualTo(low.id());
    }

    @Test
    void redeliversUnacknowledgedMessageAfterVisibilityTimeoutWithDeliveriesIncremented() {
        TaskMessage sent = message(TaskBroker.QUEUE_DEFAULT, "dies");
        broker.publish(sent);
        TaskDelivery first = broker.receive(HIGH_THEN_DEFAULT, "worker-that-dies", Duration.ofSeconds(2))
                .orElseThrow();
        assertThat(first.deliveries()).isEqualTo(1);
        // invisible while its visibility timeout runs
        assertThat(broker.receive(HIGH_THEN_DEFAULT, "c2", SHORT)).isEmpty();

        long start = System.nanoTime();
        TaskDelivery again = await().atMost(visibilityTimeout().multipliedBy(5).plusSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> broker.receive(HIGH_THEN_DEFAULT, "c2", SHORT), Optional::isPresent).orElseThrow();
        assertThat(Duration.ofNanos(System.nanoTime() - start).plus(SHORT))
                .isGreaterThanOrEqualTo(visibilityTimeout().dividedBy(2));
        assertThat(again.message()).isEqualTo(sent);
        assertThat(again.deliveries()).isEqualTo(2);
        broker.ack(again);
        assertThat(broker.receive(HIGH_THEN_DEFAULT, "c2", SHORT)).isEmpty();
    }

    @Test
    void aDeliveryWhoseVisibilityIsExtendedIsNotHandedOutAgainUntilTheHeartbeatStops() {
        TaskMessage sent = message(TaskBroker.QUEUE_DEFAULT, "long-run");
        broker.publish(sent);
        TaskDelivery held = broker.receive(HIGH_THEN_DEFAULT, "long-runner", Duration.ofSeconds(2)).orElseThrow();
        // a heartbeat every third of the visibility timeout, for three whole timeouts
        long end = System.nanoTime() + visibilityTimeout().multipliedBy(3).toNanos();
        while (System.nanoTime() < end) {
            assertThat(broker.extendVisibility(held, "long-runner")).as("extend while held").isTrue();
            assertThat(broker.receive(HIGH_THEN_DEFAULT, "c2", visibilityTimeout().dividedBy(3)))
                    .as("handed to a second worker while its first one still beats").isEmpty();
        }
        // the heartbeat stops (the worker died): delivered again, the count incremented once
        TaskDelivery again = await().atMost(visibilityTimeout().multipliedBy(5).plusSeconds(2))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> broker.receive(HIGH_THEN_DEFAULT, "c2", SHORT), Optional::isPresent).orElseThrow();
        assertThat(again.message()).isEqualTo(sent);
        assertThat(again.deliveries()).isEqualTo(2);
        assertThat(broker.extendVisibility(held, "long-runner")).as("the first holder lost it").isFalse();
        broker.ack(again);
        assertThat(broker.extendVisibility(again, "c2")).as("extend after ack").isFalse();
    }

    @Test
    void twoConcurrentWorkersProcessEveryMessageExactlyOnce() throws Exception {
        int n = 300;
        Set<String> sent = ConcurrentHashMap.newKeySet();
        for (int i = 0; i < n; i++) {
            TaskMessage m = message(i % 3 == 0 ? TaskBroker.QUEUE_HIGH : TaskBroker.QUEUE_DEFAULT, "t" + i);
            sent.add(m.id());
            broker.publish(m);
        }
        Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
        AtomicInteger acked = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < 2; w++) {
                String consumer = "worker-" + w;
                workers.add(pool.submit(() -> {
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (acked.get() < n && System.nanoTime() < until) {
                        Optional<TaskDelivery> d = broker.receive(HIGH_THEN_DEFAULT, consumer, SHORT);
                        if (d.isEmpty()) continue;
                        processed.computeIfAbsent(d.get().message().id(), k -> new AtomicInteger()).incrementAndGet();
                        broker.ack(d.get());
                        acked.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : workers) f.get(90, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertThat(processed.keySet()).isEqualTo(sent);
        assertThat(processed.values()).allSatisfy(c -> assertThat(c.get()).isEqualTo(1));
        assertThat(broker.queueLength(TaskBroker.QUEUE_HIGH)).isZero();
        assertThat(broker.queueLength(TaskBroker.QUEUE_DEFAULT)).isZero();
    }

    @Test
    void deadLetterKeepsMessageWithReasonAndNeverRedeliversIt() {
        TaskMessage sent = message(TaskBroker.QUEUE_DEFAULT, "poison");
        broker.publish(sent);
        TaskDelivery d = broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(2)).orElseThrow();
        long before = System.currentTimeMillis();
        broker.deadLetter(d, "failed after 3 attempts: boom");

        List<TaskBroker.DeadLetter> dead = broker.deadLetters(TaskBroker.QUEUE_DEFAULT, 10);
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).message()).isEqualTo(sent);
        assertThat(dead.get(0).reason()).isEqualTo("failed after 3 attempts: boom");
        assertThat(dead.get(0).atMillis()).isBetween(before - 5_000, System.currentTimeMillis() + 5_000);
        assertThat(broker.deadLetters(TaskBroker.QUEUE_HIGH, 10)).isEmpty();
        assertThat(broker.queueLength(TaskBroker.QUEUE_DEFAULT)).isZero();
        assertThat(broker.receive(HIGH_THEN_DEFAULT, "c1", SHORT)).isEmpty();
    }

    @Test
    void deadLettersAreListedOldestFirstUpToTheLimit() {
        for (int i = 0; i < 3; i++) {
            broker.publish(message(TaskBroker.QUEUE_HIGH, "p" + i));
            TaskDelivery d = broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(2)).orElseThrow();
            broker.deadLetter(d, "reason " + i);
        }
        assertThat(broker.deadLetters(TaskBroker.QUEUE_HIGH, 2)).extracting(TaskBroker.DeadLetter::reason)
                .containsExactly("reason 0", "reason 1");
    }

    @Test
    void queueLengthCountsMessagesNotYetDelivered() {
        for (int i = 0; i < 3; i++) broker.publish(message(TaskBroker.QUEUE_DEFAULT, "t"));
        broker.publish(message(TaskBroker.QUEUE_HIGH, "t"));
        assertThat(broker.queueLength(TaskBroker.QUEUE_DEFAULT)).isEqualTo(3);
        assertThat(broker.queueLength(TaskBroker.QUEUE_HIGH)).isEqualTo(1);
        assertThat(broker.queueLength("never-used")).isZero();

        TaskDelivery d = broker.receive(List.of(TaskBroker.QUEUE_DEFAULT), "c1", Duration.ofSeconds(2)).orElseThrow();
        assertThat(broker.queueLength(TaskBroker.QUEUE_DEFAULT)).isEqualTo(2);
        broker.ack(d);
        assertThat(broker.queueLength(TaskBroker.QUEUE_DEFAULT)).isEqualTo(2);
    }

    @Test
    void messageIsNotDeliveredBeforeItsNotBeforeTime() {
        long notBefore = System.currentTimeMillis() + 1_500;
        TaskMessage later = new TaskMessage("retry-2", TaskBroker.QUEUE_DEFAULT, "later", Map.of(), 2, notBefore);
        broker.publish(later);
        TaskMessage now = message(TaskBroker.QUEUE_DEFAULT, "now");
        broker.publish(now);

        TaskDelivery first = broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(1)).orElseThrow();
        assertThat(first.message().id()).isEqualTo(now.id());
        broker.ack(first);
        assertThat(broker.receive(HIGH_THEN_DEFAULT, "c1", SHORT)).isEmpty();

        TaskDelivery d = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                .until(() -> broker.receive(HIGH_THEN_DEFAULT, "c1", SHORT), Optional::isPresent).orElseThrow();
        assertThat(System.currentTimeMillis()).isGreaterThanOrEqualTo(notBefore);
        assertThat(d.message()).isEqualTo(later);
        assertThat(d.deliveries()).isEqualTo(1);
        broker.ack(d);
    }

    @Test
    void republishedNextAttemptKeepsIdAndCountsAttempts() {
        TaskMessage first = message(TaskBroker.QUEUE_HIGH, "retry");
        broker.publish(first);
        TaskDelivery d = broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(2)).orElseThrow();
        broker.publish(d.message().nextAttempt(0));
        broker.ack(d);
        TaskDelivery again = broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(2)).orElseThrow();
        assertThat(again.message().id()).isEqualTo(first.id());
        assertThat(again.message().attempt()).isEqualTo(2);
        assertThat(again.deliveries()).isEqualTo(1);
        broker.ack(again);
    }

    @Test
    void waitingReceiveWakesUpForMessagePublishedMeanwhile() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Optional<TaskDelivery>> pending = pool.submit(
                    () -> broker.receive(HIGH_THEN_DEFAULT, "c1", Duration.ofSeconds(10)));
            TaskMessage m = message(TaskBroker.QUEUE_DEFAULT, "late");
            await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(1)).until(() -> true);
            broker.publish(m);
            Optional<TaskDelivery> d = pending.get(8, TimeUnit.SECONDS);
            assertThat(d).isPresent();
            assertThat(d.get().message()).isEqualTo(m);
            broker.ack(d.get());
        } finally {
            pool.shutdownNow();
        }
    }
}
