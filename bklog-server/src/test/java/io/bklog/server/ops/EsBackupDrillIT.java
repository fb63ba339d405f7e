package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import io.bklog.core.ops.Operations;
import io.bklog.es.EsFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backup drill on Elasticsearch (EsFixture node, fs snapshot repository) with the metadata in MariaDB
 * (127.0.0.1:3306, root, empty password; start it with {@code service mariadb start}).
 */
class EsBackupDrillIT {
    private static final String DB = "bklog_ops_drill";

    @TempDir
    Path dataDir;

    private static void recreateDatabase() {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:3306/", "root", "");
             Statement st = c.createStatement()) {
            st.execute("DROP DATABASE IF EXISTS " + DB);
            st.execute("CREATE DATABASE " + DB + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
        } catch (SQLException e) {
            throw new IllegalStateException("MariaDB at 127.0.0.1:3306 (root, empty password) is needed for this "
                    + "drill; start it with `service mariadb start`: " + e.getMessage(), e);
        }
    }

    private LogPlatform platform(EsFixture es) {
        return LogPlatform.builder().dataDir(dataDir)
                .metadataConfig(MetadataConfig.builder().jdbcUrl("jdbc:mariadb://127.0.0.1:3306/" + DB).user("root")
                        .password("").build())
                .migrateOnStart(true)
                .backend("elasticsearch", Map.of("hosts", es.url(), "repository.name", "bklog_ops_drill",
                        "repository.location", es.repoDir().resolve("bklog_ops_drill").toString()))
                .build();
    }

    @Test
    void backupWipeRestoreOnElasticsearchAndMariaDbReturnsTheSameResults() {
        EsFixture es = EsFixture.shared();
        EsFixture.wipeBklogData(es.url());
        recreateDatabase();
        Map<String, Object> before;
        BackupManifest inc;
        try (LogPlatform p = platform(es)) {
            assertThat(p.internals().store().backendName()).startsWith("elasticsearch");
            BackupDrill.createAndIngest(p, 3, 200);
            Operations ops = p.operations();
            inc = BackupDrill.fullThenIncremental(ops, p);
            before = BackupDrill.observe(p);
            assertThat(ops.backups().verify(inc.id()).ok()).isTrue();
        }
        EsFixture.wipeBklogData(es.url());
        recreateDatabase();
        assertThat(before.get("drill_app q=* total")).isEqualTo(640L);

        try (LogPlatform p = platform(es)) {
            assertThat(p.internals().metadata().indexSets().list()).isEmpty();
            BackupService.RestoreResult r = p.operations().backups().restore(inc.id());
            assertThat(r.docCount()).isEqualTo(2 * 640L);
            assertThat(BackupDrill.observe(p)).isEqualTo(before);
        }
    }
}
