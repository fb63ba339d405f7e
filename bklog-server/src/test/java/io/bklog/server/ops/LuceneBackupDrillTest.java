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

/** The backup drill on the embedded default: LuceneLogStore + DirectorySnapshotRepository + H2 in a data dir. */
class LuceneBackupDrillTest {
    @TempDir
    Path dataDir;

    @Test
    void backupWipeRestoreReturnsExactlyTheSameSearchesAndAggregations() throws IOException {
        Map<String, Object> before;
        BackupManifest inc;
        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            assertThat(p.internals().store().backendName()).isEqualTo("lucene");
            BackupDrill.createAndIngest(p, 3, 300);
            Operations ops = p.operations();
            inc = BackupDrill.fullThenIncremental(ops, p);
            before = BackupDrill.observe(p);
            assertThat(ops.backups().verify(inc.id()).ok()).isTrue();
            // wipe: every index, then the metadata database
            p.internals().store().deleteIndices(p.internals().store().listIndices("*").stream().map(i -> i.name()).toList());
        }
        deleteTree(dataDir.resolve("meta"));
        assertThat(before.get("drill_app q=* total")).isEqualTo(940L);
        assertThat((Long) before.get("drill_web q=ERROR total")).isPositive();
        assertThat((Map<?, ?>) before.get("drill_app aggs")).hasSize(3);

        try (LogPlatform p = LogPlatform.builder().dataDir(dataDir).build()) {
            assertThat(p.internals().metadata().indexSets().list()).isEmpty();
            assertThat(p.internals().store().listIndices("*")).isEmpty();
            Operations ops = p.operations();
            assertThat(ops.backups().list()).hasSize(2);

            BackupService.RestoreResult r = ops.backups().restore(inc.id());

            assertThat(r.docCount()).isEqualTo(2 * 940L);
            assertThat(BackupDrill.observe(p)).isEqualTo(before);
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
