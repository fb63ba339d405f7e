package io.bklog.kafka;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Health of Kafka (namespace {@code kafka}): {@code brokers} (describeCluster answers within the timeout; value =
 * brokers alive; each listed broker's port is tried, as the cluster lists a dead one until it is fenced, an answer
 * reused for 5 s ({@link Builder#probeCache}) and nothing tried past the timeout; fails naming each broker that holds
 * a replica of a watched topic, or is listed but does not accept connections, and is not alive now: dimension
 * {@code down} "node ID (host:port)", {@code level} {@code degraded} while every partition
 * keeps min.insync.replicas in sync, else {@code unavailable}), per topic {@code under_replicated_partitions}
 * (fails while a partition has fewer in-sync replicas than replicas) and {@code under_min_isr_partitions} (with
 * {@link Builder#minInsyncReplicas}: fails while a partition refuses appends), {@code topic} per topic (exists; value = partitions) and {@code consumer_lag} per group and topic
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
    private final int minInsyncReplicas;
    /** the address of each broker seen alive (id → host:port), to name one that is gone; pruned to the brokers still expected */
    private final Map<Integer, String> seen = new ConcurrentHashMap<>();
    private final BrokerProbe probe;
    /** Each topic's own min.insync.replicas as last read, and when ({@link System#nanoTime}). */
    private record MinIsr(int value, long readNanos) {}
    private final Map<String, MinIsr> topicMinIsr = new ConcurrentHashMap<>();
    private final Duration minInsyncRefresh;

    private KafkaHealthIndicator(Builder b) {
        this.admin = Objects.requireNonNull(b.admin, "admin");
        this.topics = List.copyOf(b.topics);
        this.groups = List.copyOf(b.groups);
        this.lagThreshold = b.lagThreshold;
        this.timeout = b.timeout;
        this.bootstrapServers = b.bootstrapServers;
        this.minInsyncReplicas = b.minInsyncReplicas;
        this.minInsyncRefresh = b.minInsyncRefresh;
        this.probe = new BrokerProbe(b.probeCache, System::nanoTime);
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
        Collection<Node> live;
        try {
            live = admin.describeCluster(new DescribeClusterOptions().timeoutMs((int) timeout.toMillis()))
                    .nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            out.add(new HealthzMetric(false, "brokers", 0, Map.of("bootstrap_servers", bootstrapServers),
                    "Kafka brokers at " + bootstrapServers + " did not answer within " + timeout + ": " + reason(e),
                    "check that the brokers run and bootstrap.servers is right (network, listeners, SASL settings)"));
            return out;
        }
        long describeMs = (System.nanoTime() - started) / 1_000_000;
        // the whole check stays within the timeout: a partition whose leader just died makes its calls wait
        long deadline = started + timeout.toNanos();
        Set<Integer> liveIds = new TreeSet<>();
        for (Node n : live) {
            liveIds.add(n.id());
            seen.put(n.id(), n.host() + ":" + n.port());
        }
        // the cluster lists a broker until the controller fenced it (broker.session.timeout.ms), and forever while
        // the controllers have no quorum: a TCP connect to each listed broker tells a dead one at once (refused, or
        // no answer within 500 ms), and a merely slow broker from a dead one (its kernel still accepts)
        // (answers kept a few seconds, nothing tried past the deadline, see BrokerProbe)
        Set<Integer> silent = new TreeSet<>();
        if (live.size() > 1) {
            for (Node n : live) {
                if (probe.probe(n.host(), n.port(), deadline) == BrokerProbe.Result.SILENT) silent.add(n.id());
            }
        }
        // the brokers expected alive: those holding a replica of a watched topic (a broker decommissioned, its
        // replicas moved away, is no longer expected once the cluster forgot it) and those listed but silent
        Set<Integer> expected = new TreeSet<>();
        List<HealthzMetric> topicMetrics = new ArrayList<>();
        List<String> writeRefused = new ArrayList<>();
        for (String topic : topics) {
            TopicDescription d;
            if (past(deadline)) {
                topicMetrics.add(new HealthzMetric(false, "topic", 0, Map.of("topic", topic),
                        "topic '" + topic + "' not checked: the check used up its timeout (" + timeout + ")",
                        "a broker answers slowly or a leader just changed; check the brokers"));
                continue;
            }
            try {
                d = admin.describeTopics(List.of(topic)).allTopicNames()
                        .get(left(deadline).toMillis(), TimeUnit.MILLISECONDS).get(topic);
                topicMetrics.add(new HealthzMetric(true, "topic", d.partitions().size(), Map.of("topic", topic), "", ""));
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                boolean missing = e instanceof ExecutionException && e.getCause() instanceof UnknownTopicOrPartitionException;
                topicMetrics.add(new HealthzMetric(false, "topic", 0, Map.of("topic", topic),
                        missing ? "topic '" + topic + "' does not exist" : "cannot describe topic '" + topic + "': " + reason(e),
                        missing ? "create it (bklog creates its buffer topic at start-up) or fix the topic name"
                                : "check the brokers and the client's ACLs"));
                continue;
            }
            int under = 0;
            int minIsr = minInsync(topic, deadline);
            List<Integer> belowMin = new ArrayList<>();
            for (TopicPartitionInfo p : d.partitions()) {
                p.replicas().forEach(r -> expected.add(r.id()));
                // without a controller quorum the ISRs are not updated: count only replicas that answer
                long inSync = p.isr().stream().filter(r -> liveIds.contains(r.id()) && !silent.contains(r.id())).count();
                if (inSync < p.replicas().size()) under++;
                // a dead leader with enough replicas in sync is replaced by the controller within seconds: not counted
                if (inSync < Math.max(1, minIsr)) belowMin.add(p.partition());
            }
            Map<String, String> dims = Map.of("topic", topic);
            topicMetrics.add(new HealthzMetric(under == 0, "under_replicated_partitions", under, dims,
                    under == 0 ? "" : under + " of " + d.partitions().size() + " partitions of '" + topic
                            + "' have fewer in-sync replicas than replicas: a broker is down or catching up",
                    under == 0 ? "" : "restart the broker named by the brokers metric; the partitions turn in sync once it caught up"));
            if (minIsr > 0) {
                boolean ok = belowMin.isEmpty();
                if (!ok) writeRefused.add(topic);
                topicMetrics.add(new HealthzMetric(ok, "under_min_isr_partitions", belowMin.size(), dims,
                        ok ? "" : "partitions " + belowMin + " of '" + topic + "' have fewer than " + minIsr
                                + " (min.insync.replicas) replicas in sync that answer: appends to them are refused and"
                                + " ingest answers their items retryable",
                        ok ? "" : "start the brokers that are down; nothing acknowledged is lost, clients retry"));
            }
            if (groups.isEmpty()) continue;
            List<TopicPartition> partitions = d.partitions().stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            for (String group : groups) {
                Map<String, String> gdims = Map.of("topic", topic, "group", group);
                if (past(deadline)) {
                    topicMetrics.add(new HealthzMetric(false, "consumer_lag", -1, gdims,
                            "lag of group '" + group + "' on '" + topic + "' not read: the check used up its timeout ("
                                    + timeout + ")", "a broker answers slowly or a leader just changed; check the brokers"));
                    continue;
                }
                try {
                    long lag = KafkaLag.lag(admin, group, partitions, left(deadline));
                    boolean ok = lag <= lagThreshold;
                    topicMetrics.add(new HealthzMetric(ok, "consumer_lag", lag, gdims,
                            ok ? "" : "group '" + group + "' is " + lag + " records behind on topic '" + topic
                                    + "' (threshold " + lagThreshold + ")",
                            ok ? "" : "add consumer instances / partitions, check the store"));
                } catch (Exception e) {
                    if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                    topicMetrics.add(new HealthzMetric(false, "consumer_lag", -1, gdims,
                            "cannot read the lag of group '" + group + "' on '" + topic + "': " + reason(e),
                            "check the brokers and the client's ACLs (Describe on the group)"));
                }
            }
        }
        liveIds.removeAll(silent);
        expected.addAll(silent);
        seen.keySet().removeIf(id -> !expected.contains(id) && !liveIds.contains(id));
        expected.removeAll(liveIds);
        out.add(brokers(liveIds.size(), expected, writeRefused));
        out.add(HealthzMetric.ok("describe_cluster_ms", describeMs));
        out.addAll(topicMetrics);
        return out;
    }

    /** Passes when no known broker is missing; else names each missing one, {@code level} degraded or unavailable. */
    private HealthzMetric brokers(int alive, Set<Integer> down, List<String> writeRefused) {
        Map<String, String> dims = new LinkedHashMap<>();
        dims.put("bootstrap_servers", bootstrapServers);
        if (down.isEmpty()) return new HealthzMetric(true, "brokers", alive, dims, "", "");
        List<String> named = new ArrayList<>();
        for (int id : down) named.add("node " + id + " (" + seen.getOrDefault(id, "address unknown") + ")");
        String level = writeRefused.isEmpty() ? "degraded" : "unavailable";
        dims.put("down", String.join(", ", named));
        dims.put("level", level);
        String which = String.join(", ", named);
        String message = (down.size() == 1 ? "Kafka broker " + which + " is down" : "Kafka brokers " + which + " are down")
                + ": " + alive + " of " + (alive + down.size()) + " brokers answer; "
                + (writeRefused.isEmpty()
                ? "ingest goes on (every partition still has min.insync.replicas in sync) but another failure may stop it"
                : "appends to " + writeRefused + " are refused (fewer than min.insync.replicas in sync): ingest answers"
                + " items retryable");
        String suggestion = "restart " + (down.size() == 1 ? "broker " : "brokers ") + which
                + " with its own data dir and config (it rejoins and catches up by itself); if its disk is lost, format"
                + " a new one with the cluster's id and the same node.id (docs/ha.md#kafka)";
        return new HealthzMetric(false, "brokers", alive, dims, message, suggestion);
    }

    private static boolean past(long deadlineNanos) {
        return deadlineNanos - System.nanoTime() <= 0;
    }

    /** What is left of the check's time budget (callers check {@link #past} first), at least 1 ms. */
    private static Duration left(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000L, deadlineNanos - System.nanoTime()));
    }

    /**
     * The topic's min.insync.replicas as the cluster has it now (read again every {@code minInsyncRefresh}, within
     * the check's deadline), so an operator's change of the topic shows without a restart; the configured value
     * while it was never read. 0 (not checked) stays 0.
     */
    private int minInsync(String topic, long deadline) {
        if (minInsyncReplicas <= 0) return 0;
        MinIsr known = topicMinIsr.get(topic);
        long now = System.nanoTime();
        int fallback = known == null ? minInsyncReplicas : known.value();
        if (known != null && now - known.readNanos() < minInsyncRefresh.toNanos()) return known.value();
        if (past(deadline)) return fallback;
        org.apache.kafka.common.config.ConfigResource r = new org.apache.kafka.common.config.ConfigResource(
                org.apache.kafka.common.config.ConfigResource.Type.TOPIC, topic);
        try {
            org.apache.kafka.clients.admin.ConfigEntry e = admin.describeConfigs(List.of(r)).all()
                    .get(left(deadline).toMillis(), TimeUnit.MILLISECONDS).get(r).get("min.insync.replicas");
            int v = e == null || e.value() == null ? fallback : Integer.parseInt(e.value());
            topicMinIsr.put(topic, new MinIsr(v, now));
            return v;
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            // tried again after minInsyncRefresh, not on every check: a failing read must not eat each deadline
            topicMinIsr.put(topic, new MinIsr(fallback, now));
            return fallback;
        }
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
        private int minInsyncReplicas;
        private Duration probeCache = Duration.ofSeconds(5);
        private Duration minInsyncRefresh = Duration.ofSeconds(30);

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

        /** The topics' min.insync.replicas: below it a partition refuses appends ({@code under_min_isr_partitions}); 0 = not checked. */
        public Builder minInsyncReplicas(int v) { minInsyncReplicas = v; return this; }

        /** How long the answer of a TCP probe of a broker is reused (default 5 s): /healthz floods make no connect storm. */
        public Builder probeCache(Duration v) { probeCache = Objects.requireNonNull(v, "probeCache"); return this; }

        /** How often each topic's own min.insync.replicas is read again (default 30 s). */
        public Builder minInsyncRefresh(Duration v) {
            minInsyncRefresh = Objects.requireNonNull(v, "minInsyncRefresh");
            return this;
        }

        public KafkaHealthIndicator build() {
            return new KafkaHealthIndicator(this);
        }
    }
}
