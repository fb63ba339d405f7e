package io.bklog.redis;

import io.bklog.spi.HealthIndicator;
import io.bklog.testkit.HealthIndicatorContract;
import io.lettuce.core.RedisClient;
import org.junit.jupiter.api.AfterEach;

import java.util.ArrayList;
import java.util.List;

class RedisHealthIndicatorContractIT extends HealthIndicatorContract {
    private final List<RedisHealthIndicator> indicators = new ArrayList<>();
    private final List<RedisClient> clients = new ArrayList<>();

    @AfterEach
    void close() {
        indicators.forEach(RedisHealthIndicator::close);
        clients.forEach(RedisSupport::shutdown);
    }

    private RedisHealthIndicator indicator(String uri) {
        RedisClient client = RedisSupport.createClient(uri);
        clients.add(client);
        RedisHealthIndicator h = RedisHealthIndicator.builder().client(client).queues(List.of()).build();
        indicators.add(h);
        return h;
    }

    @Override
    protected String expectedNamespace() {
        return "redis";
    }

    @Override
    protected HealthIndicator healthyIndicator() {
        return indicator(RedisFixture.URI);
    }

    @Override
    protected HealthIndicator failingIndicator() {
        return indicator("redis://127.0.0.1:1");
    }
}
