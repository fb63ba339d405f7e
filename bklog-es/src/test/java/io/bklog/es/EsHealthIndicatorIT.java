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
                            "repository", "shards_percent_of_limit");
            assertThat(metrics).allSatisfy(m -> assertThat(m.status()).as("%s", m).isTrue());
            assertThat(metrics).allSatisfy(m -> assertThat(m.dimensions()).containsEntry("cluster", "it"));
        }
    }

    @Test
    void warnsBeforeTheClusterReachesItsShardLimitAndFailsAtIt() throws Exception {
        EsFixture es = EsFixture.shared();
        try (EsConnection c = EsConnection.connect(List.of(es.url()), Duration.ofSeconds(2), Duration.ofSeconds(30))) {
            EsHttp http = new EsHttp(c);
            com.fasterxml.jackson.databind.JsonNode h = http.perform("GET", "/_cluster/health", null);
            long open = h.path("active_shards").asLong() + h.path("unassigned_shards").asLong();
            boolean made = open < 20;
            if (made) { // enough shards that 90 % of a limit is a whole number of them
                int add = (int) (20 - open);
                http.perform("PUT", "/health_it_shards", new com.fasterxml.jackson.databind.ObjectMapper()
                        .readTree("{\"settings\":{\"number_of_shards\":" + add + ",\"number_of_replicas\":0}}"));
                open += add;
            }
            EsHealthIndicator health = EsHealthIndicator.builder(c).cluster("it").build();
            try {
                limit(http, (long) Math.ceil(open / 0.9)); // 90 % of the limit: a warning, still ok
                HealthzMetric near = shards(health.check());
                assertThat(near.status()).isTrue();
                assertThat(near.message()).contains("of cluster.max_shards_per_node").contains("will be refused");
                assertThat(near.suggestion()).contains("retention days x shards x (1 + replicas)");
                limit(http, open); // at the limit: failed
                HealthzMetric at = shards(health.check());
                assertThat(at.status()).isFalse();
                assertThat(at.message()).contains("at its shard limit");
            } finally {
                http.perform("PUT", "/_cluster/settings", new com.fasterxml.jackson.databind.ObjectMapper()
                        .createObjectNode().set("persistent", new com.fasterxml.jackson.databind.ObjectMapper()
                                .createObjectNode().putNull("cluster.max_shards_per_node")));
                if (made) http.perform("DELETE", "/health_it_shards", null);
            }
            assertThat(shards(health.check()).status()).isTrue();
        }
    }

    private static void limit(EsHttp http, long perNode) {
        com.fasterxml.jackson.databind.ObjectMapper om = new com.fasterxml.jackson.databind.ObjectMapper();
        http.perform("PUT", "/_cluster/settings", om.createObjectNode().set("persistent",
                om.createObjectNode().put("cluster.max_shards_per_node", perNode)));
    }

    private static HealthzMetric shards(List<HealthzMetric> metrics) {
        return metrics.stream().filter(m -> m.metricName().equals("shards_percent_of_limit")).findFirst()
                .orElseThrow();
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

    @Test
    void registersAConfiguredRepositoryInTheBackgroundAtStartUpWithoutAnyCheck() {
        EsFixture es = EsFixture.shared();
        String name = "health_it_bg_repo";
        try (EsConnection c = EsConnection.connect(List.of(es.url()), Duration.ofSeconds(2), Duration.ofSeconds(30));
             EsSnapshotRepository repo = EsSnapshotRepository.builder().connection(c).name(name)
                     .location(es.repoDir().resolve(name).toString()).build()) {
            EsHttp http = new EsHttp(c);
            try (EsHealthIndicator health = EsHealthIndicator.builder(c).cluster("it").repository(repo).build()) {
                // no check() call: a /healthz request must never be what writes the cluster state
                org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() ->
                        assertThat(http.perform("GET", "/_snapshot/" + name, null).has(name)).isTrue());
                HealthzMetric m = health.check().stream().filter(x -> x.metricName().equals("repository"))
                        .findFirst().orElseThrow();
                assertThat(m.status()).as("%s", m).isTrue();
            } finally {
                try {
                    http.perform("DELETE", "/_snapshot/" + name, null);
                } catch (RuntimeException ignored) {
                    // not registered: nothing to clean
                }
            }
        }
    }

    @Test
    void aYellowClusterExplainsTheUnassignedShardWithoutNamingAnyIndex() throws Exception {
        EsFixture es = EsFixture.shared();
        String index = "health_it_secret_set_20240601";
        try (EsConnection c = EsConnection.connect(List.of(es.url()), Duration.ofSeconds(2), Duration.ofSeconds(30))) {
            EsHttp http = new EsHttp(c);
            http.perform("PUT", "/" + index, new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree("{\"settings\":{\"number_of_shards\":1,\"number_of_replicas\":1}}"));
            try {
                HealthzMetric status = health(EsHealthIndicator.builder(c).cluster("it").build().check());
                assertThat(status.metricValue()).isEqualTo("yellow");
                assertThat(status.message()).contains("replica shards are not").contains("replica shard: ")
                        .doesNotContain(index).doesNotContain("secret_set");
            } finally {
                http.perform("DELETE", "/" + index, null);
            }
        }
    }

    private static HealthzMetric health(List<HealthzMetric> metrics) {
        return metrics.stream().filter(m -> m.metricName().equals("cluster_status")).findFirst().orElseThrow();
    }
}
