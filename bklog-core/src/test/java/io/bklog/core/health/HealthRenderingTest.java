package io.bklog.core.health;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class HealthRenderingTest {
    private final HealthReport report = HealthReport.of(List.of(
            NamespaceData.of("mysql", List.of(HealthzMetric.ok("ping", 1), HealthzMetric.ok("max_connections", 151))),
            NamespaceData.of("redis", List.of(new HealthzMetric(false, "ping", 0, Map.of("host", "r1", "db", "0"),
                    "connection refused", "start redis")))));

    @Test
    void kubernetesTextListsNamespacesThenMetrics() {
        assertThat(HealthRenderer.kubernetes(report)).isEqualTo("""
                health check failed, please check these namespace: redis
                [+]mysql ok
                [-]redis failed: ping: connection refused
                [+]mysql/ping 1
                [+]mysql/max_connections 151
                [-]redis/ping db=0 host=r1 0 - connection refused (suggestion: start redis)
                """);
    }

    @Test
    void consoleTextIsColoured() {
        String text = HealthRenderer.console(report);
        assertThat(text).contains("\u001B[32m[+]\u001B[0mmysql ok").contains("\u001B[31m[-]\u001B[0mredis failed");
    }

    @Test
    void jsonUsesBklogWireNames() {
        Map<String, Object> json = HealthRenderer.json(report);
        assertThat(json).containsEntry("status", false)
                .containsEntry("message", "health check failed, please check these namespace: redis");
        @SuppressWarnings("unchecked")
        Map<String, Object> redis = ((List<Map<String, Object>>) json.get("data")).get(1);
        assertThat(redis).containsEntry("namespace", "redis").containsEntry("status", false)
                .containsEntry("message", "ping: connection refused");
        @SuppressWarnings("unchecked")
        Map<String, Object> ping = ((List<Map<String, Object>>) redis.get("data")).get(0);
        assertThat(ping).containsOnlyKeys("status", "metric_name", "metric_value", "dimensions", "message", "suggestion")
                .containsEntry("metric_name", "ping").containsEntry("suggestion", "start redis");
    }

    @Test
    void successReportHasOnlyPlusLines() {
        HealthReport ok = HealthReport.of(List.of(NamespaceData.of("service", List.of(HealthzMetric.ok("x", 2)))));
        assertThat(HealthRenderer.kubernetes(ok)).isEqualTo("health check success\n[+]service ok\n[+]service/x 2\n");
    }

    @Test
    void gaugeFollowsTheLastReport() {
        AtomicBoolean redisUp = new AtomicBoolean(true);
        HealthIndicator redis = new HealthIndicator() {
            @Override public String namespace() { return "redis"; }
            @Override public List<HealthzMetric> check() {
                return List.of(redisUp.get() ? HealthzMetric.ok("ping", 1) : HealthzMetric.failed("ping", 0, "down", ""));
            }
        };
        HealthIndicator mysql = new HealthIndicator() {
            @Override public String namespace() { return "mysql"; }
            @Override public List<HealthzMetric> check() { return List.of(HealthzMetric.ok("ping", 1)); }
        };
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (HealthzMetricCollector c = HealthzMetricCollector.builder().indicator(redis).indicator(mysql).build()) {
            HealthMetrics.bind(registry, c);
            assertThat(registry.get("bklog_health_status").tag("namespace", "redis").gauge().value()).isNaN();
            c.collect();
            assertThat(registry.get("bklog_health_status").tag("namespace", "redis").gauge().value()).isEqualTo(1.0);
            redisUp.set(false);
            c.collect();
            assertThat(registry.get("bklog_health_status").tag("namespace", "redis").gauge().value()).isEqualTo(0.0);
            assertThat(registry.get("bklog_health_status").tag("namespace", "mysql").gauge().value()).isEqualTo(1.0);
            c.collect(Set.of("mysql"), Set.of());
            assertThat(registry.get("bklog_health_status").tag("namespace", "redis").gauge().value()).isNaN();
        }
    }
}
