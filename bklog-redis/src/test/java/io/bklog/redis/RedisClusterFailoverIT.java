package io.bklog.redis;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.HealthzMetric;
import io.lettuce.core.cluster.SlotHash;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Redis Cluster (three primaries with a replica each, started by {@link RedisHaFixture}): every key of the broker
 * and the lock carries the prefix as a hash tag, so the scripts and blocking reads over several keys run; when the
 * primary of that slot is killed (-9) mid-run its replica takes over and the tasks, the fencing tokens and health
 * behave as {@link FailoverScenario} asserts.
 */
class RedisClusterFailoverIT {

    @Test
    void primaryOfTheKeysSlotKilledMidRunFailsOverWithoutLosingTasksOrFencing() {
        RedisHaFixture.Cluster cluster = RedisHaFixture.cluster();
        String prefix = "ha-cluster-" + UUID.randomUUID().toString().substring(0, 8);
        String tag = "{" + prefix + "}";
        Backend backend = new RedisBackendProvider().create(BackendConfig.of(Map.of(
                "cluster_nodes", cluster.nodesSetting(), "prefix", prefix, "visibilityTimeout", "5s"), Path.of(".")));
        RedisTaskBroker broker = (RedisTaskBroker) backend.taskBroker().orElseThrow();
        RedisLock lock = (RedisLock) backend.distributedLock().orElseThrow();
        for (String key : List.of(broker.streamKey("high"), broker.streamKey("default"), broker.delayedKey("default"),
                broker.deadLetterKey("default"), lock.lockKey("x"), lock.fenceKey("x"))) {
            assertThat(SlotHash.getSlot(key)).as(key + " shares the slot of " + tag).isEqualTo(SlotHash.getSlot(tag));
        }
        RedisHaFixture.Node primary = cluster.primaryOf(tag);
        try (FailoverScenario run = new FailoverScenario(backend)) {
            List<HealthzMetric> before = run.health();
            assertThat(before).as(before.toString()).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());
            assertThat(metric(before, "primary").metricValue()).isEqualTo(primary.address());

            run.start();
            await().atMost(Duration.ofSeconds(15)).until(() -> run.periodsRun() >= 2);
            int beforeKill = run.periodsRun();
            primary.kill();
            run.killed();

            HealthzMetric failover = run.awaitFailoverInHealth(primary.address(), Duration.ofSeconds(20));
            RedisHaFixture.Node promoted = cluster.primaryOf(tag);
            assertThat(promoted).isNotSameAs(primary);
            assertThat(failover.message()).contains("from " + primary.address() + " to " + promoted.address());
            assertThat(failover.suggestion()).contains("restart " + primary.address());
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                HealthzMetric failed = metric(run.health(), "failed_nodes");
                assertThat(failed.status()).as(failed.toString()).isFalse();
                assertThat(failed.message()).contains(primary.address());
            });

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
