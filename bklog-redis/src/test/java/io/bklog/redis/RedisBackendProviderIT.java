package io.bklog.redis;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.TaskBroker;
import io.bklog.spi.TaskMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RedisBackendProviderIT {

    private static RedisFixture redis;

    @BeforeAll
    static void connect() {
        redis = new RedisFixture("provider");
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) redis.close();
    }

    private static BackendProvider provider() {
        return ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("redis")).findFirst().orElseThrow();
    }

    @Test
    void providerFoundByNameOffersBrokerLockAndHealth() {
        String prefix = redis.nextPrefix();
        try (Backend backend = provider().create(BackendConfig.of(Map.of("uri", RedisFixture.URI, "prefix", prefix,
                "visibilityTimeout", "2s"), Path.of(".")))) {
            assertThat(backend.name()).isEqualTo("redis");
            TaskBroker broker = backend.taskBroker().orElseThrow();
            assertThat(broker.visibilityTimeout()).isEqualTo(Duration.ofSeconds(2));
            broker.publish(TaskMessage.of("x", "high", "t", Map.of()));
            assertThat(redis.connection.sync().xlen(prefix + ":queue:high")).isEqualTo(1);
            broker.ack(broker.receive(List.of("high"), "c", Duration.ofSeconds(1)).orElseThrow());

            var lease = backend.distributedLock().orElseThrow().tryAcquire("l", "me", Duration.ofSeconds(5));
            assertThat(lease).isPresent();
            assertThat(redis.connection.sync().exists(prefix + ":lock:l")).isEqualTo(1);
            assertThat(backend.healthIndicators()).singleElement()
                    .satisfies(h -> assertThat(h.namespace()).isEqualTo("redis"));
            assertThat(backend.healthIndicators().get(0).check()).allSatisfy(m -> assertThat(m.status()).isTrue());
            assertThat(backend.logStore()).isEmpty();
        }
    }

    @Test
    void badSettingsAreNamed() {
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("uri", "http://nope"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setting 'uri'");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("visibilityTimeout", "soon"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("visibilityTimeout");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("sentinels", "127.0.0.1:26379,h:port",
                "master_name", "m"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("setting 'sentinels'")
                .hasMessageContaining("'h:port'");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("sentinels", "127.0.0.1:26379"),
                Path.of(".")))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'master_name'");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("master_name", "m"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 'sentinels'");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("sentinels", "127.0.0.1:26379",
                "master_name", "m", "cluster_nodes", "127.0.0.1:7000"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exclude each other");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("cluster_nodes", "127.0.0.1:70000"),
                Path.of(".")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("setting 'cluster_nodes'");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("cluster_nodes", "127.0.0.1:7000",
                "wait_replicas", "1"), Path.of(".")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'wait_replicas' is for one Redis or Sentinel");
        assertThatThrownBy(() -> provider().create(BackendConfig.of(Map.of("wait_replicas", "-1"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("wait_replicas must be >= 0");
    }
}
