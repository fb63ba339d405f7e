package io.bklog.kafka;

import io.bklog.spi.Meters;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;

/**
 * The gauge {@code bklog.kafka.consumer.lag{group, topic}} on the platform's {@link Meters} (Prometheus:
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
    private final Meters.Registration gauge;
    private volatile List<TopicPartition> partitions;
    private volatile double value = Double.NaN;
    private volatile long readAt;

    private KafkaLagGauge(Admin admin, String group, String topic, Duration timeout, Meters meters) {
        this.admin = admin;
        this.group = group;
        this.topic = topic;
        this.timeout = timeout;
        this.gauge = meters.gauge(NAME, "records of the topic not yet committed by the consumer group", this::value,
                "group", group, "topic", topic);
    }

    /** Registers the gauge of {@code group} on {@code topic}. */
    public static KafkaLagGauge register(Meters meters, Admin admin, String group, String topic,
                                         Duration timeout) {
        return new KafkaLagGauge(admin, group, topic, timeout, meters);
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
        gauge.close();
    }
}
