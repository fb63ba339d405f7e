package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The time of a document is stored once, as the time field's doc value: its stored source holds a {@code null}
 * placeholder, filled again wherever the source is read (hits, reindex); sources stored with the number (before
 * placeholders) and write-ahead logs of either form still read and index the same.
 */
class StoredTimeTest {
    static final Instant T = Instant.parse("2024-03-01T10:00:00Z");
    static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("seen", FieldType.DATE), FieldSpec.of("n", FieldType.LONG)));
    static final String INDEX = IndexNames.daily("app", LocalDate.of(2024, 3, 1), 0);

    @TempDir
    Path dir;

    static LogDocument doc(int i, boolean timeInFields) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("log", "line " + i);
        if (timeInFields) f.put(TIME, "ignored: the document's time wins");
        f.put("seen", null); // a null of the document's own: stays null
        f.put("n", i);
        return new LogDocument("id-" + i, T.plusSeconds(i), f);
    }

    static Map<String, Object> expected(int i, boolean timeInFields) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("log", "line " + i);
        if (timeInFields) m.put(TIME, T.plusSeconds(i).toEpochMilli());
        m.put("seen", null);
        m.put("n", (long) i);
        if (!timeInFields) m.put(TIME, T.plusSeconds(i).toEpochMilli());
        return m;
    }

    static List<SearchResult.Hit> all(LuceneLogStore store) {
        return store.search(SearchRequest.builder("app").size(100).sort(Sort.asc(TIME)).build()).hits();
    }

    static void assertHits(List<SearchResult.Hit> hits, int n) {
        assertThat(hits).hasSize(n);
        for (int i = 0; i < n; i++) {
            // same values, same key order (the time where the document had it, else last)
            assertThat(new ArrayList<>(hits.get(i).source().entrySet()))
                    .containsExactlyElementsOf(expected(i, i % 2 == 0).entrySet());
        }
    }

    @Test
    void theTimeIsStoredAsAPlaceholderAndEveryHitAndReindexStillHaveIt() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 10; i++) docs.add(doc(i, i % 2 == 0));
            assertThat(store.index("app", docs).allOk()).isTrue();
            store.refresh("app");
            assertHits(all(store), 10);
            // the time range and the sort still see the time
            assertThat(store.search(SearchRequest.builder("app").timeRange(T.plusSeconds(3), T.plusSeconds(5))
                    .build()).total()).isEqualTo(2);
            store.reindex("app", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertHits(all(store), 10);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            StoredFields stored = r.storedFields();
            for (int doc = 0; doc < r.maxDoc(); doc++) {
                String json = stored.document(doc).getBinaryValue(DocumentMapper.SOURCE).utf8ToString();
                assertThat(json).contains("\"" + TIME + "\":null");
            }
        }
    }

    @Test
    void sourcesStoredWithTheTimeBeforePlaceholdersReadAndReindexTheSame() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            assertThat(store.index("app", List.of(doc(0, true))).allOk()).isTrue();
        }
        // the other documents as an earlier version stored them: the time's number in the source
        IndexSetMapping mapping = IndexSetMapping.of(SCHEMA);
        try (FSDirectory d = FSDirectory.open(dir.resolve("indices").resolve(INDEX));
             IndexWriter w = new IndexWriter(d, PhysicalIndex.config(new TextAnalyzer(), 16)
                     .setIndexSort(SearchSort.indexSort(TIME)))) {
            for (int i = 1; i < 10; i++) {
                LogDocument ld = doc(i, i % 2 == 0);
                Document lucene = DocumentMapper.prepare(mapping, ld).document();
                lucene.removeField(DocumentMapper.SOURCE);
                lucene.add(new StoredField(DocumentMapper.SOURCE, Json.write(expected(i, i % 2 == 0))));
                w.updateDocument(DocumentMapper.addId(lucene, ld.id(), true), lucene);
            }
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertHits(all(store), 10);
            store.reindex("app", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertHits(all(store), 10);
            assertThat(store.search(SearchRequest.builder("app").query(new Query.Term("log", "5")).build())
                    .hits()).extracting(SearchResult.Hit::id).containsExactly("id-5");
        }
    }

    @Test
    void writeAheadLogEntriesOfEitherFormReplayWithTheirTime() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
        }
        List<WriteAheadLog.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            // even: as logged before placeholders (the number); odd: as logged now (the placeholder)
            Map<String, Object> source = expected(i, i % 2 == 0);
            if (i % 2 == 1) source.put(TIME, null);
            entries.add(new WriteAheadLog.Entry("id-" + i, T.plusSeconds(i).toEpochMilli(), Json.write(source)));
        }
        try (WriteAheadLog wal = new WriteAheadLog(dir.resolve("wal"))) {
            wal.appendAndSync(WriteAheadLog.encode("app", entries));
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.refresh("app");
            assertHits(all(store), 10);
            assertThat(store.search(SearchRequest.builder("app").timeRange(T.plusSeconds(3), T.plusSeconds(5))
                    .build()).total()).isEqualTo(2);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            for (LeafReaderContext leaf : r.leaves()) {
                var dv = leaf.reader().getSortedNumericDocValues(TIME);
                for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) assertThat(dv.advanceExact(doc)).isTrue();
            }
        }
    }
}
