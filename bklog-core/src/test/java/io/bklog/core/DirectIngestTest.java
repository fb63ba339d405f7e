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
    void theLogLineOfACrlfFileIsStoredWithoutItsCarriageReturn() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        List<io.bklog.spi.LogDocument> docs = platform.ingest().documents("app", List.of(
                Map.of("log", "GET /index.html 200\r"), Map.of("log", "line\r\n", "msg", "kept\r")));
        assertThat(docs).extracting(d -> d.fields().get("log")).containsExactly("GET /index.html 200", "line");
        assertThat(docs.get(1).fields()).containsEntry("msg", "kept\r"); // other fields are the client's data
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
    void fieldsTheIndexSetDoesNotMapAreMappedOnFirstSightAndSearchable() {
        platform.indexSets().create("app", IndexSetSpec.defaults());
        DirectIngest.Result r = platform.ingest().ingest("app", List.of(Map.of("log", "x", "level", "ERROR",
                "pid", 4242, "took", 0.5, "ok", false, "client", "10.1.2.3", "at", "2024-05-01T11:00:00Z",
                "message", "connection refused by upstream", "k8s", Map.of("pod", "web-1"))), true);
        assertThat(r.accepted()).isEqualTo(1);
        Map<String, io.bklog.spi.FieldType> types = new java.util.HashMap<>();
        platform.indexSets().get("app").fields().forEach(f -> types.put(f.name(), f.type()));
        assertThat(types).containsEntry("level", io.bklog.spi.FieldType.KEYWORD)
                .containsEntry("pid", io.bklog.spi.FieldType.LONG).containsEntry("took", io.bklog.spi.FieldType.DOUBLE)
                .containsEntry("ok", io.bklog.spi.FieldType.BOOLEAN).containsEntry("client", io.bklog.spi.FieldType.IP)
                .containsEntry("at", io.bklog.spi.FieldType.DATE).containsEntry("message", io.bklog.spi.FieldType.TEXT)
                .containsEntry("k8s.pod", io.bklog.spi.FieldType.KEYWORD);
        for (String q : List.of("level:ERROR", "pid:4242", "pid:>4000", "took:0.5", "ok:false", "client:10.1.2.3",
                "message:refused", "k8s.pod:web-1", "at:[2024-05-01T10:00:00Z TO 2024-05-01T12:00:00Z]")) {
            assertThat(platform.search().search("app", SearchParams.of(q)).total()).as(q).isEqualTo(1);
        }
        // a later value of the wrong type is refused, naming the field and the mapped type
        assertThatThrownBy(() -> platform.ingest().ingest("app", List.of(Map.of("log", "y", "pid", "abc")), true))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("[0].pid"))
                .hasMessageContaining("expected a long");
    }

    @Test
    void dynamicStrictRefusesUnmappedFieldsAndFalseKeepsThemUnsearchable() {
        platform.indexSets().create("strict_set", new IndexSetSpec(null, null, null, null, null, null, null,
                "strict"));
        assertThatThrownBy(() -> platform.ingest().ingest("strict_set", List.of(Map.of("log", "x", "level", "INFO")),
                true)).isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_DOCUMENT);
                    assertThat(e.field()).contains("[0].level");
                }).hasMessageContaining("dynamic is strict");
        platform.indexSets().create("loose", new IndexSetSpec(null, null, null, null, null, null, null, "false"));
        assertThat(platform.ingest().ingest("loose", List.of(Map.of("log", "x", "level", "INFO")), true).accepted())
                .isEqualTo(1);
        assertThat(platform.indexSets().get("loose").fields()).extracting(io.bklog.spi.FieldSpec::name)
                .doesNotContain("level");
        assertThat(platform.search().search("loose", SearchParams.of("*")).hits().get(0).source())
                .containsEntry("level", "INFO");
        assertThatThrownBy(() -> platform.indexSets().create("bad_dyn", new IndexSetSpec(null, null, null, null,
                null, null, null, "sometimes"))).isInstanceOf(BklogException.class)
                .hasMessageContaining("dynamic must be true, strict or false");
    }

    @Test
    void moreFieldsThanTheLimitIsAClearErrorAndNothingIsStored() {
        platform.indexSets().create("wide", IndexSetSpec.defaults());
        Map<String, Object> doc = new java.util.HashMap<>();
        for (int i = 0; i < io.bklog.core.indexset.IndexSetService.MAX_FIELDS + 1; i++) doc.put("f" + i, "v");
        assertThatThrownBy(() -> platform.ingest().ingest("wide", List.of(doc), true))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_DOCUMENT))
                .hasMessageContaining("past the limit of " + io.bklog.core.indexset.IndexSetService.MAX_FIELDS);
        platform.internals().store().refresh("wide");
        assertThat(platform.search().search("wide", SearchParams.of("*")).total()).isZero();
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
        platform.internals().store().refresh("app");
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
        platform.internals().store().refresh("app");
        assertThat(platform.search().search("app", SearchParams.of("*")).total()).isZero();
    }
}
