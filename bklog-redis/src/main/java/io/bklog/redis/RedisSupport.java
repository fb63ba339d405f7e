package io.bklog.redis;

import io.bklog.spi.BackendException;
import io.lettuce.core.AbstractRedisClient;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulConnection;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.ClusterClientOptions;
import io.lettuce.core.cluster.ClusterTopologyRefreshOptions;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.api.StatefulRedisClusterConnection;
import io.lettuce.core.cluster.api.sync.RedisClusterCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Creating, connecting and closing lettuce clients with errors that say what to check. A client is a
 * {@link RedisClient} (one Redis, or the primary that Sentinel names) or a {@link RedisClusterClient}; both give
 * {@link RedisClusterCommands}, the commands the components use.
 */
final class RedisSupport {

    static final String DEFAULT_URI = "redis://127.0.0.1:6379";
    /** Command timeout; a command waits this long at most for a reconnect (e.g. across a failover). */
    static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(60);
    /**
     * Command timeout with Redis Cluster: a command sent to a node just before it died waits for that node, not for
     * its promoted replica, so it fails after this and the caller retries (by then the topology is refreshed).
     */
    static final Duration CLUSTER_COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Reconnect attempts back off from 50 ms to at most 1 s, so a promoted primary is found within a second. */
    private static final Delay RECONNECT_DELAY = Delay.exponential(Duration.ofMillis(50), Duration.ofSeconds(1), 2,
            TimeUnit.MILLISECONDS);
    /** Clients whose resources were made here (shut down with the client). */
    private static final Set<AbstractRedisClient> OWN_RESOURCES = ConcurrentHashMap.newKeySet();

    private RedisSupport() {}

    /** A client and whether the component using it owns it (made it, so shuts it down). */
    record Client(AbstractRedisClient client, boolean owned) {
        /** A connection; when it cannot be made, an owned client is shut down before the error is thrown. */
        StatefulConnection<String, String> connect() {
            try {
                return RedisSupport.connect(client);
            } catch (RuntimeException e) {
                if (owned) shutdown(client);
                throw e;
            }
        }
    }

    static RedisClient createClient(String uri) {
        RedisURI parsed;
        try {
            parsed = RedisURI.create(uri);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("setting 'uri' has a bad value '" + uri
                    + "': expected redis://[password@]host[:port][/database], e.g. " + DEFAULT_URI, e);
        }
        return createClient(parsed);
    }

    static RedisClient createClient(RedisURI uri) {
        if (uri.getTimeout() == null || uri.getTimeout().compareTo(COMMAND_TIMEOUT) > 0) uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient c = RedisClient.create(resources(), uri);
        OWN_RESOURCES.add(c);
        return c;
    }

    /** The URI of the primary that the sentinels name {@code masterName}; a client asks them again on each reconnect. */
    static RedisURI sentinelUri(List<String> sentinels, String masterName, String password) {
        if (sentinels.isEmpty()) throw new IllegalArgumentException("setting 'sentinels' names no sentinel");
        if (masterName == null || masterName.isBlank()) {
            throw new IllegalArgumentException("setting 'master_name' is required with 'sentinels' "
                    + "(the name the sentinels monitor, e.g. mymaster)");
        }
        RedisURI.Builder b = null;
        for (String s : sentinels) {
            HostPort hp = HostPort.parse("sentinels", s, 26379);
            b = b == null ? RedisURI.Builder.sentinel(hp.host(), hp.port(), masterName) : b.withSentinel(hp.host(), hp.port());
        }
        if (password != null && !password.isEmpty()) b.withPassword(password.toCharArray());
        return b.withTimeout(COMMAND_TIMEOUT).build();
    }

    /**
     * A Redis Cluster client seeded with {@code nodes}; it refreshes the topology on MOVED, reconnects and every 5 s;
     * commands for a disconnected node are refused at once, and time out after {@link #CLUSTER_COMMAND_TIMEOUT}.
     */
    static RedisClusterClient createClusterClient(List<String> nodes, String password) {
        if (nodes.isEmpty()) throw new IllegalArgumentException("setting 'cluster_nodes' names no node");
        List<RedisURI> uris = new ArrayList<>();
        for (String n : nodes) {
            HostPort hp = HostPort.parse("cluster_nodes", n, 6379);
            RedisURI.Builder b = RedisURI.Builder.redis(hp.host(), hp.port()).withTimeout(CLUSTER_COMMAND_TIMEOUT);
            if (password != null && !password.isEmpty()) b.withPassword(password.toCharArray());
            uris.add(b.build());
        }
        RedisClusterClient c = RedisClusterClient.create(resources(), uris);
        c.setOptions(ClusterClientOptions.builder()
                // a command for a node that is down fails at once instead of waiting for it: the topology refresh
                // then sends the next one to the replica that took over
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .topologyRefreshOptions(ClusterTopologyRefreshOptions.builder()
                        .enablePeriodicRefresh(Duration.ofSeconds(5))
                        .enableAllAdaptiveRefreshTriggers()
                        .adaptiveRefreshTriggersTimeout(Duration.ofMillis(500))
                        .build())
                .build());
        OWN_RESOURCES.add(c);
        return c;
    }

    private static ClientResources resources() {
        return ClientResources.builder().reconnectDelay(RECONNECT_DELAY).build();
    }

    static StatefulConnection<String, String> connect(AbstractRedisClient client) {
        try {
            if (client instanceof RedisClusterClient cluster) return cluster.connect();
            return ((RedisClient) client).connect();
        } catch (RedisException e) {
            throw new BackendException("cannot connect to Redis: " + e.getMessage()
                    + "; check the 'uri' (or 'sentinels', 'cluster_nodes') setting and that Redis is running", e);
        }
    }

    /** The synchronous commands of a standalone, Sentinel or cluster connection. */
    @SuppressWarnings("unchecked")
    static RedisClusterCommands<String, String> sync(StatefulConnection<String, String> c) {
        if (c instanceof StatefulRedisClusterConnection<?, ?> cluster) {
            return ((StatefulRedisClusterConnection<String, String>) cluster).sync();
        }
        return ((StatefulRedisConnection<String, String>) c).sync();
    }

    /**
     * Keys sharing one hash tag live in one Redis Cluster slot, so a script or transaction over several of them
     * can run: {@code prefix} becomes {@code {prefix}} unless it already holds a tag.
     */
    static String hashTagged(String prefix) {
        int open = prefix.indexOf('{');
        if (open >= 0) {
            int close = prefix.indexOf('}', open + 1);
            if (close > open + 1) return prefix;
        }
        return "{" + prefix + "}";
    }

    static void closeQuietly(StatefulConnection<?, ?> c) {
        try {
            c.close();
        } catch (RuntimeException ignored) {
            // closing anyway
        }
    }

    static void shutdown(AbstractRedisClient client) {
        try {
            client.shutdown(0, 2, TimeUnit.SECONDS);
        } catch (RuntimeException ignored) {
            // closing anyway
        }
        if (OWN_RESOURCES.remove(client)) {
            try {
                client.getResources().shutdown(0, 2, TimeUnit.SECONDS);
            } catch (RuntimeException ignored) {
                // closing anyway
            }
        }
    }

    /** {@code host:port} of a setting listing nodes. */
    record HostPort(String host, int port) {
        static HostPort parse(String setting, String value, int defaultPort) {
            String v = value.trim();
            int colon = v.lastIndexOf(':');
            try {
                if (v.isEmpty() || colon == 0) throw new NumberFormatException();
                if (colon < 0) return new HostPort(v, defaultPort);
                int port = Integer.parseInt(v.substring(colon + 1));
                if (port < 1 || port > 65535) throw new NumberFormatException();
                return new HostPort(v.substring(0, colon), port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("setting '" + setting + "' has a bad entry '" + value
                        + "': expected host:port, e.g. 127.0.0.1:" + defaultPort);
            }
        }

        @Override
        public String toString() {
            return host + ":" + port;
        }
    }
}
