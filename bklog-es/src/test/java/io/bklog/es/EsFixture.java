package io.bklog.es;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

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
    public static final String NODE_USER = "bklog-es";
    public static final String CLUSTER_NAME = "bklog-it";
    private static final String JAVA_HOME = System.getProperty("es.java.home", "/usr/lib/jvm/java-17-openjdk-amd64");
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
                    Path.of(System.getProperty("es.dist.dir", "target/es-dist/elasticsearch-8.19.21")).toAbsolutePath(),
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
        Instant t0 = Instant.now();
        try {
            if (!Files.isExecutable(distDir.resolve("bin/elasticsearch"))) {
                throw new IllegalStateException("no Elasticsearch distribution at " + distDir + "; run "
                        + "`mvn -pl bklog-es -am verify` (its pre-integration-test phase unpacks "
                        + "org.elasticsearch.distribution.integ-test-zip:elasticsearch:zip there) or set -Des.dist.dir");
            }
            if (httpPort == 0) {
                int[] ports = freePorts();
                httpPort = ports[0];
                transportPort = ports[1];
            }
            installTestAnalysisPlugin();
            Path conf = writeConfig();
            List<String> command = new ArrayList<>();
            boolean root = isRoot();
            if (root) {
                ensureNodeUser();
                run(List.of("chown", "-R", NODE_USER + ":" + NODE_USER, distDir.toString(), workDir.toString()));
                command.addAll(List.of("runuser", "-u", NODE_USER, "--"));
            }
            command.add(distDir.resolve("bin/elasticsearch").toString());
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
            Map<String, String> env = pb.environment();
            env.put("ES_JAVA_HOME", JAVA_HOME);
            env.put("ES_PATH_CONF", conf.toString());
            env.remove("JAVA_TOOL_OPTIONS");
            env.remove("ES_JAVA_OPTS");
            Path console = workDir.resolve("console.log");
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
            log.info("es-fixture starting dist={} httpPort={} transportPort={} user={}", distDir, httpPort,
                    transportPort, root ? NODE_USER : System.getProperty("user.name"));
            process = pb.start();
            awaitHealthy(console);
            log.info("es-fixture started url={} tookMs={}", url(), Duration.between(t0, Instant.now()).toMillis());
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
        List<ProcessHandle> all = new ArrayList<>(process.toHandle().descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        Instant deadline = Instant.now().plusSeconds(60);
        for (ProcessHandle h : all) {
            try {
                long left = Math.max(1, Duration.between(Instant.now(), deadline).toMillis());
                h.onExit().get(left, java.util.concurrent.TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
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
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        String last = "no answer";
        while (Instant.now().isBefore(deadline)) {
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
        return "--- " + console + " ---\n" + tail(console, 40) + "\n--- node log ---\n"
                + tail(workDir.resolve("logs").resolve(CLUSTER_NAME + ".log"), 60);
    }

    private static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) return "(" + file + " does not exist)";
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    private Path writeConfig() throws IOException {
        Path conf = workDir.resolve("config");
        Files.createDirectories(conf.resolve("jvm.options.d"));
        for (String dir : List.of("data", "logs", "repo")) Files.createDirectories(workDir.resolve(dir));
        try (Stream<Path> files = Files.list(distDir.resolve("config"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path target = conf.resolve(p.getFileName().toString());
                if (!p.getFileName().toString().equals("elasticsearch.yml") && !Files.exists(target)) {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        String yml = String.join("\n",
                "cluster.name: " + CLUSTER_NAME,
                "node.name: bklog-it-node",
                "network.host: 127.0.0.1",
                "http.port: " + httpPort,
                "transport.port: " + transportPort,
                "discovery.type: single-node",
                "path.data: " + workDir.resolve("data"),
                "path.logs: " + workDir.resolve("logs"),
                "path.repo: [\"" + repoDir() + "\"]",
                "xpack.security.enabled: false",
                "action.destructive_requires_name: false",
                "cluster.routing.allocation.disk.watermark.low: 97%",
                "cluster.routing.allocation.disk.watermark.high: 98%",
                "cluster.routing.allocation.disk.watermark.flood_stage: 99%",
                "");
        Files.writeString(conf.resolve("elasticsearch.yml"), yml);
        String heap = System.getProperty("es.heap", "512m"); // benchmarks give the node the heap of the other side
        Files.writeString(conf.resolve("jvm.options.d").resolve("heap.options"), "-Xms" + heap + "\n-Xmx" + heap + "\n");
        return conf;
    }

    /**
     * The integ-test distribution lacks the analysis-common module (the {@code pattern} tokenizer every real
     * distribution has); compile a tiny plugin providing the same tokenizer against the distribution's own jars.
     */
    private void installTestAnalysisPlugin() throws IOException {
        Path pluginDir = distDir.resolve("plugins").resolve("bklog-test-analysis");
        if (Files.exists(pluginDir.resolve("plugin-descriptor.properties"))) return;
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("the test JVM has no Java compiler (need a JDK)");
        Path build = workDir.resolve("test-plugin-build");
        Files.createDirectories(build.resolve("src/io/bklog/es/testplugin"));
        Path src = build.resolve("src/io/bklog/es/testplugin/PatternTokenizerPlugin.java");
        try (InputStream in = EsFixture.class.getResourceAsStream("/es-test-plugin/PatternTokenizerPlugin.java.txt")) {
            if (in == null) throw new IllegalStateException("missing test resource es-test-plugin/PatternTokenizerPlugin.java.txt");
            Files.copy(in, src, StandardCopyOption.REPLACE_EXISTING);
        }
        String cp;
        try (Stream<Path> jars = Files.list(distDir.resolve("lib"))) {
            cp = jars.filter(p -> p.toString().endsWith(".jar")).map(Path::toString)
                    .collect(Collectors.joining(java.io.File.pathSeparator));
        }
        Path classes = build.resolve("classes");
        Files.createDirectories(classes);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = javac.run(null, err, err, "--release", "17", "-cp", cp, "-d", classes.toString(), src.toString());
        if (rc != 0) throw new IllegalStateException("compiling the test analysis plugin failed:\n" + err);
        Files.createDirectories(pluginDir);
        try (OutputStream out = Files.newOutputStream(pluginDir.resolve("bklog-test-analysis.jar"));
             JarOutputStream jar = new JarOutputStream(out);
             Stream<Path> walk = Files.walk(classes)) {
            for (Path p : walk.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
                jar.putNextEntry(new JarEntry(classes.relativize(p).toString().replace('\\', '/')));
                jar.write(Files.readAllBytes(p));
                jar.closeEntry();
            }
        }
        String version = distDir.getFileName().toString().replace("elasticsearch-", "");
        Files.writeString(pluginDir.resolve("plugin-descriptor.properties"), String.join("\n",
                "description=Test only: the pattern tokenizer of analysis-common",
                "version=" + version,
                "name=bklog-test-analysis",
                "classname=io.bklog.es.testplugin.PatternTokenizerPlugin",
                "java.version=17",
                "elasticsearch.version=" + version,
                ""));
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

    private static boolean isRoot() {
        try {
            return "0".equals(run(List.of("id", "-u")).trim());
        } catch (IOException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    private static void ensureNodeUser() throws IOException {
        try {
            run(List.of("id", "-u", NODE_USER));
        } catch (IOException missing) {
            run(List.of("useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", NODE_USER));
        }
    }

    private static String run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new IOException(String.join(" ", command) + " failed: " + out.trim());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + command, e);
        }
        return out;
    }

    private static int[] freePorts() throws IOException {
        try (ServerSocket a = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             ServerSocket b = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new int[] {a.getLocalPort(), b.getLocalPort()};
        }
    }
}
