package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Sort;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The platform's 128-bit hex ids are stored packed: replaced by id, returned, sorted and paged as their text. */
class PackedIdsTest {
    static final Instant T = Instant.parse("2024-03-01T00:00:00Z");
    static final String A = "00000000000000000000000000000001";
    static final String B = "7f3a9c0000000000000000000000abcd";
    static final String C = "ffffffffffffffffffffffffffffffff";

    @TempDir
    Path dir;

    @Test
    void onlyLowerCaseHexIdsOf32DigitsArePackedAndEveryIdReadsBack() {
        java.util.Random random = new java.util.Random(26);
        String digits = "0123456789abcdefABCDEFg-";
        for (int n = 0; n < 20_000; n++) {
            int len = 30 + random.nextInt(5);
            StringBuilder id = new StringBuilder();
            boolean lowerHex = len == 32;
            for (int i = 0; i < len; i++) {
                // mostly lower-case hex digits, so most 32-character ids are packable
                char c = digits.charAt(random.nextInt(random.nextInt(50) == 0 ? digits.length() : 16));
                lowerHex &= (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                id.append(c);
            }
            org.apache.lucene.util.BytesRef b = DocumentMapper.idBytes(id.toString(), true);
            assertThat(DocumentMapper.isPacked(b)).as(id.toString()).isEqualTo(lowerHex);
            assertThat(DocumentMapper.idString(b)).isEqualTo(id.toString());
            if (lowerHex) {
                assertThat(java.util.Arrays.copyOfRange(b.bytes, b.offset + 1, b.offset + 17))
                        .isEqualTo(java.util.HexFormat.of().parseHex(id));
            }
            assertThat(DocumentMapper.isPacked(DocumentMapper.idBytes(id.toString(), false))).isFalse();
        }
    }

    @Test
    void hexIdsRoundTripReplaceAndSortAsText() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT))));
            List<LogDocument> docs = new ArrayList<>();
            for (String id : List.of(C, A, B, "B7F3A9C0000000000000000000000ABC", "plain-id")) {
                docs.add(new LogDocument(id, T, Map.of("log", "first " + id)));
            }
            assertThat(store.index("app", docs).allOk()).isTrue();
            // the same ids again replace the documents
            assertThat(store.index("app", List.of(new LogDocument(B, T, Map.of("log", "second"))))
                    .allOk()).isTrue();
            store.refresh("app");
            assertThat(store.listIndices("app").stream().mapToLong(IndexInfo::docCount).sum()).isEqualTo(5);

            SearchRequest.Builder req = SearchRequest.builder("app").size(2).sort(Sort.desc("dtEventTimeStamp"));
            List<String> order = new ArrayList<>();
            List<Object> after = null;
            for (int page = 0; page < 3; page++) {
                SearchResult r = store.search(req.searchAfter(after).build());
                for (SearchResult.Hit h : r.hits()) {
                    order.add(h.id());
                    after = h.sortValues();
                }
            }
            // equal times: ties by id, hex ids as their text among themselves, after the other ids
            assertThat(order).containsExactly("B7F3A9C0000000000000000000000ABC", "plain-id", A, B, C);
            SearchResult b = store.search(SearchRequest.builder("app")
                    .query(new io.bklog.spi.query.Query.Term("log", "second")).build());
            assertThat(b.hits()).extracting(SearchResult.Hit::id).containsExactly(B);
        }
    }

    @Test
    void aCursorPagesAcrossATimeTieInAnIndexWrittenBeforePackedIds() throws IOException {
        IndexSetSchema schema = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT)));
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(schema);
            assertThat(store.index("app", List.of(new LogDocument("seed", T, Map.of("log", "seed")))).allOk())
                    .isTrue();
        }
        // the index as written before packed ids: its commit does not say "packed", so it keeps ids as text
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path segments : files.filter(f -> f.getFileName().toString().startsWith("segments_")).toList()) {
                try (Directory d = FSDirectory.open(segments.getParent());
                     IndexWriter w = new IndexWriter(d, new IndexWriterConfig())) {
                    w.setLiveCommitData(Map.<String, String>of().entrySet());
                    w.commit();
                }
            }
        }
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            List<LogDocument> docs = new ArrayList<>();
            for (String id : List.of(C, A, B, "~x")) docs.add(new LogDocument(id, T, Map.of("log", "line " + id)));
            assertThat(store.index("app", docs).allOk()).isTrue();
            store.refresh("app");
            List<String> order = new ArrayList<>();
            List<Object> after = null;
            for (int page = 0; page < 6; page++) {
                SearchResult r = store.search(SearchRequest.builder("app").size(1).searchAfter(after).build());
                for (SearchResult.Hit h : r.hits()) {
                    order.add(h.id());
                    after = h.sortValues();
                }
            }
            // all at the same time: by id as stored, text (UTF-8) order, each once
            assertThat(order).containsExactly(A, B, C, "seed", "~x");
        }
    }
}
