package io.bklog.kafka;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.IngestBuffer;
import org.apache.kafka.clients.admin.Admin;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Backend {@code kafka}: the ingest buffer and the {@code kafka} health indicator. Settings (defaults):
 * {@code bootstrap.servers} (required), {@code topic} (bklog-ingest), {@code partitions} (8), {@code replication}
 * (1), {@code min.insync.replicas} (unset: below replication 3 the topic keeps the broker's default, from 3 on a
 * majority, 2 of 3, on creation; set: an existing topic with another value is altered to it at start-up), {@code group} (bklog-sink; its lag is watched), {@code linger} (5ms), {@code compression} (lz4),
 * {@code buffer.memory} (33554432 bytes), {@code max.block} (5s), {@code delivery.timeout} (30s),
 * {@code max.pending.records} (0 = none), {@code lag.threshold} (100000), {@code health.timeout} (5s); keys under
 * {@code client.} are passed to the Kafka clients as they are ({@code client.security.protocol},
 * {@code client.sasl.mechanism}, {@code client.sasl.jaas.config}).
 */
public final class KafkaBackendProvider implements BackendProvider {

    /** Every setting this backend reads; any other is refused (docs/config.md). */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("bootstrap.servers", "topic", "partitions", "replication", "min.insync.replicas", "group", "linger", "compression", "buffer.memory", "max.block", "delivery.timeout", "max.pending.records", "lag.threshold", "health.timeout");

    @Override
    public String name() {
        return KafkaIngestBuffer.BACKEND;
    }

    @Override
    public Backend create(BackendConfig config) {
        config.refuseUnknownKeys(name(), SETTINGS, "client.");
        Map<String, String> client = new HashMap<>();
        config.settings().forEach((k, v) -> {
            if (k.startsWith("client.")) client.put(k.substring("client.".length()), v);
        });
        String group = config.get("group", KafkaBufferConfig.DEFAULT_GROUP);
        KafkaBufferConfig bc = KafkaBufferConfig.builder(config.require("bootstrap.servers"))
                .topic(config.get("topic", KafkaBufferConfig.DEFAULT_TOPIC))
                .partitions(config.getInt("partitions", 8))
                .replication((short) config.getInt("replication", 1))
                .minInsyncReplicas(config.getInt("min.insync.replicas", 0))
                .watchedGroups(Set.of(group))
                .linger(config.getDuration("linger", Duration.ofMillis(5)))
                .compression(config.get("compression", "lz4"))
                .bufferMemoryBytes(config.getLong("buffer.memory", 32L * 1024 * 1024))
                .maxBlock(config.getDuration("max.block", Duration.ofSeconds(5)))
                .deliveryTimeout(config.getDuration("delivery.timeout", Duration.ofSeconds(30)))
                .maxPendingRecords(config.getLong("max.pending.records", 0))
                .clientProperties(client)
                .build();
        Duration healthTimeout = config.getDuration("health.timeout", Duration.ofSeconds(5));
        KafkaIngestBuffer buffer = new KafkaIngestBuffer(bc);
        Admin admin = KafkaClients.admin(bc.bootstrapServers(), client, healthTimeout);
        KafkaHealthIndicator health = KafkaHealthIndicator.builder(admin)
                .topics(List.of(bc.topic()))
                .groups(List.of(group))
                .lagThreshold(config.getLong("lag.threshold", KafkaHealthIndicator.DEFAULT_LAG_THRESHOLD))
                .timeout(healthTimeout)
                .bootstrapServers(bc.bootstrapServers())
                .minInsyncReplicas(buffer.topicMinInsyncReplicas())
                .build();
        return new Backend() {
            @Override
            public String name() {
                return KafkaIngestBuffer.BACKEND;
            }

            @Override
            public Optional<IngestBuffer> ingestBuffer() {
                return Optional.of(buffer);
            }

            @Override
            public List<HealthIndicator> healthIndicators() {
                return List.of(health);
            }

            @Override
            public void close() {
                buffer.close();
                admin.close(healthTimeout);
            }
        };
    }
}
