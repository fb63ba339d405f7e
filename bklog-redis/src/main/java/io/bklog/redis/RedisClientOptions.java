package io.bklog.redis;

import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;

import java.time.Duration;
import java.util.Objects;

/**
 * The options every Redis component's builder shares ({@link RedisTaskBroker.Builder}, {@link RedisLock.Builder},
 * {@link RedisHealthIndicator.Builder}): a client (standalone, Sentinel or cluster) shared with other components,
 * or a URI to make one from; and the replica wait. Not extended outside this package.
 *
 * @param <B> the builder type, returned by every option for chaining
 */
public abstract class RedisClientOptions<B extends RedisClientOptions<B>> {
    private AbstractRedisClient client;
    private String uri = RedisSupport.DEFAULT_URI;
    ReplicaWait replicaWait = ReplicaWait.OFF;

    RedisClientOptions() {
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** A client shared with other components (not closed by this one); default: one made from {@link #uri}. */
    public B client(RedisClient client) {
        this.client = client;
        return self();
    }

    /** A Redis Cluster client shared with other components (not closed by this one). */
    public B clusterClient(RedisClusterClient client) {
        this.client = client;
        return self();
    }

    /** Redis URI; default {@code redis://127.0.0.1:6379}. */
    public B uri(String uri) {
        this.uri = Objects.requireNonNull(uri, "uri");
        return self();
    }

    /**
     * After each published task and lock grant, wait until {@code replicas} replicas have it, at most
     * {@code timeout} ({@code WAIT}); a shortfall is logged and the write stands. Default 0: no waiting. For one
     * Redis with replicas or Sentinel; refused with a cluster client.
     */
    public B waitReplicas(int replicas, Duration timeout) {
        this.replicaWait = new ReplicaWait(replicas, Objects.requireNonNull(timeout, "timeout"));
        return self();
    }

    /** The replica wait, refused with a cluster client. */
    ReplicaWait replicaWait() {
        if (replicaWait.enabled() && client instanceof RedisClusterClient) {
            throw new IllegalArgumentException("wait_replicas is for one Redis or Sentinel, not Redis Cluster "
                    + "(WAIT would not reach the node that took the write)");
        }
        return replicaWait;
    }

    /**
     * The key prefix as stored: in a hash tag ({@code {bklog}}) with a Redis Cluster client, so that the keys a script
     * or a transaction touches together share a slot; as given otherwise, so one Redis or Sentinel keeps the key names
     * of earlier versions (a rolling upgrade shares locks, queues and dead letters with the instances not yet
     * upgraded).
     */
    String storedPrefix(String prefix) {
        return client instanceof RedisClusterClient ? RedisSupport.hashTagged(prefix) : prefix;
    }

    /** The shared client, else a new one from the URI that the component owns (shuts down on close). */
    RedisSupport.Client openClient() {
        return client != null ? new RedisSupport.Client(client, false)
                : new RedisSupport.Client(RedisSupport.createClient(uri), true);
    }
}
