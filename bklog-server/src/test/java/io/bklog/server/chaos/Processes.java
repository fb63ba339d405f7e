package io.bklog.server.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Stopping child processes and reading the tail of their logs. */
final class Processes {
    private Processes() {}

    /** SIGTERM, then SIGKILL when it has not exited within {@code grace}; waits for the exit. */
    static void stop(Process p, Duration grace) {
        if (!p.isAlive()) return;
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** SIGKILL ({@code kill -9}) and wait for the exit. */
    static void kill9(Process p) {
        p.destroyForcibly();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) throw new IllegalStateException("pid " + p.pid() + " survived SIGKILL");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The last {@code lines} lines of a log file, or why it cannot be read. */
    static String tail(Path file, int lines) {
        try {
            if (!Files.exists(file)) return "(" + file + " does not exist)";
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(cannot read " + file + ": " + e + ")";
        }
    }
}
