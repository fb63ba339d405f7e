package io.bklog.es;

import io.bklog.spi.HealthIndicator;
import io.bklog.testkit.HealthIndicatorContract;
import org.junit.jupiter.api.AfterEach;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

class EsHealthIndicatorContractIT extends HealthIndicatorContract {
    private final List<EsConnection> connections = new ArrayList<>();

    @AfterEach
    void closeConnections() {
        connections.forEach(EsConnection::close);
    }

    private EsHealthIndicator indicator(String host, Duration timeout) {
        EsConnection c = EsConnection.connect(List.of(host), timeout, timeout);
        connections.add(c);
        return EsHealthIndicator.builder(c).cluster("contract").build();
    }

    @Override
    protected String expectedNamespace() {
        return "elasticsearch";
    }

    @Override
    protected HealthIndicator healthyIndicator() {
        return indicator(EsFixture.shared().url(), Duration.ofSeconds(30));
    }

    @Override
    protected HealthIndicator failingIndicator() {
        return indicator("http://127.0.0.1:1", Duration.ofMillis(500));
    }
}
