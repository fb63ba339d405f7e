package io.bklog.core.ingest.source;

import io.bklog.core.ingest.DocumentIds;
import io.bklog.core.ingest.SourceLine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

class FileTailerTest {

    @TempDir
    Path dir;

    private final List<SourceLine> got = new ArrayList<>();

    private static void append(Path p, String s) throws IOException {
        Files.writeString(p, s, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private FileTailer tailer(boolean tailFiles) {
        return FileTailer.builder(got::addAll).paths(List.of(dir + "/*.log")).excludeFiles(List.of("skip"))
                .checkpointFile(dir.resolve("state/tail.json")).tailFiles(tailFiles).build();
    }

    private List<String> texts() {
        return got.stream().map(SourceLine::text).toList();
    }

    @Test
    void readsCompleteLinesOfMatchingFilesOnly() throws IOException {
        Path a = dir.resolve("a.log");
        append(a, "one\r\ntwo\npart");
        append(dir.resolve("skip.log"), "excluded\n");
        append(dir.resolve("b.txt"), "not matched\n");
        try (FileTailer t = tailer(false)) {
            assertThat(t.poll()).isEqualTo(2);
            assertThat(texts()).containsExactly("one", "two");
            append(a, "ial\n");
            t.poll();
            assertThat(texts()).containsExactly("one", "two", "partial");
        }
        assertThat(got.get(0).path()).isEqualTo(a.toString());
        assertThat(got.get(1).offset()).isEqualTo(5);
        assertThat(got.stream().map(DocumentIds::of).distinct().count()).isEqualTo(3);
    }

    @Test
    void tailFilesStartsExistingFilesAtTheirEnd() throws IOException {
        Path a = dir.resolve("a.log");
        append(a, "old\n");
        try (FileTailer t = tailer(true)) {
            assertThat(t.poll()).isZero();
            append(a, "new\n");
            append(dir.resolve("later.log"), "fresh\n");
            t.poll();
        }
        assertThat(texts()).containsExactlyInAnyOrder("new", "fresh");
    }

    @Test
    void followsRotationByRenameAndTruncation() throws IOException {
        Path a = dir.resolve("app.log");
        append(a, "1\n");
        try (FileTailer t = tailer(false)) {
            t.poll();
            append(a, "2\n");
            Files.move(a, dir.resolve("app.log.1")); // rotated out of the glob
            append(a, "3\n");                        // new file under the old name
            t.poll();
            assertThat(texts()).containsExactlyInAnyOrder("1", "2", "3");
            Files.writeString(a, "");               // copytruncate
            append(a, "4\n");
            t.poll();
        }
        assertThat(texts()).containsExactlyInAnyOrder("1", "2", "3", "4");
    }

    @Test
    void resumesFromTheCheckpointAfterARestart() throws IOException {
        Path a = dir.resolve("a.log");
        append(a, "1\n2\n");
        try (FileTailer t = tailer(false)) {
            t.poll();
        }
        append(a, "3\n");
        try (FileTailer t = tailer(true)) {
            t.poll();
        }
        assertThat(texts()).containsExactly("1", "2", "3");
    }

    @Test
    void rereadsARefusedBatchOnTheNextPass() throws IOException {
        Path a = dir.resolve("a.log");
        append(a, "x\ny\n");
        AtomicBoolean refuse = new AtomicBoolean(true);
        try (FileTailer t = FileTailer.builder(lines -> !refuse.get() && got.addAll(lines))
                .paths(List.of(dir + "/*.log")).tailFiles(false).build()) {
            assertThat(t.poll()).isZero();
            refuse.set(false);
            assertThat(t.poll()).isEqualTo(2);
        }
        assertThat(texts()).containsExactly("x", "y");
    }
}
