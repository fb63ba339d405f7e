package io.bklog.kafka;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Health of Kafka (namespace {@code kafka}): {@code brokers} (describeCluster answers within the timeout; value =
 * broker count), {@code topic} per topic (exists; value = partitions) and {@code consumer_lag} per group and topic
 * (records not yet committed; fails above the threshold, default 100 000). When the brokers do not answer only the
 * {@code brokers} metric is reported. Build with {@link #builder(Admin)}; closing is the owner's job for the admin.
 */
public final class KafkaHealthIndicator implements HealthIndicator {

    public static final String NAMESPACE = "kafka";
    public static final long DEFAULT_LAG_THRESHOLD = 100_000;

    private final Admin admin;
    private final List<String> topics;
    private final List<String> groups;
    private final long lagThreshold;
    private final Duration timeout;
    private final String bootstrapServers;

    private KafkaHealthIndicator(Builder b) {
        this.admin = Objects.requireNonNull(b.admin, "admin");
        this.topics = List.copyOf(b.topics);
        this.groups = List.copyOf(b.groups);
        this.lagThreshold = b.lagThreshold;
        this.timeout = b.timeout;
        this.bootstrapServers = b.bootstrapServers;
    }

    /** Defaults: no topics, no groups, lag threshold 100 000, timeout 5 s. */
    public static Builder builder(Admin admin) {
        return new Builder(admin);
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public List<HealthzMetric> check() {
        List<HealthzMetric> out = new ArrayList<>();
        long started = System.nanoTime();
        try {
            int nodes = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS).size();
            out.add(new HealthzMetric(true, "brokers", nodes, Map.of("bootstrap_servers", bootstrapServers),
                    "", ""));
            out.add(HealthzMetric.ok("describe_cluster_ms", (System.nanoTime() - started) / 1_000_000));
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            out.add(new HealthzMetric(false, "brokers", 0, Map.of("bootstrap_servers", bootstrapServers),
                    "Kafka brokers at " + bootstrapServers + " did not answer within " + timeout + ": " + reason(e),
                    "check that the brokers run and bootstrap.servers is right (network, listeners, SASL settings)"));
            return out;
        }
        for (String topic : topics) {
            List<TopicPartition> partitions;
            try {
                partitions = KafkaLag.partitions(admin, topic, timeout);
                out.add(new HealthzMetric(true, "topic", partitions.size(), Map.of("topic", topic), "", ""));
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                boolean missing = e instanceof ExecutionException && e.getCause() instanceof UnknownTopicOrPartitionException;
                out.add(new HealthzMetric(false, "topic", 0, Map.of("topic", topic),
                        missing ? "topic '" + topic + "' does not exist" : "cannot describe topic '" + topic + "': " + reason(e),
                        missing ? "create it (bklog creates its buffer topic at start-up) or fix the topic name"
                                : "check the brokers and the client's ACLs"));
                continue;
            }
            for (String group : groups) {
                Map<String, String> dims = Map.of("topic", topic, "group", group);
                try {
                    long lag = KafkaLag.lag(admin, group, partitions, timeout);
                    boolean ok = lag <= lagThreshold;
                    out.add(new HealthzMetric(ok, "consumer_lag", lag, dims,
                            ok ? "" : "group '" + group + "' is " + lag + " records behind on topic '" + topic
                                    + "' (threshold " + lagThreshold + ")",
                            ok ? "" : "add consumer instances / partitions, check the store"));
                } catch (Exception e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    out.add(new HealthzMetric(false, "consumer_lag", -1, dims,
                            "cannot read the lag of group '" + group + "' on '" + topic + "': " + reason(e),
                            "check the brokers and the client's ACLs (Describe on the group)"));
                }
            }
        }
        return out;
    }

    private static String reason(Exception e) {
        Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : " " + t.getMessage());
    }

    public static final class Builder {
        private final Admin admin;
        private List<String> topics = List.of();
        private List<String> groups = List.of();
        private long lagThreshold = DEFAULT_LAG_THRESHOLD;
        private Duration timeout = Duration.ofSeconds(5);
        private String bootstrapServers = "";

        private Builder(Admin admin) {
            this.admin = admin;
        }

        public Builder topics(List<String> v) { topics = v; return this; }
        public Builder groups(List<String> v) { groups = v; return this; }
        public Builder lagThreshold(long v) {
            if (v < 0) throw new IllegalArgumentException("lag threshold must be >= 0, got " + v);
            lagThreshold = v;
            return this;
        }
        public Builder timeout(Duration v) { timeout = v; return this; }
        /** Shown in the brokers metric's dimensions and messages. */
        public Builder bootstrapServers(String v) { bootstrapServers = v; return this; }

        public KafkaHealthIndicator build() {
            return new KafkaHealthIndicator(this);
        }
    }
}
