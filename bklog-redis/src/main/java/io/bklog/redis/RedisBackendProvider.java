package io.bklog.redis;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.TaskBroker;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Backend {@code redis}: task broker, distributed lock and health over one lettuce client.
 *
 * <table>
 *   <tr><th>setting</th><th>default</th></tr>
 *   <tr><td>{@code uri}</td><td>{@code redis://127.0.0.1:6379}</td></tr>
 *   <tr><td>{@code sentinels}, {@code master_name}</td><td>none: Sentinel mode, {@code host:port,...} of the
 *       sentinels and the name they monitor (instead of {@code uri})</td></tr>
 *   <tr><td>{@code cluster_nodes}</td><td>none: Redis Cluster mode, {@code host:port,...} seed nodes</td></tr>
 *   <tr><td>{@code wait_replicas}, {@code wait_timeout}</td><td>{@code 0}, {@code 100ms}: after each published
 *       task and lock grant wait for this many replicas ({@code WAIT}); not with {@code cluster_nodes}</td></tr>
 *   <tr><td>{@code password}</td><td>none (with {@code sentinels} or {@code cluster_nodes})</td></tr>
 *   <tr><td>{@code prefix}</td><td>{@code bklog}</td></tr>
 *   <tr><td>{@code visibilityTimeout}</td><td>{@code 5m}</td></tr>
 *   <tr><td>{@code group}</td><td>{@code bklog-workers}</td></tr>
 *   <tr><td>{@code maxLength}</td><td>{@code 1000000} (approximate cap per queue stream)</td></tr>
 *   <tr><td>{@code queues}</td><td>{@code high,default} (measured by health)</td></tr>
 *   <tr><td>{@code queueLengthLimit}</td><td>{@code 10000}</td></tr>
 * </table>
 */
public final class RedisBackendProvider implements BackendProvider {

    /** Every setting this backend reads; any other is refused (docs/config.md). */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("uri", "sentinels", "master_name",
            "cluster_nodes", "password", "wait_replicas", "wait_timeout", "prefix", "visibilityTimeout", "group",
            "maxLength", "queues", "queueLengthLimit");

    @Override
    public String name() {
        return "redis";
    }

    @Override
    public Backend create(BackendConfig config) {
        config.refuseUnknownKeys(name(), SETTINGS);
        String uri = config.get("uri", RedisSupport.DEFAULT_URI);
        String prefix = config.get("prefix", RedisTaskBroker.DEFAULT_PREFIX);
        Duration visibility = config.getDuration("visibilityTimeout", RedisTaskBroker.DEFAULT_VISIBILITY_TIMEOUT);
        String group = config.get("group", RedisTaskBroker.DEFAULT_GROUP);
        long maxLength = config.getLong("maxLength", RedisTaskBroker.DEFAULT_MAX_LENGTH);
        List<String> queues = Arrays.stream(config.get("queues", "high,default").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        long limit = config.getLong("queueLengthLimit", RedisHealthIndicator.DEFAULT_QUEUE_LENGTH_LIMIT);

        List<String> sentinels = list(config.get("sentinels", ""));
        List<String> clusterNodes = list(config.get("cluster_nodes", ""));
        String password = config.get("password", "");
        if (!sentinels.isEmpty() && !clusterNodes.isEmpty()) {
            throw new IllegalArgumentException("settings 'sentinels' and 'cluster_nodes' exclude each other: "
                    + "give the sentinels of a primary-replica set, or the nodes of a Redis Cluster");
        }
        if (sentinels.isEmpty() && config.get("master_name").isPresent()) {
            throw new IllegalArgumentException("setting 'master_name' needs 'sentinels' (host:port,...)");
        }
        RedisURI sentinelUri = sentinels.isEmpty() ? null
                : RedisSupport.sentinelUri(sentinels, config.get("master_name", ""), password);
        int waitReplicas = config.getInt("wait_replicas", 0);
        Duration waitTimeout = config.getDuration("wait_timeout", Duration.ofMillis(100));
        if (waitReplicas > 0 && !clusterNodes.isEmpty()) {
            throw new IllegalArgumentException("setting 'wait_replicas' is for one Redis or Sentinel, not with "
                    + "'cluster_nodes' (WAIT would not reach the node that took the write)");
        }
        new ReplicaWait(waitReplicas, waitTimeout); // checks the values before connecting
        AbstractRedisClient client = sentinelUri != null ? RedisSupport.createClient(sentinelUri)
                : !clusterNodes.isEmpty() ? RedisSupport.createClusterClient(clusterNodes, password)
                : RedisSupport.createClient(uri);
        RedisTaskBroker broker = null;
        RedisLock lock = null;
        try {
            broker = options(RedisTaskBroker.builder(), client).waitReplicas(waitReplicas, waitTimeout)
                    .prefix(prefix).group(group).visibilityTimeout(visibility).maxLength(maxLength).build();
            lock = options(RedisLock.builder(), client).waitReplicas(waitReplicas, waitTimeout).prefix(prefix).build();
            RedisHealthIndicator health = options(RedisHealthIndicator.builder(), client).broker(broker)
                    .queues(queues).queueLengthLimit(limit).sentinel(sentinelUri).prefix(prefix).build();
            return new RedisBackend(client, broker, lock, health);
        } catch (RuntimeException e) {
            if (lock != null) lock.close();
            if (broker != null) broker.close();
            RedisSupport.shutdown(client);
            throw e;
        }
    }

    private static List<String> list(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    private static <B extends RedisClientOptions<B>> B options(B builder, AbstractRedisClient client) {
        return client instanceof RedisClusterClient c ? builder.clusterClient(c)
                : builder.client((io.lettuce.core.RedisClient) client);
    }

    private record RedisBackend(AbstractRedisClient client, RedisTaskBroker broker, RedisLock lock,
                                RedisHealthIndicator health) implements Backend {
        @Override
        public String name() {
            return "redis";
        }

        @Override
        public Optional<TaskBroker> taskBroker() {
            return Optional.of(broker);
        }

        @Override
        public Optional<DistributedLock> distributedLock() {
            return Optional.of(lock);
        }

        @Override
        public List<HealthIndicator> healthIndicators() {
            return List.of(health);
        }

        @Override
        public void close() {
            health.close();
            lock.close();
            broker.close();
            RedisSupport.shutdown(client);
        }
    }
}
