package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Indices nobody uses are closed and reopened on demand: an idle index set holds no open index. */
class IdleIndicesTest {
    static final Instant DAY = Instant.parse("2024-03-01T12:00:00Z");

    @TempDir
    Path dir;

    static void fill(LuceneLogStore store, String set, int days) {
        store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("log", FieldType.TEXT))));
        List<LogDocument> docs = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            for (int i = 0; i < 3; i++) {
                docs.add(new LogDocument(set + "-" + d + "-" + i, DAY.plus(Duration.ofDays(d)).plusSeconds(i),
                        Map.of("log", "day " + d + " line " + i)));
            }
        }
        assertThat(store.index(set, docs).allOk()).isTrue();
    }

    static long total(LuceneLogStore store, String set, String word) {
        SearchResult r = store.search(SearchRequest.builder(set).query(new Query.Term("log", word)).size(5).build());
        return r.total();
    }

    @Test
    void idleIndicesCloseAndOpenAgainOnTheNextSearchOrWrite() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).indexIdleAfter(Duration.ZERO).build()) {
            fill(store, "a", 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.openIndexCount() == 0);
            assertThat(store.listIndices("a")).extracting(IndexInfo::docCount).containsExactly(3L, 3L, 3L);
            assertThat(store.openIndexCount()).as("counting documents opens nothing").isZero();

            assertThat(total(store, "a", "line")).isEqualTo(9);
            store.index("a", List.of(new LogDocument("late", DAY, Map.of("log", "late line"))));
            store.refresh("a");
            assertThat(total(store, "a", "line")).isEqualTo(10);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.openIndexCount() == 0);
            assertThat(total(store, "a", "late")).isEqualTo(1);
        }
    }

    @Test
    void atMostMaxOpenIndicesStayOpenAndNothingIsLost() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).maxOpenIndices(2).build()) {
            fill(store, "a", 4);
            fill(store, "b", 4);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.openIndexCount() <= 2);
            assertThat(total(store, "a", "line")).isEqualTo(12);
            assertThat(total(store, "b", "line")).isEqualTo(12);
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertThat(store.openIndexCount()).as("opening the store opens no index").isZero();
            assertThat(total(store, "a", "line") + total(store, "b", "line")).isEqualTo(24);
        }
    }

    @Test
    void aSearchOfClosedIndicesOpensNoWriterAndSeesEveryAcknowledgedDocument() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).indexIdleAfter(Duration.ofMillis(300))
                .build()) {
            fill(store, "a", 3);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.openIndexCount() == 0);

            assertThat(total(store, "a", "line")).isEqualTo(9);
            assertThat(store.openWriterCount()).as("a search reads the last commit, read-only").isZero();

            // a write opens the writer; its near-real-time reader serves the next search
            store.index("a", List.of(new LogDocument("late", DAY, Map.of("log", "late line"))));
            store.refresh("a");
            assertThat(total(store, "a", "line")).isEqualTo(10);
            assertThat(total(store, "a", "late")).isEqualTo(1);

            await().atMost(Duration.ofSeconds(10)).until(() -> store.openIndexCount() == 0);
            assertThat(total(store, "a", "late")).as("committed as it closed").isEqualTo(1);
            assertThat(store.openWriterCount()).isZero();
        }
    }

    @Test
    void readersOfASearchStayWithinMaxOpenIndices() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).maxOpenIndices(2)
                .indexIdleAfter(Duration.ofMillis(200)).build()) {
            fill(store, "a", 5);
            await().atMost(Duration.ofSeconds(10)).until(() -> store.openIndexCount() == 0);
            for (int i = 0; i < 3; i++) {
                assertThat(total(store, "a", "line")).isEqualTo(15);
                assertThat(store.openIndexCount()).isLessThanOrEqualTo(2);
            }
        }
    }

    @Test
    void aSearchOverTheOpenLimitClosesReadersNotWriters() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            fill(store, "b", 3);
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).maxOpenIndices(2).build()) {
            fill(store, "a", 1);
            assertThat(store.openWriterCount()).isEqualTo(1);
            assertThat(total(store, "b", "line")).isEqualTo(9);
            assertThat(store.openIndexCount()).isEqualTo(2);
            assertThat(store.openWriterCount()).as("a search commits nothing to make room").isEqualTo(1);
        }
    }

    @Test
    void anIndexReadBySearchesCanBeDeleted() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            fill(store, "a", 3);
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertThat(total(store, "a", "line")).isEqualTo(9);
            assertThat(store.openIndexCount()).isEqualTo(3);
            assertThat(store.openWriterCount()).isZero();
            String first = store.listIndices("a").get(0).name();
            store.deleteIndices(List.of(first));
            assertThat(total(store, "a", "line")).isEqualTo(6);
            assertThat(store.listIndices("a")).hasSize(2);
        }
    }

    @Test
    void searchesWhileIndicesOpenAndCloseUnderWritesNeverSeeFewerDocuments() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).indexIdleAfter(Duration.ZERO)
                .maxOpenIndices(2).build()) {
            store.ensureIndexSet(IndexSetSchema.of("a", List.of(FieldSpec.of("log", FieldType.TEXT))));
            int batches = 20; // each batch reopens and closes (commits) indices: about 0.5 s a batch under load
            java.util.concurrent.atomic.AtomicBoolean writing = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
            Thread writer = new Thread(() -> {
                try {
                    for (int b = 0; b < batches; b++) {
                        List<LogDocument> docs = new ArrayList<>();
                        for (int i = 0; i < 4; i++) {
                            docs.add(new LogDocument("b" + b + "-" + i, DAY.plus(Duration.ofDays((b + i) % 3)),
                                    Map.of("log", "line " + b)));
                        }
                        assertThat(store.index("a", docs).allOk()).isTrue();
                        store.refresh("a");
                    }
                } catch (Throwable t) {
                    failure.set(t);
                } finally {
                    writing.set(false);
                }
            }, "test-writer");
            writer.start();
            long seen = 0;
            int searches = 0;
            while (writing.get()) {
                long now = total(store, "a", "line");
                assertThat(now).as("search %d", searches).isGreaterThanOrEqualTo(seen);
                seen = now;
                searches++;
            }
            writer.join();
            assertThat(failure.get()).isNull();
            assertThat(total(store, "a", "line")).isEqualTo(batches * 4L);
            assertThat(searches).isPositive();
        }
    }

    @Test
    void anIndexDirectoryWithoutACommitIsSearchedAsEmptyAndWritable() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            fill(store, "a", 1);
        }
        // a crash between creating a day's directory and its first commit
        java.nio.file.Files.createDirectories(dir.resolve("indices").resolve("v2_a_20240305_0"));
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertThat(store.listIndices("a")).extracting(IndexInfo::docCount).containsExactly(3L, 0L);
            assertThat(total(store, "a", "line")).isEqualTo(3);
            store.index("a", List.of(new LogDocument("d5", Instant.parse("2024-03-05T01:00:00Z"),
                    Map.of("log", "fifth line"))));
            store.refresh("a");
            assertThat(total(store, "a", "line")).isEqualTo(4);
        }
    }

    @Test
    void aSecondStoreOnTheSameDataDirIsRefused() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertThatThrownBy(() -> LuceneLogStore.builder().dataDir(dir).build())
                    .isInstanceOf(BackendException.class).hasMessageContaining("store.lock");
        }
    }
}
