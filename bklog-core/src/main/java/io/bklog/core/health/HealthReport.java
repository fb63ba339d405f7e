package io.bklog.core.health;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The result of one health check over several namespaces, as bklog's healthz answer: overall status (true only
 * when every namespace passed), the namespaces, and {@code health check success} or
 * {@code health check failed, please check these namespace: a,b}.
 */
public record HealthReport(boolean status, List<NamespaceData> data, String message) {
    public static final String SUCCESS = "health check success";
    public static final String FAILED_PREFIX = "health check failed, please check these namespace: ";

    public HealthReport {
        data = data == null ? List.of() : List.copyOf(data);
    }

    public static HealthReport of(List<NamespaceData> namespaces) {
        String failed = namespaces.stream().filter(n -> !n.status()).map(NamespaceData::namespace)
                .collect(Collectors.joining(","));
        return failed.isEmpty()
                ? new HealthReport(true, namespaces, SUCCESS)
                : new HealthReport(false, namespaces, FAILED_PREFIX + failed);
    }

    public Optional<NamespaceData> namespace(String name) {
        return data.stream().filter(n -> n.namespace().equals(name)).findFirst();
    }
}
