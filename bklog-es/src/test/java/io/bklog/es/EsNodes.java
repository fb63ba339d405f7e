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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What {@link EsFixture} (one node) and {@link EsClusterFixture} (three nodes) share to run Elasticsearch nodes from
 * the integ-test distribution: the distribution check, the test analysis plugin, a node's config directory, the
 * system user a root JVM runs the nodes as (through {@code runuser}), launching, stopping (gracefully or
 * {@code kill -9}), free ports and log tails.
 */
final class EsNodes {
    private static final Logger log = LoggerFactory.getLogger(EsNodes.class);
    static final String NODE_USER = "bklog-es";
    static final String JAVA_HOME = System.getProperty("es.java.home", "/usr/lib/jvm/java-17-openjdk-amd64");

    private EsNodes() {
    }

    /** The distribution the module's pom unpacks ({@code es.dist.dir}). */
    static Path defaultDistDir() {
        return Path.of(System.getProperty("es.dist.dir", "target/es-dist/elasticsearch-8.19.21")).toAbsolutePath();
    }

    static void requireDistribution(Path distDir) {
        if (!Files.isExecutable(distDir.resolve("bin/elasticsearch"))) {
            throw new IllegalStateException("no Elasticsearch distribution at " + distDir + "; run "
                    + "`mvn -pl bklog-es -am verify` (its pre-integration-test phase unpacks "
                    + "org.elasticsearch.distribution.integ-test-zip:elasticsearch:zip there) or set -Des.dist.dir");
        }
    }

    /**
     * Writes a node's config directory: the distribution's files but {@code elasticsearch.yml}, which is
     * {@code yml}, and the heap ({@code -Xms}/{@code -Xmx}).
     */
    static Path writeConfig(Path distDir, Path conf, List<String> yml, String heap) throws IOException {
        Files.createDirectories(conf.resolve("jvm.options.d"));
        try (Stream<Path> files = Files.list(distDir.resolve("config"))) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                Path target = conf.resolve(p.getFileName().toString());
                if (!p.getFileName().toString().equals("elasticsearch.yml") && !Files.exists(target)) {
                    Files.copy(p, target, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Files.writeString(conf.resolve("elasticsearch.yml"), String.join("\n", yml) + "\n");
        Files.writeString(conf.resolve("jvm.options.d").resolve("heap.options"), "-Xms" + heap + "\n-Xmx" + heap + "\n");
        return conf;
    }

    /** Settings every test node has: no security, deletes by wildcard, disk watermarks that a full CI disk passes. */
    static List<String> commonSettings() {
        return List.of(
                "network.host: 127.0.0.1",
                "xpack.security.enabled: false",
                "action.destructive_requires_name: false",
                "cluster.routing.allocation.disk.watermark.low: 97%",
                "cluster.routing.allocation.disk.watermark.high: 98%",
                "cluster.routing.allocation.disk.watermark.flood_stage: 99%");
    }

    /**
     * When this JVM is root, makes sure the node user exists and owns the distribution and {@code dirs}; returns the
     * command prefix that runs a node as that user (empty when not root).
     */
    static List<String> runAsNodeUser(Path distDir, Path... dirs) throws IOException {
        if (!isRoot()) return List.of();
        ensureNodeUser();
        List<String> chown = new ArrayList<>(List.of("chown", "-R", NODE_USER + ":" + NODE_USER, distDir.toString()));
        for (Path d : dirs) chown.add(d.toString());
        run(chown);
        return List.of("runuser", "-u", NODE_USER, "--");
    }

    /** Starts {@code bin/elasticsearch} with {@code conf}, its output appended to {@code console}. */
    static Process launch(Path distDir, Path conf, Path workDir, List<String> prefix, Path console) throws IOException {
        List<String> command = new ArrayList<>(prefix);
        command.add(distDir.resolve("bin/elasticsearch").toString());
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile());
        Map<String, String> env = pb.environment();
        env.put("ES_JAVA_HOME", JAVA_HOME);
        env.put("ES_PATH_CONF", conf.toString());
        env.remove("JAVA_TOOL_OPTIONS");
        env.remove("ES_JAVA_OPTS");
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(console.toFile()));
        return pb.start();
    }

    /** Stops a node and its child processes: SIGTERM, then SIGKILL for what still runs after {@code grace}. */
    static void stop(Process process, Duration grace) {
        List<ProcessHandle> all = family(process);
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + grace.toNanos();
        for (ProcessHandle h : all) {
            try {
                long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
                h.onExit().get(left, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    /**
     * {@code kill -9} of a node: the process and its descendants ({@code runuser}, the CLI launcher, the server JVM)
     * all at once, waiting until they are gone.
     */
    static void kill9(Process process) {
        List<ProcessHandle> all = family(process);
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("process " + h.pid() + " did not die on SIGKILL", e);
            }
        }
    }

    /** The process and its descendants, parents first. */
    private static List<ProcessHandle> family(Process process) {
        List<ProcessHandle> all = new ArrayList<>();
        all.add(process.toHandle());
        all.addAll(process.toHandle().descendants().toList());
        return all;
    }

    /**
     * The integ-test distribution lacks the analysis-common module (the {@code pattern} tokenizer every real
     * distribution has); compile a tiny plugin providing the same tokenizer against the distribution's own jars.
     */
    static synchronized void installTestAnalysisPlugin(Path distDir, Path buildDir) throws IOException {
        Path pluginDir = distDir.resolve("plugins").resolve("bklog-test-analysis");
        if (Files.exists(pluginDir.resolve("plugin-descriptor.properties"))) return;
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) throw new IllegalStateException("the test JVM has no Java compiler (need a JDK)");
        Path build = buildDir.resolve("test-plugin-build");
        Files.createDirectories(build.resolve("src/io/bklog/es/testplugin"));
        Path src = build.resolve("src/io/bklog/es/testplugin/PatternTokenizerPlugin.java");
        try (InputStream in = EsNodes.class.getResourceAsStream("/es-test-plugin/PatternTokenizerPlugin.java.txt")) {
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
        log.info("es-test-plugin installed dir={}", pluginDir);
    }

    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) return "(" + file + " does not exist)";
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }

    static boolean isRoot() {
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

    /** {@code n} distinct ports free on the loopback interface now. */
    static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) s.close();
        }
    }
}
