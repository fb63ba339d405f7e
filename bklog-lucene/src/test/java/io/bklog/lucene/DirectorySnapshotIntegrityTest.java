package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SnapshotRepository;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectorySnapshotIntegrityTest {
    @TempDir
    Path dir;

    @Test
    void refusesToRestoreASnapshotWhoseFileChangedAndRestoresNothing() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir.resolve("store")).build()) {
            store.ensureIndexSet(IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT))));
            store.index("app", List.of(new LogDocument("1", Instant.parse("2024-03-01T00:00:00Z"), Map.of("log", "x"))));
            DirectorySnapshotRepository repo = DirectorySnapshotRepository.builder().path(dir.resolve("repo"))
                    .store(store).build();
            repo.create("s1", List.of("v2_app_20240301_0"), SnapshotRepository.ProgressListener.NONE);
            Path manifest = dir.resolve("repo/s1/manifest.json");
            assertThat(Files.readString(manifest)).contains("sha256").contains("docCount");

            Path file;
            try (Stream<Path> files = Files.list(dir.resolve("repo/s1/indices/v2_app_20240301_0"))) {
                file = files.filter(p -> p.getFileName().toString().startsWith("segments_")).findFirst().orElseThrow();
            }
            // break the hard link first so the live index keeps its file
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            bytes[bytes.length / 2] ^= 0x5a;
            Files.write(file, bytes, StandardOpenOption.CREATE_NEW);

            assertThatThrownBy(() -> repo.restore("s1", List.of(), "restore_", SnapshotRepository.ProgressListener.NONE))
                    .isInstanceOf(BackendException.class).hasMessageContaining("corrupt").hasMessageContaining("checksum");
            assertThat(store.listIndices("restore_*")).isEmpty();
        }
    }

    @Test
    void verifyFailsOnAnUnwritableRepository() throws Exception {
        Path blocker = Files.writeString(dir.resolve("a-file"), "not a directory");
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir.resolve("store")).build()) {
            DirectorySnapshotRepository repo = DirectorySnapshotRepository.builder().path(blocker.resolve("repo"))
                    .store(store).build();
            assertThatThrownBy(repo::verify).isInstanceOf(BackendException.class).hasMessageContaining("not writable");
        }
    }
}
