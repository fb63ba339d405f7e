package io.bklog.redis;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/**
 * Redis high-availability set-ups started by the tests themselves with the machine's {@code redis-server} and
 * {@code redis-cli}, on free ports, in {@code target/redis-ha/}: a Sentinel set (a primary, a replica, three
 * sentinels; down-after-milliseconds 1000, failover-timeout 3000) and a Redis Cluster (three primaries with a replica
 * each; cluster-node-timeout 1000). Each is started once per JVM, when a test first asks for it, and killed at JVM
 * exit. A test that kills a node restarts it ({@link Node#start}) so the next test finds a whole set.
 */
final class RedisHaFixture {

    static final String MASTER_NAME = "bklog-ha";
    private static final String HOW_TO_INSTALL = "the Redis HA tests start their own servers with `redis-server` and "
            + "`redis-cli` from the PATH: install them (e.g. `apt-get install redis-server`, Redis 7)";
    private static final List<Node> ALL = new ArrayList<>();
    private static final RedisClient ADMIN = RedisClient.create();
    private static Sentinel sentinel;
    private static Cluster cluster;

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            synchronized (ALL) {
                ALL.forEach(Node::kill);
            }
            ADMIN.shutdown(0, 1, TimeUnit.SECONDS);
        }, "redis-ha-fixture-stop"));
    }

    private RedisHaFixture() {}

    /** One redis-server process: its port, directory and arguments; can be killed (-9) and started again. */
    static final class Node {
        final int port;
        final Path dir;
        final List<String> args;
        private Process process;

        Node(int port, Path dir, List<String> args) {
            this.port = port;
            this.dir = dir;
            this.args = List.copyOf(args);
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        synchronized void start() {
            if (process != null && process.isAlive()) return;
            List<String> cmd = new ArrayList<>();
            cmd.add("redis-server");
            cmd.addAll(args);
            try {
                process = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("server.log").toFile())).start();
            } catch (IOException e) {
                fail("cannot start " + cmd + ": " + e.getMessage() + "; " + HOW_TO_INSTALL);
            }
            synchronized (ALL) {
                if (!ALL.contains(this)) ALL.add(this);
            }
            await("redis-server on port " + port + " (log " + dir.resolve("server.log") + ")")
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> "PONG".equals(command(port, c -> c.sync().ping())));
        }

        /** SIGKILL: no shutdown, no save, the socket just closes. */
        synchronized void kill() {
            if (process == null) return;
            process.destroyForcibly();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized boolean alive() {
            return process != null && process.isAlive();
        }
    }

    /** Runs one command on a fresh connection to 127.0.0.1:port (2 s timeout). */
    static <T> T command(int port, Function<StatefulRedisConnection<String, String>, T> f) {
        RedisURI uri = RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(2)).build();
        try (StatefulRedisConnection<String, String> c = ADMIN.connect(uri)) {
            return f.apply(c);
        }
    }

    static <T> T sentinelCommand(int port, Function<StatefulRedisSentinelConnection<String, String>, T> f) {
        RedisURI uri = RedisURI.Builder.redis("127.0.0.1", port).withTimeout(Duration.ofSeconds(2)).build();
        try (StatefulRedisSentinelConnection<String, String> c = ADMIN.connectSentinel(uri)) {
            return f.apply(c);
        }
    }

    /** A primary, a replica and three sentinels monitoring {@link #MASTER_NAME} with quorum 2. */
    static final class Sentinel {
        final List<Node> servers = new ArrayList<>();
        final List<Node> sentinels = new ArrayList<>();

        /** {@code host:port,...} of the sentinels, as the {@code sentinels} setting takes them. */
        String sentinelSetting() {
            return sentinels.stream().map(Node::address).collect(Collectors.joining(","));
        }

        /** The data node the sentinels name as primary. */
        Node primary() {
            InetSocketAddress a = (InetSocketAddress) sentinelCommand(sentinels.get(0).port,
                    c -> c.sync().getMasterAddrByName(MASTER_NAME));
            return servers.stream().filter(n -> n.port == a.getPort()).findFirst().orElseThrow();
        }

        /** Waits until every sentinel sees the primary, a connected replica and the two other sentinels. */
        void awaitReady() {
            await("sentinel set ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        for (Node s : sentinels) {
                            Map<String, String> m = sentinelCommand(s.port, c -> c.sync().master(MASTER_NAME));
                            if (!m.getOrDefault("flags", "").equals("master")) return false;
                            if (!"2".equals(m.get("num-other-sentinels"))) return false;
                            List<Map<String, String>> replicas = sentinelCommand(s.port,
                                    c -> c.sync().replicas(MASTER_NAME));
                            if (replicas.stream().noneMatch(r -> r.getOrDefault("flags", "").equals("slave")
                                    && "ok".equals(r.get("master-link-status")))) {
                                return false;
                            }
                        }
                        return true;
                    });
        }
    }

    /** Three primaries with a replica each. */
    static final class Cluster {
        final List<Node> nodes = new ArrayList<>();

        /** {@code host:port,...} of all nodes, as the {@code cluster_nodes} setting takes them. */
        String nodesSetting() {
            return nodes.stream().map(Node::address).collect(Collectors.joining(","));
        }

        /** The live node that is the primary of the slot of {@code key}. */
        Node primaryOf(String key) {
            int slot = SlotHash.getSlot(key);
            for (Node n : nodes) {
                if (!n.alive()) continue;
                String info = command(n.port, c -> c.sync().clusterNodes());
                for (String line : info.split("\n")) {
                    String[] f = line.trim().split(" ");
                    if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) continue;
                    for (int i = 8; i < f.length; i++) {
                        if (f[i].startsWith("[")) continue;
                        String[] r = f[i].split("-");
                        int lo = Integer.parseInt(r[0]);
                        int hi = r.length > 1 ? Integer.parseInt(r[1]) : lo;
                        if (slot >= lo && slot <= hi) {
                            int port = Integer.parseInt(f[1].substring(f[1].indexOf(':') + 1, f[1].indexOf('@')));
                            return nodes.stream().filter(x -> x.port == port).findFirst().orElseThrow();
                        }
                    }
                }
                break;
            }
            throw new IllegalStateException("no primary serves slot " + slot);
        }

        /** Waits until every node reports cluster_state:ok, knows all six nodes, and each replica is in sync. */
        void awaitReady() {
            await("redis cluster ready").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreExceptions().until(() -> {
                        for (Node n : nodes) {
                            String info = command(n.port, c -> c.sync().clusterInfo());
                            if (!info.contains("cluster_state:ok") || !info.contains("cluster_known_nodes:6")) {
                                return false;
                            }
                            String all = command(n.port, c -> c.sync().clusterNodes());
                            if (all.contains("fail") || all.contains("handshake")) return false;
                            String repl = command(n.port, c -> c.sync().info("replication"));
                            if (repl.contains("role:slave") && !repl.contains("master_link_status:up")) return false;
                            if (repl.contains("role:master") && !repl.contains("connected_slaves:1")) return false;
                        }
                        return true;
                    });
        }
    }

    static synchronized Sentinel sentinel() {
        if (sentinel != null) return sentinel;
        Path base = baseDir("sentinel");
        Sentinel s = new Sentinel();
        int primaryPort = freePort(false);
        for (int i = 0; i < 2; i++) {
            int port = i == 0 ? primaryPort : freePort(false);
            Path dir = mkdir(base.resolve("redis-" + port));
            List<String> args = new ArrayList<>(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toAbsolutePath().toString(),
                    "--repl-diskless-sync-delay", "0"));
            if (i == 1) args.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(primaryPort)));
            Node n = new Node(port, dir, args);
            s.servers.add(n);
            n.start();
        }
        for (int i = 0; i < 3; i++) {
            int port = freePort(false);
            Path dir = mkdir(base.resolve("sentinel-" + port));
            Path conf = dir.resolve("sentinel.conf");
            write(conf, "port " + port + "\nbind 127.0.0.1\ndir " + dir.toAbsolutePath() + "\n"
                    + "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + primaryPort + " 2\n"
                    + "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n"
                    + "sentinel failover-timeout " + MASTER_NAME + " 3000\n"
                    + "sentinel parallel-syncs " + MASTER_NAME + " 1\n");
            Node n = new Node(port, dir, List.of(conf.toAbsolutePath().toString(), "--sentinel"));
            s.sentinels.add(n);
            n.start();
        }
        s.awaitReady();
        sentinel = s;
        return s;
    }

    static synchronized Cluster cluster() {
        if (cluster != null) return cluster;
        Path base = baseDir("cluster");
        Cluster c = new Cluster();
        for (int i = 0; i < 6; i++) {
            int port = freePort(true);
            Path dir = mkdir(base.resolve("node-" + port));
            Node n = new Node(port, dir, List.of("--port", Integer.toString(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--dir", dir.toAbsolutePath().toString(),
                    "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                    "--cluster-node-timeout", "1000", "--cluster-replica-validity-factor", "0",
                    "--repl-diskless-sync-delay", "0"));
            c.nodes.add(n);
            n.start();
        }
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
        c.nodes.forEach(n -> cmd.add(n.address()));
        cmd.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(base.resolve("create.log").toFile()).start();
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                fail("redis-cli --cluster create failed, see " + base.resolve("create.log") + ": "
                        + Files.readString(base.resolve("create.log")));
            }
        } catch (IOException e) {
            fail("cannot run " + cmd + ": " + e.getMessage() + "; " + HOW_TO_INSTALL);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        c.awaitReady();
        cluster = c;
        return c;
    }

    private static Path baseDir(String kind) {
        return mkdir(Path.of("target", "redis-ha", kind + "-" + UUID.randomUUID().toString().substring(0, 8)));
    }

    private static Path mkdir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + p, e);
        }
    }

    private static void write(Path p, String text) {
        try {
            Files.writeString(p, text);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write " + p, e);
        }
    }

    /** A free port; for a cluster node also its bus port (+10000). */
    private static int freePort(boolean withBus) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port;
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            if (!withBus) return port;
            if (port + 10_000 > 65_535) continue;
            try (ServerSocket bus = new ServerSocket(port + 10_000)) {
                return port;
            } catch (IOException busy) {
                // try another
            }
        }
        throw new IllegalStateException("no free port pair for a cluster node");
    }
}
