package io.bklog.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Three real Kafka nodes (KRaft, combined mode: each node is broker and controller, three voters) started once per
 * test JVM (until {@link #releaseShared()}) as three child JVMs on free ports, storage formatted with one cluster id under {@code target/}. The
 * internal topics have replication 3 ({@code __consumer_offsets} with min.insync.replicas 2). Brokers heartbeat
 * every 500 ms and are fenced after 3 s without one, so a broker killed with {@link #kill(int)} ({@code kill -9})
 * leaves the ISRs within seconds; {@link #start(int)} brings it back on its ports with its data. Heap -Xmx256m per
 * node.
 */
public final class KafkaClusterFixture {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterFixture.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    public static final int SIZE = 3;
    private static KafkaClusterFixture shared;

    private final Path dir;
    private final int[] ports = new int[SIZE];
    private final int[] controllerPorts = new int[SIZE];
    private final Process[] processes = new Process[SIZE];
    private final AtomicInteger names = new AtomicInteger();

    /** The cluster shared by every IT of this JVM, started on first use. */
    public static synchronized KafkaClusterFixture shared() {
        if (shared == null) {
            KafkaClusterFixture c = new KafkaClusterFixture();
            long t0 = System.nanoTime();
            c.format();
            for (int id = 1; id <= SIZE; id++) c.launchNode(id);
            c.awaitBrokers(SIZE);
            LOG.info("event=kafka_cluster_ready bootstrap={} startup_ms={}", c.bootstrapServers(),
                    (System.nanoTime() - t0) / 1_000_000);
            Runtime.getRuntime().addShutdownHook(new Thread(c::killAll, "kafka-cluster-fixture-stop"));
            shared = c;
        }
        return shared;
    }

    /**
     * Kills the shared cluster's nodes, so three idle brokers do not take CPU from the test classes that run after
     * the last one using it (call it from that class's {@code @AfterAll}); a later {@link #shared()} starts anew.
     */
    public static synchronized void releaseShared() {
        if (shared != null) {
            shared.killAll();
            LOG.info("event=kafka_cluster_released bootstrap={}", shared.bootstrapServers());
            shared = null;
        }
    }

    private KafkaClusterFixture() {
        try {
            dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kafka-cluster-it-");
            for (int i = 0; i < SIZE; i++) {
                ports[i] = freePort();
                controllerPorts[i] = freePort();
            }
            String voters = java.util.stream.IntStream.rangeClosed(1, SIZE)
                    .mapToObj(id -> id + "@127.0.0.1:" + controllerPorts[id - 1]).collect(Collectors.joining(","));
            for (int id = 1; id <= SIZE; id++) {
                Path node = nodeDir(id);
                Files.createDirectories(node);
                Files.writeString(node.resolve("server.properties"), String.join("\n",
                        "process.roles=broker,controller",
                        "node.id=" + id,
                        "controller.quorum.voters=" + voters,
                        "listeners=PLAINTEXT://127.0.0.1:" + port(id) + ",CONTROLLER://127.0.0.1:" + controllerPorts[id - 1],
                        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port(id),
                        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                        "controller.listener.names=CONTROLLER",
                        "inter.broker.listener.name=PLAINTEXT",
                        "log.dirs=" + node.resolve("data"),
                        "num.partitions=1",
                        "default.replication.factor=3",
                        "offsets.topic.replication.factor=3",
                        "offsets.topic.num.partitions=4",
                        "transaction.state.log.replication.factor=3",
                        "transaction.state.log.min.isr=2",
                        "transaction.state.log.num.partitions=2",
                        "group.initial.rebalance.delay.ms=0",
                        "auto.create.topics.enable=false",
                        "unclean.leader.election.enable=false",
                        "broker.heartbeat.interval.ms=500",
                        "broker.session.timeout.ms=3000",
                        "replica.lag.time.max.ms=10000",
                        "log.flush.interval.messages=9223372036854775807",
                        "num.network.threads=2",
                        "num.io.threads=2",
                        "num.replica.fetchers=1",
                        "background.threads=2",
                        "log.cleaner.enable=false",
                        ""));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every broker's {@code host:port}, as a client's {@code bootstrap.servers} lists them. */
    public String bootstrapServers() {
        return java.util.stream.IntStream.rangeClosed(1, SIZE).mapToObj(this::address).collect(Collectors.joining(","));
    }

    /** The client address ({@code 127.0.0.1:port}) of node {@code id} (1..3). */
    public String address(int id) {
        return "127.0.0.1:" + port(id);
    }

    public int port(int id) {
        return ports[id - 1];
    }

    /** A topic name no other test uses. */
    public String nextTopic(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + names.incrementAndGet();
    }

    public synchronized boolean isAlive(int id) {
        return processes[id - 1] != null && processes[id - 1].isAlive();
    }

    /** {@code kill -9} of node {@code id}: no controlled shutdown, no leadership hand-over. */
    public synchronized void kill(int id) {
        Process p = processes[id - 1];
        if (p == null) return;
        p.destroyForcibly(); // SIGKILL
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("event=kafka_node_killed node={} address={} pid={}", id, address(id), p.pid());
    }

    /** Starts the nodes {@code ids} that are not running again (with their data) and waits until all three are listed. */
    public synchronized void start(int... ids) {
        for (int id : ids) {
            if (!isAlive(id)) launchNode(id);
        }
        awaitBrokers(SIZE);
    }

    /** Starts every node that is not running and waits until the cluster lists all three. */
    public synchronized void startAll() {
        start(java.util.stream.IntStream.rangeClosed(1, SIZE).toArray());
    }

    /** The broker ids the cluster lists as alive (not fenced). */
    public Set<Integer> aliveBrokers() {
        try (Admin admin = admin()) {
            return admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS)
                    .stream().map(Node::id).collect(Collectors.toSet());
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return Set.of();
        }
    }

    private Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000));
    }

    private Path nodeDir(int id) {
        return dir.resolve("node-" + id);
    }

    private void format() {
        String clusterId = Uuid.randomUuid().toString();
        List<Process> formats = new ArrayList<>();
        for (int id = 1; id <= SIZE; id++) {
            formats.add(launch(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c",
                    nodeDir(id).resolve("server.properties").toString()), nodeDir(id).resolve("format.log")));
        }
        for (int id = 1; id <= SIZE; id++) {
            Process p = formats.get(id - 1);
            try {
                if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    p.destroyForcibly();
                    throw new IllegalStateException("formatting the storage of Kafka node " + id + " failed; log tail:\n"
                            + KafkaFixture.tail(nodeDir(id).resolve("format.log")));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    private void launchNode(int id) {
        LOG.info("event=kafka_node_start node={} address={}", id, address(id));
        processes[id - 1] = launch(List.of("kafka.Kafka", nodeDir(id).resolve("server.properties").toString()),
                nodeDir(id).resolve("broker.log"));
    }

    private void awaitBrokers(int count) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = admin()) {
            while (true) {
                for (int id = 1; id <= SIZE; id++) {
                    Process p = processes[id - 1];
                    if (p != null && !p.isAlive() && p.exitValue() != 137) {
                        throw new IllegalStateException("Kafka node " + id + " exited with " + p.exitValue()
                                + " (it runs as a child JVM with the test classpath); log tail:\n"
                                + KafkaFixture.tail(nodeDir(id).resolve("broker.log")));
                    }
                }
                try {
                    Collection<Node> nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes()
                            .get(4, TimeUnit.SECONDS);
                    if (nodes.size() >= count) return;
                } catch (Exception e) {
                    if (e instanceof InterruptedException) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException(e);
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the Kafka cluster at " + bootstrapServers() + " did not list "
                            + count + " brokers within " + START_TIMEOUT + "; see the logs under " + dir);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    private void killAll() {
        for (Process p : processes) {
            if (p != null) p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                if (p != null) p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Process launch(List<String> mainAndArgs, Path log) {
        return KafkaFixture.launchBrokerJvm(dir, "-Xmx256m", mainAndArgs, ProcessBuilder.Redirect.appendTo(log.toFile()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
