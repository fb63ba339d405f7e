package io.bklog.spi;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Moves task messages from publishers to workers through named queues ({@code high}, {@code default}, ...).
 * A received message is invisible to others until it is acknowledged; one not acknowledged within the
 * visibility timeout is delivered again (its worker is presumed dead), with {@code deliveries} incremented.
 */
public interface TaskBroker extends AutoCloseable {

    String QUEUE_HIGH = "high";
    String QUEUE_DEFAULT = "default";

    String backendName();

    /** Publishes a message; returns its broker id. */
    String publish(TaskMessage message);

    /**
     * Receives one message from the first non-empty queue of {@code queues} (so the order is the priority),
     * waiting up to {@code wait}. Messages whose visibility timeout expired are delivered again first.
     */
    Optional<TaskDelivery> receive(List<String> queues, String consumer, Duration wait);

    /**
     * Heartbeat of a long run: keeps {@code delivery} invisible for another whole visibility timeout from now, so a
     * task that runs longer than the visibility timeout is not handed to a second worker while its first one is
     * alive. {@code consumer} is the name the delivery was received with. Returns false when the message is no longer
     * held (acknowledged, or already handed out again) or the broker cannot extend; the default cannot.
     */
    default boolean extendVisibility(TaskDelivery delivery, String consumer) {
        return false;
    }

    /** Done: the message will not be delivered again. */
    void ack(TaskDelivery delivery);

    /**
     * Moves a delivery to the dead-letter list of its queue with the reason, and acknowledges it.
     */
    void deadLetter(TaskDelivery delivery, String reason);

    /** Dead-lettered messages of a queue, oldest first, at most {@code limit}. */
    List<DeadLetter> deadLetters(String queue, int limit);

    /** Messages waiting in a queue (not yet delivered). */
    long queueLength(String queue);

    /** How long a delivered, unacknowledged message stays invisible. */
    Duration visibilityTimeout();

    @Override
    default void close() {
    }

    record DeadLetter(TaskMessage message, String reason, long atMillis) {}
}
