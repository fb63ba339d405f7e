package io.bklog.spi.source;

/**
 * A started-once reader of one collector: {@link #start()} begins reading on threads of its own, {@link #stop()}
 * stops reading (a batch in hand is finished, its position committed once stored), {@link #close()} releases every
 * thread, socket and file. A stopped source is not started again: the platform creates a new one from its factory,
 * which resumes from the committed position.
 */
public interface Source extends AutoCloseable {

    /** Begins reading; throws when it cannot (a port in use, a broker down): the platform retries later. */
    void start() throws Exception;

    /** Stops reading; idempotent. Lines already accepted by the sink are delivered by it. */
    void stop();

    /** The state and a short detail for the collectors API. */
    default SourceStatus status() {
        return SourceStatus.running("running");
    }

    /** Stops (if still running) and releases everything; idempotent. */
    @Override
    default void close() {
        stop();
    }
}
