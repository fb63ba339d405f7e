package io.bklog.core.collect;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.meta.MetadataConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two platforms on one metadata database, as two server instances: one without the collect role (it saves
 * collectors, runs no source) and one with it (it runs every active collector's source). A collector saved on the
 * first is started by the second within a heartbeat, and its state reads the same on both.
 */
class CollectorRolesTest {
    @TempDir
    Path dir;
    private LogPlatform api;
    private LogPlatform collect;

    @AfterEach
    void close() {
        if (collect != null) collect.close();
        if (api != null) api.close();
    }

    private LogPlatform platform(String name, boolean runCollectors, MetadataConfig meta) {
        return LogPlatform.builder().dataDir(dir.resolve(name)).metadataConfig(meta).instanceName(name)
                .runCollectors(runCollectors).migrateOnStart(true).build();
    }

    @Test
    void aCollectorSavedOnAnInstanceWithoutTheCollectRoleRunsOnTheOneWithItAndReadsTheSameOnBoth() throws Exception {
        MetadataConfig meta = MetadataConfig.builder().jdbcUrl("jdbc:h2:mem:roles_"
                        + UUID.randomUUID().toString().replace("-", "")
                        + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE;DB_CLOSE_DELAY=-1")
                .user("sa").password("").build();
        api = platform("api-1", false, meta);
        collect = platform("collect-1", true, meta);
        api.indexSets().put("app", IndexSetSpec.defaults());
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("a.log"), "hello\n");
        CollectorConfig saved = api.collectors().create(new CollectorConfig(0, "app_files", 0, "file",
                new ObjectMapper().readTree("{\"paths\": [\"" + logs.toAbsolutePath() + "/*.log\"]}"),
                null, null, "bk_log_text", null, null, true, null, 0, null, null), "app");

        // the api instance runs nothing itself
        assertThat(api.collectors().status(saved.id()).detail()).doesNotContain("api-1");
        collect.collectors().reconcile(); // what its heartbeat does every CollectorService.HEARTBEAT
        assertThat(api.collectors().status(saved.id()).state()).isEqualTo(CollectorStatus.RUNNING);
        assertThat(api.collectors().status(saved.id()).detail()).startsWith("collect-1: running");
        assertThat(collect.collectors().status(saved.id()).state()).isEqualTo(CollectorStatus.RUNNING);

        api.collectors().stop(saved.id());
        collect.collectors().reconcile();
        assertThat(api.collectors().status(saved.id()).state()).isEqualTo(CollectorStatus.STOPPED);
        assertThat(collect.collectors().status(saved.id()).state()).isEqualTo(CollectorStatus.STOPPED);

        api.collectors().delete(saved.id());
        collect.collectors().reconcile();
        assertThat(collect.collectors().list()).isEmpty();
        assertThat(collect.internals().metadata().collectorRuntime().of(saved.id())).isEmpty();
    }
}
