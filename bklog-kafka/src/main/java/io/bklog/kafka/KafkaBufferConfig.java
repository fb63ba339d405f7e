package io.bklog.kafka;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of {@link KafkaIngestBuffer}; build with {@link #builder(String)}. Defaults: topic {@code bklog-ingest},
 * 8 partitions, replication 1, {@code min.insync.replicas} derived from the replication ({@link #effectiveMinInsyncReplicas()}:
 * 1 below replication 3, else a majority, i.e. 2 of 3), linger 5 ms, compression {@code lz4}, producer buffer 32 MiB, max block 5 s,
 * delivery timeout 30 s, no record bound ({@code maxPendingRecords} 0: only the producer's byte buffer bounds),
 * watched group {@code bklog-sink}, 500 records per fetch. {@code clientProperties} are passed to every Kafka
 * client as they are (SASL, TLS: {@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}).
 */
public record KafkaBufferConfig(String bootstrapServers, String topic, int partitions, short replication,
                                int minInsyncReplicas, Duration linger, String compression, long bufferMemoryBytes, Duration maxBlock,
                                Duration deliveryTimeout, long maxPendingRecords, Set<String> watchedGroups,
                                int maxPollRecords, Duration requestTimeout, Map<String, String> clientProperties) {

    public static final String DEFAULT_TOPIC = "bklog-ingest";
    public static final String DEFAULT_GROUP = "bklog-sink";

    public KafkaBufferConfig {
        Objects.requireNonNull(bootstrapServers, "bootstrapServers");
        if (bootstrapServers.isBlank()) throw new IllegalArgumentException("bootstrap.servers is empty; expected host:port[,host:port]");
        if (topic == null || !topic.matches("[a-zA-Z0-9._-]{1,200}")) {
            throw new IllegalArgumentException("topic '" + topic + "' is not a valid Kafka topic name ([a-zA-Z0-9._-], 1..200 chars)");
        }
        if (partitions < 1) throw new IllegalArgumentException("partitions must be >= 1, got " + partitions);
        if (replication < 1) throw new IllegalArgumentException("replication must be >= 1, got " + replication);
        if (minInsyncReplicas < 0 || minInsyncReplicas > replication) {
            throw new IllegalArgumentException("min.insync.replicas must be between 1 and the replication (" + replication
                    + "), or 0 for the default, got " + minInsyncReplicas);
        }
        if (!Set.of("none", "gzip", "snappy", "lz4", "zstd").contains(compression)) {
            throw new IllegalArgumentException("compression '" + compression + "' is not one of none, gzip, snappy, lz4, zstd");
        }
        if (bufferMemoryBytes < 1024) throw new IllegalArgumentException("bufferMemoryBytes must be >= 1024, got " + bufferMemoryBytes);
        if (maxPendingRecords < 0) throw new IllegalArgumentException("maxPendingRecords must be >= 0 (0 = no bound), got " + maxPendingRecords);
        if (maxPollRecords < 1) throw new IllegalArgumentException("maxPollRecords must be >= 1, got " + maxPollRecords);
        watchedGroups = Set.copyOf(watchedGroups);
        clientProperties = Map.copyOf(clientProperties);
    }

    /**
     * The {@code min.insync.replicas} bklog expects of the buffer topics: the configured value, or by default 1
     * below replication 3 (the topics are then created without the setting: the broker's default applies) and a
     * majority from 3 on (2 of 3, 3 of 5), which new topics are created with. An existing topic's own value is
     * altered only when the value was set ({@link KafkaIngestBuffer#topicMinInsyncReplicas()}). With {@code acks=all} a record is acknowledged
     * once this many replicas have it, and appends are refused while fewer are in sync.
     */
    public int effectiveMinInsyncReplicas() {
        if (minInsyncReplicas > 0) return minInsyncReplicas;
        return replication < 3 ? 1 : replication / 2 + 1;
    }

    public String deadLetterTopic() {
        return topic + ".dlq";
    }

    public static Builder builder(String bootstrapServers) {
        return new Builder(bootstrapServers);
    }

    public static final class Builder {
        private final String bootstrapServers;
        private String topic = DEFAULT_TOPIC;
        private int partitions = 8;
        private short replication = 1;
        private int minInsyncReplicas;
        private Duration linger = Duration.ofMillis(5);
        private String compression = "lz4";
        private long bufferMemoryBytes = 32L * 1024 * 1024;
        private Duration maxBlock = Duration.ofSeconds(5);
        private Duration deliveryTimeout = Duration.ofSeconds(30);
        private long maxPendingRecords;
        private Set<String> watchedGroups = Set.of(DEFAULT_GROUP);
        private int maxPollRecords = 500;
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Map<String, String> clientProperties = Map.of();

        private Builder(String bootstrapServers) {
            this.bootstrapServers = bootstrapServers;
        }

        public Builder topic(String v) { topic = v; return this; }
        public Builder partitions(int v) { partitions = v; return this; }
        public Builder replication(short v) { replication = v; return this; }
        /** {@code min.insync.replicas} of the topics bklog creates; 0 (default) = derived, see effectiveMinInsyncReplicas. */
        public Builder minInsyncReplicas(int v) { minInsyncReplicas = v; return this; }
        public Builder linger(Duration v) { linger = v; return this; }
        public Builder compression(String v) { compression = v; return this; }
        /** The producer's bound in bytes ({@code buffer.memory}); past it append waits maxBlock, then refuses. */
        public Builder bufferMemoryBytes(long v) { bufferMemoryBytes = v; return this; }
        public Builder maxBlock(Duration v) { maxBlock = v; return this; }
        /** How long append waits for the broker's acknowledgement before refusing with BufferTimeoutException. */
        public Builder deliveryTimeout(Duration v) { deliveryTimeout = v; return this; }
        /** Bound on records not yet committed by the watched groups (0 = none); past it append refuses. */
        public Builder maxPendingRecords(long v) { maxPendingRecords = v; return this; }
        /** Groups whose lag counts against maxPendingRecords (groups joined through the buffer are added). */
        public Builder watchedGroups(Set<String> v) { watchedGroups = v; return this; }
        public Builder maxPollRecords(int v) { maxPollRecords = v; return this; }
        public Builder requestTimeout(Duration v) { requestTimeout = v; return this; }
        public Builder clientProperties(Map<String, String> v) { clientProperties = v; return this; }

        public KafkaBufferConfig build() {
            return new KafkaBufferConfig(bootstrapServers, topic, partitions, replication, minInsyncReplicas, linger, compression,
                    bufferMemoryBytes, maxBlock, deliveryTimeout, maxPendingRecords, watchedGroups, maxPollRecords,
                    requestTimeout, clientProperties);
        }
    }
}
