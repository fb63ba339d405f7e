package io.bklog.kafka;

import io.bklog.core.memory.MemoryLogStore;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The drain path on a real broker: poll, write to a store, commit only after the store acknowledged. */
class KafkaDrainIT {

    private static final KafkaFixture KAFKA = KafkaFixture.shared();
    private static final String SET = "app_logs";

    private static KafkaIngestBuffer buffer(String topic) {
        return new KafkaIngestBuffer(KafkaBufferConfig.builder(KAFKA.bootstrapServers()).topic(topic).partitions(4)
                .linger(Duration.ofMillis(2)).watchedGroups(Set.of()).build());
    }

    private static BufferedDocument line(int i) {
        return new BufferedDocument(SET, "host-" + (i % 7), new LogDocument("line-" + i,
                Instant.parse("2026-11-25T10:00:00Z").plusMillis(i), Map.of("log", "GET /item/" + i, "seq", (long) i)));
    }

    private static long stored(MemoryLogStore store) {
        store.refresh(SET);
        return store.listIndices(SET).stream().mapToLong(IndexInfo::docCount).sum();
    }

    private static void storeAll(MemoryLogStore store, List<BufferedDocument> docs) {
        if (!docs.isEmpty()) {
            assertThat(store.index(SET, docs.stream().map(BufferedDocument::document).toList()).allOk()).isTrue();
        }
    }

    @Test
    void aConsumerThatDiesBeforeCommittingLosesNothingAndTheStoreHoldsEveryLineOnce() {
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(IndexSetSchema.of(SET, List.of()));
        String group = "drain-" + System.nanoTime();
        try (KafkaIngestBuffer buffer = buffer(KAFKA.nextTopic("drain"))) {
            int total = 1_000;
            List<BufferedDocument> batch = new ArrayList<>();
            for (int i = 0; i < total; i++) {
                batch.add(line(i));
                if (batch.size() == 100) {
                    buffer.append(batch); // returns once the broker acknowledged: these lines are safe
                    batch = new ArrayList<>();
                }
            }

            // consumer 1 polls a batch, stores part of it, and dies before committing
            IngestBuffer.Consumer dying = buffer.consumer(group);
            List<BufferedDocument> polled = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                polled.addAll(dying.poll(300, Duration.ofMillis(200)));
                return polled.size() >= 200;
            });
            storeAll(store, polled.subList(0, 150));
            dying.close(); // leaves the group without committing
            assertThat(buffer.pending(group)).isEqualTo(total);

            // consumer 2 finishes: what it receives includes the uncommitted batch again
            IngestBuffer.Consumer survivor = buffer.consumer(group);
            List<BufferedDocument> delivered = new ArrayList<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                List<BufferedDocument> got = survivor.poll(250, Duration.ofMillis(200));
                storeAll(store, got);
                survivor.commit(); // only after the store acknowledged
                delivered.addAll(got);
                return buffer.pending(group) == 0 && stored(store) == total;
            });
            survivor.close();

            Set<String> ids = new HashSet<>();
            delivered.forEach(d -> ids.add(d.document().id()));
            assertThat(ids).hasSize(total);
            assertThat(delivered.stream().map(d -> d.document().id()))
                    .as("the dead consumer's uncommitted records are delivered again").containsAll(
                            polled.stream().map(d -> d.document().id()).toList());
            assertThat(stored(store)).as("every acknowledged line exactly once").isEqualTo(total);
        }
    }

    @Test
    void aConsumerProcessKilledMidBatchLosesNothing() throws Exception {
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(IndexSetSchema.of(SET, List.of()));
        String topic = KAFKA.nextTopic("crash");
        String group = "crash-" + System.nanoTime();
        int total = 500;
        try (KafkaIngestBuffer buffer = buffer(topic)) {
            List<BufferedDocument> all = new ArrayList<>();
            for (int i = 0; i < total; i++) all.add(line(i));
            buffer.append(all);

            // a consumer in another JVM polls a batch and is killed (no commit, no leave-group)
            Process child = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-cp", System.getProperty("java.class.path"), CrashingConsumerMain.class.getName(),
                    KAFKA.bootstrapServers(), topic, group, "200").redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(child.waitFor()).as(output).isEqualTo(137);
            String polledLine = output.lines().filter(l -> l.startsWith("POLLED")).findFirst().orElseThrow(() -> new AssertionError(output));
            List<String> polledByTheDead = List.of(polledLine.substring("POLLED ".length()).split(" "));
            assertThat(polledByTheDead).hasSizeGreaterThanOrEqualTo(200);
            assertThat(buffer.pending(group)).isEqualTo(total);

            // a new member gets the partitions once the dead one's session expired, and finishes
            IngestBuffer.Consumer survivor = buffer.consumer(group);
            Set<String> delivered = new HashSet<>();
            await().atMost(Duration.ofSeconds(90)).until(() -> {
                List<BufferedDocument> got = survivor.poll(250, Duration.ofMillis(300));
                storeAll(store, got);
                survivor.commit();
                got.forEach(d -> delivered.add(d.document().id()));
                return buffer.pending(group) == 0 && stored(store) == total;
            });
            survivor.close();
            assertThat(delivered).containsAll(polledByTheDead).hasSize(total);
            assertThat(stored(store)).isEqualTo(total);
        }
    }

    @Test
    void movesAnUndecodableRecordToTheDeadLetterTopicWithTheReasonAndGoesOn() throws Exception {
        String topic = KAFKA.nextTopic("poison");
        String group = "poison-" + System.nanoTime();
        try (KafkaIngestBuffer buffer = buffer(topic);
             KafkaProducer<String, byte[]> raw = new KafkaProducer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers()),
                     new StringSerializer(), new ByteArraySerializer())) {
            buffer.append(List.of(line(1)));
            raw.send(new ProducerRecord<>(topic, "host-1", "{not json".getBytes(StandardCharsets.UTF_8))).get();
            buffer.append(List.of(line(2)));

            IngestBuffer.Consumer c = buffer.consumer(group);
            List<String> ids = new ArrayList<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                c.poll(10, Duration.ofMillis(200)).forEach(d -> ids.add(d.document().id()));
                return ids.size() >= 2;
            });
            c.commit();
            c.close();
            assertThat(ids).containsExactlyInAnyOrder("line-1", "line-2");
            assertThat(buffer.deadLettered()).isEqualTo(1);
            assertThat(buffer.pending(group)).isZero();

            try (KafkaConsumer<String, byte[]> dlq = new KafkaConsumer<>(Map.of("bootstrap.servers", KAFKA.bootstrapServers(),
                    "group.id", "dlq-reader-" + System.nanoTime(), "auto.offset.reset", "earliest"),
                    new StringDeserializer(), new ByteArrayDeserializer())) {
                dlq.subscribe(List.of(topic + ".dlq"));
                List<ConsumerRecord<String, byte[]>> dead = new ArrayList<>();
                await().atMost(Duration.ofSeconds(60)).until(() -> {
                    dlq.poll(Duration.ofMillis(200)).forEach(dead::add);
                    return !dead.isEmpty();
                });
                assertThat(new String(dead.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("{not json");
                assertThat(new String(dead.get(0).headers().lastHeader(KafkaIngestBuffer.DLQ_REASON_HEADER).value(),
                        StandardCharsets.UTF_8)).contains("not valid JSON");
            }
        }
    }
}
