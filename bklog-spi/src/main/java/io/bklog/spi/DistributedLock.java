package io.bklog.spi;

import java.time.Duration;
import java.util.Optional;

/**
 * A named lock with a lease, shared by every instance of the platform. Each grant carries a fencing token that
 * grows with every grant of that name, so a resource can reject a holder whose lease has passed.
 */
public interface DistributedLock extends AutoCloseable {

    String backendName();

    /** Takes the lock if free (or expired); empty when someone else holds it. */
    Optional<LockLease> tryAcquire(String name, String owner, Duration ttl);

    /** Extends a lease still held by its owner; false when it was lost. */
    boolean renew(LockLease lease, Duration ttl);

    /** Releases a lease if still held by its owner (a lost lease is left alone). */
    void release(LockLease lease);

    /** True when {@code lease} is still the current grant of its lock (same owner and fencing token). */
    boolean isHeld(LockLease lease);

    @Override
    default void close() {
    }

    record LockLease(String name, String owner, long fencingToken) {}
}
