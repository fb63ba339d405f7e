package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A real three-node Elasticsearch 8 cluster for the high-availability tests, started once per JVM on first use
 * ({@link #shared()}) and stopped by a shutdown hook. Every node is master-eligible and holds data; they find each
 * other through {@code discovery.seed_hosts} (the three transport ports) and bootstrap with
 * {@code cluster.initial_master_nodes}. Each node has its own config, data and logs under {@code es.cluster.dir}
 * (default {@code target/es-cluster}) {@code /node-N}; {@code path.repo} is one directory shared by all three, as an
 * fs snapshot repository needs. Ports are free ports picked at the first start and kept across restarts.
 *
 * <p>The nodes come from the same integ-test distribution as {@link EsFixture} and run the same way (as the system
 * user {@value EsNodes#NODE_USER} through {@code runuser} when this JVM is root); they start in parallel with
 * {@code es.cluster.heap} (default {@code 320m}) each, so the cluster fits on two cores next to the single node.
 * {@link #kill(int)} is a {@code kill -9} of one node; {@link #start(int)} brings it back with its data.
 */
public final class EsClusterFixture {
    private static final Logger log = LoggerFactory.getLogger(EsClusterFixture.class);
    public static final String CLUSTER_NAME = "bklog-ha-it";
    public static final int NODES = 3;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(Long.getLong("es.start.timeout.seconds", 300));
    private static final ObjectMapper JSON = new ObjectMapper();
    private static EsClusterFixture shared;

    private final Path distDir;
    private final Path workDir;
    private final String heap;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final int[] httpPorts = new int[NODES];
    private final int[] transportPorts = new int[NODES];
    private final Process[] processes = new Process[NODES];

    private EsClusterFixture(Path distDir, Path workDir, String heap) {
        this.distDir = distDir;
        this.workDir = workDir;
        this.heap = heap;
    }

    /** The cluster shared by every IT of this JVM that needs one, started on first call. Throws saying why not. */
    public static synchronized EsClusterFixture shared() {
        if (shared == null) {
            EsClusterFixture f = new EsClusterFixture(EsNodes.defaultDistDir(),
                    Path.of(System.getProperty("es.cluster.dir", "target/es-cluster")).toAbsolutePath(),
                    System.getProperty("es.cluster.heap", "320m"));
            f.wipe();
            f.start();
            Runtime.getRuntime().addShutdownHook(new Thread(f::stop, "es-cluster-fixture-stop"));
            shared = f;
        } else if (!shared.running(0) && !shared.running(1) && !shared.running(2)) {
            shared.start(); // stopped by an earlier test class that was done with it
        }
        return shared;
    }

    /** {@code http://127.0.0.1:port} of each node, node 0 first. */
    public List<String> urls() {
        return IntStream.range(0, NODES).mapToObj(this::url).toList();
    }

    public String url(int node) {
        return "http://127.0.0.1:" + httpPorts[node];
    }

    /** The node's name in the cluster ({@code _cat/nodes}, {@code _cat/master}). */
    public static String nodeName(int node) {
        return "ha-" + node;
    }

    /** The directory registered as {@code path.repo} on all three nodes. */
    public Path repoDir() {
        return workDir.resolve("repo");
    }

    public synchronized boolean running(int node) {
        return processes[node] != null && processes[node].isAlive();
    }

    /** Starts every node that is not running, in parallel, and waits until all three formed one cluster. */
    public synchronized void start() {
        long t0 = System.nanoTime();
        try {
            EsNodes.requireDistribution(distDir);
            if (httpPorts[0] == 0) {
                int[] ports = EsNodes.freePorts(2 * NODES);
                for (int i = 0; i < NODES; i++) {
                    httpPorts[i] = ports[2 * i];
                    transportPorts[i] = ports[2 * i + 1];
                }
            }
            EsNodes.installTestAnalysisPlugin(distDir, workDir);
            List<Path> confs = new ArrayList<>();
            for (int i = 0; i < NODES; i++) confs.add(writeConfig(i));
            List<String> prefix = EsNodes.runAsNodeUser(distDir, workDir);
            for (int i = 0; i < NODES; i++) {
                if (!running(i)) launch(i, confs.get(i), prefix);
            }
            awaitNodes(-1);
            log.info("es-cluster started urls={} tookMs={}", urls(), (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new IllegalStateException("could not start the Elasticsearch cluster: " + e, e);
        }
    }

    /** A new cluster each JVM: the data, logs and snapshots of an earlier run (other ports, other ids) go. */
    private void wipe() {
        try {
            for (String dir : List.of("node-0", "node-1", "node-2", "repo")) {
                Path p = workDir.resolve(dir);
                if (!Files.exists(p)) continue;
                try (var walk = Files.walk(p)) {
                    for (Path f : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(f);
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("could not clear " + workDir + " of an earlier run: " + e, e);
        }
    }

    /** Starts one node again (after {@link #kill(int)}) and waits until it has rejoined the cluster. */
    public synchronized void start(int node) {
        if (running(node)) return;
        long t0 = System.nanoTime();
        try {
            List<String> prefix = EsNodes.runAsNodeUser(distDir, workDir.resolve("node-" + node));
            launch(node, workDir.resolve("node-" + node).resolve("config"), prefix);
            awaitNodes(node); // asked of the restarted node: the others may not have noticed it was gone yet
            log.info("es-cluster node restarted node={} tookMs={}", nodeName(node),
                    (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new IllegalStateException("could not start " + nodeName(node) + ": " + e, e);
        }
    }

    /** {@code kill -9} of one node: no shutdown, its connections drop at once. */
    public synchronized void kill(int node) {
        if (!running(node)) throw new IllegalStateException(nodeName(node) + " is not running");
        EsNodes.kill9(processes[node]);
        processes[node] = null;
        log.info("es-cluster node killed node={} httpPort={}", nodeName(node), httpPorts[node]);
    }

    /** Stops every node gracefully. */
    public synchronized void stop() {
        for (int i = 0; i < NODES; i++) {
            if (processes[i] != null) {
                EsNodes.stop(processes[i], Duration.ofSeconds(30));
                processes[i] = null;
            }
        }
        log.info("es-cluster stopped");
    }

    /** The index of the elected master, asked of a running node. */
    public int master() {
        JsonNode r = get(anyRunning(), "/_cat/master?format=json");
        String name = r.path(0).path("node").asText();
        for (int i = 0; i < NODES; i++) if (nodeName(i).equals(name)) return i;
        throw new IllegalStateException("unknown master '" + name + "': " + r);
    }

    /** GET on a node, the answer as JSON (for the tests' own checks, outside the store's client). */
    public JsonNode get(int node, String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(node) + path))
                    .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("GET " + url(node) + path + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public synchronized int anyRunning() {
        for (int i = 0; i < NODES; i++) if (running(i)) return i;
        throw new IllegalStateException("no node of the cluster is running");
    }

    private void launch(int node, Path conf, List<String> prefix) throws IOException {
        Path dir = workDir.resolve("node-" + node);
        Path console = dir.resolve("console.log");
        log.info("es-cluster starting node={} httpPort={} transportPort={} heap={}", nodeName(node), httpPorts[node],
                transportPorts[node], heap);
        processes[node] = EsNodes.launch(distDir, conf, dir, prefix, console);
    }

    private Path writeConfig(int node) throws IOException {
        Path dir = workDir.resolve("node-" + node);
        for (String d : List.of("data", "logs")) Files.createDirectories(dir.resolve(d));
        Files.createDirectories(repoDir());
        String seeds = IntStream.of(transportPorts).mapToObj(p -> "\"127.0.0.1:" + p + "\"")
                .collect(Collectors.joining(", "));
        String masters = IntStream.range(0, NODES).mapToObj(i -> "\"" + nodeName(i) + "\"")
                .collect(Collectors.joining(", "));
        List<String> yml = new ArrayList<>(List.of(
                "cluster.name: " + CLUSTER_NAME,
                "node.name: " + nodeName(node),
                "http.port: " + httpPorts[node],
                "transport.port: " + transportPorts[node],
                "discovery.seed_hosts: [" + seeds + "]",
                "cluster.initial_master_nodes: [" + masters + "]",
                "path.data: " + dir.resolve("data"),
                "path.logs: " + dir.resolve("logs"),
                "path.repo: [\"" + repoDir() + "\"]"));
        yml.addAll(EsNodes.commonSettings());
        Path conf = EsNodes.writeConfig(distDir, dir.resolve("config"), yml, heap);
        // three nodes start at once on two cores: the client compiler only, which starts a node in less CPU time
        Files.writeString(conf.resolve("jvm.options.d").resolve("test-start.options"), "-XX:TieredStopAtLevel=1\n");
        return conf;
    }

    /**
     * Waits until a running node ({@code askOnly} if it is not -1) reports all {@link #NODES} nodes and a cluster at
     * least yellow.
     */
    private void awaitNodes(int askOnly) {
        int nodes = NODES;
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() - deadline < 0) {
            for (int i = 0; i < NODES; i++) {
                if (processes[i] != null && !processes[i].isAlive()) {
                    throw new IllegalStateException(nodeName(i) + " exited with code " + processes[i].exitValue()
                            + " before the cluster was ready\n" + tails(i));
                }
            }
            for (int i = 0; i < NODES; i++) {
                if (!running(i) || (askOnly >= 0 && i != askOnly)) continue;
                try {
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url(i)
                                    + "/_cluster/health?wait_for_nodes=" + nodes + "&wait_for_status=yellow&timeout=5s"))
                            .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() == 200) return;
                    last = nodeName(i) + ": " + r.statusCode() + " " + r.body();
                } catch (IOException e) {
                    last = nodeName(i) + ": " + e;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while starting the cluster", e);
                }
            }
            sleep(); // nodes that are still starting refuse connections at once: nothing to wait on but time
        }
        throw new IllegalStateException("the Elasticsearch cluster did not have " + nodes + " nodes within "
                + START_TIMEOUT.toSeconds() + " s (last answer: " + last + ")\n"
                + IntStream.range(0, NODES).mapToObj(this::tails).collect(Collectors.joining("\n")));
    }

    private static void sleep() {
        try {
            Thread.sleep(500);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private String tails(int node) {
        Path dir = workDir.resolve("node-" + node);
        return "--- " + nodeName(node) + " console ---\n" + EsNodes.tail(dir.resolve("console.log"), 30)
                + "\n--- " + nodeName(node) + " log ---\n"
                + EsNodes.tail(dir.resolve("logs").resolve(CLUSTER_NAME + ".log"), 40);
    }
}
