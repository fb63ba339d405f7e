package io.bklog.redis;

import io.bklog.spi.HealthzMetric;
import io.bklog.spi.TaskMessage;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RedisHealthIT {

    private static RedisFixture redis;

    @BeforeAll
    static void connect() {
        redis = new RedisFixture("health");
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) redis.close();
    }

    private static HealthzMetric metric(List<HealthzMetric> metrics, String name) {
        return metrics.stream().filter(m -> m.metricName().equals(name)).findFirst().orElseThrow();
    }

    @Test
    void reportsPingMemoryClientsAndQueueLengthsOfAHealthyRedis() {
        try (RedisTaskBroker broker = RedisTaskBroker.builder().client(redis.client).prefix(redis.nextPrefix()).build()) {
            broker.publish(TaskMessage.of("a", "default", "t", Map.of()));
            RedisHealthIndicator health = RedisHealthIndicator.builder().client(redis.client).broker(broker).build();
            List<HealthzMetric> metrics = health.check();
            health.close();

            assertThat(health.namespace()).isEqualTo("redis");
            assertThat(metrics).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());
            assertThat((double) metric(metrics, "ping").metricValue()).isBetween(0.0, 1_000.0);
            assertThat((long) metric(metrics, "used_memory").metricValue()).isPositive();
            assertThat((long) metric(metrics, "connected_clients").metricValue()).isPositive();
            assertThat(metric(metrics, "redis_version").metricValue().toString()).matches("\\d+\\.\\d+.*");
            assertThat(metrics).filteredOn(m -> m.metricName().equals("queue_len"))
                    .extracting(m -> m.dimensions().get("queue") + "=" + m.metricValue())
                    .containsExactly("high=0", "default=1");
        }
    }

    @Test
    void queueWithTenThousandWaitingTasksFailsAsInBklog() throws Exception {
        try (RedisTaskBroker broker = RedisTaskBroker.builder().client(redis.client).prefix(redis.nextPrefix()).build()) {
            broker.publish(TaskMessage.of("first", "default", "t", Map.of())); // creates the stream and group
            RedisAsyncCommands<String, String> async = redis.connection.async();
            List<RedisFuture<?>> sent = new ArrayList<>();
            String payload = MessageCodec.encode(TaskMessage.of("bulk", "default", "t", Map.of()));
            for (int i = 1; i < 10_000; i++) sent.add(async.xadd(broker.streamKey("default"), Map.of("m", payload)));
            assertThat(LettuceFutures.awaitAll(Duration.ofSeconds(30), sent.toArray(new RedisFuture[0]))).isTrue();
            assertThat(broker.queueLength("default")).isEqualTo(10_000);

            RedisHealthIndicator health = RedisHealthIndicator.builder().client(redis.client).broker(broker).build();
            List<HealthzMetric> metrics = health.check();
            health.close();
            HealthzMetric q = metrics.stream().filter(m -> m.metricName().equals("queue_len")
                    && "default".equals(m.dimensions().get("queue"))).findFirst().orElseThrow();
            assertThat(q.status()).isFalse();
            assertThat(q.metricValue()).isEqualTo(10_000L);
            assertThat(q.message()).isEqualTo("queue_len is larger than 10000");
            assertThat(q.suggestion()).contains("start more workers");
            assertThat(metric(metrics, "ping").status()).isTrue();
        }
    }

    @Test
    void unreachableRedisFailsPingWithMessageAndSuggestion() {
        RedisHealthIndicator health = RedisHealthIndicator.builder().uri("redis://127.0.0.1:1").build();
        List<HealthzMetric> metrics = health.check();
        health.close();
        assertThat(metrics).singleElement().satisfies(m -> {
            assertThat(m.metricName()).isEqualTo("ping");
            assertThat(m.status()).isFalse();
            assertThat(m.message()).startsWith("redis is unreachable");
            assertThat(m.suggestion()).contains("'uri'");
        });
    }
}
