package io.bklog.kafka;

import io.bklog.spi.source.SourceFactory;
import io.bklog.testkit.source.ReplayableSourceContract;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The {@code kafka} source passes the source contract on the real broker ({@link KafkaFixture}): offsets are
 * committed only once the sink says stored, a restart with the same group resumes after them.
 */
class KafkaSourceContractIT extends ReplayableSourceContract {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private final KafkaCollectorSourceFactory factory = new KafkaCollectorSourceFactory();

    @Override
    protected SourceFactory factory() {
        return factory;
    }

    @Override
    protected Duration timeout() {
        return Duration.ofSeconds(90);
    }

    @Override
    protected Map<String, Object> newSettings() throws Exception {
        String topic = KAFKA.nextTopic("contract");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        return Map.of("bootstrap_servers", KAFKA.bootstrapServers(), "topic", topic, "group_id", topic + "-group",
                "start_from", "earliest", "max_poll_records", 4);
    }

    @Override
    protected void produce(Map<String, Object> settings, List<String> lines) throws Exception {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers",
                KAFKA.bootstrapServers()), new StringSerializer(), new StringSerializer())) {
            for (String l : lines) p.send(new ProducerRecord<>((String) settings.get("topic"), 0, null, l)).get();
        }
    }

    @Override
    protected Map<String, Object> badSettings() {
        return Map.of("bootstrap_servers", "localhost:9092");
    }

    @Override
    protected String badSettingKey() {
        return "topic";
    }
}
