package io.bklog.core.memory;

import io.bklog.spi.DistributedLock;
import io.bklog.spi.DistributedLock.LockLease;
import io.bklog.testkit.DistributedLockContract;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class InProcessLockTest extends DistributedLockContract {

    @Override
    protected DistributedLock createLock() {
        return InProcessLock.create();
    }

    @Test
    void leaseExpiresOnTheInjectedClock() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InProcessLock l = new InProcessLock(clock);
        LockLease a = l.tryAcquire("beat", "a", Duration.ofSeconds(30)).orElseThrow();
        clock.advance(Duration.ofSeconds(29));
        assertThat(l.isHeld(a)).isTrue();
        assertThat(l.tryAcquire("beat", "b", Duration.ofSeconds(30))).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(l.isHeld(a)).isFalse();
        LockLease b = l.tryAcquire("beat", "b", Duration.ofSeconds(30)).orElseThrow();
        assertThat(b.fencingToken()).isEqualTo(a.fencingToken() + 1);
    }

    @Test
    void fencingTokensKeepIncreasingWhileManyOtherNamesComeAndGo() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InProcessLock l = new InProcessLock(clock, Duration.ofHours(1));
        LockLease first = l.tryAcquire("beat", "a", Duration.ofSeconds(1)).orElseThrow();
        for (int i = 0; i < 10_000; i++) {
            l.tryAcquire("run-" + i, "a", Duration.ofSeconds(1));
            clock.advance(Duration.ofMillis(10));
        }
        LockLease later = l.tryAcquire("beat", "b", Duration.ofSeconds(1)).orElseThrow();
        assertThat(later.fencingToken()).isGreaterThan(first.fencingToken());
    }
}
