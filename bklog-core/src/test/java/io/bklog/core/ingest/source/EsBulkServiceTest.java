package io.bklog.core.ingest.source;

import io.bklog.core.LogPlatform;
import io.bklog.core.collect.IngestRuntime;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class EsBulkServiceTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> item(EsBulkService.Response r, int i) {
        Map<String, Object> wrapper = ((List<Map<String, Object>>) r.body().get("items")).get(i);
        return (Map<String, Object>) wrapper.values().iterator().next();
    }

    @SuppressWarnings("unchecked")
    private static String errorType(EsBulkService.Response r, int i) {
        return (String) ((Map<String, Object>) item(r, i).get("error")).get("type");
    }

    private static EsBulkService service(LogPlatform p, IngestRuntime rt, EsIndexMapping m) {
        return new EsBulkService(p.indexSets(), p.ingest(), rt, m);
    }

    @Test
    void aCreatedItemIsWrittenAsTheMapItReadsAs() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper();
        EsBulkService.CreatedItem item = new EsBulkService.CreatedItem("create", "app-\u00e9", "id\"1\\");
        java.io.StringWriter w = new java.io.StringWriter();
        try (com.fasterxml.jackson.core.JsonGenerator g = mapper.getFactory().createGenerator(w)) {
            item.write(g);
        }
        assertThat(w.toString()).isEqualTo(mapper.writeValueAsString(new LinkedHashMap<>(item)));
        assertThat(item.get("create")).isEqualTo(Map.of("_index", "app-\u00e9", "_id", "id\"1\\", "_version", 1,
                "result", "created", "_shards", Map.of("total", 1, "successful", 1, "failed", 0), "_seq_no", 0,
                "_primary_term", 1, "status", 201));
    }

    @Test
    void mapsIndexNamesToIndexSetsByNamePatternDataStreamVersionAndDefault() {
        Map<String, String> patterns = new LinkedHashMap<>();
        patterns.put("rsyslog-*", "syslog");
        patterns.put("broken-*", "missing_set");
        EsIndexMapping m = new EsIndexMapping(patterns, "app");
        var sets = java.util.Set.of("app", "syslog", "nginx_access", "filebeat");
        assertThat(m.resolve("app", sets::contains).indexSet()).contains("app");
        assertThat(m.resolve("rsyslog-2026.12.05", sets::contains).indexSet()).contains("syslog");
        assertThat(m.resolve("logs-nginx.access-default", sets::contains).indexSet()).contains("nginx_access");
        assertThat(m.resolve("filebeat-8.19.0", sets::contains).indexSet()).contains("filebeat");
        assertThat(m.resolve("whatever", sets::contains).indexSet()).contains("app");
        assertThat(m.resolve("broken-1", sets::contains).reason()).contains("missing_set").contains("broken-*");
        assertThat(EsIndexMapping.none().resolve("whatever", sets::contains).reason())
                .contains("no such index [whatever]").contains("default_index_set");
    }

    @Test
    void aFieldAddedToAStrictSetOnAnotherInstanceIsTakenAtOnceNotRefusedFromAStaleRead() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            List<FieldSpec> fields = List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("dtEventTimeStamp", FieldType.DATE));
            p.indexSets().put("app", new IndexSetSpec(null, fields, null, null, null, null, null, "strict"));
            EsBulkService bulk = service(p, p.pipeline(), EsIndexMapping.none());
            String body = "{\"index\":{\"_index\":\"app\"}}\n{\"log\":\"a\",\"code\":\"E1\"}\n";
            assertThat(item(bulk.bulk(body, null, true, s -> true), 0)).containsEntry("status", 400); // read now
            // another instance on the same metadata database adds the field
            io.bklog.core.indexset.IndexSetService other = new io.bklog.core.indexset.IndexSetService(
                    p.internals().metadata().indexSets(), p.internals().topology(), p.indexSets().get("app").spaceUid());
            List<FieldSpec> more = new java.util.ArrayList<>(fields);
            more.add(FieldSpec.of("code", FieldType.KEYWORD));
            other.update("app", new IndexSetSpec(null, more, null, null, null, null, null, "strict"));
            // within the cache's second: the refusal reads the set again instead of answering a final 400
            EsBulkService.Response r = bulk.bulk(body, null, true, s -> true);
            assertThat(item(r, 0)).containsEntry("status", 201);
            assertThat(p.search().search("app", SearchParams.of("code:E1")).total()).isEqualTo(1);
        }
    }

    @Test
    void aSourceLineWithASecondObjectAfterTheFirstIsRefusedNotHalfStored() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            EsBulkService bulk = service(p, p.pipeline(), EsIndexMapping.none());
            String body = "{\"index\":{\"_index\":\"app\"}}\n{\"log\":\"first\"} {\"log\":\"second\"}\n";
            EsBulkService.Response r = bulk.bulk(body, null, true, s -> true);
            assertThat(item(r, 0)).containsEntry("status", 400);
            assertThat(errorType(r, 0)).isEqualTo("document_parsing_exception");
            assertThat(p.search().search("app", SearchParams.of("*")).total()).isZero();
        }
    }

    @Test
    void storesValidItemsAndAnswersEachBadOneInTheElasticsearchShape() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("app", IndexSetSpec.withFields(List.of(FieldSpec.of("status", FieldType.LONG))));
            EsBulkService bulk = service(p, p.pipeline(), EsIndexMapping.none());
            String body = """
                    {"index":{"_index":"app","_id":"given-1"}}
                    {"@timestamp":"2026-12-05T10:00:00Z","message":"GET /a 200","status":200}
                    {"create":{"_index":"logs-app-default"}}
                    {"@timestamp":"2026-12-05T10:00:01Z","message":"GET /b 200","status":200}
                    {"index":{"_index":"app"}}
                    {"message":"not json
                    {"index":{"_index":"app"}}
                    {"message":"bad status","status":"abc"}
                    {"index":{"_index":"nosuch"}}
                    {"message":"x"}
                    """;
            EsBulkService.Response r = bulk.bulk(body, null, true, s -> true);
            assertThat(r.errors()).isTrue();
            assertThat(r.body()).containsEntry("errors", true).containsKey("took");
            assertThat(item(r, 0)).containsEntry("_id", "given-1").containsEntry("status", 201)
                    .containsEntry("result", "created");
            assertThat(item(r, 1)).containsEntry("status", 201).containsEntry("_index", "logs-app-default");
            assertThat(item(r, 2)).containsEntry("status", 400);
            assertThat(errorType(r, 2)).isEqualTo("document_parsing_exception");
            assertThat(errorType(r, 3)).isEqualTo("document_parsing_exception");
            assertThat((String) ((Map<?, ?>) item(r, 3).get("error")).get("reason"))
                    .contains("line 8").contains("status").contains("abc");
            assertThat(item(r, 4)).containsEntry("status", 404);
            assertThat(errorType(r, 4)).isEqualTo("index_not_found_exception");

            var hits = p.search().search("app", SearchParams.of("*"));
            assertThat(hits.total()).isEqualTo(2);
            assertThat(hits.hits()).anySatisfy(h -> {
                assertThat(h.id()).isEqualTo("given-1");
                assertThat(h.source()).containsEntry("log", "GET /a 200");
                assertThat(((Number) h.source().get("dtEventTimeStamp")).longValue())
                        .isEqualTo(java.time.Instant.parse("2026-12-05T10:00:00Z").toEpochMilli());
            });

            // the same request again: the item with an _id replaces its copy, the other is a new event (as in ES)
            bulk.bulk(body, null, true, s -> true);
            assertThat(p.search().search("app", SearchParams.of("*")).total()).isEqualTo(3);
            // with an Idempotency-Key, sending a request twice stores it once
            bulk.bulk(body, null, true, s -> true, "retry-me");
            bulk.bulk(body, null, true, s -> true, "retry-me");
            assertThat(p.search().search("app", SearchParams.of("*")).total()).isEqualTo(4);
        }
    }

    @Test
    void answers429ItemsWithRetryAfterWhenTheSinkIsFull() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            IngestRuntime rt = IngestRuntime.start(p.ingest(), p.internals().store(), null, p.clock(),
                    BatchingSink.builder(p.internals().store()).maxDocs(5).queueCapacityDocs(5).linger(Duration.ofHours(1))
                            .name("test"));
            EsBulkService bulk = service(p, rt, EsIndexMapping.none());
            String three = "{\"index\":{}}\n{\"message\":\"a\"}\n{\"index\":{}}\n{\"message\":\"b\"}\n"
                    + "{\"index\":{}}\n{\"message\":\"c\"}\n";
            CompletableFuture<EsBulkService.Response> first = CompletableFuture.supplyAsync(
                    () -> bulk.bulk(three, "app", false, s -> true));
            await().atMost(Duration.ofSeconds(10)).until(() -> rt.sink().queuedDocuments() == 3);

            EsBulkService.Response busy = bulk.bulk(three.replace("\"a\"", "\"d\""), "app", false, s -> true);
            assertThat(busy.errors()).isTrue();
            assertThat(item(busy, 0)).containsEntry("status", 429);
            assertThat(errorType(busy, 0)).isEqualTo("es_rejected_execution_exception");
            assertThat(busy.retryAfterSeconds()).isPresent();

            rt.close();
            assertThat(first.join().errors()).isFalse();
        }
    }
}
