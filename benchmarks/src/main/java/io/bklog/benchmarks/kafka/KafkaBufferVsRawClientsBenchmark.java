package io.bklog.benchmarks.kafka;

import io.bklog.core.memory.MemoryLogStore;
import io.bklog.kafka.KafkaBufferConfig;
import io.bklog.kafka.KafkaIngestBuffer;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogDocument;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Load driver: lines/s from append to "stored" through {@link KafkaIngestBuffer} (append blocks until acked; a
 * consumer polls, indexes into a {@link MemoryLogStore}, commits) against raw kafka-clients moving the same records
 * (same producer settings, records pre-serialized, the consumer indexes the same pre-built documents and
 * commitSync's each poll). The ratio is the cost of the buffer's codec and bookkeeping. Prints
 * {@code kafka-buffer/raw-clients = 0.xx}.
 *
 * <p>Run: {@code mvn -q -pl benchmarks -am compile exec:java
 * -Dexec.mainClass=io.bklog.benchmarks.kafka.KafkaBufferVsRawClientsBenchmark [-Dkafka.bootstrap=host:port]
 * [-Dlines=100000]}.
 */
public final class KafkaBufferVsRawClientsBenchmark {

    private static final String SET = "bench_logs";
    private static final int BATCH = 500;
    private static final int PARTITIONS = 4;

    public static void main(String[] args) throws Exception {
        // client DEBUG logging would measure the logger, not the clients
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        int lines = Integer.getInteger("lines", 100_000);
        int rounds = Integer.getInteger("rounds", 3);
        String given = System.getProperty("kafka.bootstrap");
        LocalKafkaBroker broker = given == null ? new LocalKafkaBroker() : null;
        String bootstrap = given != null ? given : broker.bootstrap();
        try {
            List<BufferedDocument> docs = corpus(lines);
            int[] round = {0};
            // warm-up, then measured rounds alternating which goes first; best of each
            buffer(bootstrap, docs.subList(0, Math.min(20_000, lines)), round[0]++);
            raw(bootstrap, docs.subList(0, Math.min(20_000, lines)), round[0]++);
            double bufferRate = 0;
            double rawRate = 0;
            for (int i = 0; i < rounds; i++) {
                if (i % 2 == 0) {
                    bufferRate = Math.max(bufferRate, buffer(bootstrap, docs, round[0]++));
                    rawRate = Math.max(rawRate, raw(bootstrap, docs, round[0]++));
                } else {
                    rawRate = Math.max(rawRate, raw(bootstrap, docs, round[0]++));
                    bufferRate = Math.max(bufferRate, buffer(bootstrap, docs, round[0]++));
                }
            }
            System.out.printf("kafka-buffer lines/s = %.0f%n", bufferRate);
            System.out.printf("raw-clients  lines/s = %.0f%n", rawRate);
            System.out.printf("kafka-buffer/raw-clients = %.2f%n", bufferRate / rawRate);
        } finally {
            if (broker != null) broker.close();
        }
    }

    private static List<BufferedDocument> corpus(int n) {
        List<BufferedDocument> out = new ArrayList<>(n);
        Instant t0 = Instant.parse("2026-11-25T00:00:00Z");
        for (int i = 0; i < n; i++) {
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("log", "2026-11-25 00:00:00 INFO [worker-" + (i % 16) + "] GET /api/v1/items/" + i + " 200 " + (i % 900) + "ms");
            f.put("serverIp", "10.0.0." + (i % 50));
            f.put("status", 200L);
            f.put("latency", (i % 900) / 1000.0);
            out.add(new BufferedDocument(SET, "host-" + (i % 50), new LogDocument("id-" + i, t0.plusMillis(i), f)));
        }
        return out;
    }

    private static KafkaBufferConfig config(String bootstrap, String topic) {
        return KafkaBufferConfig.builder(bootstrap).topic(topic).partitions(PARTITIONS).watchedGroups(Set.of())
                .maxPollRecords(BATCH).build();
    }

    private static MemoryLogStore store() {
        MemoryLogStore store = new MemoryLogStore();
        store.ensureIndexSet(IndexSetSchema.of(SET, List.of()));
        return store;
    }

    private static double buffer(String bootstrap, List<BufferedDocument> docs, int round) throws Exception {
        MemoryLogStore store = store();
        try (KafkaIngestBuffer buffer = new KafkaIngestBuffer(config(bootstrap, "bench-buffer-" + round))) {
            IngestBuffer.Consumer consumer = buffer.consumer("bench");
            consumer.poll(1, Duration.ofMillis(500)); // join the group before the clock starts
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long start = System.nanoTime();
            Thread producer = new Thread(() -> {
                try {
                    for (int i = 0; i < docs.size(); i += BATCH) buffer.append(docs.subList(i, Math.min(docs.size(), i + BATCH)));
                } catch (Throwable t) {
                    failed.set(t);
                }
            }, "bench-buffer-producer");
            producer.start();
            int stored = 0;
            while (stored < docs.size()) {
                if (failed.get() != null) throw new IllegalStateException(failed.get());
                List<BufferedDocument> got = consumer.poll(BATCH, Duration.ofMillis(200));
                if (got.isEmpty()) continue;
                Map<String, List<LogDocument>> byIndex = new HashMap<>();
                for (BufferedDocument d : got) byIndex.computeIfAbsent(d.indexSet(), k -> new ArrayList<>()).add(d.document());
                byIndex.forEach(store::index);
                consumer.commit();
                stored += got.size();
            }
            double rate = docs.size() / ((System.nanoTime() - start) / 1e9);
            producer.join();
            consumer.close();
            return rate;
        }
    }

    private static double raw(String bootstrap, List<BufferedDocument> docs, int round) throws Exception {
        String topic = "bench-raw-" + round;
        KafkaBufferConfig c = config(bootstrap, topic);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short) 1))).all().get();
        }
        // the same JSON the buffer sends (Jackson), made before the clock starts (in the raw client's favour);
        // a header carries the document's index so the consumer stores the same documents without decoding
        ObjectMapper json = new ObjectMapper();
        List<byte[]> payloads = new ArrayList<>(docs.size());
        for (BufferedDocument d : docs) {
            Map<String, Object> document = new LinkedHashMap<>();
            document.put("id", d.document().id());
            document.put("timestamp", d.document().timestamp().toString());
            document.put("fields", d.document().fields());
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("v", 1);
            v.put("indexSet", d.indexSet());
            v.put("key", d.key());
            v.put("document", document);
            payloads.add(json.writeValueAsBytes(v));
        }
        KafkaBufferConfig codecHolder = c;
        MemoryLogStore store = store();
        Map<String, Object> common = new HashMap<>(Map.of("bootstrap.servers", bootstrap));
        Map<String, Object> pp = new HashMap<>(common);
        pp.put("enable.idempotence", true);
        pp.put("acks", "all");
        pp.put("compression.type", codecHolder.compression());
        pp.put("linger.ms", (int) codecHolder.linger().toMillis());
        pp.put("batch.size", 64 * 1024);
        Map<String, Object> cp = new HashMap<>(common);
        cp.put("group.id", "bench");
        cp.put("enable.auto.commit", false);
        cp.put("auto.offset.reset", "earliest");
        cp.put("max.poll.records", BATCH);
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer());
             KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(cp, new StringDeserializer(), new ByteArrayDeserializer())) {
            consumer.subscribe(List.of(topic));
            consumer.poll(Duration.ofMillis(500));
            AtomicReference<Throwable> failed = new AtomicReference<>();
            long start = System.nanoTime();
            Thread t = new Thread(() -> {
                try {
                    for (int i = 0; i < docs.size(); i += BATCH) {
                        List<Future<RecordMetadata>> acks = new ArrayList<>(BATCH);
                        for (int j = i; j < Math.min(docs.size(), i + BATCH); j++) {
                            ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, docs.get(j).key(), payloads.get(j));
                            r.headers().add("i", ByteBuffer.allocate(4).putInt(j).array());
                            acks.add(producer.send(r));
                        }
                        for (Future<RecordMetadata> a : acks) a.get();
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            }, "bench-raw-producer");
            t.start();
            int stored = 0;
            while (stored < docs.size()) {
                if (failed.get() != null) throw new IllegalStateException(failed.get());
                List<LogDocument> got = new ArrayList<>();
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    int idx = ByteBuffer.wrap(r.headers().lastHeader("i").value()).getInt();
                    got.add(docs.get(idx).document());
                }
                if (got.isEmpty()) continue;
                store.index(SET, got);
                consumer.commitSync();
                stored += got.size();
            }
            double rate = docs.size() / ((System.nanoTime() - start) / 1e9);
            t.join();
            return rate;
        }
    }
}
