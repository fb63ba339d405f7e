package io.bklog.kafka;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Kafka collector source: consumes raw lines from external topics and hands each polled batch to a
 * {@link Handler} (which parses and buffers them; the ETL wiring lives in core). Offsets are committed only after
 * the handler returned, and no further than {@link Handler#commitOffset} allows (the first line of a multi-line
 * event still open); when it throws, the batch is sought back and delivered again after the back-off, so a
 * line is never lost, and ids made from {@link KafkaSourceRecord#sourceId()} + offset keep it from duplicating.
 * One named thread, started by {@link #start}, stopped by {@link #close()}.
 */
public final class KafkaSource implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaSource.class);

    /** Receives each polled batch; returning means the lines are safe (buffered or stored). */
    @FunctionalInterface
    public interface Handler {
        void handle(List<KafkaSourceRecord> batch) throws Exception;

        /**
         * The offset to commit for a partition once a batch was handled, given {@code next} (one past its last
         * record): lower when lines up to {@code next} are not all stored yet (an open multi-line event holds them).
         */
        default long commitOffset(String topic, int partition, long next) {
            return next;
        }
    }

    private final KafkaSourceConfig config;
    private final Handler handler;
    private final KafkaConsumer<String, String> consumer;
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicLong handled = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean running = true;

    private KafkaSource(KafkaSourceConfig config, Handler handler, String name) {
        this.config = config;
        this.handler = handler;
        this.consumer = new KafkaConsumer<>(config.consumerProperties(), new StringDeserializer(), new StringDeserializer());
        this.consumer.subscribe(config.topics());
        this.thread = new Thread(this::run, "bklog-kafka-source-" + name);
        this.thread.setDaemon(true);
    }

    /** Subscribes and starts the polling thread. */
    public static KafkaSource start(KafkaSourceConfig config, Handler handler, String name) {
        KafkaSource s = new KafkaSource(config, handler, name);
        s.thread.start();
        LOG.info("event=kafka_source_started name={} config={}", name, config);
        return s;
    }

    /** Lines the handler accepted (and whose offsets were committed or are about to be). */
    public long handled() {
        return handled.get();
    }

    /** Batches the handler refused (delivered again). */
    public long failures() {
        return failures.get();
    }

    private void run() {
        try {
            while (running) {
                ConsumerRecords<String, String> polled = consumer.poll(config.pollTimeout());
                if (polled.isEmpty()) continue;
                List<KafkaSourceRecord> batch = new ArrayList<>(polled.count());
                Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
                Map<TopicPartition, Long> first = new HashMap<>();
                for (ConsumerRecord<String, String> r : polled) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    first.putIfAbsent(tp, r.offset());
                    next.put(tp, new OffsetAndMetadata(r.offset() + 1));
                    batch.add(new KafkaSourceRecord(r.topic(), r.partition(), r.offset(), r.key(),
                            r.value() == null ? "" : r.value(), Instant.ofEpochMilli(r.timestamp())));
                }
                try {
                    handler.handle(batch);
                } catch (Exception e) {
                    failures.incrementAndGet();
                    LOG.warn("event=kafka_source_handler_failed lines={} backoff={}; the batch is delivered again",
                            batch.size(), config.retryBackoff(), e);
                    first.forEach((tp, offset) -> {
                        if (consumer.assignment().contains(tp)) consumer.seek(tp, offset);
                    });
                    if (stopped.await(config.retryBackoff().toMillis(), TimeUnit.MILLISECONDS)) return;
                    continue;
                }
                handled.addAndGet(batch.size());
                next.replaceAll((tp, o) -> {
                    long commit = handler.commitOffset(tp.topic(), tp.partition(), o.offset());
                    return commit == o.offset() ? o : new OffsetAndMetadata(commit);
                });
                try {
                    consumer.commitSync(next);
                } catch (WakeupException e) {
                    consumer.commitSync(next);
                    throw e;
                } catch (KafkaException e) {
                    LOG.warn("event=kafka_source_commit_failed lines={} reason={}; they may be delivered again (same ids)",
                            batch.size(), e.toString());
                }
            }
        } catch (WakeupException e) {
            if (running) LOG.error("event=kafka_source_stopped unexpected_wakeup", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("event=kafka_source_stopped topics={} group={}", config.topics(), config.groupId(), e);
        } finally {
            consumer.close();
        }
    }

    /** Stops polling; a batch in the handler is finished and committed first. */
    @Override
    public void close() {
        running = false;
        stopped.countDown();
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
