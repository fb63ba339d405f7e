package io.bklog.core.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.meta.BackupRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackupServiceTest {
    @TempDir
    Path dir;
    private final OpsFixture f = new OpsFixture();
    private LogPlatform fresh;

    @AfterEach
    void close() {
        if (fresh != null) fresh.close();
        f.close();
    }

    private BackupService backups() {
        return new BackupService(f.platform.internals().metadata(), f.store, f.repo, dir, f.clock);
    }

    /** Deletes every index and opens a new platform with an empty metadata database on the same store. */
    private BackupService wipe() {
        f.store.deleteIndices(f.indices());
        fresh = LogPlatform.builder().store(f.store).snapshotRepository(f.repo).clock(f.clock).build();
        return new BackupService(fresh.internals().metadata(), f.store, f.repo, dir, f.clock);
    }

    @Test
    void fullBackupWritesManifestDumpAndSnapshotAndRecordsIt() throws IOException {
        f.indexSet("app", 30);
        f.ingest("app", 4, 0, 1);

        BackupManifest m = backups().full();

        assertThat(m.kind()).isEqualTo("full");
        assertThat(m.parent()).isNull();
        assertThat(m.snapshot()).isEqualTo("bklog_backup_" + m.id());
        assertThat(m.totalDocs()).isEqualTo(8);
        assertThat(m.indices()).hasSize(2);
        assertThat(m.files()).containsKey(BackupService.DUMP);
        assertThat(Files.readString(dir.resolve(m.id()).resolve(BackupService.MANIFEST))).contains("\"id\" : \"" + m.id());
        assertThat(f.repo.get(m.snapshot())).isPresent();
        assertThat(f.platform.internals().metadata().backupRecords().getById(m.id()).status()).isEqualTo(BackupRecord.SUCCESS);
        assertThat(backups().verify(m.id()).ok()).isTrue();
        assertThat(backups().list()).extracting(BackupManifest::id).containsExactly(m.id());
    }

    @Test
    void incrementalSnapshotsOnlyChangedIndicesAndRestoresTheWholeChain() {
        f.indexSet("app", 30);
        f.ingest("app", 3, 2, 3);
        BackupManifest full = backups().full();
        f.clock.advance(Duration.ofHours(1));
        f.ingest("app", 2, 0);
        f.indexSet("web", 30);
        f.ingest("web", 1, 0);

        BackupManifest inc = backups().incremental();

        assertThat(inc.parent()).isEqualTo(full.id());
        assertThat(f.repo.get(inc.snapshot()).orElseThrow().indices()).hasSize(2);
        assertThat(inc.indices()).hasSize(4);
        assertThat(inc.totalDocs()).isEqualTo(9);
        long appBefore = f.count("app");

        BackupService target = wipe();
        List<Double> progress = new ArrayList<>();
        BackupService.RestoreResult r = target.restore(inc.id(), (p, msg) -> progress.add(p));

        assertThat(r.indices()).hasSize(4);
        assertThat(progress).isSorted().endsWith(1.0);
        assertThat(fresh.internals().metadata().indexSets().list()).extracting(s -> s.name()).containsExactlyInAnyOrder("app", "web");
        assertThat(fresh.search().search("app", new io.bklog.core.search.SearchParams(null, null,
                "2000-01-01 00:00:00", "2100-01-01 00:00:00", 0, 1, null, null, null, null)).total())
                .isEqualTo(appBefore).isEqualTo(8);
        assertThat(fresh.internals().metadata().backupRecords().getById(inc.id()).status()).isEqualTo(BackupRecord.SUCCESS);
    }

    @Test
    void incrementalWithoutAFullBackupIsRefused() {
        assertThatThrownBy(() -> backups().incremental()).isInstanceOf(OpsException.class)
                .hasMessageContaining("take a full backup first");
    }

    @Test
    void tamperedBackupFailsVerificationAndRestoreChangesNothing() throws IOException {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        BackupManifest m = backups().full();
        Files.writeString(dir.resolve(m.id()).resolve(BackupService.DUMP), "{}\n", StandardOpenOption.APPEND);

        assertThat(backups().verify(m.id()).problems()).singleElement().asString()
                .contains("metadata.jsonl checksum");
        BackupService target = wipe();
        assertThatThrownBy(() -> target.restore(m.id())).isInstanceOf(OpsException.class)
                .hasMessageContaining("failed verification, nothing was changed");
        assertThat(fresh.internals().metadata().indexSets().list()).isEmpty();
        assertThat(fresh.internals().metadata().spaces().list()).hasSize(1);
        assertThat(f.indices()).isEmpty();
    }

    @Test
    void verifyReportsMissingSnapshot() {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        BackupManifest m = backups().full();
        f.repo.delete(m.snapshot());
        assertThat(backups().verify(m.id()).problems()).singleElement().asString()
                .contains("snapshot " + m.snapshot()).contains("is missing");
    }

    @Test
    void restoreRefusesNonEmptyPlatform() {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        BackupManifest m = backups().full();
        assertThatThrownBy(() -> backups().restore(m.id())).hasMessageContaining("needs an empty platform");
    }
}
