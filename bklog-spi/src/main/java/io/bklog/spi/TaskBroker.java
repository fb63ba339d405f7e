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
