package io.bklog.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.collect.CollectorSourceContext;
import io.bklog.core.collect.PipelineLineSink;
import io.bklog.core.metrics.MicrometerMeters;
import io.bklog.spi.source.Source;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlParams;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.core.ingest.MultilineConfig;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.testkit.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Kafka + multi-line on a real broker: the offset committed never passes the first line of an event still open in
 * the pipeline, so a crash with an open event loses none of its lines, and the restart stores it once.
 */
class KafkaMultilineCommitIT {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static void produce(String topic, String... lines) {
        try (KafkaProducer<String, String> p = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                new StringSerializer(), new StringSerializer())) {
            for (String l : lines) p.send(new ProducerRecord<>(topic, l));
            p.flush();
        }
    }

    private static long committed(Admin admin, String group, String topic) throws Exception {
        OffsetAndMetadata o = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get()
                .get(new TopicPartition(topic, 0));
        return o == null ? -1 : o.offset();
    }

    private static List<String> stored(LogPlatform p) {
        p.internals().store().refresh("ml");
        return p.search().search("ml", SearchParams.of("*")).hits().stream()
                .map(h -> h.source().get("log").toString()).sorted().toList();
    }

    @SuppressWarnings("unchecked")
    private static Source start(KafkaCollectorSourceFactory factory, JsonNode params, IngestPipeline pipeline)
            throws Exception {
        Source s = factory.create(JSON.convertValue(params, Map.class), new CollectorSourceContext("ml", "default",
                pipeline.indexSet(), java.time.Clock.systemUTC(), MicrometerMeters.of(new SimpleMeterRegistry()),
                new PipelineLineSink(pipeline)));
        s.start();
        return s;
    }

    @Test
    void anOpenMultilineEventHoldsTheCommitBackSoACrashLosesNothingAndDuplicatesNothing() throws Exception {
        String topic = KAFKA.nextTopic("ext-multiline");
        String group = "collector-ml-" + System.nanoTime();
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
            produce(topic, "2024-01-01 first event", "  at a.b(C.java:1)", "2024-01-01 second event",
                    "  at d.e(F.java:2)");

            KafkaCollectorSourceFactory factory = new KafkaCollectorSourceFactory();
            JsonNode params = JSON.readTree("{\"bootstrap_servers\": \"" + KAFKA.bootstrapServers() + "\", \"topic\": \""
                    + topic + "\", \"group_id\": \"" + group + "\", \"start_from\": \"earliest\"}");
            // the multi-line timeout never passes on this clock: the second event stays open until more lines come
            MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
            MultilineConfig ml = MultilineConfig.of("^\\d{4}-", 50, 10);
            EtlConfig text = EtlConfig.of("text", EtlParams.DEFAULTS, List.of());
            try (LogPlatform platform = LogPlatform.builder().build()) {
                platform.indexSets().put("ml", IndexSetSpec.withFields(List.of(FieldSpec.of("log", FieldType.TEXT))));
                IngestPipeline crashed = platform.pipeline().pipeline("ml").etl(text).multiline(ml).clock(clock)
                        .build();
                try (Source first = start(factory, params, crashed)) {
                    await().atMost(Duration.ofSeconds(90)).until(() -> stored(platform).size() == 1);
                    // the open second event starts at offset 2: the commit stops there, not at 4
                    await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin, group, topic) == 2);
                }
                // crash: the pipeline holding the open event is dropped without a flush
                assertThat(stored(platform)).containsExactly("2024-01-01 first event\n  at a.b(C.java:1)");
                produce(topic, "2024-01-01 third event");

                try (IngestPipeline restarted = platform.pipeline().pipeline("ml").etl(text).multiline(ml).clock(clock)
                        .build()) {
                    try (Source second = start(factory, params, restarted)) {
                        await().atMost(Duration.ofSeconds(90)).until(() -> stored(platform).size() == 2);
                        await().atMost(Duration.ofSeconds(30)).until(() -> committed(admin, group, topic) == 4);
                    }
                }                                           // stop: the pipeline completes the third event
                await().atMost(Duration.ofSeconds(30)).until(() -> stored(platform).size() == 3);
                assertThat(stored(platform)).containsExactly(
                        "2024-01-01 first event\n  at a.b(C.java:1)",
                        "2024-01-01 second event\n  at d.e(F.java:2)",
                        "2024-01-01 third event");
                crashed.close(Duration.ofSeconds(5));       // its late flush overwrites (same id), adds nothing
                assertThat(stored(platform)).hasSize(3);
            }
        }
    }
}
