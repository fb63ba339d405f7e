package io.bklog.kafka;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A Kafka collector source as bklog configures it: {@code kafka_hosts}, {@code kafka_topics},
 * {@code kafka_group_id}, {@code kafka_initial_offset} ({@code newest} default | {@code oldest}, applies only to a
 * group without committed offsets), optional {@code kafka_username} / {@code kafka_password} and
 * {@code kafka_ssl_params} ({@code sasl_username}, {@code sasl_passwd}, {@code sasl_mechanisms},
 * {@code security_protocol}). {@code clientProperties} are passed to the consumer as they are. Defaults: 500
 * records per poll, poll timeout 1 s, back-off 1 s after a failed handler.
 */
public record KafkaSourceConfig(List<String> hosts, List<String> topics, String groupId, InitialOffset initialOffset,
                                String username, String password, String saslMechanism, String securityProtocol,
                                int maxPollRecords, Duration pollTimeout, Duration retryBackoff,
                                Map<String, String> clientProperties) {

    public enum InitialOffset {
        NEWEST("latest"), OLDEST("earliest");

        final String kafkaValue;

        InitialOffset(String kafkaValue) {
            this.kafkaValue = kafkaValue;
        }

        public static InitialOffset parse(String v) {
            if (v == null || v.isBlank()) return NEWEST;
            return switch (v.trim().toLowerCase(Locale.ROOT)) {
                case "newest", "latest" -> NEWEST;
                case "oldest", "earliest" -> OLDEST;
                default -> throw new IllegalArgumentException("kafka_initial_offset '" + v + "' is not newest or oldest");
            };
        }
    }

    public KafkaSourceConfig {
        hosts = List.copyOf(hosts);
        topics = List.copyOf(topics);
        if (hosts.isEmpty()) throw new IllegalArgumentException("kafka_hosts is empty; expected host:port entries");
        if (topics.isEmpty()) throw new IllegalArgumentException("kafka_topics is empty; expected at least one topic");
        if (groupId == null || groupId.isBlank()) throw new IllegalArgumentException("kafka_group_id is empty");
        Objects.requireNonNull(initialOffset, "initialOffset");
        if (maxPollRecords < 1) throw new IllegalArgumentException("maxPollRecords must be >= 1, got " + maxPollRecords);
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("kafka_username and kafka_password go together; only one is set");
        }
        clientProperties = Map.copyOf(clientProperties);
    }

    /** From bklog's collector params (lists as JSON-less comma-separated strings or repeated values). */
    public static KafkaSourceConfig fromBklogParams(Map<String, ?> params) {
        Map<String, ?> ssl = params.get("kafka_ssl_params") instanceof Map<?, ?> m ? cast(m) : Map.of();
        String user = first(str(params.get("kafka_username")), str(ssl.get("sasl_username")));
        String pass = first(str(params.get("kafka_password")), str(ssl.get("sasl_passwd")));
        return new KafkaSourceConfig(list(params.get("kafka_hosts"), "kafka_hosts"), list(params.get("kafka_topics"), "kafka_topics"),
                str(params.get("kafka_group_id")), InitialOffset.parse(str(params.get("kafka_initial_offset"))),
                user, pass, str(ssl.get("sasl_mechanisms")), str(ssl.get("security_protocol")), 500,
                Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> cast(Map<?, ?> m) {
        return (Map<String, ?>) m;
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    private static String str(Object o) {
        return o == null || o.toString().isBlank() ? null : o.toString();
    }

    private static List<String> list(Object o, String key) {
        if (o == null) return List.of();
        if (o instanceof List<?> l) return l.stream().map(Object::toString).map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (o instanceof String s) return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
        throw new IllegalArgumentException(key + " must be a list or a comma-separated string, got " + o.getClass().getSimpleName());
    }

    public static Builder builder(List<String> hosts, List<String> topics, String groupId) {
        return new Builder(hosts, topics, groupId);
    }

    /** Consumer properties: the SASL settings become {@code sasl.jaas.config} (PLAIN or SCRAM login module). */
    Map<String, Object> consumerProperties() {
        Map<String, Object> p = new HashMap<>(clientProperties);
        p.put("bootstrap.servers", String.join(",", hosts));
        p.put("group.id", groupId);
        p.put("enable.auto.commit", false);
        p.put("auto.offset.reset", initialOffset.kafkaValue);
        p.put("max.poll.records", maxPollRecords);
        if (securityProtocol != null) p.put("security.protocol", securityProtocol);
        else if (username != null) p.put("security.protocol", "SASL_PLAINTEXT");
        if (username != null) {
            String mechanism = saslMechanism == null ? "PLAIN" : saslMechanism;
            p.put("sasl.mechanism", mechanism);
            String module = mechanism.startsWith("SCRAM") ? "org.apache.kafka.common.security.scram.ScramLoginModule"
                    : "org.apache.kafka.common.security.plain.PlainLoginModule";
            p.put("sasl.jaas.config", module + " required username=\"" + escape(username) + "\" password=\"" + escape(password) + "\";");
        }
        return p;
    }

    /** Properties for an Admin client of the same cluster (bootstrap servers and security, no consumer settings). */
    public Map<String, Object> adminProperties() {
        Map<String, Object> p = consumerProperties();
        for (String k : List.of("group.id", "enable.auto.commit", "auto.offset.reset", "max.poll.records",
                "fetch.min.bytes", "fetch.max.wait.ms", "max.partition.fetch.bytes", "isolation.level",
                "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms", "partition.assignment.strategy",
                "group.instance.id", "auto.commit.interval.ms", "fetch.max.bytes", "check.crcs", "client.rack")) {
            p.remove(k);
        }
        return p;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    @Override
    public String toString() {
        return "KafkaSourceConfig[hosts=" + hosts + ", topics=" + topics + ", groupId=" + groupId + ", initialOffset="
                + initialOffset + ", username=" + username + ", password=" + (password == null ? null : "***") + "]";
    }

    public static final class Builder {
        private final List<String> hosts;
        private final List<String> topics;
        private final String groupId;
        private InitialOffset initialOffset = InitialOffset.NEWEST;
        private String username;
        private String password;
        private String saslMechanism;
        private String securityProtocol;
        private int maxPollRecords = 500;
        private Duration pollTimeout = Duration.ofSeconds(1);
        private Duration retryBackoff = Duration.ofSeconds(1);
        private Map<String, String> clientProperties = Map.of();

        private Builder(List<String> hosts, List<String> topics, String groupId) {
            this.hosts = hosts;
            this.topics = topics;
            this.groupId = groupId;
        }

        public Builder initialOffset(InitialOffset v) { initialOffset = v; return this; }
        public Builder sasl(String user, String pass, String mechanism) { username = user; password = pass; saslMechanism = mechanism; return this; }
        public Builder securityProtocol(String v) { securityProtocol = v; return this; }
        public Builder maxPollRecords(int v) { maxPollRecords = v; return this; }
        public Builder pollTimeout(Duration v) { pollTimeout = v; return this; }
        public Builder retryBackoff(Duration v) { retryBackoff = v; return this; }
        public Builder clientProperties(Map<String, String> v) { clientProperties = v; return this; }

        public KafkaSourceConfig build() {
            return new KafkaSourceConfig(hosts, topics, groupId, initialOffset, username, password, saslMechanism,
                    securityProtocol, maxPollRecords, pollTimeout, retryBackoff, clientProperties);
        }
    }
}
