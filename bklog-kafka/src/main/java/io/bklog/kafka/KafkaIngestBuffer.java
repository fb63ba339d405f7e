package io.bklog.kafka;

import io.bklog.spi.BackendException;
import io.bklog.spi.BufferFullException;
import io.bklog.spi.BufferTimeoutException;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.IngestBuffer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RebalanceInProgressException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Kafka {@link IngestBuffer}: an idempotent producer ({@code acks=all}) appends each document keyed by
 * {@link BufferedDocument#key()} (order per key), the value is the JSON of {@link DocumentCodec}. {@link #append}
 * returns once the broker acknowledged every record; when the producer's buffer stays full for {@code maxBlock}
 * or the broker does not acknowledge within {@code deliveryTimeout} it throws {@link BufferTimeoutException} (a
 * {@link BufferFullException}: the caller backs off and retries; part of the batch may have landed, so a retry
 * with the same ids is not duplicated in the store), or plain {@link BufferFullException} when nothing was sent.
 * With {@code maxPendingRecords > 0}, a batch that would lift the lag of a watched group past it is refused whole
 * before anything is sent.
 *
 * <p>{@link #consumer(String)} joins a consumer group without auto-commit: {@code commit()} commits exactly the
 * records handed out by {@code poll}; records polled and not committed are delivered again after {@code close()}
 * or a rebalance. Undecodable records go to the dead-letter topic {@code {topic}.dlq} with the reason in header
 * {@code bklog.dlq.reason} and are skipped. Thread-safe; each consumer is used by one thread.
 */
public final class KafkaIngestBuffer implements IngestBuffer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngestBuffer.class);
    public static final String BACKEND = "kafka";
    public static final String DLQ_REASON_HEADER = "bklog.dlq.reason";
    /** How long {@link #consumer} waits for the group to assign it partitions before returning anyway. */
    static final Duration JOIN_WAIT = Duration.ofSeconds(3);
    static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

    private final KafkaBufferConfig config;
    private final DocumentCodec codec = new DocumentCodec();
    private final Admin admin;
    private final KafkaProducer<String, byte[]> producer;
    private final List<TopicPartition> partitions;
    private final Set<String> watched = ConcurrentHashMap.newKeySet();
    private final Map<String, KafkaLagGauge> lagGauges = new ConcurrentHashMap<>();
    private volatile io.bklog.spi.Meters meters;
    private final AtomicLong deadLettered = new AtomicLong();
    private final Object boundLock = new Object();
    private long knownPending;
    private long appendedSinceCheck;
    private long checkedAtNanos;
    private boolean boundChecked;
    private final int topicMinInsyncReplicas;

    /** Connects, creates the topic and its dead-letter topic when missing, and opens the producer. */
    public KafkaIngestBuffer(KafkaBufferConfig config) {
        this.config = config;
        this.watched.addAll(config.watchedGroups());
        this.admin = KafkaClients.admin(config.bootstrapServers(), config.clientProperties(), config.requestTimeout());
        KafkaProducer<String, byte[]> p = null;
        try {
            // unset below replication 3: the topics keep the broker's default (min.insync.replicas of the broker)
            Map<String, String> topicConfig = config.minInsyncReplicas() > 0 || config.replication() >= 3
                    ? Map.of(MIN_INSYNC_REPLICAS, String.valueOf(config.effectiveMinInsyncReplicas())) : Map.of();
            KafkaClients.ensureTopics(admin, List.of(
                    new NewTopic(config.topic(), config.partitions(), config.replication()).configs(topicConfig),
                    new NewTopic(config.deadLetterTopic(), 1, config.replication()).configs(topicConfig)),
                    config.requestTimeout());
            this.partitions = KafkaLag.partitionsOnceVisible(admin, config.topic(), config.requestTimeout());
            this.topicMinInsyncReplicas = reconcileMinInsyncReplicas(admin, config);
            p = new KafkaProducer<>(producerProperties(config), new StringSerializer(), new ByteArraySerializer());
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            admin.close(Duration.ZERO);
            throw new BackendException("kafka: cannot describe topic '" + config.topic() + "' at "
                    + config.bootstrapServers() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            admin.close(Duration.ZERO);
            throw new BackendException("kafka: interrupted while starting the ingest buffer", e);
        } catch (RuntimeException e) {
            admin.close(Duration.ZERO);
            throw e;
        }
        this.producer = p;
        LOG.info("event=kafka_buffer_started bootstrap={} topic={} partitions={} replication={} min_insync_replicas={}",
                config.bootstrapServers(), config.topic(), partitions.size(), config.replication(),
                topicMinInsyncReplicas);
    }

    /**
     * The topic's own {@code min.insync.replicas} (an existing topic keeps the value it was created with): when the
     * user set {@link KafkaBufferConfig#minInsyncReplicas} and the topic differs, the topic is altered to it; when it
     * is unset and the topic differs from the derived value, a warning says so and the topic is left as it is.
     * Returns the value in force, which the health indicator checks against.
     */
    static int reconcileMinInsyncReplicas(Admin admin, KafkaBufferConfig config)
            throws ExecutionException, InterruptedException, java.util.concurrent.TimeoutException {
        org.apache.kafka.common.config.ConfigResource resource =
                new org.apache.kafka.common.config.ConfigResource(org.apache.kafka.common.config.ConfigResource.Type.TOPIC, config.topic());
        long timeoutMs = config.requestTimeout().toMillis();
        org.apache.kafka.clients.admin.ConfigEntry entry;
        try {
            entry = admin.describeConfigs(List.of(resource)).all()
                    .get(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS).get(resource).get(MIN_INSYNC_REPLICAS);
        } catch (ExecutionException e) { // no DescribeConfigs ACL: assume the configured value
            LOG.warn("event=kafka_topic_config_unreadable topic={} assumed_min_insync_replicas={} error=\"{}\"",
                    config.topic(), config.effectiveMinInsyncReplicas(), e.getCause().getMessage());
            return config.effectiveMinInsyncReplicas();
        }
        int actual = entry == null || entry.value() == null ? 1 : Integer.parseInt(entry.value());
        if (config.minInsyncReplicas() > 0) {
            if (actual != config.minInsyncReplicas()) {
                try {
                    admin.incrementalAlterConfigs(Map.of(resource, List.of(new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry(MIN_INSYNC_REPLICAS, String.valueOf(config.minInsyncReplicas())),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET)))).all()
                        .get(timeoutMs, java.util.concurrent.TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) { // no AlterConfigs ACL: the topic's value stays in force
                    LOG.warn("event=kafka_topic_min_insync_replicas_not_altered topic={} topic_value={} configured={}"
                            + " error=\"{}\"", config.topic(), actual, config.minInsyncReplicas(), e.getCause().getMessage());
                    return actual;
                }
                LOG.info("event=kafka_topic_min_insync_replicas_altered topic={} from={} to={}", config.topic(), actual,
                        config.minInsyncReplicas());
                return config.minInsyncReplicas();
            }
        } else if (actual != config.effectiveMinInsyncReplicas()) {
            LOG.warn("event=kafka_topic_min_insync_replicas_differs topic={} topic_value={} derived={} replication={}"
                            + " hint=\"set min.insync.replicas in backends.kafka to have bklog alter the topic, or alter it"
                            + " with kafka-configs.sh\"", config.topic(), actual, config.effectiveMinInsyncReplicas(),
                    config.replication());
        }
        return actual;
    }

    /** The buffer topic's {@code min.insync.replicas} as read (or set) at start-up: the value the brokers enforce. */
    public int topicMinInsyncReplicas() {
        return topicMinInsyncReplicas;
    }

    static Map<String, Object> producerProperties(KafkaBufferConfig c) {
        Map<String, Object> p = KafkaClients.base(c.bootstrapServers(), c.clientProperties(), c.requestTimeout());
        long linger = c.linger().toMillis();
        long delivery = Math.max(c.deliveryTimeout().toMillis(), linger + 1000);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, c.compression());
        p.put(ProducerConfig.LINGER_MS_CONFIG, (int) linger);
        p.put(ProducerConfig.BUFFER_MEMORY_CONFIG, c.bufferMemoryBytes());
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, c.maxBlock().toMillis());
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) delivery);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.min(c.requestTimeout().toMillis(), delivery - linger));
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        p.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "bklog-buffer-" + c.topic());
        return p;
    }

    public KafkaBufferConfig config() {
        return config;
    }

    @Override
    public String backendName() {
        return BACKEND;
    }

    /** Records sent to the dead-letter topic by this buffer's consumers. */
    public long deadLettered() {
        return deadLettered.get();
    }

    @Override
    public void append(List<BufferedDocument> documents) {
        if (documents.isEmpty()) return;
        List<ProducerRecord<String, byte[]>> records = new ArrayList<>(documents.size());
        for (BufferedDocument d : documents) records.add(new ProducerRecord<>(config.topic(), d.key(), codec.encode(d)));
        reserve(documents.size());
        List<Future<RecordMetadata>> acks = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            try {
                acks.add(producer.send(records.get(i)));
            } catch (TimeoutException e) {
                String message = "the producer buffer (" + config.bufferMemoryBytes() + " bytes) stayed full for "
                        + config.maxBlock() + "; " + i + " of " + records.size()
                        + " records were handed to the producer" + (i == 0 ? "" : " and may land")
                        + ": retry the batch";
                if (i == 0) throw full(message, e);
                throw unconfirmed(message, e);
            } catch (KafkaException e) {
                throw new BackendException("kafka: cannot append to topic '" + config.topic() + "': " + e.getMessage(), e);
            }
        }
        for (Future<RecordMetadata> ack : acks) {
            try {
                ack.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof TimeoutException) {
                    throw unconfirmed("the broker did not acknowledge within " + config.deliveryTimeout()
                            + " (is it reachable?); part of the batch may have landed: retry the batch", cause);
                }
                throw new BackendException("kafka: appending to topic '" + config.topic() + "' failed: "
                        + cause.getMessage(), cause instanceof RetriableException, cause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("kafka: interrupted while waiting for the broker's acknowledgement", e);
            }
        }
    }

    private BufferFullException full(String message, Throwable cause) {
        BufferFullException e = new BufferFullException("kafka: topic '" + config.topic() + "': " + message);
        e.initCause(cause);
        return e;
    }

    private BufferTimeoutException unconfirmed(String message, Throwable cause) {
        return new BufferTimeoutException("kafka: topic '" + config.topic() + "': " + message, cause);
    }

    /**
     * Counts {@code n} records against {@code maxPendingRecords}: the lag known from the last check plus what was
     * appended since is an upper bound (ignoring other producers for at most a second); the lag is read again
     * from the brokers when that bound would be passed.
     */
    private void reserve(int n) {
        long max = config.maxPendingRecords();
        if (max == 0 || watched.isEmpty()) return;
        synchronized (boundLock) {
            boolean fresh = boundChecked && System.nanoTime() - checkedAtNanos < 1_000_000_000L;
            if (!fresh || knownPending + appendedSinceCheck + n > max) {
                long lag = 0;
                for (String g : watched) {
                    long p = pending(g);
                    if (p < 0) throw new BufferFullException("kafka: cannot read the lag of group '" + g
                            + "' on topic '" + config.topic() + "' (broker unreachable?); retry later");
                    lag = Math.max(lag, p);
                }
                knownPending = lag;
                appendedSinceCheck = 0;
                checkedAtNanos = System.nanoTime();
                boundChecked = true;
            }
            if (knownPending + appendedSinceCheck + n > max) {
                throw new BufferFullException("kafka: topic '" + config.topic() + "' holds " + (knownPending + appendedSinceCheck)
                        + " records not yet committed by a consumer group; " + n + " more would pass the bound of "
                        + max + " (maxPendingRecords); retry after the consumers caught up");
            }
            appendedSinceCheck += n;
        }
    }

    @Override
    public Consumer consumer(String group) {
        if (group == null || group.isBlank()) throw new IllegalArgumentException("consumer group name is empty");
        watched.add(group);
        lagGauge(group);
        return new GroupConsumer(group);
    }

    /**
     * Registers {@code bklog.kafka.consumer.lag{group, topic}} ({@link KafkaLagGauge}) for every watched group and
     * every group that gets a {@link #consumer} later. The platform binds its buffer to its registry.
     */
    @Override
    public void bindMeters(io.bklog.spi.Meters registry) {
        this.meters = registry;
        for (String g : watched) lagGauge(g);
    }

    private void lagGauge(String group) {
        io.bklog.spi.Meters r = meters;
        if (r == null) return;
        lagGauges.computeIfAbsent(group, g -> KafkaLagGauge.register(r, admin, g, config.topic(),
                config.requestTimeout()));
    }

    @Override
    public long pending(String group) {
        try {
            return KafkaLag.lag(admin, group, partitions, config.requestTimeout());
        } catch (ExecutionException | java.util.concurrent.TimeoutException | KafkaException e) {
            LOG.warn("event=kafka_lag_unknown group={} topic={} reason={}", group, config.topic(), e.toString());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    @Override
    public void close() {
        lagGauges.values().forEach(KafkaLagGauge::close);
        producer.close(config.requestTimeout());
        admin.close(config.requestTimeout());
    }

    private final class GroupConsumer implements Consumer, ConsumerRebalanceListener {
        private final String group;
        private final KafkaConsumer<String, byte[]> consumer;
        /** fetched, not yet handed out */
        private final ArrayDeque<ConsumerRecord<String, byte[]>> held = new ArrayDeque<>();
        /** next offset per partition after the records handed out and not yet committed */
        private final Map<TopicPartition, OffsetAndMetadata> delivered = new HashMap<>();
        /** offsets the caller committed whose commit did not go through yet (a rebalance was in progress) */
        private final Map<TopicPartition, OffsetAndMetadata> toCommit = new HashMap<>();
        private boolean closed;
        private boolean joined;

        GroupConsumer(String group) {
            this.group = group;
            Map<String, Object> p = KafkaClients.base(config.bootstrapServers(), config.clientProperties(), config.requestTimeout());
            p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
            // a member notices a rebalance at its next heartbeat: keep that short so a joining member gets work soon
            p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
            p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "bklog-" + group + "-" + System.identityHashCode(this));
            this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
            this.consumer.subscribe(List.of(config.topic()), this);
            // join now (bounded): a member that joins at its first poll can find the others done before it gets
            // a share; if another member of the group does not poll meanwhile, the join completes at the next poll
            long deadline = System.nanoTime() + JOIN_WAIT.toNanos();
            while (!joined && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(100))) held.add(r);
            }
        }

        @Override
        public List<BufferedDocument> poll(int max, Duration timeout) {
            if (max < 1) throw new IllegalArgumentException("max must be >= 1, got " + max);
            if (closed) throw new IllegalStateException("consumer of group '" + group + "' is closed");
            if (!toCommit.isEmpty()) commitPending();
            if (held.isEmpty()) {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) held.add(r);
            } else {
                // records in hand: still poll (paused, no fetch) so a pending rebalance proceeds and other
                // members get their share instead of waiting until this one handed out everything
                consumer.pause(consumer.assignment());
                try {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ZERO)) held.add(r);
                } finally {
                    consumer.resume(consumer.paused());
                }
            }
            List<BufferedDocument> out = new ArrayList<>(Math.min(max, held.size()));
            while (out.size() < max && !held.isEmpty()) {
                ConsumerRecord<String, byte[]> r = held.peek();
                BufferedDocument d;
                try {
                    d = codec.decode(r.value());
                } catch (IllegalArgumentException e) {
                    deadLetter(r, e.getMessage());
                    d = null;
                }
                held.poll();
                delivered.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
                if (d != null) out.add(d);
            }
            return out;
        }

        private void deadLetter(ConsumerRecord<String, byte[]> r, String reason) {
            ProducerRecord<String, byte[]> dlq = new ProducerRecord<>(config.deadLetterTopic(), r.key(), r.value());
            dlq.headers().add(DLQ_REASON_HEADER, reason.getBytes(StandardCharsets.UTF_8));
            dlq.headers().add("bklog.dlq.source", (r.topic() + "/" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8));
            try {
                producer.send(dlq).get();
            } catch (ExecutionException | KafkaException e) {
                throw new BackendException("kafka: cannot move the undecodable record " + r.topic() + "/" + r.partition()
                        + "@" + r.offset() + " to '" + config.deadLetterTopic() + "' (" + reason + "): " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackendException("kafka: interrupted while dead-lettering a record", e);
            }
            deadLettered.incrementAndGet();
            LOG.warn("event=kafka_dead_letter group={} record={}/{}@{} reason=\"{}\"", group, r.topic(), r.partition(), r.offset(), reason);
        }

        @Override
        public void commit() {
            if (closed) throw new IllegalStateException("consumer of group '" + group + "' is closed");
            toCommit.putAll(delivered);
            delivered.clear();
            commitPending();
        }

        private void commitPending() {
            if (toCommit.isEmpty()) return;
            try {
                consumer.commitSync(toCommit, config.requestTimeout());
                toCommit.clear();
            } catch (RebalanceInProgressException e) {
                LOG.info("event=kafka_commit_deferred group={} reason=rebalance partitions={}", group, toCommit.size());
            } catch (CommitFailedException e) {
                toCommit.clear();
                throw new BackendException("kafka: group '" + group + "' rebalanced before the commit; the records"
                        + " since the last commit are delivered again (same ids, no duplicates in the store)", e);
            } catch (KafkaException e) {
                throw new BackendException("kafka: commit of group '" + group + "' failed: " + e.getMessage(),
                        e instanceof RetriableException, e);
            }
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
            LOG.info("event=kafka_partitions_revoked group={} partitions={}", group, revoked);
            Map<TopicPartition, OffsetAndMetadata> mine = new HashMap<>();
            for (TopicPartition tp : revoked) {
                OffsetAndMetadata o = toCommit.remove(tp);
                if (o != null) mine.put(tp, o);
            }
            if (!mine.isEmpty()) {
                try {
                    consumer.commitSync(mine, config.requestTimeout());
                } catch (KafkaException e) {
                    LOG.warn("event=kafka_commit_on_revoke_failed group={} partitions={} reason={}", group, mine.keySet(), e.toString());
                }
            }
            forget(revoked);
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> lost) {
            lost.forEach(toCommit::remove);
            forget(lost);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
            joined = true;
            LOG.info("event=kafka_partitions_assigned group={} partitions={}", group, assigned);
        }

        /** Handed-out, uncommitted records of partitions we no longer own go to their new owner again. */
        private void forget(Collection<TopicPartition> partitions) {
            Set<TopicPartition> set = new HashSet<>(partitions);
            delivered.keySet().removeAll(set);
            held.removeIf(r -> set.contains(new TopicPartition(r.topic(), r.partition())));
        }

        @Override
        public void close() {
            if (closed) return;
            closed = true;
            delivered.clear();
            held.clear();
            try {
                consumer.close(config.requestTimeout());
            } catch (KafkaException e) {
                LOG.warn("event=kafka_consumer_close_failed group={} reason={}", group, e.toString());
            }
        }
    }
}
