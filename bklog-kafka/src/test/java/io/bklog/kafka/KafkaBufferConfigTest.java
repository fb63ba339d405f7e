package io.bklog.kafka;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaBufferConfigTest {

    @Test
    void buildsAnIdempotentAcksAllProducerWithTheDocumentedDefaults() {
        KafkaBufferConfig c = KafkaBufferConfig.builder("h:9092").build();
        assertThat(c.topic()).isEqualTo("bklog-ingest");
        assertThat(c.deadLetterTopic()).isEqualTo("bklog-ingest.dlq");
        assertThat(c.partitions()).isEqualTo(8);
        assertThat(c.maxPendingRecords()).isZero();
        Map<String, Object> p = KafkaIngestBuffer.producerProperties(c);
        assertThat(p).containsEntry("enable.idempotence", true).containsEntry("acks", "all")
                .containsEntry("compression.type", "lz4").containsEntry("linger.ms", 5)
                .containsEntry("max.block.ms", 5_000L).containsEntry("delivery.timeout.ms", 30_000);
    }

    @Test
    void keepsTheDeliveryTimeoutAboveLingerPlusRequestTimeout() {
        KafkaBufferConfig c = KafkaBufferConfig.builder("h:9092").linger(Duration.ofMillis(50))
                .deliveryTimeout(Duration.ofMillis(10)).requestTimeout(Duration.ofSeconds(30)).build();
        Map<String, Object> p = KafkaIngestBuffer.producerProperties(c);
        int delivery = (int) p.get("delivery.timeout.ms");
        assertThat(delivery).isGreaterThanOrEqualTo((int) p.get("linger.ms") + (int) p.get("request.timeout.ms"));
    }

    @Test
    void refusesBadSettingsNamingThem() {
        assertThatThrownBy(() -> KafkaBufferConfig.builder(" ").build()).hasMessageContaining("bootstrap.servers");
        assertThatThrownBy(() -> KafkaBufferConfig.builder("h:1").topic("bad topic").build())
                .hasMessageContaining("topic 'bad topic'");
        assertThatThrownBy(() -> KafkaBufferConfig.builder("h:1").compression("brotli").build())
                .hasMessageContaining("compression 'brotli'");
        assertThatThrownBy(() -> KafkaBufferConfig.builder("h:1").partitions(0).build()).hasMessageContaining("partitions");
        assertThatThrownBy(() -> KafkaBufferConfig.builder("h:1").maxPendingRecords(-1).build())
                .hasMessageContaining("maxPendingRecords");
    }

    @Test
    void minInsyncReplicasDefaultsToOneBelowReplicationThreeAndToAMajorityFromThree() {
        assertThat(KafkaBufferConfig.builder("h:1").build().effectiveMinInsyncReplicas()).isEqualTo(1);
        assertThat(KafkaBufferConfig.builder("h:1").replication((short) 2).build().effectiveMinInsyncReplicas()).isEqualTo(1);
        assertThat(KafkaBufferConfig.builder("h:1").replication((short) 3).build().effectiveMinInsyncReplicas()).isEqualTo(2);
        assertThat(KafkaBufferConfig.builder("h:1").replication((short) 5).build().effectiveMinInsyncReplicas()).isEqualTo(3);
        assertThat(KafkaBufferConfig.builder("h:1").replication((short) 3).minInsyncReplicas(3).build()
                .effectiveMinInsyncReplicas()).isEqualTo(3);
        assertThatThrownBy(() -> KafkaBufferConfig.builder("h:1").replication((short) 3).minInsyncReplicas(4).build())
                .hasMessageContaining("min.insync.replicas");
    }
}
