package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Sort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

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
}
