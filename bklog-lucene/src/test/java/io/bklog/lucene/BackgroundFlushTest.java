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

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A full indexing buffer is written out as a segment by the store's flush thread, before any commit, while indexing
 * goes on; every document stays searchable and survives a reopen.
 */
class BackgroundFlushTest {
    static final Instant T = Instant.parse("2024-03-01T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void fullBuffersBecomeSegmentsBeforeTheCommitAndNoDocumentIsLost() throws IOException {
        int batches = 30;
        int perBatch = 500;
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).ramBufferMb(1)
                .commitPolicy(CommitPolicy.writeAheadLog(Duration.ofHours(1))).build()) {
            store.ensureIndexSet(IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT))));
            for (int b = 0; b < batches; b++) {
                List<LogDocument> docs = new ArrayList<>();
                for (int i = 0; i < perBatch; i++) {
                    int n = b * perBatch + i;
                    docs.add(LogDocument.withFreshId("id-" + n, T.plusMillis(n), Map.of("log",
                            "081109 203615 148 INFO dfs.DataNode$PacketResponder: block blk_" + (n * 7919L)
                                    + " terminating after " + n + " packets")));
                }
                assertThat(store.index("app", docs).allOk()).isTrue();
            }
            // no commit for an hour: the segments on disk are the flushes of the full 1 MB buffers, and the flush
            // thread wrote some of them (the writer alone would flush only past twice the buffer, in the batch)
            await().atMost(Duration.ofSeconds(30)).until(() -> segmentsOnDisk() >= 2);
            assertThat(store.backgroundFlushes()).as("buffers the flush thread wrote out").isPositive();
            store.refresh("app");
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Term("log", "terminating")).build())
                    .total()).isEqualTo(batches * perBatch);
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertThat(store.listIndices("app").stream().mapToLong(IndexInfo::docCount).sum())
                    .isEqualTo(batches * perBatch);
        }
    }

    private long segmentsOnDisk() throws IOException {
        try (Stream<Path> files = Files.walk(dir.resolve("indices"))) {
            return files.filter(f -> f.getFileName().toString().endsWith(".si")).count();
        }
    }
}
