package io.bklog.server.chaos;

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
import java.util.List;
import java.util.stream.Stream;

/**
 * The real server as a child JVM: the runnable fat jar {@code target/bklog-server-*-all.jar} (made by {@code mvn
 * package}, which {@code mvn verify} runs before the ITs) with {@code serve --config FILE}, its output appended to a
 * log file. {@link #kill9()} is {@code kill -9}; {@link #start()} again serves the same config and port.
 */
final class ServerProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerProcess.class);

    private final Path jar;
    private final Path config;
    private final Path log;
    private final int port;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private Process process;

    ServerProcess(Path config, Path log, int port) {
        this.jar = fatJar();
        this.config = config;
        this.log = log;
        this.port = port;
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + port);
    }

    Path log() {
        return log;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) return;
        List<String> cmd = List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-jar", jar.toString(), "serve", "--config", config.toString());
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().put("BKLOG_LOG_LEVEL", "INFO");
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the server JVM: " + cmd, e);
        }
        LOG.info("event=chaos_server_started pid={} port={} jar={}", process.pid(), port, jar.getFileName());
    }

    /** Waits until {@code /readyz} answers 200; fails with the tail of the server's log. */
    void awaitReady(Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (process == null || !process.isAlive()) {
                throw new IllegalStateException("the server exited with " + (process == null ? "?" : process.exitValue())
                        + " before it was ready; log tail:\n" + Processes.tail(log, 60));
            }
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(uri().resolve("/readyz"))
                        .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) return;
                last = r.statusCode() + " " + r.body();
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(Duration.ofMillis(200));
        }
        throw new IllegalStateException("the server was not ready within " + atMost.toSeconds() + " s (last: " + last
                + "); log tail:\n" + Processes.tail(log, 60));
    }

    /** {@code kill -9}: no shutdown hook runs, nothing is flushed or committed. */
    synchronized void kill9() {
        if (process == null) return;
        Processes.kill9(process);
        LOG.info("event=chaos_server_killed pid={} signal=KILL", process.pid());
        process = null;
    }

    /** A clean stop (SIGTERM: the shutdown hook drains and closes). */
    @Override
    public synchronized void close() {
        if (process == null) return;
        Processes.stop(process, Duration.ofSeconds(60));
        process = null;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis()); // polling a starting process: nothing to wait on but time
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code target/bklog-server-<version>-all.jar} of this module; fails saying how to build it. */
    static Path fatJar() {
        Path target = Path.of("target").toAbsolutePath();
        try (Stream<Path> files = Files.list(target)) {
            return files.filter(p -> {
                String n = p.getFileName().toString();
                return n.startsWith("bklog-server-") && n.endsWith("-all.jar");
            }).findFirst().orElseThrow(() -> new IllegalStateException("no bklog-server-*-all.jar in " + target
                    + "; build it first: mvn -B package -pl bklog-server -am -DskipTests (mvn verify does it)"));
        } catch (IOException e) {
            throw new IllegalStateException("no build directory " + target + "; run mvn -B package -pl bklog-server -am"
                    + " -DskipTests first", e);
        }
    }
}
