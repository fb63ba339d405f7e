package io.bklog.kafka;

import io.bklog.core.DirectIngest;
import io.bklog.core.LogPlatform;
import io.bklog.core.collect.IngestRuntime;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.BufferDrainer;
import io.bklog.core.ingest.source.EsBulkService;
import io.bklog.core.ingest.source.EsIndexMapping;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.BulkResult;
import io.bklog.spi.SearchResult;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * HTTP-style ingest ({@link IngestRuntime#ingest}, what {@code POST .../ingest} calls) and {@code _bulk}
 * ({@link EsBulkService}) with the Kafka buffer: each item is acknowledged once it is in the topic (read back with a
 * plain consumer while nothing is in the store), a drainer then stores every acknowledged item exactly once; a
 * platform with the {@code kafka} backend does the same end to end; with the broker down the items are answered
 * retryable and a resend with the same Idempotency-Key after it is back stores them once.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaFrontDoorIT {

    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private static final DocumentCodec CODEC = new DocumentCodec();

    private static List<Map<String, Object>> lines(String prefix, int n) {
        List<Map<String, Object>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Map.of("log", prefix + " line " + i, "seq", (long) i));
        return out;
    }

    private static List<String> ids(DirectIngest.Result r) {
        return r.items().stream().map(BulkResult.ItemResult::id).toList();
    }

    /** Ids of the documents in {@code topic}, read from the beginning by a consumer group of its own. */
    private static Set<String> idsInTopic(String topic, Set<String> expected) {
        Set<String> seen = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
                "group.id", "front-door-reader-" + System.nanoTime(), "auto.offset.reset", "earliest",
                "enable.auto.commit", "false"), new StringDeserializer(), new ByteArrayDeserializer())) {
            c.subscribe(List.of(topic));
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(300))) {
                    BufferedDocument d = CODEC.decode(r.value());
                    assertThat(d.indexSet()).isEqualTo("app");
                    seen.add(d.document().id());
                }
                return seen.containsAll(expected);
            });
        }
        return seen;
    }

    /** Hits of {@code app} by id: every id once means stored exactly once. */
    private static Map<String, Integer> storedIds(LogPlatform p) {
        p.internals().store().refresh("app");
        Map<String, Integer> out = new HashMap<>();
        for (SearchResult.Hit h : p.search().search("app", SearchParams.of("*").withPage(0, 500, null)).hits()) {
            out.merge(h.id(), 1, Integer::sum);
        }
        return out;
    }

    @Test
    void acknowledgedItemsAreInTheTopicBeforeTheStoreAndADrainerStoresEachExactlyOnce() {
        String topic = KAFKA.nextTopic("front-door");
        KafkaIngestBuffer buffer = new KafkaIngestBuffer(KafkaBufferConfig.builder(KAFKA.bootstrapServers())
                .topic(topic).partitions(3).linger(Duration.ofMillis(2)).watchedGroups(Set.of()).build());
        try (LogPlatform p = LogPlatform.builder().build();
             IngestRuntime rt = IngestRuntime.startWithoutDrainer(p.ingest(), p.internals().store(), buffer, p.clock(),
                     BatchingSink.builder(p.internals().store()).linger(Duration.ofMillis(20)).name("front-door-it"))) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            Set<String> acked = new LinkedHashSet<>();

            DirectIngest.Result json = rt.ingest("app", lines("json", 60), false, 0, "batch-1");
            assertThat(json.items()).extracting(BulkResult.ItemResult::status).containsOnly(BulkResult.Status.OK);
            acked.addAll(ids(json));
            DirectIngest.Result plain = rt.ingest("app", lines("plain", 15), false);
            assertThat(plain.accepted()).isEqualTo(15);
            acked.addAll(ids(plain));
            EsBulkService bulk = new EsBulkService(p.indexSets(), p.ingest(), rt, EsIndexMapping.none());
            StringBuilder body = new StringBuilder();
            for (int i = 0; i < 20; i++) {
                body.append(i % 2 == 0 ? "{\"index\":{\"_id\":\"es-" + i + "\"}}\n" : "{\"index\":{}}\n")
                        .append("{\"message\":\"bulk ").append(i).append("\"}\n");
            }
            EsBulkService.Response es = bulk.bulk(body.toString(), "app", false, s -> true);
            assertThat(es.errors()).isFalse();
            @SuppressWarnings("unchecked")
            List<Map<String, Map<String, Object>>> items =
                    (List<Map<String, Map<String, Object>>>) es.body().get("items");
            items.forEach(it -> acked.add((String) it.values().iterator().next().get("_id")));
            // a client that lost the answer sends the same batch again with the same Idempotency-Key
            assertThat(ids(rt.ingest("app", lines("json", 60), false, 0, "batch-1"))).isEqualTo(ids(json));
            assertThat(acked).hasSize(95);

            assertThat(idsInTopic(topic, acked)).as("every acknowledged item is in the Kafka topic").containsAll(acked);
            assertThat(storedIds(p)).as("nothing is stored before a drainer runs").isEmpty();

            try (BufferDrainer drainer = new BufferDrainer(buffer, rt.sink())) {
                await().atMost(Duration.ofSeconds(60)).until(() -> storedIds(p).size() == acked.size()
                        && buffer.pending(BufferDrainer.GROUP) == 0);
            }
            Map<String, Integer> stored = storedIds(p);
            assertThat(stored.keySet()).as("every acknowledged item is searchable").isEqualTo(acked);
            assertThat(stored.values()).as("exactly once, the resent batch too").containsOnly(1);
            assertThat(p.search().search("app", SearchParams.of("*")).total()).isEqualTo(acked.size());
        } finally {
            buffer.close();
        }
    }

    @Test
    void aPlatformWithTheKafkaBackendAcknowledgesFromTheTopicAndRefreshMakesTheBatchSearchable() {
        String topic = KAFKA.nextTopic("front-door-platform");
        try (LogPlatform p = LogPlatform.builder().backend("kafka", Map.of("bootstrap.servers",
                KAFKA.bootstrapServers(), "topic", topic, "partitions", "2", "linger", "2ms")).build()) {
            assertThat(p.pipeline().buffer()).get().isInstanceOf(KafkaIngestBuffer.class);
            p.indexSets().put("app", IndexSetSpec.defaults());

            DirectIngest.Result r = p.pipeline().ingest("app", lines("platform", 40), true);
            assertThat(r.accepted()).isEqualTo(40);
            assertThat(p.search().search("app", SearchParams.of("*")).total())
                    .as("refresh waited for the drainer").isEqualTo(40);
            assertThat(idsInTopic(topic, Set.copyOf(ids(r)))).containsAll(ids(r));
            await().atMost(Duration.ofSeconds(30)).until(() -> p.pipeline().buffer().orElseThrow()
                    .pending(BufferDrainer.GROUP) == 0);
            assertThat(storedIds(p).values()).hasSize(40).containsOnly(1);
        }
    }

    @Test
    void itemsAreAnsweredRetryableWhileTheBrokerIsDownAndAResendStoresThemOnce() {
        String topic = KAFKA.nextTopic("front-door-outage");
        KafkaIngestBuffer buffer = new KafkaIngestBuffer(KafkaBufferConfig.builder(KAFKA.bootstrapServers())
                .topic(topic).partitions(2).linger(Duration.ofMillis(2)).deliveryTimeout(Duration.ofSeconds(3))
                .maxBlock(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(2)).watchedGroups(Set.of()).build());
        try (LogPlatform p = LogPlatform.builder().build();
             IngestRuntime rt = IngestRuntime.start(p.ingest(), p.internals().store(), buffer, p.clock(),
                     BatchingSink.builder(p.internals().store()).linger(Duration.ofMillis(20)).name("front-door-outage-it"))) {
            p.indexSets().put("app", IndexSetSpec.defaults());
            DirectIngest.Result before = rt.ingest("app", lines("before", 10), false, 0, "before");
            assertThat(before.accepted()).isEqualTo(10);

            DirectIngest.Result down;
            KAFKA.stop();
            try {
                down = rt.ingest("app", lines("down", 10), false, 0, "down");
            } finally {
                KAFKA.start();
            }
            assertThat(down.accepted()).isZero();
            assertThat(down.items()).allSatisfy(i -> {
                assertThat(i.status()).isEqualTo(BulkResult.Status.RETRYABLE);
                assertThat(i.reason()).contains("did not acknowledge").contains("Idempotency-Key");
            });

            DirectIngest.Result[] resent = new DirectIngest.Result[1];
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                resent[0] = rt.ingest("app", lines("down", 10), false, 0, "down");
                return resent[0].accepted() == 10;
            });
            assertThat(ids(resent[0])).isEqualTo(ids(down));
            Set<String> acked = new HashSet<>(ids(before));
            acked.addAll(ids(resent[0]));
            await().atMost(Duration.ofSeconds(60)).until(() -> storedIds(p).size() == acked.size());
            assertThat(storedIds(p)).containsOnlyKeys(acked).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
        } finally {
            buffer.close();
        }
    }
}
