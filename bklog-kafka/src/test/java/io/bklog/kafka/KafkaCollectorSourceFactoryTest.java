package io.bklog.kafka;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.SourceFactory;
import org.junit.jupiter.api.Test;

import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KafkaCollectorSourceFactoryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final KafkaCollectorSourceFactory factory = new KafkaCollectorSourceFactory();

    @SuppressWarnings("unchecked")
    private static java.util.Map<String, Object> map(String json) throws Exception {
        return JSON.readValue(json, java.util.Map.class);
    }

    private java.util.List<String> problems(String json) throws Exception {
        return factory.validate(map(json)).stream().map(SettingProblem::toString).toList();
    }

    @Test
    void isFoundByTheServiceLoaderAsTypeKafka() {
        assertThat(ServiceLoader.load(SourceFactory.class).stream().map(ServiceLoader.Provider::get)
                .map(SourceFactory::type)).contains("kafka");
    }

    @Test
    void validatesParamsNamingEachProblem() throws Exception {
        assertThat(factory.validate(map("{}"))).extracting(SettingProblem::key)
                .contains("bootstrap_servers", "topic");
        assertThat(problems("{}"))
                .anySatisfy(p -> assertThat(p).startsWith("bootstrap_servers: required"))
                .anySatisfy(p -> assertThat(p).startsWith("topic: required"));
        assertThat(problems(("{\"bootstrap_servers\": \"k:9092\", \"topic\": \"t\","
                + " \"start_from\": \"middle\", \"properties\": {\"group.id\": \"x\"}, \"tpoic\": 1}")))
                .anySatisfy(p -> assertThat(p).contains("start_from: 'middle' is not earliest or latest"))
                .anySatisfy(p -> assertThat(p).startsWith("properties.group.id: set by the source"))
                .anySatisfy(p -> assertThat(p).startsWith("tpoic: unknown parameter"));
        assertThatThrownBy(() -> factory.create(map("{\"topic\": \"t\"}"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bootstrap_servers");
    }

    @Test
    void readsBklogNamesDefaultsTheGroupAndPassesSecurityThrough() throws Exception {
        KafkaSourceConfig c = factory.config("nginx", JSON.readTree("{\"kafka_hosts\": [\"a:9092\", \"b:9092\"],"
                + " \"kafka_topics\": \"t1,t2\", \"kafka_initial_offset\": \"oldest\", \"properties\":"
                + " {\"security.protocol\": \"SASL_SSL\", \"sasl.mechanism\": \"SCRAM-SHA-512\"}}"));
        assertThat(c.hosts()).containsExactly("a:9092", "b:9092");
        assertThat(c.topics()).containsExactly("t1", "t2");
        assertThat(c.groupId()).isEqualTo("bklog-collector-nginx");
        assertThat(c.consumerProperties()).containsEntry("auto.offset.reset", "earliest")
                .containsEntry("enable.auto.commit", false).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
        assertThat(c.adminProperties()).containsEntry("security.protocol", "SASL_SSL").doesNotContainKey("group.id");
    }
}
