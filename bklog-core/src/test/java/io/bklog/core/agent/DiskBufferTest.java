package io.bklog.core.agent;

import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.LogDocument;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DiskBufferTest {
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");

    @TempDir
    Path dir;

    private static List<BufferedDocument> docs(int from, int count) {
        List<BufferedDocument> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(new BufferedDocument("app", "file-a", new LogDocument("id-" + i, T,
                    Map.of("log", "line " + i, "seq", (long) i, "dtEventTimeStamp", T.toEpochMilli()))));
        }
        return out;
    }

    private static List<String> ids(List<DiskBuffer.Entry> entries) {
        return entries.stream().map(e -> e.document().document().id()).toList();
    }

    @Test
    void resumesAfterTheLastCommitWhenReopened() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            b.append("c1", docs(0, 10));
            assertThat(ids(b.poll(4, Duration.ZERO))).containsExactly("id-0", "id-1", "id-2", "id-3");
            b.commit();
            assertThat(b.pending()).isEqualTo(6);
        }
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            List<DiskBuffer.Entry> rest = b.poll(100, Duration.ZERO);
            assertThat(ids(rest)).containsExactly("id-4", "id-5", "id-6", "id-7", "id-8", "id-9");
            assertThat(rest.get(0).document().document().fields()).containsEntry("log", "line 4")
                    .containsEntry("seq", 4L);
            assertThat(rest.get(0).document().document().timestamp()).isEqualTo(T);
            assertThat(b.pendingByCollector()).containsEntry("c1", 6L);
        }
    }

    @Test
    void aBatchNotAcknowledgedComesAgainWithTheSameIdsAndNothingTwiceOnceCommitted() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            b.append("c1", docs(0, 5));
            List<String> first = ids(b.poll(5, Duration.ZERO));
            b.rewind(); // the server answered some items retryable: the whole batch is sent again
            assertThat(ids(b.poll(5, Duration.ZERO))).isEqualTo(first);
            b.append("c1", docs(5, 2));
            assertThat(ids(b.poll(5, Duration.ZERO))).containsExactly("id-5", "id-6");
        }
        // killed before the commit: everything comes again, same ids (the server overwrites)
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            List<String> again = ids(b.poll(100, Duration.ZERO));
            assertThat(again).containsExactly("id-0", "id-1", "id-2", "id-3", "id-4", "id-5", "id-6");
            b.commit();
            assertThat(b.pending()).isZero();
            assertThat(b.pendingByCollector()).isEmpty();
        }
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            assertThat(b.poll(100, Duration.ZERO)).isEmpty();
            b.append("c1", docs(7, 1));
            assertThat(ids(b.poll(100, Duration.ZERO))).containsExactly("id-7");
        }
    }

    @Test
    void refusesAnAppendPastItsBoundAndTakesAgainOnceShipped() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 4096, 1024)) {
            int appended = 0;
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1000; i++) b.append("c1", docs(i, 1));
            }).isInstanceOf(BufferFullException.class).hasMessageContaining("the agent buffer is full");
            appended = (int) b.pending();
            assertThat(b.bytes()).isLessThanOrEqualTo(4096);
            assertThat(b.fullRefusals()).isEqualTo(1);
            assertThatThrownBy(() -> b.append("c1", docs(5000, 1))).isInstanceOf(BufferFullException.class);
            assertThat(b.pending()).as("nothing of a refused append taken").isEqualTo(appended);
            List<DiskBuffer.Entry> all = b.poll(10_000, Duration.ZERO);
            assertThat(all).hasSize(appended);
            b.commit();
            assertThat(b.bytes()).as("shipped segments deleted").isLessThan(1200);
            b.append("c1", docs(6000, 3));
            assertThat(ids(b.poll(10, Duration.ZERO))).containsExactly("id-6000", "id-6001", "id-6002");
        }
    }

    @Test
    void cutsATornLastLineLeftByACrash() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            b.append("c1", docs(0, 3));
        }
        Path seg;
        try (Stream<Path> s = Files.list(dir)) {
            seg = s.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        Files.writeString(seg, "{\"s\":4,\"c\":\"c1\",\"i\":\"app\",\"d\":\"id-torn\",\"f\":{\"log\":\"hal",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            assertThat(ids(b.poll(100, Duration.ZERO))).containsExactly("id-0", "id-1", "id-2");
            b.append("c1", docs(3, 1));
            assertThat(ids(b.poll(100, Duration.ZERO))).containsExactly("id-3");
        }
    }

    @Test
    void readsAcrossSegmentsAndCountsLagPerCollector() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20, 1024)) {
            for (int i = 0; i < 40; i++) b.append(i % 2 == 0 ? "even" : "odd", docs(i, 1));
            assertThat(b.pendingByCollector()).containsEntry("even", 20L).containsEntry("odd", 20L);
            List<String> got = new ArrayList<>();
            for (List<DiskBuffer.Entry> e = b.poll(7, Duration.ZERO); !e.isEmpty(); e = b.poll(7, Duration.ZERO)) {
                got.addAll(ids(e));
                b.commit();
            }
            assertThat(got).hasSize(40).doesNotHaveDuplicates().startsWith("id-0").endsWith("id-39");
            assertThat(b.pendingByCollector()).isEmpty();
        }
    }

    private static List<BufferedDocument> bigDocs(int from, int count, int size) {
        List<BufferedDocument> out = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            out.add(new BufferedDocument("app", "file-a", new LogDocument("id-" + i, T,
                    Map.of("log", "x".repeat(size)))));
        }
        return out;
    }

    @Test
    void aBoundBelowTheSegmentSizeKeepsTakingOnceShipped() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) { // the default segment size, 8 MiB
            int next = 0;
            for (int round = 0; round < 5; round++) {
                int taken = 0;
                try {
                    while (true) {
                        b.append("c1", bigDocs(next, 1, 10_000));
                        next++;
                        taken++;
                    }
                } catch (BufferFullException full) {
                    // the bound
                }
                assertThat(taken).as("round " + round + " took some").isGreaterThan(20);
                assertThat(b.bytes()).isLessThanOrEqualTo(1 << 20);
                assertThat(b.poll(10_000, Duration.ZERO)).hasSize(taken);
                b.commit();
                assertThat(b.pending()).isZero();
            }
        }
    }

    @Test
    void aCorruptRecordInTheMiddleIsSkippedAndTheRecordsAfterItKept() throws Exception {
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            b.append("c1", docs(0, 3));
        }
        Path seg;
        try (Stream<Path> s = Files.list(dir)) {
            seg = s.filter(p -> p.getFileName().toString().startsWith("seg-")).findFirst().orElseThrow();
        }
        List<String> lines = Files.readAllLines(seg);
        lines.set(1, "{\"s\":2,\"c\":\"c1\",garbage");
        Files.write(seg, lines);
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20)) {
            assertThat(ids(b.poll(100, Duration.ZERO))).containsExactly("id-0", "id-2");
            b.append("c1", docs(3, 1));
            assertThat(ids(b.poll(100, Duration.ZERO))).containsExactly("id-3");
        }
    }

    @Test
    void aWriteErrorIsRefusedAsAFullBufferAndCountedNothingHalfTaken() throws Exception {
        Path full = Path.of("/dev/full");
        assertThat(Files.isWritable(full)).as("this test writes to /dev/full, the Linux device that answers"
                + " every write with ENOSPC; run it on Linux").isTrue();
        try (DiskBuffer b = DiskBuffer.open(dir, 1 << 20, 1024)) {
            while (b.bytes() < 1024) b.append("c1", docs((int) b.pending(), 1));
            long pending = b.pending();
            // the next append begins a new segment: on a disk that is full (ENOSPC)
            Path next = dir.resolve(String.format("seg-%020d.jsonl", pending + 1));
            Files.createSymbolicLink(next, full);
            assertThatThrownBy(() -> b.append("c1", docs(1000, 2))).isInstanceOf(BufferFullException.class)
                    .hasMessageContaining("held and offered again");
            assertThat(b.writeFailures()).isEqualTo(1);
            assertThat(b.fullRefusals()).isZero();
            assertThat(b.pending()).isEqualTo(pending);
            Files.deleteIfExists(next); // space again
            b.append("c1", docs(1000, 2));
            assertThat(b.pending()).isEqualTo(pending + 2);
            List<DiskBuffer.Entry> all = b.poll(1000, Duration.ZERO);
            assertThat(ids(all)).endsWith("id-1000", "id-1001").doesNotHaveDuplicates();
        }
        if (Files.getFileStore(dir).supportsFileAttributeView("posix")) {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .isEqualTo("rwx------");
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                            Files.getPosixFilePermissions(p))).as(p.toString()).isEqualTo("rw-------");
                }
            }
        }
    }
}
