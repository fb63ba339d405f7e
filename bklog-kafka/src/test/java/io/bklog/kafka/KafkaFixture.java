package io.bklog.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real Kafka broker (KRaft, broker + controller in one node) started once per test JVM as a child JVM on free
 * ports, with its log dirs under {@code target/}. Child-JVM so the outage IT can {@link #stop()} and
 * {@link #start()} it; the ports and data survive a restart. Heap -Xmx512m.
 */
public final class KafkaFixture {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFixture.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static KafkaFixture shared;

    private final Path dir;
    private final Path config;
    private final Path logFile;
    private final int port;
    private final AtomicInteger names = new AtomicInteger();
    private Process process;

    /** The broker shared by every IT of this JVM, started on first use. */
    public static synchronized KafkaFixture shared() {
        if (shared == null) {
            shared = new KafkaFixture();
            shared.format();
            shared.start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stopQuietly, "kafka-fixture-stop"));
        }
        return shared;
    }

    private KafkaFixture() {
        try {
            dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "kafka-it-");
            config = dir.resolve("server.properties");
            logFile = dir.resolve("broker.log");
            port = freePort();
            int controllerPort = freePort();
            String props = String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                    "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "log.dirs=" + dir.resolve("data"),
                    "num.partitions=1",
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=4",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "transaction.state.log.num.partitions=2",
                    "group.initial.rebalance.delay.ms=0",
                    "auto.create.topics.enable=false",
                    "log.flush.interval.messages=9223372036854775807",
                    "num.network.threads=2",
                    "num.io.threads=2",
                    "background.threads=2",
                    "log.cleaner.enable=false",
                    "") ;
            Files.writeString(config, props);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** A topic name no other test uses. */
    public String nextTopic(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + names.incrementAndGet();
    }

    /**
     * Deletes those of {@code topics} that exist (tests call it for the topics they created, with their
     * {@code .dlq}: the broker is shared by every test of the JVM). Fails when the broker does not answer.
     */
    public void deleteTopics(java.util.Collection<String> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000))) {
            java.util.Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<String> delete = topics.stream().filter(existing::contains).toList();
            if (!delete.isEmpty()) admin.deleteTopics(delete).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            throw new IllegalStateException("cannot delete topics " + topics + " from the Kafka fixture at "
                    + bootstrapServers() + ": " + e.getMessage(), e);
        }
    }

    private void format() {
        String clusterId = Uuid.randomUuid().toString();
        Process p = launch(List.of("kafka.tools.StorageTool", "format", "-t", clusterId, "-c", config.toString()), dir.resolve("format.log"));
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("formatting Kafka storage failed; log tail:\n" + tail(dir.resolve("format.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts the broker (again) and waits until it answers describeCluster. */
    public synchronized void start() {
        if (process != null && process.isAlive()) return;
        LOG.info("event=kafka_start bootstrap={} dir={}", bootstrapServers(), dir);
        process = launch(List.of("kafka.Kafka", config.toString()), logFile);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the Kafka broker exited with " + process.exitValue()
                            + " (it runs as a child JVM with the test classpath); log tail:\n" + tail(logFile));
                }
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(3000)).nodes().get(4, TimeUnit.SECONDS);
                    LOG.info("event=kafka_ready bootstrap={}", bootstrapServers());
                    return;
                } catch (Exception e) {
                    if (System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException("the Kafka broker did not answer within " + START_TIMEOUT
                                + " at " + bootstrapServers() + "; log tail:\n" + tail(logFile), e);
                    }
                }
            }
        }
    }

    /** Stops the broker (SIGTERM, then SIGKILL after 30 s); {@link #start()} brings it back with its data. */
    public synchronized void stop() {
        if (process == null) return;
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        LOG.info("event=kafka_stopped bootstrap={}", bootstrapServers());
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (RuntimeException e) {
            LOG.warn("event=kafka_stop_failed", e);
        }
    }

    private Process launch(List<String> mainAndArgs, Path log) {
        return launchBrokerJvm(dir, "-Xmx512m", mainAndArgs, ProcessBuilder.Redirect.to(log.toFile()));
    }

    /**
     * Starts a child JVM on this test classpath for a Kafka tool or broker ({@code mainAndArgs}), its logback
     * configuration written under {@code dir}; shared with {@link KafkaClusterFixture}.
     */
    static Process launchBrokerJvm(Path dir, String maxHeap, List<String> mainAndArgs,
                                   ProcessBuilder.Redirect output) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(maxHeap);
        cmd.add("-Xms64m");
        cmd.add("-XX:+UseSerialGC");
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dlogback.configurationFile=" + writeBrokerLogback(dir));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.addAll(mainAndArgs);
        try {
            return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output).start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a child JVM for Kafka: " + cmd.get(0), e);
        }
    }

    private static Path writeBrokerLogback(Path dir) {
        Path f = dir.resolve("broker-logback.xml");
        if (!Files.exists(f)) {
            try {
                Files.writeString(f, """
                        <configuration>
                          <appender name="OUT" class="ch.qos.logback.core.ConsoleAppender">
                            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{20} %msg%n</pattern></encoder>
                          </appender>
                          <logger name="kafka" level="WARN"/>
                          <logger name="org.apache.kafka" level="WARN"/>
                          <logger name="kafka.server.KafkaServer" level="INFO"/>
                          <logger name="kafka.server.KafkaRaftServer" level="INFO"/>
                          <root level="WARN"><appender-ref ref="OUT"/></root>
                        </configuration>
                        """);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return f;
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log at " + log + ": " + e.getMessage() + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }
}
