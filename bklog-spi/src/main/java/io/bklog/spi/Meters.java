package io.bklog.spi;

import java.time.Duration;
import java.util.function.DoubleSupplier;

/**
 * The platform's meter registry as a backend or a source sees it: counters, gauges and timers by name and tags, so
 * the SPI stays free of any metrics library. The platform binds it to its Micrometer registry (Prometheus shows
 * {@code bklog.kafka.consumer.lag} as {@code bklog_kafka_consumer_lag}); {@link #noop()} drops everything.
 *
 * <p>Tags are given as alternating keys and values ({@code "group", "g1", "topic", "t"}). Asking twice for the same
 * name and tags returns the same counter/timer. Implementations are thread-safe.
 */
public interface Meters {

    /** A monotonically increasing count. */
    interface Counter {
        void increment(double amount);

        default void increment() {
            increment(1);
        }
    }

    /** Durations of an operation. */
    interface Timer {
        void record(Duration duration);
    }

    /** A registered gauge; {@link #close()} removes it from the registry. */
    interface Registration extends AutoCloseable {
        @Override
        void close();
    }

    Counter counter(String name, String description, String... tags);

    Timer timer(String name, String description, String... tags);

    /**
     * Registers a gauge read from {@code value} whenever the registry is scraped (the supplier is held strongly);
     * NaN means unknown. Close the registration when the component that owns it closes.
     */
    Registration gauge(String name, String description, DoubleSupplier value, String... tags);

    /** Meters that record nothing. */
    static Meters noop() {
        return NoopMeters.INSTANCE;
    }
}

final class NoopMeters implements Meters {
    static final NoopMeters INSTANCE = new NoopMeters();
    private static final Counter COUNTER = amount -> { };
    private static final Timer TIMER = duration -> { };
    private static final Registration REGISTRATION = () -> { };

    private NoopMeters() {
    }

    @Override
    public Counter counter(String name, String description, String... tags) {
        return COUNTER;
    }

    @Override
    public Timer timer(String name, String description, String... tags) {
        return TIMER;
    }

    @Override
    public Registration gauge(String name, String description, DoubleSupplier value, String... tags) {
        return REGISTRATION;
    }
}
