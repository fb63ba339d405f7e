package io.bklog.core.memory;

import io.bklog.spi.DistributedLock;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The embedded default {@link DistributedLock}: leases held in this JVM, timed by the injected {@link Clock}.
 * Each grant of a name takes the next fencing token of that name; tokens of a name are kept while the name was
 * granted within {@code fenceRetention} (default 1 day), so they strictly increase for any holder that could
 * still act.
 */
public final class InProcessLock implements DistributedLock {

    /** How long the fencing counter of a name no longer held is kept: 1 day. */
    public static final Duration DEFAULT_FENCE_RETENTION = Duration.ofDays(1);
    private static final int PURGE_THRESHOLD = 4_096;

    private final Clock clock;
    private final long fenceRetentionMillis;
    private final Map<String, Grant> grants = new HashMap<>();
    private final Map<String, Fence> fences = new HashMap<>();
    private int grantsSincePurge;

    public InProcessLock(Clock clock) {
        this(clock, DEFAULT_FENCE_RETENTION);
    }

    public InProcessLock(Clock clock, Duration fenceRetention) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.fenceRetentionMillis = Objects.requireNonNull(fenceRetention, "fenceRetention").toMillis();
    }

    /** A lock on the system UTC clock. */
    public static InProcessLock create() {
        return new InProcessLock(Clock.systemUTC());
    }

    @Override
    public String backendName() {
        return "memory";
    }

    @Override
    public synchronized Optional<LockLease> tryAcquire(String name, String owner, Duration ttl) {
        requireText(name, "name");
        requireText(owner, "owner");
        long ttlMillis = requireTtl(ttl);
        long now = clock.millis();
        Grant current = grants.get(name);
        if (current != null && current.expiresAt > now) return Optional.empty();
        Fence fence = fences.get(name);
        long token = fence == null ? 1 : fence.token + 1;
        fences.put(name, new Fence(token, now + ttlMillis));
        grants.put(name, new Grant(owner, token, now + ttlMillis));
        if (++grantsSincePurge >= PURGE_THRESHOLD) purge(now);
        return Optional.of(new LockLease(name, owner, token));
    }

    @Override
    public synchronized boolean renew(LockLease lease, Duration ttl) {
        long ttlMillis = requireTtl(ttl);
        long now = clock.millis();
        Grant g = current(lease, now);
        if (g == null) return false;
        grants.put(lease.name(), new Grant(g.owner, g.token, now + ttlMillis));
        fences.put(lease.name(), new Fence(g.token, Math.max(now + ttlMillis, fences.get(lease.name()).lastUntil)));
        return true;
    }

    @Override
    public synchronized void release(LockLease lease) {
        if (current(lease, clock.millis()) != null) grants.remove(lease.name());
    }

    @Override
    public synchronized boolean isHeld(LockLease lease) {
        return current(lease, clock.millis()) != null;
    }

    private Grant current(LockLease lease, long now) {
        Objects.requireNonNull(lease, "lease");
        Grant g = grants.get(lease.name());
        if (g == null || g.expiresAt <= now) return null;
        return g.owner.equals(lease.owner()) && g.token == lease.fencingToken() ? g : null;
    }

    private void purge(long now) {
        grantsSincePurge = 0;
        grants.values().removeIf(g -> g.expiresAt <= now);
        fences.entrySet().removeIf(e -> !grants.containsKey(e.getKey())
                && e.getValue().lastUntil + fenceRetentionMillis <= now);
    }

    private static void requireText(String v, String what) {
        if (v == null || v.isBlank()) throw new IllegalArgumentException("lock " + what + " must not be blank");
    }

    private static long requireTtl(Duration ttl) {
        if (ttl == null || ttl.toMillis() < 1) {
            throw new IllegalArgumentException("lock ttl must be at least 1 ms, got " + ttl);
        }
        return ttl.toMillis();
    }

    private record Grant(String owner, long token, long expiresAt) {}

    private record Fence(long token, long lastUntil) {}
}
