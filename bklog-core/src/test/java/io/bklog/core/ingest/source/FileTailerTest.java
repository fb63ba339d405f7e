package io.bklog.core.ingest.source;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.collect.FileSourceFactory;
import io.bklog.core.ingest.DocumentIds;
import io.bklog.spi.source.SourceLine;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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

    private final MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));

    /** A tailer on the injected clock, close_inactive 5 min (the default). */
    private FileTailer clocked() {
        return FileTailer.builder(got::addAll).paths(List.of(dir + "/*.log")).checkpointFile(dir.resolve("state/tail.json"))
                .tailFiles(false).clock(clock).build();
    }

    /** A writer's open handle (O_APPEND), as a daemon keeps its log open. */
    private static FileChannel writer(Path p) throws IOException {
        return FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private static void write(FileChannel w, String s) throws IOException {
        w.write(ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8)));
    }

    /** logrotate's copytruncate: copy the file aside, then truncate it in place (the writer keeps its handle). */
    private static void copyTruncate(Path p, Path copy) throws IOException {
        Files.copy(p, copy, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
    }

    private static String sourceId(Path p) throws IOException {
        return "file:" + Files.readAttributes(p, BasicFileAttributes.class).fileKey();
    }

    private SourceLine line(String text) {
        return got.stream().filter(l -> l.text().equals(text)).findFirst().orElseThrow();
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

    @Test
    void readsLateWritesToTheOldHandleAfterTheRenameIsNoticed() throws IOException {
        Path a = dir.resolve("app.log");
        try (FileChannel w = writer(a); FileTailer t = clocked()) {
            write(w, "old 1\n");
            t.poll();
            Files.move(a, dir.resolve("app.log.1"));   // logrotate create: rename, then a new file
            append(a, "new 1\n");
            t.poll();                                  // the rename is noticed here
            assertThat(texts()).containsExactly("old 1", "new 1");
            assertThat(t.positions()).extracting(FileTailer.FilePosition::rotated).containsExactlyInAnyOrder(true, false);

            write(w, "old 2\nold 3\nold 4 par");      // the daemon reopens late: it still writes to the old file
            clock.advance(Duration.ofSeconds(30));
            t.poll();
            assertThat(texts()).containsExactly("old 1", "new 1", "old 2", "old 3");
            write(w, "tial\n");
            clock.advance(Duration.ofSeconds(30));
            t.poll();
            assertThat(texts()).endsWith("old 4 partial");
            assertThat(t.offsets()).containsOnlyKeys(a.toString());
        }
        assertThat(line("old 2").path()).isEqualTo(a.toString());
        assertThat(got.stream().map(DocumentIds::of).distinct()).hasSize(got.size());
    }

    @Test
    void closesARotatedFileOnlyAfterCloseInactiveWithNoWritesAndHandsOnItsLastPartialLine() throws IOException {
        Path a = dir.resolve("app.log");
        try (FileChannel w = writer(a);
             FileTailer t = FileTailer.builder(got::addAll).paths(List.of(dir + "/*.log")).tailFiles(false)
                     .closeInactive(Duration.ofMinutes(2)).clock(clock).build()) {
            write(w, "1\n");
            t.poll();
            Files.move(a, dir.resolve("app.log.1"));
            t.poll();
            clock.advance(Duration.ofSeconds(90));
            write(w, "2\n");                          // a write restarts the idle time
            t.poll();
            clock.advance(Duration.ofSeconds(90));
            t.poll();
            assertThat(t.positions()).singleElement().extracting(FileTailer.FilePosition::rotated).isEqualTo(true);
            Files.delete(dir.resolve("app.log.1"));    // deleted: still read through the handle the tailer holds
            write(w, "3\nlast, no newline");
            t.poll();
            assertThat(texts()).containsExactly("1", "2", "3");
            clock.advance(Duration.ofSeconds(119));
            t.poll();
            assertThat(t.positions()).hasSize(1);
            clock.advance(Duration.ofSeconds(1));       // idle for close_inactive: read to its end, then closed
            t.poll();
            assertThat(texts()).containsExactly("1", "2", "3", "last, no newline");
            assertThat(t.positions()).isEmpty();
        }
    }

    @Test
    void copytruncateStartsANewGenerationWithDistinctIdsAndReadsTheUnreadTailFromTheCopy() throws IOException {
        Path a = dir.resolve("app.log");
        try (FileChannel w = writer(a); FileTailer t = clocked()) {
            write(w, "a1\na2\n");
            t.poll();
            write(w, "a3 not read before the rotation\n");
            copyTruncate(a, dir.resolve("app.log.1"));
            write(w, "b1\n");                         // O_APPEND: the writer goes on at the new end, offset 0
            t.poll();
            write(w, "b2\n");
            t.poll();
            assertThat(t.positions()).singleElement().extracting(FileTailer.FilePosition::generation).isEqualTo(1L);
        }
        assertThat(texts()).containsExactly("a1", "a2", "a3 not read before the rotation", "b1", "b2");
        String src = sourceId(a);
        assertThat(line("a1").offset()).isZero();
        assertThat(line("b1").offset()).isZero();
        assertThat(DocumentIds.of(line("a1"))).isEqualTo(DocumentIds.of(src, 0)); // generation 0: the old ids
        assertThat(DocumentIds.of(line("a3 not read before the rotation")))
                .isEqualTo(DocumentIds.ofFilePosition(src, 0, 6));
        assertThat(DocumentIds.of(line("b1"))).isEqualTo(DocumentIds.ofFilePosition(src, 1, 0))
                .isNotEqualTo(DocumentIds.of(line("a1")));
        assertThat(got.stream().map(DocumentIds::of).distinct()).hasSize(5);
    }

    @Test
    void noticesACopytruncateThatFollowsARefusedBatch() throws IOException {
        Path a = dir.resolve("app.log");
        AtomicInteger batches = new AtomicInteger(1); // the first batch is taken, the next refused (backpressure)
        try (FileChannel w = writer(a);
             FileTailer t = FileTailer.builder(lines -> batches.getAndDecrement() > 0 && got.addAll(lines))
                     .paths(List.of(dir + "/*.log")).tailFiles(false).batchLines(2).clock(clock).build()) {
            write(w, "a1\na2\na3\n");
            t.poll();
            assertThat(texts()).containsExactly("a1", "a2");
            copyTruncate(a, dir.resolve("app.log.1"));
            write(w, "b1, longer than what was read before\n");
            batches.set(100);
            t.poll();
        }
        assertThat(texts()).containsExactly("a1", "a2", "a3", "b1, longer than what was read before");
    }

    @Test
    void aTruncateAndRewriteToALongerSizeIsANewGenerationToo() throws IOException {
        Path a = dir.resolve("app.log");
        try (FileChannel w = writer(a); FileTailer t = clocked()) {
            write(w, "first\n");
            t.poll();
            try (FileChannel ch = FileChannel.open(a, StandardOpenOption.WRITE)) {
                ch.truncate(0);
            }
            write(w, "other content, longer than before\n"); // no copy: nothing of the old generation was unread
            t.poll();
        }
        assertThat(texts()).containsExactly("first", "other content, longer than before");
        assertThat(DocumentIds.of(got.get(1))).isEqualTo(DocumentIds.ofFilePosition(sourceId(a), 1, 0));
    }

    @Test
    void aRestartResumesWithTheGenerationWithoutLossOrDuplicates() throws IOException {
        Path a = dir.resolve("app.log");
        try (FileChannel w = writer(a)) {
            try (FileTailer t = clocked()) {
                write(w, "a1\n");
                t.poll();
                copyTruncate(a, dir.resolve("app.log.1"));
                write(w, "b1\n");
                t.poll();
            }
            JsonNode saved = new ObjectMapper().readTree(dir.resolve("state/tail.json").toFile());
            assertThat(saved.at("/files/0/generation").asLong()).isEqualTo(1);
            assertThat(saved.at("/files/0/offset").asLong()).isEqualTo(3);

            write(w, "b2\n");                                         // while stopped
            try (FileTailer t = clocked()) {
                t.poll();
                write(w, "b3 unread at the copytruncate\n");          // then a second copytruncate while stopped
            }
            copyTruncate(a, dir.resolve("app.log.1"));
            write(w, "c1\n");
            try (FileTailer t = clocked()) {
                t.poll();
                assertThat(t.positions()).singleElement().extracting(FileTailer.FilePosition::generation)
                        .isEqualTo(2L);
            }
        }
        assertThat(texts()).containsExactly("a1", "b1", "b2", "b3 unread at the copytruncate", "c1");
        String src = sourceId(a);
        assertThat(DocumentIds.of(line("b2"))).isEqualTo(DocumentIds.ofFilePosition(src, 1, 3));
        assertThat(DocumentIds.of(line("c1"))).isEqualTo(DocumentIds.ofFilePosition(src, 2, 0));
        assertThat(got.stream().map(DocumentIds::of).distinct()).hasSize(5);
    }

    @Test
    void aRestartReadsWhatAFileRenamedWhileStoppedStillGets() throws IOException {
        Path a = dir.resolve("app.log");
        Path rotated = dir.resolve("app.log.1");
        try (FileChannel w = writer(a)) {
            try (FileTailer t = clocked()) {
                write(w, "1\n");
                t.poll();
                write(w, "2\n");
            }
            Files.move(a, rotated);                                  // rotated while stopped
            append(a, "new 1\n");
            write(w, "3\n");                                        // late write to the old handle
            try (FileTailer t = clocked()) {
                t.poll();
                assertThat(texts()).containsExactlyInAnyOrder("1", "2", "3", "new 1");
                write(w, "4\n");
                t.poll();
            }
            write(w, "5\n");                                        // the rotated file is still in the checkpoint
            try (FileTailer t = clocked()) {
                t.poll();
            }
        }
        assertThat(texts()).containsExactlyInAnyOrder("1", "2", "3", "new 1", "4", "5");
        assertThat(line("4").path()).isEqualTo(a.toString());
    }

    @Test
    void loadsACheckpointWithoutGenerationsAsGenerationZeroWithTheSameIds() throws IOException {
        Path a = dir.resolve("a.log");
        append(a, "1\n2\n3\n");
        Files.createDirectories(dir.resolve("state"));
        String key = Files.readAttributes(a, BasicFileAttributes.class).fileKey().toString();
        ObjectMapper json = new ObjectMapper();
        Files.writeString(dir.resolve("state/tail.json"), json.writeValueAsString(json.createObjectNode()
                .set("files", json.createArrayNode().add(json.createObjectNode().put("key", key)
                        .put("path", a.toString()).put("offset", 2)))));
        try (FileTailer t = clocked()) {
            t.poll();
        }
        assertThat(texts()).containsExactly("2", "3");
        assertThat(DocumentIds.of(got.get(0))).isEqualTo(DocumentIds.of("file:" + key, 2));
        assertThat(json.readTree(dir.resolve("state/tail.json").toFile()).at("/files/0/generation").asLong())
                .isZero();
    }

    @Test
    void aClosedFileSeenAgainWithOtherContentStartsANewGeneration() throws IOException {
        Path a = dir.resolve("app.log");
        Path aside = dir.resolve("app.log.1");
        append(a, "old content\n");
        try (FileTailer t = clocked()) {
            t.poll();
            Files.move(a, aside);
            t.poll();
            clock.advance(FileTailer.DEFAULT_CLOSE_INACTIVE);
            t.poll();
            assertThat(t.positions()).isEmpty();              // closed; its identity is remembered
            Files.writeString(aside, "reused identity\n");    // same inode, other content (as a reused inode)
            Files.move(aside, a);
            t.poll();
        }
        assertThat(texts()).containsExactly("old content", "reused identity");
        assertThat(DocumentIds.of(got.get(1))).isEqualTo(DocumentIds.ofFilePosition(sourceId(a), 1, 0));
    }

    @Test
    void theFileSourceValidatesCloseInactive() {
        ObjectMapper json = new ObjectMapper();
        FileSourceFactory f = new FileSourceFactory(null, clock);
        assertThat(f.validate(java.util.Map.of("close_inactive", 30, "paths", java.util.List.of(dir + "/*.log"))))
                .isEmpty();
        assertThat(f.validate(java.util.Map.of("close_inactive", 0, "paths", java.util.List.of(dir + "/*.log"))))
                .containsExactly(new io.bklog.spi.source.SettingProblem("close_inactive", "0 is out of range 1..604800"));
    }

    @Test
    void theCheckpointMovesOnlyOnceTheLinesHandedOnAreStored() throws IOException {
        Path log = dir.resolve("app.log");
        append(log, "one\n");
        java.util.concurrent.atomic.AtomicReference<java.util.concurrent.CompletableFuture<Void>> stored =
                new java.util.concurrent.atomic.AtomicReference<>(new java.util.concurrent.CompletableFuture<>());
        Path state = dir.resolve("state/tail.json");
        try (FileTailer t = FileTailer.builder(got::addAll).paths(List.of(dir + "/*.log")).checkpointFile(state)
                .tailFiles(false).clock(clock).stored(stored::get).storedWait(java.time.Duration.ofMillis(300)).build()) {
            stored.get().complete(null);
            t.poll();
            String first = Files.readString(state);
            assertThat(first).contains("\"offset\":4");
            append(log, "two\n");
            stored.set(new java.util.concurrent.CompletableFuture<>()); // "two" is handed on, not stored yet
            long started = System.nanoTime();
            t.poll();
            assertThat(java.time.Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(java.time.Duration.ofMillis(250));
            assertThat(texts()).containsExactly("one", "two");
            assertThat(Files.readString(state)).as("a kill -9 now re-reads 'two'").isEqualTo(first);
            stored.get().complete(null);
            t.poll();
            assertThat(Files.readString(state)).contains("\"offset\":8");
        }
    }

    @Test
    void crlfAndLoneCrEndLinesAndNeverStayInTheText() throws IOException {
        Path a = dir.resolve("win.log");
        append(a, "dos\r\nmac\rmixed\nlast\r");
        try (FileTailer t = clocked()) {
            t.poll();
            // the final CR may be the first half of a CRLF: the line waits for the next byte
            assertThat(texts()).containsExactly("dos", "mac", "mixed");
            append(a, "\nnext\r\n");
            t.poll();
            assertThat(texts()).containsExactly("dos", "mac", "mixed", "last", "next");
        }
        assertThat(got).allSatisfy(l -> assertThat(l.text()).doesNotContain("\r"));
        assertThat(line("mac").offset()).isEqualTo(5);
        assertThat(line("mixed").offset()).isEqualTo(9);
    }

    @Test
    void theLastLineWithoutNewlineIsDeliveredOnceTheFileIsIdleAndOnlyOnceAcrossARestart() throws IOException {
        Path a = dir.resolve("app.log");
        append(a, "1\nlast, no newline");
        try (FileTailer t = clocked()) {
            t.poll();
            assertThat(texts()).containsExactly("1");
            clock.advance(FileTailer.DEFAULT_CLOSE_INACTIVE.minusSeconds(1));
            t.poll();
            assertThat(texts()).containsExactly("1");
            clock.advance(Duration.ofSeconds(1));      // idle for close_inactive: the line is complete
            t.poll();
            assertThat(texts()).containsExactly("1", "last, no newline");
            t.poll();
            assertThat(texts()).hasSize(2);
            assertThat(t.positions()).singleElement().extracting(FileTailer.FilePosition::offset)
                    .isEqualTo(Files.size(a));         // still followed, offset past the line
        }
        try (FileTailer t = clocked()) {               // restart: nothing read twice
            t.poll();
            assertThat(texts()).hasSize(2);
            // a later append continuing the line is a new line (documented in docs/collectors.md)
            append(a, " continued\n2\n");
            t.poll();
            assertThat(texts()).containsExactly("1", "last, no newline", " continued", "2");
        }
    }

    @Test
    void stoppingTheCollectorDeliversTheLastLineOnceEvenAcrossARestart() throws IOException {
        Path a = dir.resolve("app.log");
        append(a, "1\n2 without newline");
        try (FileTailer t = clocked()) {
            t.poll();
            assertThat(texts()).containsExactly("1");
        }                                              // stop
        assertThat(texts()).containsExactly("1", "2 without newline");
        String id = DocumentIds.of(line("2 without newline"));
        try (FileTailer t = clocked()) {               // restart: the checkpoint is past it
            t.poll();
        }
        assertThat(texts()).containsExactly("1", "2 without newline");
        assertThat(got.stream().map(DocumentIds::of).filter(id::equals)).hasSize(1);
    }

    @Test
    void theCheckpointNeverPassesTheFirstLineOfAnEventTheSinkStillHoldsSoARestartReadsItAgain() throws IOException {
        Path a = dir.resolve("a.log");
        append(a, "2024-05-01 first\n  at a\n2024-05-01 second\n  at b\n");
        java.util.concurrent.atomic.AtomicLong held = new java.util.concurrent.atomic.AtomicLong(-1);
        try (FileTailer t = FileTailer.builder(got::addAll).paths(List.of(dir + "/*.log"))
                .checkpointFile(dir.resolve("state/tail.json")).tailFiles(false).held(id -> held.get()).build()) {
            // the sink holds the open second event (its first line starts at byte 24)
            held.set(24);
            assertThat(t.poll()).isEqualTo(4);
        }
        got.clear();
        try (FileTailer t = tailer(false)) {
            t.poll();
            assertThat(texts()).as("the restart reads the held event again").containsExactly("2024-05-01 second",
                    "  at b");
            assertThat(got.get(0).offset()).isEqualTo(24);
        }
    }
}
