package io.bklog.examples.source;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.collect.CollectorStatus;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.search.SearchParams;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The third-party source is used by its type name like a built-in one: found on the classpath by ServiceLoader, or
 * installed explicitly on the builder, and configured through the collectors API ({@code source_type: spooldir}).
 *
 * <p>The platforms here store in memory: with the embedded Lucene store, the first write (the sink) and the first
 * search (this test's poll) running at once in a fresh JVM can deadlock in Lucene 9.12's class initialisation
 * ({@code IndexWriter} and {@code TestSecrets}), seen once under load; that is not what this test is about.
 */
class SpoolDirCollectorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static long stored(LogPlatform p, String query) {
        p.internals().store().refresh("app"); // a test may reach the raw store; the example code may not
        return p.search().search("app", SearchParams.of(query)).total();
    }

    private void collectThroughTheCollectorsApi(LogPlatform platform) throws Exception {
        Path spool = Files.createDirectories(dir.resolve("spool"));
        platform.indexSets().put("app", IndexSetSpec.defaults());
        assertThat(platform.collectors().sourceTypes()).contains("spooldir", "file", "syslog");

        CollectorConfig saved = platform.collectors().create(CollectorConfig.of("orders", 0, "spooldir",
                JSON.createObjectNode().put("directory", spool.toString()).put("poll_interval_ms", 20),
                "bk_log_text"), "app");
        Files.writeString(spool.resolve("0001.txt"), "order 1 paid\norder 2 refunded\norder 3 paid\n");

        await().atMost(Duration.ofSeconds(30)).until(() -> stored(platform, "*") == 3);
        assertThat(stored(platform, "paid")).isEqualTo(2);
        CollectorStatus status = platform.collectors().status(saved.id());
        assertThat(status.state()).isEqualTo(CollectorStatus.RUNNING);
        assertThat(status.detail()).contains("watching " + spool).contains("3 line(s)");
    }

    @Test
    void isFoundByServiceLoaderAndRunsAsACollectorByItsTypeName() throws Exception {
        try (LogPlatform platform = LogPlatform.builder().dataDir(dir.resolve("data"))
                .store(new MemoryLogStore()).build()) {
            collectThroughTheCollectorsApi(platform);
        }
    }

    @Test
    void canBeInstalledExplicitlyOnTheBuilder() throws Exception {
        try (LogPlatform platform = LogPlatform.builder().dataDir(dir.resolve("data")).store(new MemoryLogStore())
                .collectorSource(new SpoolDirSourceFactory()).build()) {
            collectThroughTheCollectorsApi(platform);
        }
    }

    @Test
    void badSettingsAreRefusedOnSaveNamingTheKey() throws Exception {
        try (LogPlatform platform = LogPlatform.builder().dataDir(dir.resolve("data"))
                .store(new MemoryLogStore()).build()) {
            platform.indexSets().put("app", IndexSetSpec.defaults());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> platform.collectors().create(
                    CollectorConfig.of("orders", 0, "spooldir", JSON.createObjectNode().put("directory", "spool"),
                            "bk_log_text"), "app"))
                    .isInstanceOf(io.bklog.core.BklogException.class)
                    .hasMessageContaining("source_params.directory");
        }
    }
}
