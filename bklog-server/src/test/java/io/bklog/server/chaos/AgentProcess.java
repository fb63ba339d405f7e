package io.bklog.server.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code bklog agent} as a child JVM of the runnable fat jar ({@link ServerProcess#fatJar()}), its output appended to
 * a log file; {@link #kill9()} is {@code kill -9}, {@link #start()} again runs it with the same arguments (and so the
 * same data dir).
 */
final class AgentProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentProcess.class);

    private final Path jar = ServerProcess.fatJar();
    private final List<String> args;
    private final Path log;
    private Process process;

    AgentProcess(List<String> args, Path log) {
        this.args = List.copyOf(args);
        this.log = log;
    }

    Path log() {
        return log;
    }

    synchronized void start() {
        if (process != null && process.isAlive()) return;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Djava.awt.headless=true",
                "-jar", jar.toString(), "agent"));
        cmd.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().remove("JAVA_TOOL_OPTIONS");
            pb.environment().put("BKLOG_LOG_LEVEL", "INFO");
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the agent JVM: " + cmd, e);
        }
        LOG.info("event=agent_process_started pid={}", process.pid());
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /** {@code kill -9}: nothing is flushed, committed or closed. */
    synchronized void kill9() {
        if (process == null) return;
        Processes.kill9(process);
        LOG.info("event=agent_process_killed pid={} signal=KILL", process.pid());
        process = null;
    }

    @Override
    public synchronized void close() {
        if (process == null) return;
        Processes.stop(process, Duration.ofSeconds(20));
        process = null;
    }
}
