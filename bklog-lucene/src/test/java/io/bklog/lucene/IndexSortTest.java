package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each new daily index keeps its documents oldest first (the order they arrive in), and the newest page is read from
 * its end; old indices still work.
 */
class IndexSortTest {
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT)));
    static final Instant DAY = Instant.parse("2024-03-01T00:00:00Z");
    static final String INDEX = IndexNames.daily("app", LocalDate.of(2024, 3, 1), 0);

    @TempDir
    Path dir;

    static List<LogDocument> docs(String prefix, int n) {
        List<LogDocument> out = new ArrayList<>();
        // ascending times, written oldest first
        for (int i = 0; i < n; i++) out.add(new LogDocument(prefix + i, DAY.plusSeconds(i), Map.of("log", "line " + i)));
        return out;
    }

    static List<String> newest(LuceneLogStore store, int size) {
        SearchResult r = store.search(SearchRequest.builder("app").size(size).build());
        assertThat(r.total()).isEqualTo(store.listIndices("app").stream().mapToLong(i -> i.docCount()).sum());
        return r.hits().stream().map(SearchResult.Hit::id).toList();
    }

    @Test
    void aNewIndexKeepsItsDocumentsOldestFirstAndTheTotalStaysExact() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            store.index("app", docs("a", 300));
            store.refresh("app");
            assertThat(newest(store, 3)).containsExactly("a299", "a298", "a297");
        }
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            for (LeafReaderContext leaf : reader.leaves()) {
                assertThat(leaf.reader().getMetaData().getSort()).isEqualTo(SearchSort.indexSort("dtEventTimeStamp"));
            }
        }
    }

    @Test
    void anIndexWrittenBeforeIndexSortingStaysUnsortedAndAnswersTheSame() throws Exception {
        Path path = dir.resolve("indices").resolve(INDEX);
        java.nio.file.Files.createDirectories(dir.resolve("indexsets"));
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
        }
        IndexSetMapping mapping = IndexSetMapping.of(SCHEMA);
        try (FSDirectory d = FSDirectory.open(path);
             IndexWriter w = new IndexWriter(d, PhysicalIndex.config(new TextAnalyzer(), 16))) {
            for (LogDocument doc : docs("old", 100)) {
                var lucene = DocumentMapper.prepare(mapping, doc).document();
                DocumentMapper.addTimePoints(lucene, "dtEventTimeStamp"); // the time with points, as before
                DocumentMapper.addId(lucene, doc.id(), false); // ids as text, as before packed ids
                w.addDocument(lucene);
            }
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.index("app", docs("new", 50));
            store.refresh("app");
            assertThat(newest(store, 2)).containsExactly("old99", "old98");
        }
        try (DirectoryReader reader = DirectoryReader.open(FSDirectory.open(path))) {
            assertThat(reader.numDocs()).isEqualTo(150);
            for (LeafReaderContext leaf : reader.leaves()) assertThat(leaf.reader().getMetaData().getSort()).isNull();
        }
    }
}
