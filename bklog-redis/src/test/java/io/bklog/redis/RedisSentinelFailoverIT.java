package io.bklog.redis;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.HealthzMetric;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Sentinel (a primary, a replica, three sentinels started by {@link RedisHaFixture}): the backend configured with
 * {@code sentinels} and {@code master_name} (and {@code wait_replicas: 1}, so every task and lock grant is on the
 * replica before it is acknowledged; after the failover the lone new primary makes it time out) keeps running
 * periodic and ad-hoc tasks and granting growing fencing tokens when the primary is killed (-9) mid-run; health names the failover (see {@link FailoverScenario}).
 */
class RedisSentinelFailoverIT {

    @Test
    void primaryKilledMidRunFailsOverWithoutLosingTasksOrFencing() {
        RedisHaFixture.Sentinel set = RedisHaFixture.sentinel();
        String prefix = "ha-sentinel-" + UUID.randomUUID().toString().substring(0, 8);
        Backend backend = new RedisBackendProvider().create(BackendConfig.of(Map.of(
                "sentinels", set.sentinelSetting(), "master_name", RedisHaFixture.MASTER_NAME, "prefix", prefix,
                "visibilityTimeout", "5s", "wait_replicas", "1"), Path.of(".")));
        RedisHaFixture.Node primary = set.primary();
        try (FailoverScenario run = new FailoverScenario(backend)) {
            List<HealthzMetric> before = run.health();
            assertThat(before).as(before.toString()).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());
            assertThat(metric(before, "primary").metricValue()).isEqualTo(primary.address());
            assertThat(metric(before, "sentinels").metricValue()).isEqualTo(3);

            run.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> run.periodsRun() >= 2);
            int beforeKill = run.periodsRun();
            primary.kill();
            run.killed();

            HealthzMetric failover = run.awaitFailoverInHealth(primary.address(), Duration.ofSeconds(20));
            RedisHaFixture.Node promoted = set.primary();
            assertThat(promoted).isNotSameAs(primary);
            assertThat(failover.message()).contains("from " + primary.address() + " to " + promoted.address());
            assertThat(failover.suggestion()).contains("restart " + primary.address());
            List<HealthzMetric> after = run.health();
            HealthzMetric replicas = metric(after, "replicas");
            assertThat(replicas.status()).as(replicas.toString()).isFalse();
            assertThat(replicas.suggestion()).contains(primary.address());

            await().atMost(Duration.ofSeconds(25)).until(() -> run.periodsRun() >= beforeKill + 3);
            run.stopAndAssert();
        } finally {
            primary.start(); // rejoins as a replica of the promoted primary
        }
    }

    private static HealthzMetric metric(List<HealthzMetric> metrics, String name) {
        return metrics.stream().filter(m -> m.metricName().equals(name)).findFirst().orElseThrow(
                () -> new AssertionError("no metric " + name + " in " + metrics));
    }
}
