package io.bklog.kafka;

import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code bklog_kafka_consumer_lag{group, topic}} of the ingest buffer's consumer group, as the platform binds it. */
class KafkaBufferLagGaugeIT {
    private static final KafkaFixture KAFKA = KafkaFixture.shared();

    @Test
    void theBufferGroupLagGaugeCountsUncommittedRecordsAndReturnsToZero() throws Exception {
        String topic = KAFKA.nextTopic("lag-gauge");
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        try (KafkaIngestBuffer buffer = new KafkaIngestBuffer(KafkaBufferConfig.builder(KAFKA.bootstrapServers())
                .topic(topic).partitions(2).linger(Duration.ofMillis(1)).watchedGroups(Set.of("bklog-sink")).build())) {
            buffer.bindMeters(io.bklog.core.metrics.MicrometerMeters.of(meters));
            List<BufferedDocument> docs = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                docs.add(new BufferedDocument("app", "src", new LogDocument("d" + i, Instant.now(), Map.of("log", "x" + i))));
            }
            buffer.append(docs);
            Gauge gauge = meters.get(KafkaLagGauge.NAME).tags("group", "bklog-sink", "topic", topic).gauge();
            await().atMost(Duration.ofSeconds(30)).until(() -> gauge.value() == 30.0);

            try (IngestBuffer.Consumer c = buffer.consumer("bklog-sink")) {
                int got = 0;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (got < 30 && System.nanoTime() < deadline) got += c.poll(30, Duration.ofMillis(500)).size();
                assertThat(got).isEqualTo(30);
                c.commit();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> gauge.value() == 0.0);
        }
        assertThat(meters.find(KafkaLagGauge.NAME).gauge()).as("removed on close").isNull();
    }
}
