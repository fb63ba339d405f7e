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

    /** A directory location whose writes fail while {@code failing} is set (a store gone mid-upload). */
    private static final class FlakyStore implements io.bklog.spi.BlobStore {
        final DirectoryBlobStore dir;
        boolean failing;

        FlakyStore(Path root) {
            dir = new DirectoryBlobStore(root);
        }

        private void check(String key) {
            if (failing) throw new io.bklog.spi.BackendException("store unreachable writing " + key);
        }

        @Override public String location() { return dir.location(); }
        @Override public void verify() { dir.verify(); }
        @Override public String put(String key, Path file) { check(key); return dir.put(key, file); }
        @Override public String put(String key, byte[] bytes) { check(key); return dir.put(key, bytes); }
        @Override public java.util.Optional<java.io.InputStream> open(String key) { return dir.open(key); }
        @Override public java.util.Optional<Long> size(String key) { return dir.size(key); }
        @Override public List<String> list(String prefix) { return dir.list(prefix); }
        @Override public void delete(String key) { dir.delete(key); }
    }

    @Test
    void anUploadCutShortIsNeverListedAndResumeFinishesIt() {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        FlakyStore store = new FlakyStore(dir.resolve("remote"));
        BackupService b = new BackupService(f.platform.internals().metadata(),
                io.bklog.core.store.StorageTopology.single(f.store, f.repo), store, dir.resolve("staging"), f.clock);
        store.failing = false;
        BackupService.Verification none = b.verify("full-20990101-000000-000");
        assertThat(none.ok()).isFalse();

        List<String> steps = new ArrayList<>();
        assertThatThrownBy(() -> b.full((p, msg) -> {
            steps.add(msg);
            if (msg.startsWith("uploaded ")) store.failing = true; // the first file went up, then the store is gone
        })).isInstanceOf(OpsException.class).hasMessageContaining("bklog backup resume");

        assertThat(b.list()).isEmpty();
        assertThat(b.unfinished()).hasSize(1);
        String id = b.unfinished().get(0);
        assertThat(f.platform.internals().metadata().backupRecords().getById(id).status()).isEqualTo(BackupRecord.FAILED);

        store.failing = false;
        BackupManifest m = b.resume(id, (p, msg) -> { });

        assertThat(b.list()).extracting(BackupManifest::id).containsExactly(id);
        assertThat(b.unfinished()).isEmpty();
        assertThat(b.verify(id).ok()).isTrue();
        assertThat(m.totalDocs()).isEqualTo(3);
        assertThat(f.platform.internals().metadata().backupRecords().getById(id).status()).isEqualTo(BackupRecord.SUCCESS);
        assertThatThrownBy(() -> b.resume(id, (p, msg) -> { })).hasMessageContaining("nothing to resume");
    }

    @Test
    void wrongCredentialsOrAnUnwritableLocationStopTheBackupBeforeAnythingIsWritten() throws IOException {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        BackupService b = new BackupService(f.platform.internals().metadata(), f.store, f.repo, file, f.clock);

        assertThatThrownBy(b::full).isInstanceOf(OpsException.class).hasMessageContaining("nothing was written");
        assertThat(f.repo.list()).isEmpty();
    }

    @Test
    void pruneKeepsTheNewestFullBackupsWithTheirIncrementalsAndDeletesTheRest() {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        BackupManifest full1 = backups().full();
        f.clock.advance(Duration.ofMinutes(1));
        f.ingest("app", 1, 0);
        BackupManifest inc1 = backups().incremental();
        f.clock.advance(Duration.ofMinutes(1));
        BackupManifest full2 = backups().full();
        f.clock.advance(Duration.ofMinutes(1));
        f.ingest("app", 1, 0);
        BackupManifest inc2 = backups().incremental();

        assertThatThrownBy(() -> backups().prune(0)).hasMessageContaining("at least 1");
        assertThat(backups().prune(1)).containsExactly(full1.id(), inc1.id());

        assertThat(backups().list()).extracting(BackupManifest::id).containsExactly(full2.id(), inc2.id());
        assertThat(dir.resolve(full1.id())).doesNotExist();
        assertThat(f.repo.get(full1.snapshot())).isEmpty();
        assertThat(f.repo.get(full2.snapshot())).isPresent();
        assertThat(backups().verify(inc2.id()).ok()).isTrue();
        assertThat(backups().prune(1)).isEmpty();
    }
}
