package io.bklog.core.health;

import io.bklog.spi.HealthzMetric;

import java.util.List;
import java.util.Objects;

/**
 * The health of one namespace, as bklog's {@code NamespaceData}: whether every metric passed, the metrics, and a
 * message ({@code ok}, or what failed).
 */
public record NamespaceData(String namespace, boolean status, List<HealthzMetric> data, String message) {
    public static final String OK = "ok";

    public NamespaceData {
        Objects.requireNonNull(namespace, "namespace");
        data = data == null ? List.of() : List.copyOf(data);
        message = message == null || message.isEmpty() ? (status ? OK : "failed") : message;
    }

    /**
     * A namespace from its metrics: it passes when every metric passes; the message of a failed one lists
     * {@code metric: message} for each failed metric.
     */
    public static NamespaceData of(String namespace, List<HealthzMetric> metrics) {
        StringBuilder failures = new StringBuilder();
        for (HealthzMetric m : metrics) {
            if (m.status()) continue;
            if (failures.length() > 0) failures.append("; ");
            failures.append(m.metricName());
            if (!m.message().isEmpty()) failures.append(": ").append(m.message());
        }
        boolean ok = failures.length() == 0;
        return new NamespaceData(namespace, ok, metrics, ok ? OK : failures.toString());
    }

    /** A namespace that failed without metrics, e.g. because it is unknown. */
    public static NamespaceData failed(String namespace, String message) {
        return new NamespaceData(namespace, false, List.of(), message);
    }
}
