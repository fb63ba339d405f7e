package io.bklog.server.chaos;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.BitSet;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM under load (issue 19, start-up order and shutdown): the real server as a child JVM (the fat jar) on its
 * embedded store takes numbered lines from a {@link LoadDriver}; it gets SIGTERM mid-load, which its shutdown hook
 * answers by refusing new requests (503), finishing those in flight and draining the sink within
 * {@code server.shutdown_timeout}. Started again on the same data dir, every acknowledged line is stored, once.
 */
class GracefulShutdownIT {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdownIT.class);
    private final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String indexSet = "drain_" + runId;
    private ServerProcess server;
    private LoadDriver load;

    @AfterEach
    void stop() throws Exception {
        try {
            if (load != null) load.stop();
        } finally {
            if (server != null) server.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void everyAcknowledgedLineIsStoredOnceThroughASigtermMidLoad() throws Exception {
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "sigterm-it-");
        int port = Ports.free();
        Path dataDir = work.resolve("data");
        Path config = work.resolve("bklog.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  host: 127.0.0.1",
                "  port: " + port,
                "  shutdown_timeout: 20s",
                "data_dir: " + dataDir,
                "auth:",
                "  enabled: true",
                ""));
        server = new ServerProcess(config, work.resolve("server.log"), port);
        server.start();
        server.awaitReady(Duration.ofSeconds(60));
        String admin = Files.readString(dataDir.resolve("admin-token")).trim();
        Stack.call(server.uri(), "PUT", "/api/v1/index_sets/" + indexSet, admin, "{\"fields\": ["
                + "{\"name\": \"seq\", \"type\": \"long\"}, {\"name\": \"batch\", \"type\": \"long\"}]}");

        load = new LoadDriver(server.uri(), indexSet, admin, runId, 200, Duration.ofMillis(20));
        load.start();
        await("lines acknowledged before the SIGTERM").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(100)).until(() -> load.ackedCount() >= 3_000);
        long t0 = System.nanoTime();
        server.close(); // SIGTERM, waits for the exit
        double stopSeconds = (System.nanoTime() - t0) / 1e9;
        load.stop();
        BitSet acked = load.acked();
        long sent = load.sent();
        load = null;

        String log = Files.readString(server.log());
        assertThat(log).as("the shutdown hook ran to its end").contains("bklog server stopped")
                .doesNotContain("event=shutdown_timeout");

        server.start();
        server.awaitReady(Duration.ofSeconds(60));
        Stack.Stored stored = Stack.readAll(server.uri(), indexSet, admin);
        BitSet lost = Stack.lost(acked, stored);
        LOG.info("event=sigterm_figures sent={} acked={} stored={} lost={} duplicates={} stop_s={}", sent,
                acked.cardinality(), stored.seen().cardinality(), lost.cardinality(), stored.duplicates(),
                String.format(Locale.ROOT, "%.1f", stopSeconds));
        assertThat(IngestChaosIT.ranges(lost, 20)).as("acknowledged lines not stored").isEmpty();
        assertThat(stored.duplicates()).as("lines stored twice, e.g. %s", stored.duplicateSamples()).isZero();
        assertThat(acked.cardinality()).isGreaterThanOrEqualTo(3_000);
    }
}
