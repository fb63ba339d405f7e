package io.bklog.redis;

import io.bklog.spi.HealthzMetric;
import io.bklog.spi.TaskMessage;
import io.lettuce.core.ScriptOutputType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

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
            String payload = MessageCodec.encode(TaskMessage.of("bulk", "default", "t", Map.of()));
            redis.connection.sync().eval("for i = 1, tonumber(ARGV[2]) do redis.call('XADD', KEYS[1], '*', 'm', ARGV[1]) end",
                    ScriptOutputType.STATUS, new String[]{broker.streamKey("default")}, payload, "9999");
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
