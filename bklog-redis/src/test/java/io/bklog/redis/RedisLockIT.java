package io.bklog.redis;

import io.bklog.spi.DistributedLock;
import io.bklog.spi.DistributedLock.LockLease;
import io.bklog.testkit.DistributedLockContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class RedisLockIT extends DistributedLockContract {

    private static RedisFixture redis;

    @BeforeAll
    static void connect() {
        redis = new RedisFixture("lock");
    }

    @AfterAll
    static void cleanUp() {
        if (redis != null) redis.close();
    }

    @Override
    protected DistributedLock createLock() {
        return RedisLock.builder().client(redis.client).prefix(redis.prefix).build();
    }

    @Test
    void storesTokenAndOwnerUnderTheLockKeyWithTheLeaseTtl() {
        RedisLock l = (RedisLock) lock;
        LockLease a = l.tryAcquire("keys", "owner-1", Duration.ofSeconds(30)).orElseThrow();
        assertThat(redis.connection.sync().get(l.lockKey("keys"))).isEqualTo(a.fencingToken() + ":owner-1");
        assertThat(redis.connection.sync().pttl(l.lockKey("keys"))).isBetween(25_000L, 30_000L);
        assertThat(redis.connection.sync().get(l.fenceKey("keys"))).isEqualTo(Long.toString(a.fencingToken()));
        assertThat(redis.connection.sync().pttl(l.fenceKey("keys"))).as("fence counters expire")
                .isGreaterThan(Duration.ofHours(23).toMillis());
        l.release(a);
        assertThat(redis.connection.sync().exists(l.lockKey("keys"))).isZero();
    }
}
