package io.bklog.redis;

import io.bklog.spi.BackendException;
import io.bklog.spi.DistributedLock;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link DistributedLock} on Redis. A grant is {@code SET {prefix}:lock:NAME "<token>:<owner>" PX ttl} when the
 * lock key is absent, the token being max(previous token + 1, the server's time in µs), kept in
 * {@code {prefix}:fence:NAME}; both in one Lua script (with a Redis Cluster client the prefix is a hash tag, so both keys share a Redis Cluster
 * slot). Renew and release compare the value and act in one script, so only the current holder can extend or drop
 * the lease. The fence counter of a name expires {@code fenceRetention} (default 1 day, at least 2 × ttl) after its
 * last grant, so names used once (the beat's per-run claims, a run id) do not pile up in Redis. Thanks to the time
 * floor the tokens of a name keep growing when its counter expired, and across a failover that lost the latest
 * grants (acknowledged by the old primary, not replicated yet), as long as the servers' clocks do not go back.
 */
public final class RedisLock implements DistributedLock {

    /** How long the fence counter of a name outlives its last grant: 1 day. */
    public static final Duration DEFAULT_FENCE_RETENTION = Duration.ofDays(1);

    /**
     * The token is the counter + 1, but at least the server's time in microseconds: a grant that a failover lost
     * (acknowledged by the old primary, not yet replicated) cannot hand out its token again, since the promoted
     * primary's clock is past it.
     */
    private static final LuaScript ACQUIRE = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 1 then return false end
            local token = tonumber(redis.call('GET', KEYS[2]) or '0') + 1
            local now = redis.call('TIME')
            local floor = tonumber(now[1]) * 1000000 + tonumber(now[2])
            if floor > token then token = floor end
            local text = string.format('%.0f', token)
            redis.call('SET', KEYS[2], text, 'PX', ARGV[3])
            redis.call('SET', KEYS[1], text .. ':' .. ARGV[1], 'PX', ARGV[2])
            return token
            """);

    private static final LuaScript RENEW = new LuaScript("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            redis.call('PEXPIRE', KEYS[1], ARGV[2])
            local keep = tonumber(ARGV[3])
            if redis.call('PTTL', KEYS[2]) < keep then redis.call('PEXPIRE', KEYS[2], keep) end
            return 1
            """);

    private static final LuaScript RELEASE = new LuaScript("""
            if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
            return redis.call('DEL', KEYS[1])
            """);

    private final AbstractRedisClient client;
    private final boolean ownsClient;
    private final String prefix;
    private final Duration fenceRetention;
    private final ReplicaWait replicaWait;
    private final StatefulConnection<String, String> connection;
    private final RedisClusterCommands<String, String> cmd;

    private RedisLock(Builder b) {
        this.replicaWait = b.replicaWait();
        RedisSupport.Client c = b.openClient();
        this.ownsClient = c.owned();
        this.client = c.client();
        this.prefix = b.storedPrefix(b.prefix);
        this.fenceRetention = b.fenceRetention;
        this.connection = c.connect();
        this.cmd = RedisSupport.sync(connection);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String backendName() {
        return "redis";
    }

    @Override
    public Optional<LockLease> tryAcquire(String name, String owner, Duration ttl) {
        requireText(name, "name");
        requireText(owner, "owner");
        long ttlMillis = requireTtl(ttl);
        Long token = call("tryAcquire", () -> ACQUIRE.run(cmd, ScriptOutputType.INTEGER, keys(name), owner,
                Long.toString(ttlMillis), Long.toString(keep(ttlMillis))));
        if (token == null) return Optional.empty();
        replicaWait.afterWrite(cmd, "lock");
        return Optional.of(new LockLease(name, owner, token));
    }

    @Override
    public boolean renew(LockLease lease, Duration ttl) {
        Objects.requireNonNull(lease, "lease");
        long ttlMillis = requireTtl(ttl);
        Long ok = call("renew", () -> RENEW.run(cmd, ScriptOutputType.INTEGER, keys(lease.name()), value(lease),
                Long.toString(ttlMillis), Long.toString(keep(ttlMillis))));
        return ok != null && ok == 1;
    }

    @Override
    public void release(LockLease lease) {
        Objects.requireNonNull(lease, "lease");
        call("release", () -> RELEASE.run(cmd, ScriptOutputType.INTEGER, keys(lease.name()), value(lease)));
    }

    @Override
    public boolean isHeld(LockLease lease) {
        Objects.requireNonNull(lease, "lease");
        return value(lease).equals(call("isHeld", () -> cmd.get(lockKey(lease.name()))));
    }

    /** {@code {prefix}:lock:NAME}, the prefix in a hash tag with a cluster client ({@code {bklog}:lock:NAME}). */
    public String lockKey(String name) {
        return prefix + ":lock:" + name;
    }

    /** {@code {prefix}:fence:NAME}, the prefix in a hash tag. */
    public String fenceKey(String name) {
        return prefix + ":fence:" + name;
    }

    @Override
    public void close() {
        RedisSupport.closeQuietly(connection);
        if (ownsClient) RedisSupport.shutdown(client);
    }

    private String[] keys(String name) {
        return new String[]{lockKey(name), fenceKey(name)};
    }

    private long keep(long ttlMillis) {
        return Math.max(fenceRetention.toMillis(), 2 * ttlMillis);
    }

    private static String value(LockLease lease) {
        return lease.fencingToken() + ":" + lease.owner();
    }

    private <T> T call(String op, Supplier<T> f) {
        try {
            return f.get();
        } catch (RedisException e) {
            throw new BackendException("redis lock: " + op + " failed (is Redis reachable?): " + e.getMessage(), e);
        }
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

    /** Options of a {@link RedisLock}. */
    public static final class Builder extends RedisClientOptions<Builder> {
        private String prefix = RedisTaskBroker.DEFAULT_PREFIX;
        private Duration fenceRetention = DEFAULT_FENCE_RETENTION;

        private Builder() {}

        /** Key prefix; default {@code bklog}. */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** How long a fence counter outlives the last grant of its name; default 1 day. */
        public Builder fenceRetention(Duration fenceRetention) {
            this.fenceRetention = Objects.requireNonNull(fenceRetention, "fenceRetention");
            return this;
        }

        public RedisLock build() {
            if (prefix.isBlank()) throw new IllegalArgumentException("redis prefix must not be blank");
            return new RedisLock(this);
        }
    }
}
