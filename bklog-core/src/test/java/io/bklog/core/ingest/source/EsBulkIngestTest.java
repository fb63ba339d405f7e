package io.bklog.core.ingest.source;

import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.core.memory.InProcessIngestBuffer;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EsBulkIngestTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> item(Map<String, Object> resp, int i) {
        Map<String, Object> wrapper = ((List<Map<String, Object>>) resp.get("items")).get(i);
        return (Map<String, Object>) wrapper.values().iterator().next();
    }

    @Test
    void ingestsItemsAndAnswersPerItemInTheElasticsearchShape() {
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(100);
        IngestBuffer.Consumer c = buffer.consumer("test");
        EtlConfig json = EtlConfig.of("json", EtlParams.builder().retainExtraJson(true).build(),
                List.of(EtlField.of("msg", "string")));
        try (IngestPipeline app = IngestPipeline.builder("app").etl(json).buffer(buffer).build()) {
            EsBulkIngest bulk = new EsBulkIngest(name -> name.equals("app") ? Optional.of(app) : Optional.empty(),
                    Clock.systemUTC());
            String body = """
                    {"index":{"_index":"app","_id":"a1"}}
                    {"msg":"one"}
                    {"create":{}}
                    {"msg":"two","extra":{"k":1}}
                    {"index":{"_index":"nope"}}
                    {"msg":"three"}
                    {"delete":{"_index":"app","_id":"a1"}}
                    """;
            Map<String, Object> resp = bulk.handle(body, "app");
            assertThat(resp).containsEntry("errors", true).containsKey("took");
            assertThat(item(resp, 0)).containsEntry("_id", "a1").containsEntry("status", 201).containsEntry("result", "created");
            assertThat(item(resp, 1)).containsEntry("status", 201).containsEntry("_index", "app");
            assertThat((String) item(resp, 1).get("_id")).hasSize(32);
            assertThat(item(resp, 2)).containsEntry("status", 404);
            assertThat((Map<String, Object>) item(resp, 2).get("error")).containsEntry("type", "index_not_found_exception");
            assertThat((Map<String, Object>) item(resp, 3).get("error")).containsEntry("type", "illegal_argument_exception");
        }
        List<BufferedDocument> docs = c.poll(10, Duration.ofSeconds(1));
        assertThat(docs).hasSize(2);
        assertThat(docs.get(0).document().id()).isEqualTo("a1");
        assertThat(docs).anySatisfy(d -> assertThat(d.document().fields()).containsEntry("__ext_json.extra.k", 1L));
    }

    @Test
    void refusesTheWholeRequestOnAMalformedActionLine() {
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{}}\n{}\nnot json\n", "x"))
                .hasMessageContaining("_bulk line 3");
        assertThatThrownBy(() -> EsBulkIngest.parse("{\"index\":{}}\n", "x")).hasMessageContaining("without a source line");
    }

    @Test
    void answers429PerItemWhenTheBufferIsFull() {
        InProcessIngestBuffer buffer = new InProcessIngestBuffer(1);
        try (IngestPipeline app = IngestPipeline.builder("app").buffer(buffer).build()) {
            EsBulkIngest bulk = new EsBulkIngest(name -> Optional.of(app), Clock.systemUTC());
            bulk.handle("{\"index\":{}}\n{\"a\":1}\n{\"index\":{}}\n{\"a\":2}\n", "app"); // refused by buffer → spilled
            Map<String, Object> resp = bulk.handle("{\"index\":{}}\n{\"a\":3}\n", "app");
            assertThat(resp).containsEntry("errors", true);
            assertThat(item(resp, 0)).containsEntry("status", 429);
        }
    }
}
