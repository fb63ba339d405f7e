package io.bklog.core.metrics;

import io.bklog.spi.Meters;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * The SPI's {@link Meters} on a Micrometer {@link MeterRegistry}: what the platform gives sources (their context) and
 * the ingest buffer ({@link io.bklog.spi.IngestBuffer#bindMeters}), so backends and sources report to the platform's
 * registry ({@code /metrics}) without depending on Micrometer.
 */
public final class MicrometerMeters implements Meters {
    private final MeterRegistry registry;

    private MicrometerMeters(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    public static Meters of(MeterRegistry registry) {
        return new MicrometerMeters(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    @Override
    public Counter counter(String name, String description, String... tags) {
        io.micrometer.core.instrument.Counter c = io.micrometer.core.instrument.Counter.builder(name)
                .description(description).tags(tags).register(registry);
        return c::increment;
    }

    @Override
    public Timer timer(String name, String description, String... tags) {
        io.micrometer.core.instrument.Timer t = io.micrometer.core.instrument.Timer.builder(name)
                .description(description).tags(tags).register(registry);
        return d -> t.record(d == null ? Duration.ZERO : d);
    }

    @Override
    public Registration gauge(String name, String description, DoubleSupplier value, String... tags) {
        Objects.requireNonNull(value, "value");
        Gauge g = Gauge.builder(name, value, DoubleSupplier::getAsDouble).description(description).tags(tags)
                .strongReference(true).register(registry);
        return () -> registry.remove(g);
    }
}
