package io.bklog.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.collect.CollectorSourceContext;
import io.bklog.core.collect.PipelineLineSink;
import io.bklog.core.metrics.MicrometerMeters;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceFactory;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The {@code kafka} collector source on a real broker: JSON lines from an external topic through a JSON ETL pipeline
 * into the store, a restart mid-way (nothing lost, nothing twice), a full replay by another group (ids from topic,
 * partition and offset: still no duplicate), and the lag gauge back at 0.
 */
class KafkaCollectorSourceIT {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int LINES = 400;

    private static long stored(LogPlatform p, String query) {
        p.internals().store().refresh("app");
        return p.search().search("app", SearchParams.of(query)).total();
    }

    private static double lag(SimpleMeterRegistry meters, String group, String topic) {
        Gauge g = meters.find(KafkaLagGauge.NAME).tags("group", group, "topic", topic).gauge();
        return g == null ? Double.NaN : g.value();
    }

    private static void produce(String topic, int from, int to) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (int i = from; i < to; i++) {
                String line = "{\"level\":\"" + (i % 4 == 0 ? "error" : "info") + "\",\"seq\":" + i
                        + ",\"msg\":\"order " + i + " handled\",\"user\":{\"id\":\"u" + (i % 7) + "\"}}";
                p.send(new ProducerRecord<>(topic, "k" + (i % 11), line));
            }
            p.flush();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(JsonNode params) {
        return JSON.convertValue(params, Map.class);
    }

    /** Creates and starts the source as the collector runtime does: the pipeline behind the SPI's line sink. */
    private static Source start(SourceFactory factory, JsonNode params, IngestPipeline pipeline,
                                SimpleMeterRegistry meters) throws Exception {
        Source s = factory.create(map(params), new CollectorSourceContext("app-json", "default", pipeline.indexSet(),
                java.time.Clock.systemUTC(), MicrometerMeters.of(meters), new PipelineLineSink(pipeline)));
        s.start();
        return s;
    }

    @Test
    void consumesJsonLinesThroughTheEtlSurvivesARestartWithoutLossOrDuplicatesAndReportsLag() throws Exception {
        String topic = KAFKA.nextTopic("ext-app-json");
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 3, (short) 1))).all().get();
        }
        produce(topic, 0, LINES / 2);

        SourceFactory factory = ServiceLoader.load(SourceFactory.class).stream()
                .map(ServiceLoader.Provider::get).filter(f -> f.type().equals("kafka")).findFirst().orElseThrow();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        String group = "collector-app-" + System.nanoTime();
        JsonNode params = JSON.readTree("{\"bootstrap_servers\": \"" + KAFKA.bootstrapServers() + "\", \"topic\": \""
                + topic + "\", \"group_id\": \"" + group + "\", \"start_from\": \"earliest\", \"max_poll_records\": 25,"
                + " \"properties\": {\"security.protocol\": \"PLAINTEXT\", \"client.id\": \"bklog-it\"}}");
        assertThat(factory.validate(map(params))).isEmpty();

        EtlConfig etl = EtlConfig.of("json", EtlParams.builder().retainExtraJson(true).build(), List.of(
                EtlField.of("level", "string"), EtlField.of("seq", "long"), EtlField.of("msg", "string")));
        try (LogPlatform platform = LogPlatform.builder().build()) {
            platform.indexSets().put("app", IndexSetSpec.withFields(List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("level", FieldType.KEYWORD), FieldSpec.of("seq", FieldType.LONG),
                    FieldSpec.of("msg", FieldType.TEXT))));
            try (IngestPipeline pipeline = platform.pipeline().pipeline("app").etl(etl).build()) {
                // first run: the first half of the topic, then the source stops
                try (Source first = start(factory, params, pipeline, meters)) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> stored(platform, "*") == LINES / 2);
                    await().atMost(Duration.ofSeconds(30)).until(() -> lag(meters, group, topic) == 0.0);
                    assertThat(first.status().detail()).contains(topic).contains(group).contains("lines " + LINES / 2);
                }
                // more lines arrive while the collector is down
                produce(topic, LINES / 2, LINES);

                // restart with the same group: resumes from the committed offsets, nothing read twice, none lost
                try (Source second = start(factory, params, pipeline, meters)) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> stored(platform, "*") == LINES);
                    await().atMost(Duration.ofSeconds(30)).until(() -> lag(meters, group, topic) == 0.0);
                    assertThat(second.status().detail()).as("resumed after the committed offsets")
                            .contains("lines " + LINES / 2);
                }
                assertThat(meters.find(KafkaLagGauge.NAME).tags("group", group).gauge())
                        .as("the gauge is removed with the source").isNull();

                // a replay of the whole topic (another group from earliest) overwrites: ids are topic+partition+offset
                String replayGroup = group + "-replay";
                JsonNode replay = ((com.fasterxml.jackson.databind.node.ObjectNode) params.deepCopy())
                        .put("group_id", replayGroup);
                try (Source third = start(factory, replay, pipeline, meters)) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> lag(meters, replayGroup, topic) == 0.0);
                }
            }
            assertThat(stored(platform, "*")).as("no duplicate after restart and replay").isEqualTo(LINES);
            assertThat(stored(platform, "level:error")).isEqualTo(LINES / 4);
            var hits = platform.search().search("app", SearchParams.of("seq:123")).hits();
            assertThat(hits).singleElement().satisfies(h -> {
                assertThat(h.source()).containsEntry("msg", "order 123 handled").containsEntry("level", "info")
                        .containsEntry("__ext_json.user.id", "u" + (123 % 7));
                assertThat(h.source().get("log").toString()).contains("\"seq\":123");
            });
        }
    }
}
