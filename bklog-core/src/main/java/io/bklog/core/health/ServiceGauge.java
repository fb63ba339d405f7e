package io.bklog.core.health;

import java.util.Objects;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;

/**
 * A value of the running service that {@link ServiceHealthIndicator} reports and fails when it is above
 * {@code failAbove}, e.g. how full the ingest queue is or how many dead letters wait.
 *
 * @param name       metric name ({@code ingest_queue_fill_ratio})
 * @param value      reads the current value; it may throw, which fails the metric
 * @param failAbove  the metric fails when the value is strictly greater
 * @param what       what the value is, for the message ({@code ingest queue fill ratio})
 * @param suggestion what a person should do when it fails
 */
public record ServiceGauge(String name, DoubleSupplier value, double failAbove, String what, String suggestion) {
    public ServiceGauge {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        what = what == null || what.isBlank() ? name : what;
        suggestion = suggestion == null ? "" : suggestion;
    }

    /** How full the ingest queue is (0..1); fails above 0.9. */
    public static ServiceGauge ingestQueueFill(DoubleSupplier fillRatio) {
        return new ServiceGauge("ingest_queue_fill_ratio", fillRatio, 0.9, "ingest queue fill ratio",
                "the store does not keep up with ingest: check the store's health and latency, add ingest "
                        + "workers, or put Kafka in front as a buffer");
    }

    /** How many documents wait in the dead-letter store; fails above {@code maxAllowed}. */
    public static ServiceGauge deadLetters(LongSupplier count, long maxAllowed) {
        return new ServiceGauge("dead_letters", () -> count.getAsLong(), maxAllowed, "dead letter count",
                "inspect the dead letters (each holds a refused document and the reason), fix the mapping or the "
                        + "pipeline, then replay or discard them");
    }
}
