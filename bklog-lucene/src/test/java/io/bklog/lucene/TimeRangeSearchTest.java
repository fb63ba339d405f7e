package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A search for every document of a time range with its date histogram (the search screen's first request) is
 * answered from the time field's points (StoreSearcher's time-range-only path): it must give exactly what the
 * general path gives, which a query matching the same documents (an exists query on the time field) forces.
 */
class TimeRangeSearchTest {
    static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("gseIndex", FieldType.LONG), FieldSpec.of("iterationIndex", FieldType.LONG),
            FieldSpec.of("serverIp", FieldType.KEYWORD)));
    static final Instant T0 = Instant.parse("2024-03-01T18:00:00Z");

    @TempDir
    Path dir;

    @Test
    void theTimeRangeOnlySearchAnswersAsTheGeneralOne() {
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir).build()) {
            store.ensureIndexSet(SCHEMA);
            Random rnd = new Random(7);
            int id = 0;
            // three batches (segments) over two days (two daily indices), times out of order, equal times too
            for (int batch = 0; batch < 3; batch++) {
                List<LogDocument> docs = new ArrayList<>();
                for (int i = 0; i < 400; i++, id++) {
                    Instant t = T0.plusMillis(rnd.nextInt(12 * 3600) * 1000L);
                    docs.add(new LogDocument("d" + id, t, Map.of("log", "line " + id, "gseIndex", id % 40,
                            "iterationIndex", id % 3, "serverIp", "10.0.0." + (id % 5))));
                }
                store.index("app", docs);
                store.refresh("app");
            }
            assertThat(store.listIndices("app")).hasSize(2);
            List<Sort> uiSort = List.of(Sort.desc(TIME), Sort.desc("gseIndex"), Sort.desc("iterationIndex"));
            for (Instant[] range : List.of(new Instant[] {T0.plusSeconds(1800), T0.plusSeconds(9 * 3600 + 7)},
                    new Instant[] {T0.minusSeconds(3600), T0.plusSeconds(13 * 3600)},
                    new Instant[] {T0.plusSeconds(5 * 3600), T0.plusSeconds(5 * 3600 + 1)})) {
                for (Aggregation histogram : List.of(Aggregation.DateHistogram.auto(TIME, 60),
                        Aggregation.DateHistogram.fixed(TIME, Duration.ofMinutes(17)))) {
                    SearchRequest fast = SearchRequest.builder("app").timeRange(range[0], range[1]).sort(uiSort)
                            .offset(20).size(50).highlight(true).aggregation("h", histogram).build();
                    SearchRequest general = fast.toBuilder().query(new Query.Exists(TIME)).build();
                    SearchResult a = store.search(fast);
                    SearchResult b = store.search(general);
                    assertThat(a.total()).isEqualTo(b.total());
                    assertThat(a.aggregations()).isEqualTo(b.aggregations());
                    assertThat(a.hits()).isEqualTo(b.hits());
                    if (!a.hits().isEmpty()) { // the next page by search_after too
                        List<Object> after = a.hits().get(a.hits().size() - 1).sortValues();
                        SearchResult c = store.search(fast.toBuilder().offset(0).size(30).searchAfter(after).build());
                        SearchResult d = store.search(general.toBuilder().offset(0).size(30).searchAfter(after).build());
                        assertThat(c.hits()).isEqualTo(d.hits());
                        assertThat(c.total()).isEqualTo(d.total());
                    }
                }
            }
            SearchResult all = store.search(SearchRequest.builder("app").timeRange(T0.minusSeconds(1), T0.plusSeconds(86400))
                    .size(0).aggregation("h", Aggregation.DateHistogram.auto(TIME, 60)).build());
            assertThat(all.total()).isEqualTo(1200);
            assertThat(((io.bklog.spi.query.AggregationResult.HistogramResult) all.aggregations().get("h")).buckets()
                    .stream().mapToLong(io.bklog.spi.query.AggregationResult.TimeBucket::count).sum()).isEqualTo(1200);
        }
    }
}
