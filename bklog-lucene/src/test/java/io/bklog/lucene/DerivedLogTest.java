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
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bklog's raw line {@code log} is kept once when it is a copy of {@code message}/{@code msg}/{@code MESSAGE}
 * ({@link DerivedLog}): hits, highlights, {@code fields}, reindex and write-ahead-log replay give it back as it came,
 * every query on {@code log} matches as when the line was written twice, and documents written before (both fields
 * indexed and stored, no marker) search and read the same, side by side with new ones in one index.
 */
class DerivedLogTest {
    static final Instant T = Instant.parse("2024-03-01T10:00:00Z");
    static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("message", FieldType.TEXT), FieldSpec.of("msg", FieldType.TEXT),
            FieldSpec.of("MESSAGE", FieldType.TEXT),
            FieldSpec.of("level", FieldType.KEYWORD)));
    static final String INDEX = IndexNames.daily("app", LocalDate.of(2024, 3, 1), 0);

    @TempDir
    Path dir;

    /** The documents and the order they come in: n* written by this version, o* as main wrote them. */
    static final List<String> NEW = List.of("n1", "n2", "n3", "n4", "n5");
    static final List<String> OLD = List.of("o1", "o2");

    static Map<String, Object> fields(String id) {
        Map<String, Object> f = new LinkedHashMap<>();
        switch (id) {
            case "n1" -> { f.put("message", "GET /a 500 upstream timeout"); f.put("level", "ERROR");
                f.put("log", "GET /a 500 upstream timeout"); }
            case "n2" -> { f.put("log", "raw: disk full"); f.put("message", "disk full"); }
            case "n3" -> { f.put("msg", "conn refused"); f.put("log", "conn refused"); }
            case "n4" -> f.put("message", "only message");
            case "n5" -> { f.put("log", "GET /c 200 upstream ok"); f.put("MESSAGE", "GET /c 200 upstream ok"); }
            case "o1" -> { f.put("message", "GET /b 500 upstream reset"); f.put("log", "GET /b 500 upstream reset"); }
            case "o2" -> { f.put("message", "disk ok"); f.put("log", "raw: disk ok"); }
            default -> throw new IllegalArgumentException(id);
        }
        return f;
    }

    static int second(String id) {
        return (id.startsWith("n") ? 0 : 10) + Integer.parseInt(id.substring(1));
    }

    static LogDocument doc(String id) {
        return new LogDocument(id, T.plusSeconds(second(id)), fields(id));
    }

    /** The source a hit gives back: the document's fields in their order, then the time. */
    static Map<String, Object> expected(String id) {
        Map<String, Object> m = new LinkedHashMap<>(fields(id));
        m.put(TIME, T.plusSeconds(second(id)).toEpochMilli());
        return m;
    }

    /** A document as main wrote it: {@code log} indexed and stored in the source like any text field. */
    static Document asMainWroteIt(IndexSetMapping mapping, LogDocument ld) {
        Document d = DocumentMapper.prepare(mapping, new LogDocument(ld.id(), ld.timestamp(), Map.of())).document();
        org.apache.lucene.document.FieldType text = new org.apache.lucene.document.FieldType(TextField.TYPE_NOT_STORED);
        text.setOmitNorms(true);
        text.freeze();
        Map<String, Object> source = new LinkedHashMap<>(ld.fields());
        source.forEach((k, v) -> d.add(new Field(k, (String) v, text)));
        source.put(TIME, null);
        d.removeField(DocumentMapper.SOURCE);
        d.add(new StoredField(DocumentMapper.SOURCE, Json.write(source)));
        return d;
    }

    static List<String> ids(LuceneLogStore store, Query q) {
        return store.search(SearchRequest.builder("app").query(q).size(100).sort(Sort.asc(TIME)).build()).hits()
                .stream().map(SearchResult.Hit::id).toList();
    }

    static void assertQueries(LuceneLogStore store, boolean withOld) {
        List<String> o1 = withOld ? List.of("o1") : List.of();
        List<String> o2 = withOld ? List.of("o2") : List.of();
        assertThat(ids(store, new Query.Term("log", "upstream"))).containsExactlyElementsOf(cat(List.of("n1", "n5"), o1));
        assertThat(ids(store, new Query.Term("log", "500 upstream"))).containsExactlyElementsOf(cat(List.of("n1"), o1));
        assertThat(ids(store, new Query.Phrase("log", "upstream timeout"))).containsExactly("n1");
        assertThat(ids(store, new Query.Phrase("log", "timeout upstream"))).isEmpty();
        assertThat(ids(store, new Query.Phrase("log", "upstream ok"))).containsExactly("n5");
        assertThat(ids(store, new Query.Wildcard("log", "UPS*"))).containsExactlyElementsOf(cat(List.of("n1", "n5"), o1));
        assertThat(ids(store, new Query.Wildcard("log", "upstream t*"))).containsExactly("n1");
        assertThat(ids(store, new Query.Regex("log", "re.*"))).containsExactlyElementsOf(cat(List.of("n3"), o1));
        assertThat(ids(store, new Query.Term("log", "refused"))).containsExactly("n3");
        assertThat(ids(store, new Query.Term("log", "raw"))).containsExactlyElementsOf(cat(List.of("n2"), o2));
        assertThat(ids(store, new Query.Term("log", "only"))).isEmpty();
        assertThat(ids(store, new Query.Range("log", "conn", "conn", true, true))).containsExactly("n3");
        assertThat(ids(store, new Query.Range("log", "raw", "raw", true, true)))
                .containsExactlyElementsOf(cat(List.of("n2"), o2));
        // exists on a text field: every document with a term of it (log kept once included; n4 has no log)
        assertThat(ids(store, new Query.Exists("log"))).containsExactlyElementsOf(cat(cat(List.of("n1", "n2", "n3",
                "n5"), o1), o2));
        assertThat(ids(store, new Query.Exists("msg"))).containsExactly("n3");
        assertThat(ids(store, Query.Bool.not(new Query.Term("log", "upstream"))))
                .containsExactlyElementsOf(cat(List.of("n2", "n3", "n4"), o2));
        // the source fields themselves and the marker's name are searched as before
        assertThat(ids(store, new Query.Term("message", "refused"))).isEmpty();
        assertThat(ids(store, new Query.Term("msg", "refused"))).containsExactly("n3");
        assertThat(ids(store, new Query.Term("message", "raw"))).isEmpty();
        assertThat(ids(store, new Query.Term("__log_from", "message"))).isEmpty();
        // bare words search every text field
        assertThat(ids(store, new Query.Term(null, "upstream"))).containsExactlyElementsOf(cat(List.of("n1", "n5"), o1));
        assertThat(ids(store, new Query.Term(null, "raw"))).containsExactlyElementsOf(cat(List.of("n2"), o2));
        assertThat(ids(store, new Query.Term(null, "only"))).containsExactly("n4");
    }

    static List<String> cat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static void assertHits(LuceneLogStore store, List<String> idsInOrder) {
        List<SearchResult.Hit> hits = store.search(SearchRequest.builder("app").size(100).sort(Sort.asc(TIME))
                .build()).hits();
        assertThat(hits).extracting(SearchResult.Hit::id).containsExactlyElementsOf(idsInOrder);
        for (SearchResult.Hit h : hits) {
            // same values, same key order
            assertThat(new ArrayList<>(h.source().entrySet())).as(h.id())
                    .containsExactlyElementsOf(expected(h.id()).entrySet());
        }
        // fields filtering and highlights see log as before
        SearchResult r = store.search(SearchRequest.builder("app").query(new Query.Term("log", "upstream"))
                .fields(List.of("log")).highlight(true).size(100).sort(Sort.asc(TIME)).build());
        for (SearchResult.Hit h : r.hits()) {
            assertThat(h.source()).containsExactly(Map.entry("log", expected(h.id()).get("log")));
            assertThat(h.highlights()).containsOnlyKeys("log");
            assertThat(h.highlights().get("log").get(0)).contains("<mark>upstream</mark>");
        }
        SearchResult bare = store.search(SearchRequest.builder("app").query(new Query.Term(null, "timeout"))
                .highlight(true).build());
        assertThat(bare.hits()).singleElement().satisfies(h -> assertThat(h.highlights()).containsOnlyKeys(
                "message", "log"));
    }

    @Test
    void theLineIsKeptOnceAndReadsAndSearchesAsIfWrittenTwice() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            assertThat(store.index("app", NEW.stream().map(DerivedLogTest::doc).toList()).allOk()).isTrue();
            store.refresh("app");
            assertHits(store, NEW);
            assertQueries(store, false);
            store.reindex("app", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertHits(store, NEW);
            assertQueries(store, false);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            IndexSearcher s = new IndexSearcher(r);
            // log is indexed only where it is not a copy
            assertThat(s.count(new TermQuery(new Term("log", "upstream")))).isZero();
            assertThat(s.count(new TermQuery(new Term("log", "raw")))).isEqualTo(1);
            assertThat(s.count(new TermQuery(new Term(DerivedLog.MARKER, "message")))).isEqualTo(1);
            assertThat(s.count(new TermQuery(new Term(DerivedLog.MARKER, "msg")))).isEqualTo(1);
            assertThat(s.count(new TermQuery(new Term(DerivedLog.MARKER, "MESSAGE")))).isEqualTo(1);
            for (int doc = 0; doc < r.maxDoc(); doc++) {
                byte[] b = r.storedFields().document(doc).getBinaryValue(DocumentMapper.SOURCE).bytes;
                String json = new String(b, StandardCharsets.UTF_8);
                assertThat(json).doesNotContain("upstream timeout\",\"level\":\"ERROR\",\"log\":\"GET");
                if (json.contains("timeout")) {
                    assertThat(json.indexOf("upstream timeout")).isEqualTo(json.lastIndexOf("upstream timeout"));
                }
            }
        }
    }

    @Test
    void documentsWrittenBeforeSearchAndReadTheSameInOneIndexWithNewOnes() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            assertThat(store.index("app", NEW.stream().map(DerivedLogTest::doc).toList()).allOk()).isTrue();
        }
        IndexSetMapping mapping = IndexSetMapping.of(SCHEMA);
        try (FSDirectory d = FSDirectory.open(dir.resolve("indices").resolve(INDEX));
             IndexWriter w = new IndexWriter(d, PhysicalIndex.config(new TextAnalyzer(), 16)
                     .setIndexSort(SearchSort.indexSort(TIME)))) {
            for (String id : OLD) {
                Document lucene = asMainWroteIt(mapping, doc(id));
                w.updateDocument(DocumentMapper.addId(lucene, id, true), lucene);
            }
        }
        List<String> all = cat(NEW, OLD);
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            assertHits(store, all);
            assertQueries(store, true);
            store.reindex("app", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertHits(store, all);
            assertQueries(store, true);
        }
    }

    @Test
    void writeAheadLogEntriesOfEitherFormReplay() throws Exception {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
        }
        IndexSetMapping mapping = IndexSetMapping.of(SCHEMA);
        List<WriteAheadLog.Entry> entries = new ArrayList<>();
        for (String id : NEW) {
            LogDocument ld = doc(id);
            entries.add(new WriteAheadLog.Entry(id, ld.timestamp().toEpochMilli(),
                    DocumentMapper.prepare(mapping, ld).source()));
        }
        for (String id : OLD) {
            // as main logged them: log written out
            Map<String, Object> source = new LinkedHashMap<>(fields(id));
            source.put(TIME, null);
            entries.add(new WriteAheadLog.Entry(id, T.plusSeconds(second(id)).toEpochMilli(), Json.write(source)));
        }
        assertThat(entries.get(0).source()[0]).isEqualTo((byte) 1);
        try (WriteAheadLog wal = new WriteAheadLog(dir.resolve("wal"))) {
            wal.appendAndSync(WriteAheadLog.encode("app", entries));
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.refresh("app");
            assertHits(store, cat(NEW, OLD));
            assertQueries(store, true);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            // replayed main-form entries are kept once too
            assertThat(new IndexSearcher(r).count(new TermQuery(new Term("log", "upstream")))).isZero();
        }
    }

    /**
     * The line kept once and a long stored once (a {@code null} placeholder filled from its doc value) in the same
     * document: its write-ahead-log entry (every value, behind the marker byte) and its stored source (placeholders,
     * behind the same byte) both read back whole, in hits, after a reindex and after a replay.
     */
    @Test
    void theLineKeptOnceAndALongStoredOnceInOneDocumentReadBackWhole() throws Exception {
        IndexSetSchema schema = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("message", FieldType.TEXT), FieldSpec.of("bytes", FieldType.LONG),
                FieldSpec.of("at", FieldType.DATE)));
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("message", "GET /a 200 upstream ok");
        f.put("bytes", 5120L);
        f.put("log", "GET /a 200 upstream ok");
        f.put("at", 1_709_287_200_000L);
        LogDocument ld = new LogDocument("c1", T, f);
        Map<String, Object> expected = new LinkedHashMap<>(f);
        expected.put(TIME, T.toEpochMilli());
        IndexSetMapping mapping = IndexSetMapping.of(schema);
        byte[] logged = DocumentMapper.prepare(mapping, ld).source();
        assertThat(logged[0]).as("marker byte").isEqualTo((byte) 1);
        assertThat(new String(logged, 1, logged.length - 1, StandardCharsets.UTF_8))
                .as("the log entry keeps every value").contains("\"bytes\":5120").contains("\"log\":null");
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(schema);
            assertThat(store.index("app", List.of(ld)).allOk()).isTrue();
            store.refresh("app");
            assertThat(onlyHit(store)).isEqualTo(expected);
            assertThat(ids(store, new Query.Range("bytes", "5000", "6000", true, true))).containsExactly("c1");
            assertThat(ids(store, new Query.Phrase("log", "upstream ok"))).containsExactly("c1");
            store.reindex("app", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertThat(onlyHit(store)).isEqualTo(expected);
        }
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(dir.resolve("indices").resolve(INDEX)))) {
            byte[] b = r.storedFields().document(0).getBinaryValue(DocumentMapper.SOURCE).bytes;
            String stored = new String(b, 1, b.length - 1, StandardCharsets.UTF_8);
            assertThat(b[0]).isEqualTo((byte) 1);
            assertThat(stored).contains("\"bytes\":null").contains("\"log\":null").contains("upstream ok");
        }
        // the same document replayed from its log entry
        Path other = dir.resolve("replay");
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(other).build()) {
            store.ensureIndexSet(schema);
        }
        try (WriteAheadLog wal = new WriteAheadLog(other.resolve("wal"))) {
            wal.appendAndSync(WriteAheadLog.encode("app", List.of(new WriteAheadLog.Entry("c1", T.toEpochMilli(),
                    logged))));
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(other).build()) {
            store.refresh("app");
            assertThat(onlyHit(store)).isEqualTo(expected);
        }
    }

    private static Map<String, Object> onlyHit(LuceneLogStore store) {
        List<SearchResult.Hit> hits = store.search(SearchRequest.builder("app").size(10).build()).hits();
        assertThat(hits).hasSize(1);
        return hits.get(0).source();
    }

    @Test
    void aDocumentMayNotBringTheMarkerField() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            var result = store.index("app", List.of(new LogDocument("x", T, Map.of("__log_from", "message"))));
            assertThat(result.allOk()).isFalse();
        }
    }
}
