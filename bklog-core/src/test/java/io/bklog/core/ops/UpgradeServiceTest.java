package io.bklog.core.ops;

import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.memory.MemorySnapshotRepository;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.MigrationResult;
import io.bklog.core.meta.Space;
import io.bklog.spi.LogDocument;
import io.bklog.testkit.MutableClock;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The guided upgrade of a data dir made by schema V1 (the first released migration) to the current one. */
class UpgradeServiceTest {
    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-20T12:00:00Z"));
    private final MemoryLogStore store = new MemoryLogStore();
    private final MemorySnapshotRepository repo = new MemorySnapshotRepository("backups", store, clock);
    private MetadataStore meta;

    @BeforeEach
    void dataDirAtSchemaV1() {
        meta = MetadataStore.open(MetadataConfig.embedded(dataDir), clock);
        meta.migrateTo("1");
        meta.spaces().create(Space.of("default", "Default space"));
        // the row as version 1 of bklog wrote it (today's repository writes columns V1 does not have)
        IndexSet set = IndexSet.of("app", "default", IndexSetService.DEFAULT_FIELDS);
        meta.jdbi().useHandle(h -> h.createUpdate("INSERT INTO index_sets (name, space_uid, time_field, fields,"
                        + " created_at, updated_at) VALUES ('app', 'default', :time, :fields, :now, :now)")
                .bind("time", set.timeField())
                .bind("fields", "[" + String.join(",", set.fields().stream().map(f -> "{\"name\":\"" + f.name()
                        + "\",\"type\":\"" + f.type().wireName() + "\"}").toList()) + "]")
                .bind("now", java.sql.Timestamp.from(clock.instant())).execute());
        store.ensureIndexSet(set.schema());
        List<LogDocument> docs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            docs.add(new LogDocument("d" + i, clock.instant().minusSeconds(600L * i), Map.of("log", "line " + i)));
        }
        store.index("app", docs);
        store.refresh("app");
        assertThat(meta.schemaVersion()).hasValue("1");
    }

    @AfterEach
    void close() {
        meta.close();
    }

    private UpgradeService upgrade(UpgradeService.Migrator migrator, List<String> calls) {
        UpgradeService.Hooks hooks = new UpgradeService.Hooks() {
            @Override
            public void stopIngestAndDrain() {
                calls.add("stop");
            }

            @Override
            public void startIngest() {
                calls.add("start");
            }
        };
        return new UpgradeService(meta, store, repo, dataDir.resolve("backups"), clock, hooks, migrator);
    }

    @Test
    void upgradesV1DataDirToCurrentSchemaWithNothingLost() {
        List<String> calls = new ArrayList<>();
        List<Double> progress = new ArrayList<>();

        UpgradeService.Result r = upgrade(MetadataStore::migrate, calls).run((f, m) -> progress.add(f));

        assertThat(r.ok()).as(r.error()).isTrue();
        assertThat(r.fromVersion()).isEqualTo("1");
        assertThat(r.toVersion()).isEqualTo(meta.expectedSchemaVersion());
        assertThat(meta.isSchemaCurrent()).isTrue();
        assertThat(meta.indexSets().getByName("app").fields()).isNotEmpty();
        assertThat(r.docCounts()).containsEntry("app", 50L);
        assertThat(calls).containsExactly("stop", "start");
        assertThat(progress).isSorted().endsWith(1.0);
        BackupService backups = new BackupService(meta, store, repo, dataDir.resolve("backups"), clock);
        assertThat(backups.verify(r.backupId()).ok()).isTrue();
        assertThat(backups.get(r.backupId()).schemaVersion()).isEqualTo("1");
        assertThat(backups.get(r.backupId()).totalDocs()).isEqualTo(50);
    }

    @Test
    void failingMigrationRollsBackToTheBackupAndNamesTheStep() {
        List<String> calls = new ArrayList<>();
        UpgradeService.Migrator failing = m -> {
            var result = Flyway.configure(getClass().getClassLoader()).dataSource(m.dataSource())
                    .locations(MetadataStore.MIGRATIONS, "classpath:db/ops_failing_migration")
                    .table(MetadataStore.HISTORY_TABLE).load().migrate();
            return new MigrationResult(result.initialSchemaVersion, result.targetSchemaVersion,
                    result.migrationsExecuted);
        };

        UpgradeService.Result r = upgrade(failing, calls).run();

        assertThat(r.ok()).isFalse();
        assertThat(r.failedStep()).isEqualTo(UpgradeService.Step.MIGRATE);
        assertThat(r.rolledBack()).isTrue();
        assertThat(r.error()).contains("step MIGRATE failed").contains("9999")
                .contains("the metadata was restored from the backup");
        assertThat(meta.schemaVersion()).hasValue("1");
        assertThat(SchemaDump.tables(meta)).doesNotContain("upgrade_probe", "backup_records", "archive_configs")
                .contains("index_sets", "spaces");
        List<String> names = meta.jdbi().withHandle(h -> h.createQuery("SELECT name FROM index_sets")
                .mapTo(String.class).list());
        assertThat(names).as("the version-1 rows are back").containsExactly("app");
        assertThat(calls).containsExactly("stop", "start");
        assertThat(store.listIndices("app")).isNotEmpty();

        clock.advance(java.time.Duration.ofMinutes(1));
        UpgradeService.Result retry = upgrade(MetadataStore::migrate, new ArrayList<>()).run();
        assertThat(retry.ok()).as(retry.error()).isTrue();
        assertThat(meta.isSchemaCurrent()).isTrue();
    }
}
