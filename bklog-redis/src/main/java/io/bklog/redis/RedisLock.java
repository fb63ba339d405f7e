package io.bklog.redis;

import io.bklog.spi.BackendException;
import io.bklog.spi.DistributedLock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@link DistributedLock} on Redis. A grant is {@code SET {prefix}:lock:{name} "<token>:<owner>" NX PX ttl} with the
 * token from {@code INCR {prefix}:fence:{name}}, both in one Lua script; renew and release compare the value and
 * act in one script, so only the current holder can extend or drop the lease. The fence counter of a name expires
 * {@code fenceRetention} (default 1 day, at least 2 × ttl) after its last grant, so names used once (the beat's
 * per-run claims, a run id) do not pile up in Redis; the tokens of a name strictly increase as long as its grants
 * are less than {@code fenceRetention} apart.
 */
public final class RedisLock implements DistributedLock {

    /** How long the fence counter of a name outlives its last grant: 1 day. */
    public static final Duration DEFAULT_FENCE_RETENTION = Duration.ofDays(1);

    private static final LuaScript ACQUIRE = new LuaScript("""
            if redis.call('EXISTS', KEYS[1]) == 1 then return false end
            local token = redis.call('INCR', KEYS[2])
            redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'PX', ARGV[2])
            local keep = tonumber(ARGV[3])
            if redis.call('PTTL', KEYS[2]) < keep then redis.call('PEXPIRE', KEYS[2], keep) end
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

    private final RedisClient client;
    private final boolean ownsClient;
    private final String prefix;
    private final Duration fenceRetention;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> cmd;

    private RedisLock(Builder b) {
        RedisSupport.Client c = b.openClient();
        this.ownsClient = c.owned();
        this.client = c.client();
        this.prefix = b.prefix;
        this.fenceRetention = b.fenceRetention;
        this.connection = c.connect();
        this.cmd = connection.sync();
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
        return token == null ? Optional.empty() : Optional.of(new LockLease(name, owner, token));
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

    /** {@code {prefix}:lock:{name}}. */
    public String lockKey(String name) {
        return prefix + ":lock:" + name;
    }

    /** {@code {prefix}:fence:{name}}. */
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
