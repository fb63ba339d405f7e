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

    /** A directory location that stores other bytes than it was given for keys ending {@code corrupt}. */
    private static final class CorruptingStore implements io.bklog.spi.BlobStore {
        final DirectoryBlobStore dir;
        String corrupt;

        CorruptingStore(Path root) {
            dir = new DirectoryBlobStore(root);
        }

        @Override public String location() { return dir.location(); }
        @Override public void verify() { dir.verify(); }
        @Override public String put(String key, Path file) {
            if (corrupt != null && key.endsWith(corrupt)) {
                try {
                    byte[] b = Files.readAllBytes(file);
                    b[0] ^= 1; // same size, other content
                    return dir.put(key, b);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return dir.put(key, file);
        }
        @Override public String put(String key, byte[] bytes) { return dir.put(key, bytes); }
        @Override public java.util.Optional<java.io.InputStream> open(String key) { return dir.open(key); }
        @Override public java.util.Optional<Long> size(String key) { return dir.size(key); }
        @Override public List<String> list(String prefix) { return dir.list(prefix); }
        @Override public void delete(String key) { dir.delete(key); }
    }

    @Test
    void aBlobWithAWrongChecksumIsDeletedAndResumeUploadsASameSizedWrongBlobAgain() throws IOException {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        CorruptingStore store = new CorruptingStore(dir.resolve("remote"));
        BackupService b = new BackupService(f.platform.internals().metadata(),
                io.bklog.core.store.StorageTopology.single(f.store, f.repo), store, dir.resolve("staging"), f.clock);
        store.corrupt = BackupService.DUMP;

        assertThatThrownBy(b::full).isInstanceOf(OpsException.class).hasMessageContaining("stored checksum");
        String id = b.unfinished().get(0);
        String key = id + "/" + BackupService.DUMP;
        assertThat(store.size(key)).isEmpty(); // the wrong blob did not stay
        assertThat(b.list()).isEmpty();

        // a wrong blob of the right size in the location (e.g. left by an older version): resume must not keep it
        byte[] staged = Files.readAllBytes(dir.resolve("staging").resolve(id).resolve(BackupService.DUMP));
        byte[] wrong = staged.clone();
        wrong[0] ^= 1;
        store.dir.put(key, wrong);
        store.corrupt = null;
        b.resume(id, (p, msg) -> { });

        assertThat(Files.readAllBytes(dir.resolve("remote").resolve(key))).isEqualTo(staged);
        assertThat(b.verify(id).ok()).isTrue();
        assertThat(b.list()).extracting(BackupManifest::id).containsExactly(id);
    }

    @Test
    void aManifestInAnotherBackupsFolderIsSkippedByListAndRefusedByDirectReads() throws IOException {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        BackupManifest m = backups().full();
        // a copy of the folder under another id: its manifest still names m
        String other = "full-20990101-000000-000";
        Path copy = Files.createDirectories(dir.resolve(other));
        for (String file : List.of(BackupService.MANIFEST, BackupService.MANIFEST_SUM, BackupService.DUMP)) {
            Files.copy(dir.resolve(m.id()).resolve(file), copy.resolve(file));
        }

        assertThat(backups().list()).extracting(BackupManifest::id).containsExactly(m.id());
        assertThatThrownBy(() -> backups().get(other)).isInstanceOf(OpsException.class)
                .hasMessageContaining("names backup '" + m.id() + "'");
        assertThat(backups().verify(other).problems()).singleElement().asString()
                .contains("names backup '" + m.id() + "'");
        BackupService target = wipe();
        assertThatThrownBy(() -> target.restore(other)).hasMessageContaining("failed verification");
        assertThat(fresh.internals().metadata().indexSets().list()).isEmpty();
    }

    @Test
    void restoreImportsTheDumpItCheckedAndRefusesOneChangedAfterVerification() {
        f.indexSet("app", 30);
        f.ingest("app", 3, 0);
        BackupManifest m = backups().full();
        BackupService target = wipe();
        // the second read of the dump (after verification) returns other bytes
        DirectoryBlobStore files = new DirectoryBlobStore(dir);
        int[] reads = {0};
        io.bklog.spi.BlobStore swapping = new io.bklog.spi.BlobStore() {
            @Override public String location() { return files.location(); }
            @Override public void verify() { files.verify(); }
            @Override public String put(String key, Path file) { return files.put(key, file); }
            @Override public String put(String key, byte[] bytes) { return files.put(key, bytes); }
            @Override public java.util.Optional<java.io.InputStream> open(String key) {
                if (key.endsWith(BackupService.DUMP) && ++reads[0] > 1) {
                    return java.util.Optional.of(new java.io.ByteArrayInputStream("{}\n".getBytes()));
                }
                return files.open(key);
            }
            @Override public java.util.Optional<Long> size(String key) { return files.size(key); }
            @Override public List<String> list(String prefix) { return files.list(prefix); }
            @Override public void delete(String key) { files.delete(key); }
        };
        BackupService b = new BackupService(fresh.internals().metadata(),
                io.bklog.core.store.StorageTopology.single(f.store, f.repo), swapping, dir.resolve(".staging"), f.clock);

        assertThatThrownBy(() -> b.restore(m.id())).isInstanceOf(OpsException.class)
                .hasMessageContaining("refused, nothing was changed").hasMessageContaining("metadata.jsonl");
        assertThat(reads[0]).isEqualTo(2);
        assertThat(fresh.internals().metadata().indexSets().list()).isEmpty();
        assertThat(fresh.internals().metadata().spaces().list()).hasSize(1);
        assertThat(f.indices()).isEmpty();
        assertThat(dir.resolve(".staging").resolve(".restore-" + m.id())).doesNotExist();

        // an unchanged dump restores from its local copy
        assertThat(target.restore(m.id()).indices()).hasSize(1);
    }

    @Test
    void directoryStoreSyncsTheDirectoryAfterMovingABlobIntoIt() {
        Path root = dir.resolve("blobs");
        List<String> events = new ArrayList<>();
        DirectoryBlobStore s = new DirectoryBlobStore(root, d -> {
            events.add(root.relativize(d) + (Files.exists(d.resolve("m.json")) ? " with m.json" : ""));
            DirectoryBlobStore.fsyncDir(d); // the real fsync works on this platform
        });
        s.verify();

        s.put("b1/sub/m.json", "x".getBytes());

        // the new directories' parents, then the blob's directory once the blob is in it
        assertThat(events).containsExactly("", "b1", "b1/sub with m.json");
        events.clear();
        s.put("b1/sub/m.json", "y".getBytes());
        assertThat(events).containsExactly("b1/sub with m.json");
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
