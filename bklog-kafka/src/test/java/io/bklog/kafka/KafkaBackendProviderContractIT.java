package io.bklog.kafka;

import io.bklog.spi.BackendProvider;
import io.bklog.testkit.BackendProviderContract;

import java.nio.file.Path;
import java.util.Map;

class KafkaBackendProviderContractIT extends BackendProviderContract {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private final String topic = KAFKA.nextTopic("provider-contract");

    @Override
    protected BackendProvider provider() {
        return new KafkaBackendProvider();
    }

    @Override
    protected Map<String, String> validSettings(Path dataDir) {
        return Map.of("bootstrap.servers", KAFKA.bootstrapServers(), "topic", topic, "partitions", "1");
    }

    @Override
    protected Map<String, String> badSettings() {
        return Map.of("partitions", "several", "linger", "a bit", "lag.threshold", "high");
    }
}
