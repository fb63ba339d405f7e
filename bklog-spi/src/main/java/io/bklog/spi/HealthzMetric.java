package io.bklog.spi;

import java.util.Map;

/**
 * One health reading, as bklog's {@code HealthzMetric}: whether it passes, the metric name and value, dimensions,
 * and for a failure a message saying what is wrong and a suggestion saying what to do.
 */
public record HealthzMetric(boolean status, String metricName, Object metricValue, Map<String, String> dimensions,
                            String message, String suggestion) {
    public HealthzMetric {
        dimensions = dimensions == null ? Map.of() : Map.copyOf(dimensions);
        message = message == null ? "" : message;
        suggestion = suggestion == null ? "" : suggestion;
    }

    public static HealthzMetric ok(String name, Object value) {
        return new HealthzMetric(true, name, value, Map.of(), "", "");
    }

    public static HealthzMetric failed(String name, Object value, String message, String suggestion) {
        return new HealthzMetric(false, name, value, Map.of(), message, suggestion);
    }
}
