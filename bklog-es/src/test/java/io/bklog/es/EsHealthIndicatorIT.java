package io.bklog.es;

import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class EsHealthIndicatorIT {

    @Test
    void reportsAHealthySingleNodeClusterWithDiskHeapAndRepository() {
        EsFixture es = EsFixture.shared();
        try (EsConnection c = EsConnection.connect(List.of(es.url()), Duration.ofSeconds(2), Duration.ofSeconds(30));
             EsSnapshotRepository repo = EsSnapshotRepository.builder().connection(c).name("health_it_repo")
                     .location(es.repoDir().resolve("health_it_repo").toString()).build()) {
            repo.register();
            EsHealthIndicator health = EsHealthIndicator.builder(c).cluster("it").repository("health_it_repo").build();
            List<HealthzMetric> metrics = health.check();
            assertThat(health.namespace()).isEqualTo("elasticsearch");
            assertThat(metrics).extracting(HealthzMetric::metricName)
                    .contains("cluster_status", "nodes", "pending_tasks", "disk_used_percent", "heap_used_percent",
                            "repository");
            assertThat(metrics).allSatisfy(m -> assertThat(m.status()).as("%s", m).isTrue());
            assertThat(metrics).allSatisfy(m -> assertThat(m.dimensions()).containsEntry("cluster", "it"));
        }
    }

    @Test
    void reportsAnUnreachableClusterAsFailedWithASuggestion() {
        try (EsConnection c = EsConnection.connect(List.of("http://127.0.0.1:1"), Duration.ofMillis(500),
                Duration.ofSeconds(2))) {
            List<HealthzMetric> metrics = EsHealthIndicator.builder(c).build().check();
            assertThat(metrics).hasSize(1);
            assertThat(metrics.get(0).status()).isFalse();
            assertThat(metrics.get(0).message()).contains("127.0.0.1:1");
            assertThat(metrics.get(0).suggestion()).isNotBlank();
        }
    }
}
