package io.bklog.redis;

import io.lettuce.core.RedisException;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * {@code WAIT replicas timeout} after a write that must survive a failover (a published task, a lock grant):
 * Redis replicates asynchronously, so without it a write the primary acknowledged just before dying can be lost.
 * When fewer replicas acknowledge in time (a replica is down, e.g. the old primary after a failover) the write
 * stands, a warning is logged, and the next 10 s of writes do not wait, so a missing replica slows writes by at
 * most one timeout per 10 s. Off ({@code replicas = 0}) by default; not for Redis Cluster, where {@code WAIT} would
 * not reach the node that took the write.
 */
final class ReplicaWait {

    private static final Logger log = LoggerFactory.getLogger(ReplicaWait.class);
    static final ReplicaWait OFF = new ReplicaWait(0, Duration.ZERO);
    private static final long BACK_OFF_NANOS = 10_000_000_000L;

    private final int replicas;
    private final long timeoutMillis;
    private volatile long skipUntilNanos = System.nanoTime();

    ReplicaWait(int replicas, Duration timeout) {
        if (replicas < 0) throw new IllegalArgumentException("wait_replicas must be >= 0, got " + replicas);
        if (replicas > 0 && timeout.toMillis() < 1) {
            throw new IllegalArgumentException("wait_timeout must be at least 1 ms, got " + timeout);
        }
        this.replicas = replicas;
        this.timeoutMillis = timeout.toMillis();
    }

    boolean enabled() {
        return replicas > 0;
    }

    /** Waits for the writes so far on this connection to reach {@code replicas} replicas, or the timeout. */
    void afterWrite(RedisClusterCommands<String, String> cmd, String what) {
        if (replicas == 0) return;
        long now = System.nanoTime();
        if (now - skipUntilNanos < 0) return;
        Long acked;
        try {
            acked = cmd.waitForReplication(replicas, timeoutMillis);
        } catch (RedisException e) {
            acked = null;
        }
        if (acked == null || acked < replicas) {
            skipUntilNanos = now + BACK_OFF_NANOS;
            log.warn("event=redis_replica_wait_short what={} acknowledged_by={} wanted={} timeout_ms={} "
                            + "note=\"the write stands but a failover now could lose it; not waiting for 10 s\"",
                    what, acked, replicas, timeoutMillis);
        }
    }
}
