package io.bklog.core.collect;

import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.BufferDrainer;
import io.bklog.core.ingest.IngestMetrics;
import io.bklog.core.ingest.source.EsBulkService;
import io.bklog.core.ingest.source.EsIndexMapping;
import io.bklog.core.memory.InProcessIngestBuffer;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.SearchResult;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Request ingest (HTTP JSON, {@code _bulk}) with an ingest buffer configured goes through the front door into the
 * buffer like every line source: answered once the buffer holds it, stored by a drainer, 429 when the buffer is full,
 * retryable when the buffer fails to take the batch.
 */
class IngestRuntimeBufferTest {

    private static List<Map<String, Object>> docs(String... logs) {
        return java.util.Arrays.stream(logs).map(l -> Map.<String, Object>of("log", l)).toList();
    }

    private static long total(LogPlatform p, String query) {
        p.internals().store().refresh("app");
        return p.search().search("app", SearchParams.of(query)).total();
    }

    private static BatchingSink.Builder sink(LogPlatform p, IngestMetrics metrics) {
        return BatchingSink.builder(p.internals().store()).linger(Duration.ofMillis(10)).metrics(metrics).name("buffer-test");
    }

    @Test
    void requestIngestIsAcknowledgedOnceInTheBufferAndStoredOnlyWhenADrainerMovesIt() {
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(100);
        try (LogPlatform p = LogPlatform.builder().build();
             IngestRuntime rt = IngestRuntime.startWithoutDrainer(p.ingest(), p.internals().store(), buffer, p.clock(),
                     sink(p, new IngestMetrics(meters)))) {
            p.indexSets().put("app", IndexSetSpec.defaults());

            DirectIngest.Result json = rt.ingest("app", docs("json one", "json two", "json three"), false, 120, null);
            assertThat(json.items()).extracting(BulkResult.ItemResult::status).containsOnly(BulkResult.Status.OK);
            assertThat(json.accepted()).isEqualTo(3);
            EsBulkService bulk = new EsBulkService(p.indexSets(), p.ingest(), rt, EsIndexMapping.none());
            EsBulkService.Response es = bulk.bulk("{\"index\":{\"_id\":\"es-1\"}}\n{\"message\":\"bulk one\"}\n"
                    + "{\"index\":{}}\n{\"message\":\"bulk two\"}\n", "app", false, s -> true);
            assertThat(es.errors()).isFalse();

            assertThat(buffer.size()).as("every acknowledged item is in the buffer").isEqualTo(5);
            assertThat(buffer.pending(BufferDrainer.GROUP)).isEqualTo(5);
            assertThat(total(p, "*")).as("nothing reaches the store without a drainer").isZero();
            assertThat(meters.get("bklog.ingest.lines").tag("index_set", "app").counter().count())
                    .as("counted as received when the buffer took them").isEqualTo(5);
            assertThat(meters.get("bklog.ingest.bytes").tag("index_set", "app").counter().count()).isGreaterThan(120);

            try (BufferDrainer drainer = new BufferDrainer(buffer, rt.sink())) {
                await().atMost(Duration.ofSeconds(10)).until(() -> buffer.pending(BufferDrainer.GROUP) == 0
                        && total(p, "*") == 5);
            }
            List<String> ids = new ArrayList<>(json.items().stream().map(BulkResult.ItemResult::id).toList());
            ids.add("es-1");
            assertThat(p.search().search("app", SearchParams.of("*")).hits())
                    .extracting(SearchResult.Hit::id).as("stored under the acknowledged ids").containsAll(ids);
        }
    }

    @Test
    void answersIngestBusyAndTakesNothingWhenTheBufferIsFull() {
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(4);
        try (LogPlatform p = LogPlatform.builder().build();
             IngestRuntime rt = IngestRuntime.startWithoutDrainer(p.ingest(), p.internals().store(), buffer, p.clock(),
                     sink(p, IngestMetrics.noop()))) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            assertThat(rt.ingest("app", docs("a", "b", "c"), false).accepted()).isEqualTo(3);

            assertThatThrownBy(() -> rt.ingest("app", docs("d", "e"), false))
                    .isInstanceOfSatisfying(BklogException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INGEST_BUSY);
                        assertThat(e.code().httpStatus()).isEqualTo(429);
                        assertThat((Long) e.details().get("retry_after_seconds")).isPositive();
                        assertThat(e.getMessage()).contains("in-process ingest buffer is full")
                                .contains("nothing of this batch was taken");
                    });
            assertThat(buffer.size()).as("nothing of the refused batch was taken").isEqualTo(3);

            EsBulkService bulk = new EsBulkService(p.indexSets(), p.ingest(), rt, EsIndexMapping.none());
            EsBulkService.Response es = bulk.bulk("{\"index\":{}}\n{\"message\":\"x\"}\n{\"index\":{}}\n"
                    + "{\"message\":\"y\"}\n", "app", false, s -> true);
            assertThat(es.errors()).isTrue();
            assertThat(es.retryAfterSeconds()).isPresent();
            assertThat(buffer.size()).isEqualTo(3);
        }
    }

    @Test
    void answersEveryItemRetryableWithTheReasonWhenTheBufferFailsToTakeTheBatch() {
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(100);
        try (LogPlatform p = LogPlatform.builder().build();
             IngestRuntime rt = IngestRuntime.startWithoutDrainer(p.ingest(), p.internals().store(), buffer, p.clock(),
                     sink(p, IngestMetrics.noop()))) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            buffer.close();
            DirectIngest.Result r = rt.ingest("app", docs("a", "b"), false);
            assertThat(r.accepted()).isZero();
            assertThat(r.retryable()).isEqualTo(2);
            assertThat(r.items()).allSatisfy(i -> {
                assertThat(i.status()).isEqualTo(BulkResult.Status.RETRYABLE);
                assertThat(i.reason()).contains("ingest buffer (memory) did not take the batch").contains("closed");
            });
        }
    }

    @Test
    void refreshWithABufferWaitsForTheDrainerAndAnswersAnItemTheStoreRefusedAsRejected() {
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(100);
        try (LogPlatform p = LogPlatform.builder().ingestBuffer(buffer).build()) {
            p.indexSets().put("app", IndexSetSpec.withFields(List.of(FieldSpec.of("client", FieldType.IP))));
            assertThat(p.pipeline().buffer()).contains(buffer);

            DirectIngest.Result r = p.pipeline().ingest("app", List.of(Map.of("log", "good", "client", "10.0.0.1"),
                    Map.of("log", "bad", "client", "not an address")), true);

            assertThat(r.items().get(0).status()).isEqualTo(BulkResult.Status.OK);
            assertThat(r.items().get(1).status()).isEqualTo(BulkResult.Status.REJECTED);
            assertThat(r.items().get(1).reason()).contains("not an address").contains("dead letters");
            assertThat(p.search().search("app", SearchParams.of("*")).hits()).as("searchable when answered")
                    .extracting(SearchResult.Hit::id).containsExactly(r.items().get(0).id());
            assertThat(p.deadLetters().list("app", 0, 10).total()).as("the refused one listed when answered")
                    .isEqualTo(1);
            // the drainer commits the buffer's records after the store answered them: soon after, not before the answer
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(buffer.pending(BufferDrainer.GROUP)).isZero());
        }
    }
}
