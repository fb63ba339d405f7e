package io.bklog.kafka;

import io.bklog.spi.HealthIndicator;
import io.bklog.testkit.HealthIndicatorContract;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

class KafkaHealthIndicatorContractIT extends HealthIndicatorContract {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private final List<Admin> admins = new ArrayList<>();

    @AfterEach
    void close() {
        admins.forEach(a -> a.close(Duration.ofSeconds(5)));
    }

    private HealthIndicator indicator(String servers, Duration timeout) {
        Admin admin = KafkaClients.admin(servers, Map.of(), timeout);
        admins.add(admin);
        return KafkaHealthIndicator.builder(admin).bootstrapServers(servers).timeout(timeout).build();
    }

    @Override
    protected String expectedNamespace() {
        return "kafka";
    }

    @Override
    protected HealthIndicator healthyIndicator() {
        return indicator(KAFKA.bootstrapServers(), Duration.ofSeconds(10));
    }

    @Override
    protected HealthIndicator failingIndicator() {
        return indicator("127.0.0.1:1", Duration.ofSeconds(2));
    }
}
