package io.bklog.es;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * One real Elasticsearch 8 node for the integration tests, started once per JVM on first use and stopped by a
 * shutdown hook. The node comes from the integ-test distribution that the module's pom unpacks under
 * {@code target/es-dist} (system property {@code es.dist.dir}); its config, data, logs and snapshot repository live
 * under {@code es.work.dir} (default {@code target/es-node}). Ports are free ports picked at start.
 *
 * <p>Elasticsearch refuses to run as root: when this JVM is root the node runs as the system user
 * {@value #NODE_USER} (created when missing) through {@code runuser}.
 *
 * <p>Set {@code -Des.url=http://127.0.0.1:9200} to use a node that is already running instead (stop/restart are then
 * refused), with {@code -Des.repo.dir} naming its {@code path.repo}.
 */
public final class EsFixture {
    private static final Logger log = LoggerFactory.getLogger(EsFixture.class);
    public static final String NODE_USER = EsNodes.NODE_USER;
    public static final String CLUSTER_NAME = "bklog-it";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(
            Long.getLong("es.start.timeout.seconds", 300));
    private static EsFixture shared;

    private final Path distDir;
    private final Path workDir;
    private final String externalUrl;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private int httpPort;
    private int transportPort;
    private Process process;

    private EsFixture(Path distDir, Path workDir, String externalUrl) {
        this.distDir = distDir;
        this.workDir = workDir;
        this.externalUrl = externalUrl;
    }

    /** The node shared by every IT of this JVM, started on first call. Throws saying why it cannot start. */
    public static synchronized EsFixture shared() {
        if (shared == null) {
            String url = System.getProperty("es.url");
            EsFixture f = new EsFixture(
                    EsNodes.defaultDistDir(),
                    Path.of(System.getProperty("es.work.dir", "target/es-node")).toAbsolutePath(),
                    url == null || url.isBlank() ? null : url.replaceAll("/+$", ""));
            if (f.externalUrl == null) {
                f.start();
                Runtime.getRuntime().addShutdownHook(new Thread(f::stop, "es-fixture-stop"));
            }
            shared = f;
        }
        return shared;
    }

    /** A fixture on an explicit distribution and work dir (benchmarks); the caller stops it. */
    public static EsFixture create(Path distDir, Path workDir) {
        return new EsFixture(distDir.toAbsolutePath(), workDir.toAbsolutePath(), null);
    }

    public String url() {
        return externalUrl != null ? externalUrl : "http://127.0.0.1:" + httpPort;
    }

    public String host() {
        return url();
    }

    /** The directory registered as {@code path.repo} on the node (snapshot repositories go below it). */
    public Path repoDir() {
        if (externalUrl != null && System.getProperty("es.repo.dir") != null) {
            return Path.of(System.getProperty("es.repo.dir"));
        }
        return workDir.resolve("repo");
    }

    public boolean external() {
        return externalUrl != null;
    }

    public synchronized boolean running() {
        return external() || (process != null && process.isAlive());
    }

    /** Starts the node (same ports and data as before on a restart) and waits until it is at least yellow. */
    public synchronized void start() {
        refuseWhenExternal("start");
        if (process != null && process.isAlive()) return;
        long t0 = System.nanoTime();
        try {
            EsNodes.requireDistribution(distDir);
            if (httpPort == 0) {
                int[] ports = EsNodes.freePorts(2);
                httpPort = ports[0];
                transportPort = ports[1];
            }
            EsNodes.installTestAnalysisPlugin(distDir, workDir);
            Path conf = writeConfig();
            List<String> prefix = EsNodes.runAsNodeUser(distDir, workDir);
            Path console = workDir.resolve("console.log");
            log.info("es-fixture starting dist={} httpPort={} transportPort={} user={}", distDir, httpPort,
                    transportPort, prefix.isEmpty() ? System.getProperty("user.name") : NODE_USER);
            process = EsNodes.launch(distDir, conf, workDir, prefix, console);
            awaitHealthy(console);
            log.info("es-fixture started url={} tookMs={}", url(), (System.nanoTime() - t0) / 1_000_000);
        } catch (IOException e) {
            throw new IllegalStateException("could not start Elasticsearch: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting Elasticsearch", e);
        }
    }

    /** Stops the node gracefully (SIGTERM, then SIGKILL after 60 s). */
    public synchronized void stop() {
        refuseWhenExternal("stop");
        if (process == null) return;
        EsNodes.stop(process, Duration.ofSeconds(60));
        process = null;
        log.info("es-fixture stopped httpPort={}", httpPort);
    }

    public synchronized void restart() {
        stop();
        start();
    }

    private void refuseWhenExternal(String what) {
        if (externalUrl != null) {
            throw new IllegalStateException("cannot " + what + " the external node " + externalUrl
                    + " (-Des.url); run without -Des.url to let the fixture own a node");
        }
    }

    private void awaitHealthy(Path console) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        String last = "no answer";
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Elasticsearch exited with code " + process.exitValue()
                        + " before it was ready\n" + tails(console));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(
                                URI.create(url() + "/_cluster/health?wait_for_status=yellow&timeout=5s"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
                Thread.sleep(500); // polling a process that is starting: nothing to wait on but time
            }
        }
        stop();
        throw new IllegalStateException("Elasticsearch was not healthy within " + START_TIMEOUT.toSeconds()
                + " s (last answer: " + last + ")\n" + tails(console));
    }

    private String tails(Path console) {
        return "--- " + console + " ---\n" + EsNodes.tail(console, 40) + "\n--- node log ---\n"
                + EsNodes.tail(workDir.resolve("logs").resolve(CLUSTER_NAME + ".log"), 60);
    }

    private Path writeConfig() throws IOException {
        for (String dir : List.of("data", "logs", "repo")) Files.createDirectories(workDir.resolve(dir));
        List<String> yml = new ArrayList<>(List.of(
                "cluster.name: " + CLUSTER_NAME,
                "node.name: bklog-it-node",
                "http.port: " + httpPort,
                "transport.port: " + transportPort,
                "discovery.type: single-node",
                "path.data: " + workDir.resolve("data"),
                "path.logs: " + workDir.resolve("logs"),
                "path.repo: [\"" + repoDir() + "\"]"));
        yml.addAll(EsNodes.commonSettings());
        String heap = System.getProperty("es.heap", "512m"); // benchmarks give the node the heap of the other side
        return EsNodes.writeConfig(distDir, workDir.resolve("config"), yml, heap);
    }

    /**
     * Deletes every bklog index ({@code v2_*}, {@code restore_*}) and index template ({@code bklog_*}) of the node,
     * so a contract test starts from an empty store. Only for the test node.
     */
    public static void wipeBklogData(String url) {
        HttpClient client = HttpClient.newHttpClient();
        for (String path : List.of("/v2_*,restore_*?expand_wildcards=all&ignore_unavailable=true&allow_no_indices=true",
                "/_index_template/bklog_*")) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(url + path)).DELETE().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200 && r.statusCode() != 404) {
                    throw new IllegalStateException("wiping " + path + " failed: " + r.statusCode() + " " + r.body());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("wiping the test node failed", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }
}
