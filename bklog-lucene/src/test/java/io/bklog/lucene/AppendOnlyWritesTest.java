package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Query;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Documents with a fresh id are appended without a delete by id; a later write of the same id (a replay, a pattern
 * update) still replaces, and the write-ahead log's replay keeps one copy of each.
 */
class AppendOnlyWritesTest {
    static final Instant T = Instant.parse("2024-03-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void freshIdsAreStoredOnceAndALaterWriteOfTheIdReplacesThem() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT))));
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                docs.add(LogDocument.withFreshId("id-" + i, T.plusSeconds(i), Map.of("log", "first " + i)));
            }
            assertThat(store.index("app", docs).allOk()).isTrue();
            assertThat(store.index("app", List.of(new LogDocument("id-7", T, Map.of("log", "second")))).allOk())
                    .isTrue();
            store.refresh("app");
            assertThat(count(store)).isEqualTo(100);
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Term("log", "second")).build())
                    .hits()).extracting(h -> h.id()).containsExactly("id-7");
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Term("log", "first")).build())
                    .total()).isEqualTo(99);
        }
        // reopened from the last commit (taken as it closed): still one copy each
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertThat(count(store)).isEqualTo(100);
        }
    }

    @Test
    void writeAheadLogRecordsReadBackAsWritten() throws Exception {
        Path walDir = dir.resolve("wal");
        List<WriteAheadLog.Entry> entries = List.of(
                new WriteAheadLog.Entry("0123456789abcdef0123456789abcdef", 1L, "{\"a\":1}".getBytes()),
                new WriteAheadLog.Entry("ключ-日志-\u0000-id", -5L, new byte[0]),
                new WriteAheadLog.Entry("x".repeat(512), Long.MAX_VALUE, "é".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        try (WriteAheadLog wal = new WriteAheadLog(walDir)) {
            wal.appendAndSync(WriteAheadLog.encode("app", entries));
            wal.appendAndSync(WriteAheadLog.encode("other-set", entries.subList(0, 1)));
        }
        try (WriteAheadLog wal = new WriteAheadLog(walDir)) {
            List<WriteAheadLog.Batch> read = wal.readExisting();
            assertThat(read).extracting(WriteAheadLog.Batch::indexSet).containsExactly("app", "other-set");
            List<WriteAheadLog.Entry> got = read.get(0).entries();
            assertThat(got).hasSize(3);
            for (int i = 0; i < 3; i++) {
                assertThat(got.get(i).id()).isEqualTo(entries.get(i).id());
                assertThat(got.get(i).timestamp()).isEqualTo(entries.get(i).timestamp());
                assertThat(got.get(i).source()).isEqualTo(entries.get(i).source());
            }
        }
    }

    private static long count(LuceneLogStore store) {
        return store.listIndices("app").stream().mapToLong(IndexInfo::docCount).sum();
    }
}
