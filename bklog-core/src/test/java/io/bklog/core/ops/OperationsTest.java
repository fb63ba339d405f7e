package io.bklog.core.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.memory.MemorySnapshotRepository;
import io.bklog.core.store.StorageTopology;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Operations are built from explicit dependencies; a platform's are derived, never a back-reference. */
class OperationsTest {
    @TempDir
    Path dir;

    @Test
    void withBackupLocationTakesBackupsThereAndLeavesThePlatformsLocationAlone() {
        try (LogPlatform p = LogPlatform.builder().dataDir(dir.resolve("data")).build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            Operations elsewhere = p.operations().withBackupLocation(dir.resolve("elsewhere"));

            BackupManifest m = elsewhere.backups().full();

            assertThat(dir.resolve("elsewhere").resolve(m.id()).resolve(BackupService.MANIFEST)).exists();
            assertThat(elsewhere.backups().list()).extracting(BackupManifest::id).containsExactly(m.id());
            assertThat(p.operations().backups().list()).isEmpty();
            assertThat(p.operations().backups().location()).isEqualTo(dir.resolve("data").resolve("backups")
                    .toAbsolutePath().normalize().toString());
        }
    }

    @Test
    void operationsWithoutASchedulerRefuseToQueueTasks() {
        Clock clock = Clock.fixed(Instant.parse("2026-03-20T12:00:00Z"), ZoneOffset.UTC);
        try (LogPlatform p = LogPlatform.builder().clock(clock).build()) {
            MemoryLogStore store = new MemoryLogStore();
            Operations ops = Operations.builder().metadata(p.internals().metadata())
                    .topology(StorageTopology.single(store, new MemorySnapshotRepository("memory", store)))
                    .clock(clock).backupLocation(dir.resolve("b")).build();

            assertThatThrownBy(() -> ops.submitBackup("full")).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("no scheduler");
            assertThat(ops.backups().full().id()).startsWith("full-20260320-120000");
        }
    }

    @Test
    void theBuilderNamesAMissingDependency() {
        assertThatThrownBy(() -> Operations.builder().clock(Clock.systemUTC()).build())
                .isInstanceOf(NullPointerException.class).hasMessageContaining("metadata");
    }
}
