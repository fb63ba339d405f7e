package io.bklog.redis;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.TaskBroker;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.cluster.models.partitions.RedisClusterNode;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

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
 *
 * <p>With Sentinel ({@link Builder#sentinel}): {@code sentinels} (how many answer; fails below a majority),
 * {@code primary} (the address they name), {@code replicas} (healthy replicas; fails naming a replica that is down
 * or disconnected, e.g. the old primary after a failover) and {@code failover}: fails for {@code failoverNotice}
 * (10 min) after this indicator saw the primary change, naming the old and the new one. With Redis Cluster:
 * {@code cluster_state} (fails unless {@code ok}), {@code failed_nodes} (fails naming them), {@code primary} of the
 * slot holding bklog's keys and the same {@code failover}.
 */
public final class RedisHealthIndicator implements HealthIndicator {

    /** bklog's {@code ALARM_QUEUE_LEN}. */
    public static final long DEFAULT_QUEUE_LENGTH_LIMIT = 10_000;

    /** How long a seen failover keeps the {@code failover} metric failing: 10 minutes. */
    public static final Duration DEFAULT_FAILOVER_NOTICE = Duration.ofMinutes(10);

    private final AbstractRedisClient client;
    private final boolean ownsClient;
    private final RedisURI sentinel;
    private final String keyPrefix;
    private final Clock clock;
    private final Duration failoverNotice;
    private String lastPrimary;
    private String failoverFrom;
    private String failoverTo;
    private Instant failoverAt;
    private final TaskBroker broker;
    private final List<String> queues;
    private final long queueLengthLimit;
    private StatefulConnection<String, String> connection;

    private RedisHealthIndicator(Builder b) {
        RedisSupport.Client c = b.openClient();
        this.ownsClient = c.owned();
        this.client = c.client();
        this.broker = b.broker;
        this.queues = List.copyOf(b.queues);
        this.queueLengthLimit = b.queueLengthLimit;
        this.sentinel = b.sentinel;
        this.keyPrefix = b.storedPrefix(b.prefix);
        this.clock = b.clock;
        this.failoverNotice = b.failoverNotice;
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
        RedisClusterCommands<String, String> cmd;
        if (sentinel != null) checkSentinels(out);
        long start = System.nanoTime();
        try {
            if (connection == null || !connection.isOpen()) connection = RedisSupport.connect(client);
            cmd = connection instanceof StatefulRedisClusterConnection<String, String> cluster
                    ? keysPrimary(cluster) : RedisSupport.sync(connection);
            cmd.ping();
        } catch (RuntimeException e) {
            out.add(HealthzMetric.failed("ping", null, "redis is unreachable: " + e.getMessage(), sentinel != null
                    ? "the primary is down or being replaced: Sentinel promotes a replica after its "
                    + "down-after-milliseconds; if it does not, check `redis-cli -p 26379 sentinel master NAME` "
                    + "(quorum, reachable replicas)"
                    : client instanceof RedisClusterClient
                    ? "a cluster node is down: its replica takes over after cluster-node-timeout; check "
                    + "`redis-cli -c cluster nodes` for nodes marked fail"
                    : "check that Redis is running and reachable at the configured 'uri'"));
            addFailover(out);
            return out;
        }
        if (connection instanceof StatefulRedisClusterConnection<String, String> cluster) checkCluster(cluster, cmd, out);
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
        addFailover(out);
        return out;
    }

    /** Asks each sentinel for the primary and its replicas. */
    private void checkSentinels(List<HealthzMetric> out) {
        String master = sentinel.getSentinelMasterId();
        int answered = 0;
        String primary = null;
        List<Map<String, String>> replicas = null;
        for (RedisURI node : sentinel.getSentinels()) {
            RedisURI u = RedisURI.Builder.redis(node.getHost(), node.getPort())
                    .withTimeout(Duration.ofMillis(500)).build();
            u.setCredentialsProvider(node.getCredentialsProvider());
            try (StatefulRedisSentinelConnection<String, String> c = ((RedisClient) client).connectSentinel(u)) {
                SocketAddress addr = c.sync().getMasterAddrByName(master);
                if (primary == null && addr != null) {
                    primary = addr instanceof InetSocketAddress i ? i.getHostString() + ":" + i.getPort() : addr.toString();
                    replicas = c.sync().replicas(master);
                }
                answered++;
            } catch (RuntimeException e) {
                // counted as not answering
            }
        }
        int total = sentinel.getSentinels().size();
        if (answered <= total / 2) {
            out.add(HealthzMetric.failed("sentinels", answered, answered + " of " + total + " sentinels answer",
                    "start the sentinels that are down: without a majority no failover happens"));
        } else {
            out.add(HealthzMetric.ok("sentinels", answered));
        }
        if (primary == null) {
            out.add(HealthzMetric.failed("primary", null, "no sentinel names a primary for '" + master + "'",
                    "check 'master_name' and `redis-cli -p 26379 sentinel masters`"));
            return;
        }
        out.add(HealthzMetric.ok("primary", primary));
        notePrimary(primary);
        List<String> down = new ArrayList<>();
        int healthy = 0;
        for (Map<String, String> r : replicas == null ? List.<Map<String, String>>of() : replicas) {
            String flags = r.getOrDefault("flags", "");
            String name = r.getOrDefault("ip", "?") + ":" + r.getOrDefault("port", "?");
            if (flags.contains("s_down") || flags.contains("o_down") || flags.contains("disconnected")) down.add(name);
            else healthy++;
        }
        if (!down.isEmpty()) {
            out.add(HealthzMetric.failed("replicas", healthy, "replica(s) down: " + String.join(", ", down)
                            + " (" + healthy + " healthy)",
                    "restart " + String.join(", ", down) + ": it rejoins as a replica of " + primary
                            + "; until then a further failure of the primary loses the queues and locks"));
        } else if (healthy == 0) {
            out.add(HealthzMetric.failed("replicas", 0, "the primary " + primary + " has no replica",
                    "add a replica (replicaof " + primary + "): without one Sentinel cannot fail over"));
        } else {
            out.add(HealthzMetric.ok("replicas", healthy));
        }
    }

    /** The node serving the slot of bklog's keys, as the client's (refreshed) topology names it. */
    private RedisClusterCommands<String, String> keysPrimary(StatefulRedisClusterConnection<String, String> c) {
        RedisClusterNode node = c.getPartitions().getMasterBySlot(SlotHash.getSlot(keyPrefix));
        if (node == null) throw new IllegalStateException("no primary serves the slot of '" + keyPrefix + "'");
        return c.getConnection(node.getNodeId()).sync();
    }

    /** CLUSTER INFO of the keys' primary, and the client's topology: failed nodes, the primary of bklog's slot. */
    private void checkCluster(StatefulRedisClusterConnection<String, String> c, RedisClusterCommands<String, String> cmd,
                              List<HealthzMetric> out) {
        try {
            String state = parseInfo(cmd.clusterInfo()).getOrDefault("cluster_state", "?");
            if ("ok".equals(state)) out.add(HealthzMetric.ok("cluster_state", state));
            else out.add(HealthzMetric.failed("cluster_state", state, "cluster_state is " + state,
                    "some slots have no reachable primary: restart the failed nodes or fail over by hand "
                            + "(`redis-cli -p PORT cluster failover` on a replica)"));
        } catch (RuntimeException e) {
            out.add(HealthzMetric.failed("cluster_state", null, "CLUSTER INFO failed: " + e.getMessage(),
                    "check that the configured 'cluster_nodes' are cluster nodes"));
        }
        List<String> failed = new ArrayList<>();
        for (RedisClusterNode n : c.getPartitions()) {
            if (n.getFlags().contains(RedisClusterNode.NodeFlag.FAIL)) failed.add(address(n));
        }
        if (failed.isEmpty()) out.add(HealthzMetric.ok("failed_nodes", 0));
        else out.add(HealthzMetric.failed("failed_nodes", failed.size(), "cluster node(s) failed: "
                        + String.join(", ", failed),
                "restart " + String.join(", ", failed) + ": a restarted primary rejoins as a replica of the "
                        + "one that replaced it; until then its shard has no replica"));
        RedisClusterNode primary = c.getPartitions().getMasterBySlot(SlotHash.getSlot(keyPrefix));
        if (primary != null) {
            out.add(HealthzMetric.ok("primary", address(primary)));
            notePrimary(address(primary));
        }
    }

    private static String address(RedisClusterNode n) {
        return n.getUri().getHost() + ":" + n.getUri().getPort();
    }

    private void notePrimary(String primary) {
        if (lastPrimary != null && !lastPrimary.equals(primary)) {
            failoverFrom = lastPrimary;
            failoverTo = primary;
            failoverAt = clock.instant();
        }
        lastPrimary = primary;
    }

    private void addFailover(List<HealthzMetric> out) {
        if (sentinel == null && !(client instanceof RedisClusterClient)) return;
        if (failoverAt != null && clock.instant().isBefore(failoverAt.plus(failoverNotice))) {
            out.add(HealthzMetric.failed("failover", failoverTo, "the Redis primary moved from " + failoverFrom
                            + " to " + failoverTo + " at " + failoverAt,
                    "restart " + failoverFrom + " (it rejoins as a replica) and find why it failed; tasks "
                            + "published in its last moments may run again or late, locks were re-granted"));
        } else {
            out.add(HealthzMetric.ok("failover", lastPrimary == null ? "" : lastPrimary));
        }
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
        private RedisURI sentinel;
        private String prefix = RedisTaskBroker.DEFAULT_PREFIX;
        private Clock clock = Clock.systemUTC();
        private Duration failoverNotice = DEFAULT_FAILOVER_NOTICE;

        private Builder() {}

        /** The sentinels and master name the client uses: adds the Sentinel metrics. */
        public Builder sentinel(RedisURI sentinelUri) {
            this.sentinel = sentinelUri;
            return this;
        }

        /** Key prefix of the broker and lock (for the cluster slot whose primary is shown); default {@code bklog}. */
        public Builder prefix(String prefix) {
            this.prefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** Clock stamping a seen failover; default system UTC. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How long the {@code failover} metric fails after a failover was seen; default 10 minutes. */
        public Builder failoverNotice(Duration failoverNotice) {
            this.failoverNotice = Objects.requireNonNull(failoverNotice, "failoverNotice");
            return this;
        }

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
