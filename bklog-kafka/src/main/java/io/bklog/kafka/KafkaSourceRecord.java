package io.bklog.kafka;

import java.time.Instant;

/**
 * One raw line read by {@link KafkaSource}. {@link #sourceId()} and {@link #offset()} identify it for good, so a
 * deterministic document id made of them (core's {@code DocumentIds.of(sourceId, offset)}) makes a redelivery
 * overwrite instead of duplicating.
 */
public record KafkaSourceRecord(String topic, int partition, long offset, String key, String line, Instant timestamp) {

    /** {@code kafka:{topic}/{partition}}. */
    public String sourceId() {
        return "kafka:" + topic + "/" + partition;
    }
}
