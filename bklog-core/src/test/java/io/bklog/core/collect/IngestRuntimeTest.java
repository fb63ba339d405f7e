package io.bklog.core.collect;

import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.spi.BulkResult;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class IngestRuntimeTest {

    private static List<Map<String, Object>> docs(String... logs) {
        return java.util.Arrays.stream(logs).map(l -> Map.<String, Object>of("log", l)).toList();
    }

    @Test
    void platformIngestGoesThroughTheSinkAndIsSearchableWithRefresh() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            DirectIngest.Result r = p.pipeline().ingest("app", docs("a one", "b two"), true);
            assertThat(r.accepted()).isEqualTo(2);
            assertThat(r.items()).extracting(BulkResult.ItemResult::status).containsOnly(BulkResult.Status.OK);
            assertThat(p.search().search("app", io.bklog.core.search.SearchParams.of("*")).total()).isEqualTo(2);
        }
    }

    @Test
    void aRefusedDocumentOfARefreshBatchIsListedInTheDeadLettersWhenAnswered() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("app", IndexSetSpec.withFields(List.of(
                    io.bklog.spi.FieldSpec.of("client", io.bklog.spi.FieldType.IP))));
            p.pipeline().ingest("app", List.of(Map.of("log", "bad", "client", "300.1.1.1")), true);
            assertThat(p.deadLetters().list("app", 0, 10).total()).isEqualTo(1); // the dead-letter index is open now
            DirectIngest.Result r = p.pipeline().ingest("app", List.of(Map.of("log", "good", "client", "10.0.0.1"),
                    Map.of("log", "bad too", "client", "300.1.1.2")), true);
            assertThat(r.items()).extracting(BulkResult.ItemResult::status)
                    .containsExactly(BulkResult.Status.OK, BulkResult.Status.REJECTED);
            // no wait: the UI lists the dead letters right after the answer, not after the next periodic refresh
            assertThat(p.deadLetters().list("app", 0, 10).total()).isEqualTo(2);
        }
    }

    @Test
    void answersIngestBusyWhenTheSinkQueueIsFullAndCloseDrainsWhatWasAccepted() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            IngestRuntime rt = IngestRuntime.start(p.ingest(), p.internals().store(), null, p.clock(),
                    BatchingSink.builder(p.internals().store()).maxDocs(5).queueCapacityDocs(5).linger(Duration.ofHours(1))
                            .name("test"));
            CompletableFuture<DirectIngest.Result> first = CompletableFuture.supplyAsync(
                    () -> rt.ingest("app", docs("x1", "x2", "x3"), false));
            await().atMost(Duration.ofSeconds(10)).until(() -> rt.sink().queuedDocuments() == 3);

            assertThatThrownBy(() -> rt.ingest("app", docs("y1", "y2", "y3"), false))
                    .isInstanceOfSatisfying(BklogException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INGEST_BUSY);
                        assertThat(e.code().httpStatus()).isEqualTo(429);
                        assertThat((Long) e.details().get("retry_after_seconds")).isPositive();
                    });

            rt.close();
            DirectIngest.Result r = first.join();
            assertThat(r.accepted()).isEqualTo(3);
            p.internals().store().refresh("app");
            assertThat(p.search().search("app", io.bklog.core.search.SearchParams.of("*")).total()).isEqualTo(3);
        }
    }
}
