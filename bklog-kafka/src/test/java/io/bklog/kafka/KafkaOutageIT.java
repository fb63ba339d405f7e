package io.bklog.kafka;

import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Stops the broker for about 12 s while a producer appends (kept short for CI): append refuses with
 * BufferFullException once the broker does not acknowledge within the delivery timeout, the caller retries, and
 * after the restart every acknowledged line is in the topic. Health is red while the broker is down, green after.
 */
class KafkaOutageIT {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaOutageIT.class);
    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private static final Duration OUTAGE = Duration.ofSeconds(12);

    private static List<BufferedDocument> batch(int b) {
        List<BufferedDocument> docs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            int n = b * 20 + i;
            docs.add(new BufferedDocument("app_logs", "src-" + (n % 3), new LogDocument("l-" + n,
                    Instant.parse("2026-11-25T10:00:00Z").plusMillis(n), Map.of("log", "line " + n))));
        }
        return docs;
    }

    @Test
    void nothingAcknowledgedIsLostWhenTheBrokerStopsAndHealthTurnsRedThenGreen() throws Exception {
        String topic = KAFKA.nextTopic("outage");
        String group = "outage-" + System.nanoTime();
        KafkaBufferConfig config = KafkaBufferConfig.builder(KAFKA.bootstrapServers()).topic(topic).partitions(2)
                .linger(Duration.ofMillis(2)).deliveryTimeout(Duration.ofSeconds(4)).maxBlock(Duration.ofSeconds(2))
                .requestTimeout(Duration.ofSeconds(2)).bufferMemoryBytes(256 * 1024).watchedGroups(Set.of()).build();
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger refused = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        try (KafkaIngestBuffer buffer = new KafkaIngestBuffer(config);
             Admin admin = KafkaClients.admin(KAFKA.bootstrapServers(), Map.of(), Duration.ofSeconds(2))) {
            KafkaHealthIndicator health = KafkaHealthIndicator.builder(admin).topics(List.of(topic)).groups(List.of(group))
                    .timeout(Duration.ofSeconds(2)).bootstrapServers(KAFKA.bootstrapServers()).build();
            assertThat(health.check()).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());

            Thread producer = new Thread(() -> {
                int b = 0;
                while (running.get()) {
                    List<BufferedDocument> docs = batch(b);
                    try {
                        buffer.append(docs);
                        docs.forEach(d -> acked.add(d.document().id()));
                        b++;
                    } catch (BufferFullException e) {
                        refused.incrementAndGet(); // the caller backs off and retries the same batch
                        LOG.info("event=append_refused batch={} reason=\"{}\"", b, e.getMessage());
                    }
                }
            }, "outage-producer");
            producer.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 200);
                KAFKA.stop();
                long stoppedAt = System.nanoTime();
                try {
                    List<HealthzMetric> down = health.check();
                    assertThat(down).anySatisfy(m -> {
                        assertThat(m.metricName()).isEqualTo("brokers");
                        assertThat(m.status()).isFalse();
                        assertThat(m.suggestion()).contains("bootstrap.servers");
                    });
                    await().atMost(Duration.ofSeconds(30)).until(() -> refused.get() > 0);
                    int ackedWhileDown = acked.size();
                    await().atLeast(Duration.ZERO).atMost(OUTAGE.plusSeconds(5)).pollDelay(Duration.ofSeconds(1))
                            .until(() -> System.nanoTime() - stoppedAt >= OUTAGE.toNanos());
                    LOG.info("event=outage_over acked={} refused={} ackedSinceStop={}", acked.size(), refused.get(),
                            acked.size() - ackedWhileDown);
                } finally {
                    KAFKA.start();
                }
                int before = acked.size();
                await().atMost(Duration.ofSeconds(90)).until(() -> acked.size() >= before + 200);
            } finally {
                running.set(false);
                producer.join(30_000);
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                    assertThat(health.check()).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue()));

            Set<String> inTopic = new HashSet<>();
            IngestBuffer.Consumer c = buffer.consumer(group);
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                c.poll(500, Duration.ofMillis(300)).forEach(d -> inTopic.add(d.document().id()));
                return inTopic.containsAll(acked);
            });
            c.commit();
            c.close();
            assertThat(refused.get()).as("append refused while the broker was down").isPositive();
            assertThat(inTopic).containsAll(acked);
        }
    }
}
