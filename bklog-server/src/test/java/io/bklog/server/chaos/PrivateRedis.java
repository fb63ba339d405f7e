package io.bklog.server.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.awaitility.Awaitility.await;

/**
 * A {@code redis-server} of the test's own on a free port (no persistence), so the machine's shared Redis on 6379 is
 * never stopped. {@link #stop()} and {@link #start()} again keep the port; what it held is gone after a stop, as
 * with any Redis run without persistence. Needs {@code redis-server} on the PATH
 * ({@code apt-get install -y redis-server}).
 */
final class PrivateRedis implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateRedis.class);

    private final int port;
    private final Path log;
    private Process process;

    PrivateRedis(Path dir) {
        this.port = Ports.free();
        this.log = dir.resolve("redis.log");
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) return;
        try {
            process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run redis-server (this test starts a Redis of its own on a free"
                    + " port; install it with `apt-get install -y redis-server`): " + e.getMessage(), e);
        }
        await("redis-server listening on " + port).atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).until(() -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("redis-server exited with " + process.exitValue()
                                + "; see " + log);
                    }
                    return Ports.listening(port);
                });
        LOG.info("event=chaos_redis_started uri={} pid={}", uri(), process.pid());
    }

    /** SIGTERM, SIGKILL after 10 s. */
    synchronized void stop() {
        if (process == null) return;
        Processes.stop(process, Duration.ofSeconds(10));
        process = null;
        LOG.info("event=chaos_redis_stopped uri={}", uri());
    }

    @Override
    public void close() {
        stop();
    }

    static void requireInstalled() {
        try {
            Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("exit " + p.exitValue());
        } catch (IOException e) {
            throw new IllegalStateException("redis-server is needed on the PATH (a private Redis is started on a free"
                    + " port; the shared one is never touched): apt-get install -y redis-server (" + e + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
