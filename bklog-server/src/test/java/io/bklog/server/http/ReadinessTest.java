package io.bklog.server.http;

import io.bklog.core.health.HealthReport;
import io.bklog.core.health.NamespaceData;
import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** /readyz: a cluster at its shard limit still takes traffic; any other failure takes the instance out. */
class ReadinessTest {

    @Test
    void theShardLimitFailsHealthButNotReadiness() {
        HealthReport atLimit = HealthReport.of(List.of(NamespaceData.of("elasticsearch", List.of(
                HealthzMetric.ok("cluster_status", "green"),
                HealthzMetric.failed("shards_percent_of_limit", "100.0", "at the limit", "add nodes")))));
        assertThat(atLimit.status()).isFalse();
        assertThat(HealthRoutes.forReadiness(atLimit).status()).isTrue();

        HealthReport red = HealthReport.of(List.of(NamespaceData.of("elasticsearch", List.of(
                HealthzMetric.failed("cluster_status", "red", "red", "look"),
                HealthzMetric.failed("shards_percent_of_limit", "100.0", "at the limit", "add nodes")))));
        assertThat(HealthRoutes.forReadiness(red).status()).isFalse();
        assertThat(HealthRoutes.forReadiness(HealthReport.of(List.of(NamespaceData.failed("metadata", "down"))))
                .status()).isFalse();
    }
}
