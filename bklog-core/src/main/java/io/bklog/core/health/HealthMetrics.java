package io.bklog.core.health;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** Publishes health as Micrometer gauges. */
public final class HealthMetrics {
    /** Gauge name; in Prometheus it reads {@code bklog_health_status{namespace="redis"}}. */
    public static final String STATUS = "bklog_health_status";

    private HealthMetrics() {}

    /**
     * Registers {@value #STATUS} tagged {@code namespace} for every namespace of the collector: 1 when the
     * namespace passed in the collector's last report, 0 when it failed, NaN before the first report (or when the
     * last report did not include the namespace).
     */
    public static void bind(MeterRegistry registry, HealthzMetricCollector collector) {
        for (String ns : collector.namespaces()) {
            Gauge.builder(STATUS, collector, c -> c.lastReport().flatMap(r -> r.namespace(ns))
                            .map(d -> d.status() ? 1.0 : 0.0).orElse(Double.NaN))
                    .tag("namespace", ns)
                    .description("1 when the namespace's last health check passed, 0 when it failed")
                    .strongReference(true)
                    .register(registry);
        }
    }
}
