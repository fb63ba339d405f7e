package io.bklog.server.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import io.bklog.core.ops.Operations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backup drill on the embedded default (LuceneLogStore + DirectorySnapshotRepository + H2 in a data dir), with the
 * backups in a directory of their own: back up, lose the whole data dir, restore from the backup location alone.
 */
class LuceneBackupDrillTest {
    @TempDir
    Path dataDir;
    @TempDir
    Path backupDir;

    @Test
    void backupWipeRestoreReturnsExactlyTheSameSearchesAndAggregations() throws IOException {
        Map<String, Object> before;
        BackupManifest inc;
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            assertThat(p.internals().store().backendName()).isEqualTo("lucene");
            BackupDrill.createAndIngest(p, 3, 300);
            Operations ops = p.operations().withBackupLocation(backupDir);
            inc = BackupDrill.fullThenIncremental(ops, p);
            before = BackupDrill.observe(p);
            assertThat(ops.backups().verify(inc.id()).ok()).isTrue();
        }
        // a lost disk: the whole data dir (indices, snapshot repository, metadata database) is gone
        deleteTree(dataDir);
        assertThat(before.get("drill_app q=* total")).isEqualTo(940L);
        assertThat((Long) before.get("drill_web q=ERROR total")).isPositive();
        assertThat((Map<?, ?>) before.get("drill_app aggs")).hasSize(3);

        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            assertThat(p.internals().metadata().indexSets().list()).isEmpty();
            assertThat(p.internals().store().listIndices("*")).isEmpty();
            Operations ops = p.operations().withBackupLocation(backupDir);
            assertThat(ops.backups().list()).hasSize(2);
            assertThat(ops.backups().verify(inc.id()).ok()).isTrue();

            BackupService.RestoreResult r = ops.backups().restore(inc.id());

            assertThat(r.docCount()).isEqualTo(2 * 940L);
            assertThat(BackupDrill.observe(p)).isEqualTo(before);
        }
    }

    @Test
    void aCorruptSnapshotFileInTheBackupLocationFailsVerificationAndRestoreChangesNothing() throws IOException {
        BackupManifest full;
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            BackupDrill.createAndIngest(p, 1, 50);
            full = p.operations().withBackupLocation(backupDir).backups().full();
        }
        deleteTree(dataDir);
        String segment = full.files().keySet().stream().filter(k -> k.startsWith(BackupService.SNAPSHOT_DIR + "indices/"))
                .findFirst().orElseThrow();
        Path file = backupDir.resolve(full.id()).resolve(segment);
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);

        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            BackupService backups = p.operations().withBackupLocation(backupDir).backups();
            assertThat(backups.verify(full.id()).problems()).singleElement().asString()
                    .contains("file " + segment + " checksum is");
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> backups.restore(full.id()))
                    .hasMessageContaining("failed verification, nothing was changed");
            assertThat(p.internals().metadata().indexSets().list()).isEmpty();
            assertThat(p.internals().store().listIndices("*")).isEmpty();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.delete(p);
        }
    }
}
