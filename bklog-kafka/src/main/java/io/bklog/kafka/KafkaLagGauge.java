package io.bklog.kafka;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * The Micrometer gauge {@code bklog.kafka.consumer.lag{group, topic}} (Prometheus:
 * {@code bklog_kafka_consumer_lag}): records of {@code topic} not yet committed by {@code group}, read through the
 * Admin API at most once a second (a scrape in between gets the last value), NaN while it cannot be read.
 * {@link #close()} removes the gauge; the admin client belongs to the caller.
 */
public final class KafkaLagGauge implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaLagGauge.class);
    /** The meter name; Prometheus shows it as {@code bklog_kafka_consumer_lag}. */
    public static final String NAME = "bklog.kafka.consumer.lag";
    private static final long REFRESH_NANOS = Duration.ofSeconds(1).toNanos();

    private final Admin admin;
    private final String group;
    private final String topic;
    private final Duration timeout;
    private final MeterRegistry registry;
    private final Gauge gauge;
    private volatile List<TopicPartition> partitions;
    private volatile double value = Double.NaN;
    private volatile long readAt;

    private KafkaLagGauge(Admin admin, String group, String topic, Duration timeout, MeterRegistry registry) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
        this.timeout = timeout;
        this.registry = registry;
        this.gauge = Gauge.builder(NAME, this, KafkaLagGauge::value)
                .description("records of the topic not yet committed by the consumer group")
                .tags("group", group, "topic", topic)
                .strongReference(true)
                .register(registry);
    }

    /** Registers the gauge of {@code group} on {@code topic}. */
    public static KafkaLagGauge register(MeterRegistry registry, Admin admin, String group, String topic,
                                         Duration timeout) {
        return new KafkaLagGauge(admin, group, topic, timeout, registry);
    }

    /** The lag, read again when the last read is older than a second. */
    public synchronized double value() {
        long now = System.nanoTime();
        if (readAt != 0 && now - readAt < REFRESH_NANOS) return value;
        readAt = now;
        try {
            if (partitions == null) partitions = KafkaLag.partitions(admin, topic, timeout);
            value = KafkaLag.lag(admin, group, partitions, timeout);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            partitions = null;
            value = Double.NaN;
            LOG.debug("event=kafka_lag_unknown group={} topic={} reason={}", group, topic, e.toString());
        }
        return value;
    }

    @Override
    public void close() {
        registry.remove(gauge);
    }
}
