package io.bklog.spi;

import java.time.Duration;
import java.util.List;

/**
 * A durable queue between ingest and the store (in-process queue, Kafka). Producers {@link #append}; a consumer
 * group polls and commits only after the store acknowledged, so a crash redelivers instead of losing. Delivery is
 * at-least-once; deterministic document ids make it effectively once.
 */
public interface IngestBuffer extends AutoCloseable {

    String backendName();

    /**
     * Appends documents; when this returns they survive what the buffer promises (a process restart for Kafka, a
     * consumer crash for the in-process queue). Order is kept per {@link BufferedDocument#key()}.
     *
     * @throws BufferFullException when the buffer is at its bound (nothing appended): back off and retry
     * @throws BufferTimeoutException (a {@link BufferFullException}) when the buffer could not confirm the append in
     *         time (a broker down): part of the batch may have been appended; back off and retry with the same ids
     */
    void append(List<BufferedDocument> documents) throws BufferFullException;

    /** Joins consumer group {@code group}; each member receives a share of the records. */
    Consumer consumer(String group);

    /** Records appended and not yet committed by {@code group} (the lag); -1 when unknown. */
    long pending(String group);

    /**
     * The platform's meters, given once by the platform before the buffer is used, for meters of its own (kafka:
     * {@code bklog.kafka.consumer.lag{group, topic}}). Default: ignored.
     */
    default void bindMeters(Meters meters) {
    }

    @Override
    default void close() {
    }

    /** A member of a consumer group. Not thread-safe: one thread polls and commits. */
    interface Consumer extends AutoCloseable {
        /** Up to {@code max} records not yet delivered to this member, waiting up to {@code timeout} for the first. */
        List<BufferedDocument> poll(int max, Duration timeout);

        /** Commits every record polled so far: they will not be delivered again to this group. */
        void commit();

        /** Leaves the group; polled but uncommitted records are delivered again (to this group). */
        @Override
        void close();
    }
}
