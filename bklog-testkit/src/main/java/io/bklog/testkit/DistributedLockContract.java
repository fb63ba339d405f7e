package io.bklog.testkit;

import io.bklog.spi.DistributedLock;
import io.bklog.spi.DistributedLock.LockLease;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The contract of a {@link DistributedLock}. A backend's test extends this class and builds the lock in
 * {@link #createLock()}; every test uses lock names of its own. Leases expire in real time (short TTLs, waited
 * for with Awaitility).
 */
public abstract class DistributedLockContract {

    private static final Duration LONG = Duration.ofSeconds(30);
    private static final Duration SHORT_TTL = Duration.ofMillis(300);

    protected DistributedLock lock;
    private String name;

    protected abstract DistributedLock createLock();

    @BeforeEach
    void openLock() {
        lock = createLock();
        name = "contract-" + UUID.randomUUID();
    }

    @AfterEach
    void closeLock() throws Exception {
        if (lock != null) lock.close();
    }

    @Test
    void onlyOneOwnerHoldsTheLockAtATime() {
        LockLease a = lock.tryAcquire(name, "a", LONG).orElseThrow();
        assertThat(a.name()).isEqualTo(name);
        assertThat(a.owner()).isEqualTo("a");
        assertThat(lock.tryAcquire(name, "b", LONG)).isEmpty();
        assertThat(lock.tryAcquire(name, "a", LONG)).as("a second grant while held").isEmpty();
        assertThat(lock.isHeld(a)).isTrue();
        assertThat(lock.tryAcquire(name + "-other", "b", LONG)).as("another name is independent").isPresent();
    }

    @Test
    void expiredLeaseLetsAnotherOwnerTakeTheLock() {
        LockLease a = lock.tryAcquire(name, "a", SHORT_TTL).orElseThrow();
        LockLease b = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(25))
                .until(() -> lock.tryAcquire(name, "b", LONG), Optional::isPresent).orElseThrow();
        assertThat(b.owner()).isEqualTo("b");
        assertThat(lock.isHeld(a)).isFalse();
        assertThat(lock.isHeld(b)).isTrue();
    }

    @Test
    void onlyTheOwnerRenewsItsLease() {
        LockLease a = lock.tryAcquire(name, "a", Duration.ofMillis(800)).orElseThrow();
        assertThat(lock.renew(new LockLease(name, "b", a.fencingToken()), LONG)).isFalse();
        assertThat(lock.renew(new LockLease(name, "a", a.fencingToken() + 1), LONG)).isFalse();
        assertThat(lock.renew(a, LONG)).isTrue();
        // the renewed lease outlives its first ttl
        await().pollDelay(Duration.ofMillis(1_200)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(lock.isHeld(a)).isTrue();
        assertThat(lock.tryAcquire(name, "b", LONG)).isEmpty();
    }

    @Test
    void renewFailsOnceTheLeaseWasLost() {
        LockLease a = lock.tryAcquire(name, "a", SHORT_TTL).orElseThrow();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(25))
                .until(() -> lock.tryAcquire(name, "b", LONG).isPresent());
        assertThat(lock.renew(a, LONG)).isFalse();
    }

    @Test
    void onlyTheOwnerReleasesItsLease() {
        LockLease a = lock.tryAcquire(name, "a", LONG).orElseThrow();
        lock.release(new LockLease(name, "b", a.fencingToken()));
        lock.release(new LockLease(name, "a", a.fencingToken() - 1));
        assertThat(lock.isHeld(a)).isTrue();
        assertThat(lock.tryAcquire(name, "b", LONG)).isEmpty();

        lock.release(a);
        assertThat(lock.isHeld(a)).isFalse();
        LockLease b = lock.tryAcquire(name, "b", LONG).orElseThrow();
        lock.release(a);
        assertThat(lock.isHeld(b)).as("a stale release leaves the new holder alone").isTrue();
    }

    @Test
    void fencingTokenStrictlyIncreasesAcrossGrantsAndStaleHolderIsRejected() {
        LockLease a = lock.tryAcquire(name, "a", LONG).orElseThrow();
        lock.release(a);
        LockLease b = lock.tryAcquire(name, "b", SHORT_TTL).orElseThrow();
        assertThat(b.fencingToken()).isGreaterThan(a.fencingToken());

        LockLease c = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(25))
                .until(() -> lock.tryAcquire(name, "c", LONG), Optional::isPresent).orElseThrow();
        assertThat(c.fencingToken()).isGreaterThan(b.fencingToken());
        assertThat(lock.isHeld(b)).as("b's lease passed").isFalse();
        assertThat(lock.isHeld(new LockLease(name, "c", b.fencingToken()))).as("same owner, stale token").isFalse();
        assertThat(lock.isHeld(c)).isTrue();

        lock.release(c);
        LockLease c2 = lock.tryAcquire(name, "c", LONG).orElseThrow();
        assertThat(c2.fencingToken()).isGreaterThan(c.fencingToken());
        assertThat(lock.isHeld(c)).as("an earlier grant to the same owner is stale").isFalse();
    }

    @Test
    void rejectsBlankNameOwnerAndNonPositiveTtl() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lock.tryAcquire(" ", "a", LONG))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("name");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lock.tryAcquire(name, "", LONG))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("owner");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lock.tryAcquire(name, "a", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
    }
}
