package io.bklog.core;

import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.BulkResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectIngestTest {
    private static final Instant NOW = Instant.parse("2024-05-01T12:00:00Z");
    private final LogPlatform platform = LogPlatform.builder().clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();

    @AfterEach
    void close() {
        platform.close();
    }

    @Test
    void identicalEventsAreDistinctDocumentsEachReportedPerItem() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        // two identical lines in one batch, as a repeated error logs them
        List<Map<String, Object>> batch = List.of(Map.of("log", "a"), Map.of("log", "a"),
                Map.of("log", "b", "dtEventTimeStamp", 1L));
        DirectIngest.Result first = platform.ingest().ingest("app", batch, true);
        assertThat(first.items()).extracting(BulkResult.ItemResult::status).containsOnly(BulkResult.Status.OK);
        assertThat(first.accepted()).isEqualTo(3);
        assertThat(first.errors()).isFalse();
        assertThat(first.items()).extracting(BulkResult.ItemResult::id).doesNotHaveDuplicates();
        DirectIngest.Result again = platform.ingest().ingest("app", batch, true);
        assertThat(again.items()).extracting(BulkResult.ItemResult::id)
                .doesNotContainAnyElementsOf(first.items().stream().map(BulkResult.ItemResult::id).toList());
        assertThat(platform.search().search("app", SearchParams.of("log:a")).total()).isEqualTo(4);
        assertThat(platform.search().search("app", SearchParams.of("*")).total()).isEqualTo(6);
    }

    @Test
    void aBatchWithAnIdempotencyKeySentTwiceIsStoredOnce() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        List<Map<String, Object>> batch = List.of(Map.of("log", "a"), Map.of("log", "a"));
        List<String> first = platform.ingest().documents("app", batch, "req-7f3a").stream()
                .map(io.bklog.spi.LogDocument::id).toList();
        List<String> again = platform.ingest().documents("app", batch, "req-7f3a").stream()
                .map(io.bklog.spi.LogDocument::id).toList();
        assertThat(first).doesNotHaveDuplicates().isEqualTo(again);
        assertThat(platform.ingest().documents("app", batch, "req-other").stream()
                .map(io.bklog.spi.LogDocument::id).toList()).doesNotContainAnyElementsOf(first);
    }

    @Test
    void aFieldNamedLikeAMetadataFieldRefusesTheBatchBeforeAnythingIsStored() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        for (String reserved : List.of("_id", "_source", "_index")) {
            assertThatThrownBy(() -> platform.ingest().ingest("app", List.of(Map.of("log", "ok"),
                    Map.of("log", "x", reserved, "1")), true))
                    .isInstanceOfSatisfying(BklogException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_DOCUMENT);
                        assertThat(e.field()).contains("[1]." + reserved);
                    })
                    .hasMessageContaining("'" + reserved + "', a metadata field");
        }
        platform.store().refresh("app");
        assertThat(platform.search().search("app", SearchParams.of("*")).total()).isZero();
    }

    @Test
    void flattensNestedObjectsAndStampsMissingTimesWithTheIngestTime() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        platform.ingest().ingest("app", List.of(Map.of("log", "x", "k8s", Map.of("pod", "web-1"))), true);
        Map<String, Object> source = platform.search().search("app", SearchParams.of("*")).hits().get(0).source();
        assertThat(source).containsEntry("k8s.pod", "web-1").containsEntry("dtEventTimeStamp", NOW.toEpochMilli());
    }

    @Test
    void anInvalidItemRefusesTheWholeBatchAndStoresNothing() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        assertThatThrownBy(() -> platform.ingest().ingest("app", List.of(Map.of("log", "ok"),
                Map.of("log", "bad", "gseIndex", "seven")), true))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_DOCUMENT);
                    assertThat(e.field()).contains("[1].gseIndex");
                })
                .hasMessageContaining("item 1").hasMessageContaining("expected a long");
        platform.store().refresh("app");
        assertThat(platform.search().search("app", SearchParams.of("*")).total()).isZero();
    }
}
