package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.query.Query;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A day restored from a snapshot is found by a search over its time range, as the original was. */
class RestoredTimeRangeTest {
    @TempDir
    Path dir;

    @Test
    void aRestoredDayIsFoundByItsTimeRange() {
        Instant day = Instant.parse("2026-11-06T00:00:00Z");
        Instant at = day.plusSeconds(22 * 3600 + 42 * 60); // late in the day, inside the range
        try (LuceneLogStore store = LuceneLogStore.builder().dataDir(dir.resolve("data")).build()) {
            store.ensureIndexSet(IndexSetSchema.of("app", List.of(
                    FieldSpec.of("log", FieldType.TEXT), FieldSpec.of("gseIndex", FieldType.LONG),
                    FieldSpec.of("iterationIndex", FieldType.LONG), FieldSpec.of("dtEventTimeStamp", FieldType.DATE))));
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                docs.add(new LogDocument("d" + i, at.plusMillis(i), Map.of("log", "archived line " + i,
                        "gseIndex", (long) i, "iterationIndex", 0L, "dtEventTimeStamp", at.plusMillis(i).toEpochMilli())));
            }
            assertThat(store.index("app", docs).allOk()).isTrue();
            store.refresh("app");
            SearchRequest r = SearchRequest.builder("app").query(new Query.Term("log", "archived"))
                    .timeRange(day, day.plusSeconds(23 * 3600)).size(10).build();
            assertThat(store.search(r).total()).as("original").isEqualTo(3);
            String index = store.listIndices("app").get(0).name();
            DirectorySnapshotRepository repo = DirectorySnapshotRepository.builder().path(dir.resolve("snap"))
                    .store(store).build();
            repo.create("s1", List.of(index), SnapshotRepository.ProgressListener.NONE);
            store.deleteIndices(List.of(index));
            repo.restore("s1", List.of(index), "restore_", SnapshotRepository.ProgressListener.NONE);
            store.refresh("app");
            assertThat(store.search(SearchRequest.builder("app").size(10).build()).total()).as("all").isEqualTo(3);
            assertThat(store.search(r).total()).as("restored, by time range").isEqualTo(3);
            SearchRequest h = SearchRequest.builder("app").query(new Query.Term("log", "archived"))
                    .timeRange(day, day.plusSeconds(23 * 3600)).size(50)
                    .aggregation("histogram", io.bklog.spi.query.Aggregation.DateHistogram.auto("dtEventTimeStamp", 60))
                    .build();
            assertThat(store.search(h).total()).as("restored, with a histogram").isEqualTo(3);
            SearchRequest all = SearchRequest.builder("app").timeRange(day, day.plusSeconds(23 * 3600)).size(50)
                    .aggregation("histogram", io.bklog.spi.query.Aggregation.DateHistogram.auto("dtEventTimeStamp", 60))
                    .build();
            assertThat(store.search(all).total()).as("restored, match all with a histogram").isEqualTo(3);
        }
    }
}
