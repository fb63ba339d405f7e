package io.bklog.kafka;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaHealthIT {

    private static final KafkaFixture KAFKA = KafkaFixture.shared();

    private static BackendProvider provider() {
        return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("kafka")).findFirst().orElseThrow();
    }

    private static HealthzMetric metric(List<HealthzMetric> ms, String name) {
        return ms.stream().filter(m -> m.metricName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void backendFoundByNameOffersTheBufferAndAHealthThatFailsOnLagPastTheThreshold() {
        String topic = KAFKA.nextTopic("health");
        try (Backend backend = provider().create(BackendConfig.of(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
                "topic", topic, "partitions", "2", "group", "sink", "lag.threshold", "5"), Path.of("target")))) {
            IngestBuffer buffer = backend.ingestBuffer().orElseThrow();
            assertThat(buffer.backendName()).isEqualTo("kafka");
            List<HealthzMetric> green = backend.healthIndicators().get(0).check();
            assertThat(backend.healthIndicators().get(0).namespace()).isEqualTo("kafka");
            assertThat(green).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());
            assertThat(metric(green, "brokers").metricValue()).isEqualTo(1);
            assertThat(metric(green, "topic").metricValue()).isEqualTo(2);

            List<BufferedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 8; i++) docs.add(new BufferedDocument("s", "k", new LogDocument("d" + i, Instant.EPOCH, Map.of())));
            buffer.append(docs);
            assertThat(buffer.pending("sink")).isEqualTo(8);
            HealthzMetric lag = metric(backend.healthIndicators().get(0).check(), "consumer_lag");
            assertThat(lag.status()).isFalse();
            assertThat(lag.metricValue()).isEqualTo(8L);
            assertThat(lag.dimensions()).containsEntry("group", "sink").containsEntry("topic", topic);
            assertThat(lag.suggestion()).contains("add consumer instances / partitions, check the store");
        }
    }

    @Test
    void missingTopicIsAFailedMetricAndMissingBootstrapServersIsAClearError() {
        try (org.apache.kafka.clients.admin.Admin admin = KafkaClients.admin(KAFKA.bootstrapServers(), Map.of(), java.time.Duration.ofSeconds(5))) {
            List<HealthzMetric> ms = KafkaHealthIndicator.builder(admin).topics(List.of("no-such-topic")).build().check();
            HealthzMetric topic = metric(ms, "topic");
            assertThat(topic.status()).isFalse();
            assertThat(topic.message()).contains("'no-such-topic' does not exist");
        }
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("topic", "t"), Path.of("target"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap.servers");
    }

    private static org.apache.kafka.clients.admin.ConfigEntry minIsr(org.apache.kafka.clients.admin.Admin admin, String topic) throws Exception {
        org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        return admin.describeConfigs(List.of(r)).all().get().get(r).get("min.insync.replicas");
    }

    @Test
    void anExistingTopicsMinInsyncReplicasIsWhatHealthChecksAndAnExplicitSettingAltersIt() throws Exception {
        String topic = KAFKA.nextTopic("min-isr");
        try (org.apache.kafka.clients.admin.Admin admin = KafkaClients.admin(KAFKA.bootstrapServers(), Map.of(), java.time.Duration.ofSeconds(5))) {
            try {
                // created by hand with a value one broker cannot satisfy: appends to it are refused
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)
                        .configs(Map.of("min.insync.replicas", "2")))).all().get();
                Map<String, String> settings = Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "topic", topic,
                        "partitions", "1");
                try (Backend unset = provider().create(BackendConfig.of(settings, Path.of("target")))) {
                    assertThat(((KafkaIngestBuffer) unset.ingestBuffer().orElseThrow()).topicMinInsyncReplicas()).isEqualTo(2);
                    assertThat(minIsr(admin, topic).value()).as("unset: the topic is left as it is").isEqualTo("2");
                    HealthzMetric m = metric(unset.healthIndicators().get(0).check(), "under_min_isr_partitions");
                    assertThat(m.status()).as("health checks the topic's own value, not the derived 1").isFalse();
                    assertThat(m.message()).contains("fewer than 2 (min.insync.replicas)");
                }
                Map<String, String> explicit = new java.util.HashMap<>(settings);
                explicit.put("min.insync.replicas", "1");
                try (Backend set = provider().create(BackendConfig.of(explicit, Path.of("target")))) {
                    assertThat(minIsr(admin, topic).value()).as("set: the topic is altered to it").isEqualTo("1");
                    assertThat(metric(set.healthIndicators().get(0).check(), "under_min_isr_partitions").status()).isTrue();
                }
            } finally {
                admin.deleteTopics(List.of(topic, topic + ".dlq")).all().get();
            }
        }
    }

    @Test
    void aChangeOfTheTopicsMinInsyncReplicasAfterStartShowsInHealthWithoutARestart() throws Exception {
        String topic = KAFKA.nextTopic("min-isr-change");
        try (org.apache.kafka.clients.admin.Admin admin = KafkaClients.admin(KAFKA.bootstrapServers(), Map.of(), java.time.Duration.ofSeconds(5))) {
            try {
                admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 1, (short) 1)
                        .configs(Map.of("min.insync.replicas", "1")))).all().get();
                KafkaHealthIndicator health = KafkaHealthIndicator.builder(admin).topics(List.of(topic))
                        .minInsyncReplicas(1).minInsyncRefresh(java.time.Duration.ZERO).build();
                // a topic just made may not be in the broker's metadata yet: the check then has no such metric
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() ->
                        assertThat(metric(health.check(), "under_min_isr_partitions").status()).isTrue());

                // an operator raises it past what one broker holds: appends are refused from now on
                org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                        org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
                admin.incrementalAlterConfigs(Map.of(r, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("min.insync.replicas", "2"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all().get();
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).untilAsserted(() -> {
                    HealthzMetric m = metric(health.check(), "under_min_isr_partitions");
                    assertThat(m.status()).isFalse();
                    assertThat(m.message()).contains("fewer than 2 (min.insync.replicas)");
                });
            } finally {
                admin.deleteTopics(List.of(topic)).all().get();
            }
        }
    }

    @Test
    void unsetMinInsyncReplicasBelowReplicationThreeLeavesTheTopicWithTheBrokerDefault() throws Exception {
        String topic = KAFKA.nextTopic("min-isr-default");
        try (org.apache.kafka.clients.admin.Admin admin = KafkaClients.admin(KAFKA.bootstrapServers(), Map.of(), java.time.Duration.ofSeconds(5))) {
            try (Backend b = provider().create(BackendConfig.of(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
                    "topic", topic, "partitions", "1"), Path.of("target")))) {
                assertThat(minIsr(admin, topic).source()).as("no topic-level min.insync.replicas")
                        .isNotEqualTo(org.apache.kafka.clients.admin.ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG);
                assertThat(metric(b.healthIndicators().get(0).check(), "under_min_isr_partitions").status()).isTrue();
            } finally {
                admin.deleteTopics(List.of(topic, topic + ".dlq")).all().get();
            }
        }
    }
}
