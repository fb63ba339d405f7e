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
import org.apache.lucene.index.DirectoryReader;
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
 * A single long of a long or date field is stored once, as its doc value, with a {@code null} placeholder in the
 * stored source, as the time is: every hit, reindex and write-ahead-log replay still gives the value; a list, a
 * {@code null} the document sent and the values of other types stay in the source as they were.
 */
class StoredNumbersTest {
    static final Instant T = Instant.parse("2024-03-01T10:00:00Z");
    static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("n", FieldType.LONG), FieldSpec.of("seen", FieldType.DATE),
            FieldSpec.of("ratio", FieldType.DOUBLE), FieldSpec.of("ok", FieldType.BOOLEAN)));
    static final String INDEX = IndexNames.daily("app", LocalDate.of(2024, 3, 1), 0);

    @TempDir
    Path dir;

    static Map<String, Object> fields(int i) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("log", "line \"" + i + "\" n=" + i);
        f.put("n", i % 4 == 3 ? null : i % 4 == 2 ? List.of((long) i, (long) i, 1L) : (Object) (i * 1_000_003L));
        f.put("seen", T.toEpochMilli() - i);
        f.put("ratio", i / 4.0);
        f.put("ok", i % 2 == 0);
        f.put("extra", i); // unmapped: as sent
        return f;
    }

    static Map<String, Object> expected(int i) {
        Map<String, Object> m = fields(i);
        m.put("extra", (long) i);
        m.put(TIME, T.plusSeconds(i).toEpochMilli());
        return m;
    }

    static void assertHits(LuceneLogStore store, int n) {
        List<SearchResult.Hit> hits = store.search(SearchRequest.builder("app").size(100).sort(Sort.asc(TIME))
                .build()).hits();
        assertThat(hits).hasSize(n);
        for (int i = 0; i < n; i++) {
            assertThat(new ArrayList<>(hits.get(i).source().entrySet()))
                    .containsExactlyElementsOf(expected(i).entrySet());
        }
        // still searchable and sortable by the values
        assertThat(store.search(SearchRequest.builder("app").query(new Query.Term("n", "5000015")).build()).total())
                .isEqualTo(1);
    }

    @Test
    void singleLongsAreStoredOnceAndReadBackEverywhere() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 12; i++) docs.add(new LogDocument("id-" + i, T.plusSeconds(i), fields(i)));
            assertThat(store.index("app", docs).allOk()).isTrue();
            store.refresh("app");
            assertHits(store, 12);
            store.reindex("app", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertHits(store, 12);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            StoredFields stored = r.storedFields();
            int placeholders = 0;
            for (int doc = 0; doc < r.maxDoc(); doc++) {
                String json = stored.document(doc).getBinaryValue(DocumentMapper.SOURCE).utf8ToString();
                assertThat(json).contains("\"seen\":null");
                if (json.contains("\"n\":null")) placeholders++;
                assertThat(json).doesNotContain("\"ratio\":null").doesNotContain("\"ok\":null");
            }
            assertThat(placeholders).isEqualTo(12 - 3); // the three lists keep their values; the three nulls are nulls
        }
        // the write-ahead log logged every value: a replay after a crash stores the same documents
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir.resolve("replay")).build()) {
            store.ensureIndexSet(SCHEMA);
        }
        List<WriteAheadLog.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            DocumentMapper.Prepared p = DocumentMapper.prepare(IndexSetMapping.of(SCHEMA),
                    new LogDocument("id-" + i, T.plusSeconds(i), fields(i)));
            assertThat(new String(p.source(), java.nio.charset.StandardCharsets.UTF_8)).doesNotContain("\"seen\":null");
            entries.add(new WriteAheadLog.Entry(p.id(), p.timestamp(), p.source()));
        }
        try (WriteAheadLog wal = new WriteAheadLog(dir.resolve("replay").resolve("wal"))) {
            wal.appendAndSync(WriteAheadLog.encode("app", entries));
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir.resolve("replay")).build()) {
            store.refresh("app");
            assertHits(store, 12);
        }
    }
}
