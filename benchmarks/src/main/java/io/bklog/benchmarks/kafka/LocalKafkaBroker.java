package io.bklog.benchmarks.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Uuid;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A throw-away one-node KRaft broker as a child JVM (-Xmx512m) for the load driver; data in a temp dir. */
final class LocalKafkaBroker implements AutoCloseable {

    private final Process process;
    private final String bootstrap;
    private final Path log;
    private static Path logback;

    LocalKafkaBroker() throws Exception {
        Path dir = Files.createTempDirectory("bklog-kafka-bench-");
        int port = freePort();
        int ctl = freePort();
        bootstrap = "127.0.0.1:" + port;
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller", "node.id=1", "controller.quorum.voters=1@127.0.0.1:" + ctl,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + ctl,
                "advertised.listeners=PLAINTEXT://" + bootstrap, "controller.listener.names=CONTROLLER",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"), "offsets.topic.replication.factor=1", "offsets.topic.num.partitions=4",
                "transaction.state.log.replication.factor=1", "transaction.state.log.min.isr=1",
                "group.initial.rebalance.delay.ms=0", "auto.create.topics.enable=false", ""));
        log = dir.resolve("broker.log");
        Files.writeString(dir.resolve("logback.xml"), "<configuration><appender name=\"F\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d %-5level %logger %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"F\"/></root></configuration>");
        logback = dir.resolve("logback.xml");
        Process format = launch(List.of("kafka.tools.StorageTool", "format", "-t", Uuid.randomUuid().toString(), "-c", config.toString()),
                dir.resolve("format.log"));
        if (!format.waitFor(120, TimeUnit.SECONDS) || format.exitValue() != 0) {
            throw new IllegalStateException("formatting Kafka storage failed:\n" + Files.readString(dir.resolve("format.log")));
        }
        process = launch(List.of("kafka.Kafka", config.toString()), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            while (true) {
                try {
                    admin.describeCluster(new DescribeClusterOptions().timeoutMs(2000)).nodes().get(3, TimeUnit.SECONDS);
                    return;
                } catch (Exception e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IllegalStateException("the Kafka broker did not start; log:\n" + Files.readString(log), e);
                    }
                }
            }
        }
    }

    String bootstrap() {
        return bootstrap;
    }

    private static Process launch(List<String> main, Path out) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:+UseSerialGC", "-Dlogback.configurationFile=" + logback, "-cp", classPath()));
        cmd.addAll(main);
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    /** The classpath of this JVM, or of the class loader that loaded us (exec:java runs in Maven's JVM). */
    private static String classPath() {
        String cp = System.getProperty("java.class.path");
        if (cp.contains("kafka_2.13")) return cp;
        List<String> parts = new ArrayList<>();
        for (ClassLoader cl = LocalKafkaBroker.class.getClassLoader(); cl != null; cl = cl.getParent()) {
            if (cl instanceof URLClassLoader u) {
                for (URL url : u.getURLs()) parts.add(new File(url.getPath()).getPath());
            }
        }
        return parts.isEmpty() ? cp : String.join(File.pathSeparator, parts);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
