package io.bklog.redis;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.TaskBroker;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Health of Redis, namespace {@code redis}, as bklog's {@code healthz_metrics/redis.py}: {@code ping} (latency in ms),
 * {@code redis_version}, {@code connected_clients} (fails at 90 % of {@code maxclients}), {@code used_memory}
 * (bytes; fails at 90 % of {@code maxmemory} when one is set), {@code mem_fragmentation_ratio},
 * {@code instantaneous_ops_per_sec}, {@code evicted_keys}, {@code hit_rate} (hits / (hits + misses) × 100, 2
 * decimals), and {@code queue_len} per broker queue (dimension {@code queue}): a queue with {@code queueLengthLimit}
 * (10,000) or more waiting messages fails with {@code queue_len is larger than 10000}. Every failure carries a
 * message and a suggestion.
 */
public final class RedisHealthIndicator implements HealthIndicator {

    /** bklog's {@code ALARM_QUEUE_LEN}. */
    public static final long DEFAULT_QUEUE_LENGTH_LIMIT = 10_000;

    private final RedisClient client;
    private final boolean ownsClient;
    private final TaskBroker broker;
    private final List<String> queues;
    private final long queueLengthLimit;
    private StatefulRedisConnection<String, String> connection;

    private RedisHealthIndicator(Builder b) {
        RedisSupport.Client c = b.openClient();
        this.ownsClient = c.owned();
        this.client = c.client();
        this.broker = b.broker;
        this.queues = List.copyOf(b.queues);
        this.queueLengthLimit = b.queueLengthLimit;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String namespace() {
        return "redis";
    }

    @Override
    public synchronized List<HealthzMetric> check() {
        List<HealthzMetric> out = new ArrayList<>();
        RedisCommands<String, String> cmd;
        long start = System.nanoTime();
        try {
            if (connection == null || !connection.isOpen()) connection = RedisSupport.connect(client);
            cmd = connection.sync();
            cmd.ping();
        } catch (RuntimeException e) {
            out.add(HealthzMetric.failed("ping", null, "redis is unreachable: " + e.getMessage(),
                    "check that Redis is running and reachable at the configured 'uri'"));
            return out;
        }
        double pingMs = Math.round((System.nanoTime() - start) / 10_000.0) / 100.0;
        out.add(HealthzMetric.ok("ping", pingMs));

        Map<String, String> info;
        try {
            info = parseInfo(cmd.info());
        } catch (RuntimeException e) {
            out.add(HealthzMetric.failed("info", null, "INFO failed: " + e.getMessage(),
                    "check that the Redis user may run INFO"));
            return out;
        }
        out.add(HealthzMetric.ok("redis_version", info.getOrDefault("redis_version", "")));

        long clients = number(info, "connected_clients");
        long maxClients = number(info, "maxclients");
        if (maxClients > 0 && clients >= maxClients * 0.9) {
            out.add(HealthzMetric.failed("connected_clients", clients,
                    "connected_clients " + clients + " is at least 90% of maxclients " + maxClients,
                    "raise maxclients or find the client leaking connections (CLIENT LIST)"));
        } else {
            out.add(HealthzMetric.ok("connected_clients", clients));
        }

        long used = number(info, "used_memory");
        long max = number(info, "maxmemory");
        if (max > 0 && used >= max * 0.9) {
            out.add(HealthzMetric.failed("used_memory", used,
                    "used_memory " + used + " bytes is at least 90% of maxmemory " + max,
                    "raise maxmemory, or drain the task queues and dead letters that hold the memory"));
        } else {
            out.add(HealthzMetric.ok("used_memory", used));
        }
        out.add(HealthzMetric.ok("mem_fragmentation_ratio", decimal(info, "mem_fragmentation_ratio")));
        out.add(HealthzMetric.ok("instantaneous_ops_per_sec", number(info, "instantaneous_ops_per_sec")));
        out.add(HealthzMetric.ok("evicted_keys", number(info, "evicted_keys")));
        long hits = number(info, "keyspace_hits");
        long misses = number(info, "keyspace_misses");
        double hitRate = hits + misses == 0 ? 0 : Math.round(hits * 10_000.0 / (hits + misses)) / 100.0;
        out.add(HealthzMetric.ok("hit_rate", hitRate));

        if (broker != null) {
            for (String queue : queues) out.add(queueLength(queue));
        }
        return out;
    }

    private HealthzMetric queueLength(String queue) {
        Map<String, String> dims = Map.of("queue", queue);
        try {
            long n = broker.queueLength(queue);
            if (n >= queueLengthLimit) {
                return new HealthzMetric(false, "queue_len", n, dims, "queue_len is larger than " + queueLengthLimit,
                        "queue '" + queue + "' has " + n + " waiting tasks: start more workers, or find the task "
                                + "flooding it in its dead letters and recent runs");
            }
            return new HealthzMetric(true, "queue_len", n, dims, "", "");
        } catch (RuntimeException e) {
            return new HealthzMetric(false, "queue_len", null, dims, "cannot read queue length: " + e.getMessage(),
                    "check that Redis is reachable and the broker prefix is right");
        }
    }

    static Map<String, String> parseInfo(String info) {
        Map<String, String> m = new HashMap<>();
        for (String line : info.split("\r?\n")) {
            if (line.isEmpty() || line.startsWith("#")) continue;
            int colon = line.indexOf(':');
            if (colon > 0) m.put(line.substring(0, colon), line.substring(colon + 1).trim());
        }
        return m;
    }

    private static long number(Map<String, String> info, String key) {
        try {
            return Long.parseLong(info.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double decimal(Map<String, String> info, String key) {
        try {
            return Double.parseDouble(info.getOrDefault(key, "0"));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Closes its connection (and its client when it made one). */
    public synchronized void close() {
        if (connection != null) RedisSupport.closeQuietly(connection);
        if (ownsClient) RedisSupport.shutdown(client);
    }

    /** Options of a {@link RedisHealthIndicator}. */
    public static final class Builder extends RedisClientOptions<Builder> {
        private TaskBroker broker;
        private List<String> queues = List.of(TaskBroker.QUEUE_HIGH, TaskBroker.QUEUE_DEFAULT);
        private long queueLengthLimit = DEFAULT_QUEUE_LENGTH_LIMIT;

        private Builder() {}

        /** The broker whose queues are measured; none by default (no {@code queue_len}). */
        public Builder broker(TaskBroker broker) {
            this.broker = broker;
            return this;
        }

        /** Queues measured; default {@code high, default}. */
        public Builder queues(List<String> queues) {
            this.queues = List.copyOf(queues);
            return this;
        }

        /** Waiting messages from which a queue fails; default 10,000. */
        public Builder queueLengthLimit(long queueLengthLimit) {
            this.queueLengthLimit = queueLengthLimit;
            return this;
        }

        public RedisHealthIndicator build() {
            if (queueLengthLimit < 1) {
                throw new IllegalArgumentException("queueLengthLimit must be >= 1, got " + queueLengthLimit);
            }
            return new RedisHealthIndicator(this);
        }
    }
}
