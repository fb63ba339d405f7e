package io.bklog.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class KafkaSourceIT {

    private static final KafkaFixture KAFKA = KafkaFixture.shared();

    @Test
    void handsEveryLineToTheHandlerAndRedeliversABatchTheHandlerRefused() throws Exception {
        String topic = KAFKA.nextTopic("app-raw");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 2, (short) 1))).all().get();
        }
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < 300; i++) p.send(new ProducerRecord<>(topic, "k" + (i % 5), "line " + i));
            p.flush();
        }
        Map<String, String> byId = new ConcurrentHashMap<>();
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger seen = new AtomicInteger();
        KafkaSourceConfig config = KafkaSourceConfig.fromBklogParams(Map.of(
                "kafka_hosts", List.of(KAFKA.bootstrapServers()), "kafka_topics", List.of(topic),
                "kafka_group_id", "collector-" + System.nanoTime(), "kafka_initial_offset", "oldest"));
        try (KafkaSource source = KafkaSource.start(config, batch -> {
            if (calls.incrementAndGet() == 1) throw new IllegalStateException("store unavailable");
            for (KafkaSourceRecord r : batch) byId.put(r.sourceId() + "@" + r.offset(), r.line());
            seen.addAndGet(batch.size());
        }, "it")) {
            await().atMost(Duration.ofSeconds(90)).until(() -> byId.size() == 300);
            assertThat(source.failures()).isEqualTo(1);
        }
        assertThat(byId.values()).hasSize(300).doesNotHaveDuplicates();
        assertThat(seen.get()).as("nothing after the refused batch was delivered twice").isEqualTo(300);
    }

    @Test
    void readsBklogCollectorParamsAndRefusesBadOnes() {
        KafkaSourceConfig c = KafkaSourceConfig.fromBklogParams(Map.of("kafka_hosts", "a:9092, b:9092",
                "kafka_topics", List.of("t"), "kafka_group_id", "g",
                "kafka_ssl_params", Map.of("sasl_username", "u", "sasl_passwd", "p", "sasl_mechanisms", "SCRAM-SHA-512",
                        "security_protocol", "SASL_SSL")));
        assertThat(c.hosts()).containsExactly("a:9092", "b:9092");
        assertThat(c.initialOffset()).isEqualTo(KafkaSourceConfig.InitialOffset.NEWEST);
        assertThat(c.consumerProperties()).containsEntry("auto.offset.reset", "latest")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.consumerProperties().get("sasl.jaas.config").toString()).contains("ScramLoginModule", "username=\"u\"");
        assertThat(c.toString()).doesNotContain("\"p\"").contains("***");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> KafkaSourceConfig.fromBklogParams(Map.of(
                        "kafka_hosts", "a:1", "kafka_topics", "t", "kafka_group_id", "g", "kafka_initial_offset", "middle")))
                .hasMessageContaining("kafka_initial_offset 'middle'");
    }
}
