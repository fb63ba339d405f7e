package io.bklog.kafka;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.source.LineSink;
import io.bklog.spi.source.Receipt;
import io.bklog.spi.source.SettingProblem;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceContext;
import io.bklog.spi.source.SourceFactory;
import io.bklog.spi.source.SourceLine;
import io.bklog.spi.source.SourceStatus;
import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kafka} collector source (source SPI): consumes external topics and hands each record value as one line
 * to the collector's {@link LineSink} (its filters, multi-line and ETL). Offsets are committed only after the sink
 * accepted the batch and its {@link Receipt#stored()} completed (in the ingest buffer, or written to the store by the
 * batching sink); a batch it refuses, or whose storage is not confirmed within {@link #DELIVERY_TIMEOUT}, is sought
 * back and consumed again after a back-off. Offsets never pass the first line of a multi-line event still open in
 * the sink ({@link LineSink#heldFrom}): a crash then re-reads the event instead of losing it. Each line's document
 * id is made from topic, partition and offset ({@code kafka:{topic}/{partition}} + offset), so a replay after a restart or a failed commit overwrites
 * instead of duplicating. The consumer lag is the gauge {@code bklog_kafka_consumer_lag{group, topic}}.
 *
 * <p>{@code source_params}:
 * <ul>
 *   <li>{@code bootstrap_servers} (required; a comma-separated string or a list; bklog's {@code kafka_hosts});</li>
 *   <li>{@code topic} or {@code topics} (required; bklog's {@code kafka_topics});</li>
 *   <li>{@code group_id} (default {@code bklog-collector-{collector}}; bklog's {@code kafka_group_id});</li>
 *   <li>{@code start_from}: {@code latest} (default) or {@code earliest}, for a group without committed offsets
 *       (bklog's {@code kafka_initial_offset} {@code newest} / {@code oldest});</li>
 *   <li>{@code properties}: Kafka consumer properties passed through as they are, for security
 *       ({@code security.protocol}, {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.truststore.location},
 *       ...); bklog's {@code kafka_username} / {@code kafka_password} / {@code kafka_ssl_params} work too;</li>
 *   <li>{@code max_poll_records} (default 500).</li>
 * </ul>
 * Found by {@link java.util.ServiceLoader}; meters go to the context's {@link io.bklog.spi.Meters}.
 */
public final class KafkaCollectorSourceFactory implements SourceFactory {
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCollectorSourceFactory.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The {@code source_type}. */
    public static final String TYPE = "kafka";
    /** How long a batch waits for the pipeline's spill to drain before it is consumed again. */
    static final Duration DELIVERY_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> OWN_PROPERTIES = Set.of("bootstrap.servers", "group.id", "enable.auto.commit",
            "auto.offset.reset", "key.deserializer", "value.deserializer");
    private static final Set<String> KNOWN = Set.of("bootstrap_servers", "kafka_hosts", "topic", "topics",
            "kafka_topics", "group_id", "kafka_group_id", "start_from", "kafka_initial_offset", "properties",
            "kafka_username", "kafka_password", "kafka_ssl_params", "max_poll_records");

    public KafkaCollectorSourceFactory() {
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<SettingProblem> validate(Map<String, Object> settings) {
        List<String> problems = new ArrayList<>();
        config("collector", JSON.valueToTree(settings), problems);
        return problems.stream().map(SettingProblem::parse).toList();
    }

    /** The consumer config of a collector's params; {@link IllegalArgumentException} listing every problem. */
    public KafkaSourceConfig config(String collector, JsonNode params) {
        List<String> problems = new ArrayList<>();
        KafkaSourceConfig c = config(collector, params, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("kafka source of collector '" + collector + "': "
                    + String.join("; ", problems));
        }
        return c;
    }

    private KafkaSourceConfig config(String collector, JsonNode params, List<String> problems) {
        if (params == null || !params.isObject()) {
            problems.add("source_params: expected an object with bootstrap_servers and topic");
            return null;
        }
        params.fieldNames().forEachRemaining(k -> {
            if (!KNOWN.contains(k)) problems.add(k + ": unknown parameter; known: " + String.join(", ", KNOWN.stream().sorted().toList()));
        });
        List<String> hosts = list(params, problems, "bootstrap_servers", "kafka_hosts");
        List<String> topics = list(params, problems, "topic", "topics", "kafka_topics");
        if (hosts.isEmpty()) problems.add("bootstrap_servers: required, e.g. \"kafka-1:9092,kafka-2:9092\"");
        if (topics.isEmpty()) problems.add("topic: required");
        String group = text(params, "group_id", "kafka_group_id");
        if (group == null) group = "bklog-collector-" + collector;
        KafkaSourceConfig.InitialOffset start = KafkaSourceConfig.InitialOffset.NEWEST;
        String from = text(params, "start_from", "kafka_initial_offset");
        if (from != null) {
            switch (from.trim().toLowerCase(Locale.ROOT)) {
                case "latest", "newest" -> start = KafkaSourceConfig.InitialOffset.NEWEST;
                case "earliest", "oldest" -> start = KafkaSourceConfig.InitialOffset.OLDEST;
                default -> problems.add("start_from: '" + from + "' is not earliest or latest");
            }
        }
        Map<String, String> props = new LinkedHashMap<>();
        JsonNode p = params.get("properties");
        if (p != null && !p.isNull()) {
            if (!p.isObject()) {
                problems.add("properties: expected an object of Kafka consumer properties");
            } else {
                p.fields().forEachRemaining(e -> {
                    if (OWN_PROPERTIES.contains(e.getKey())) {
                        problems.add("properties." + e.getKey() + ": set by the source (use bootstrap_servers,"
                                + " group_id, start_from); offsets are committed by bklog");
                    } else if (e.getValue().isContainerNode()) {
                        problems.add("properties." + e.getKey() + ": expected a string or number");
                    } else {
                        props.put(e.getKey(), e.getValue().asText());
                    }
                });
            }
        }
        int maxPoll = 500;
        JsonNode mp = params.get("max_poll_records");
        if (mp != null && !mp.isNull()) {
            if (!mp.canConvertToInt() || mp.asInt() < 1) problems.add("max_poll_records: expected a positive integer");
            else maxPoll = mp.asInt();
        }
        Map<String, ?> ssl = params.has("kafka_ssl_params") && params.get("kafka_ssl_params").isObject()
                ? JSON.convertValue(params.get("kafka_ssl_params"), Map.class) : Map.of();
        String user = first(text(params, "kafka_username"), ssl.get("sasl_username"));
        String pass = first(text(params, "kafka_password"), ssl.get("sasl_passwd"));
        if ((user == null) != (pass == null)) {
            problems.add("kafka_username: kafka_username and kafka_password go together; only one is set");
        }
        if (!problems.isEmpty()) return null;
        KafkaSourceConfig.Builder b = KafkaSourceConfig.builder(hosts, topics, group).initialOffset(start)
                .maxPollRecords(maxPoll).clientProperties(props);
        if (user != null) b.sasl(user, pass, ssl.get("sasl_mechanisms") == null ? null : ssl.get("sasl_mechanisms").toString());
        if (ssl.get("security_protocol") != null) b.securityProtocol(ssl.get("security_protocol").toString());
        return b.build();
    }

    @Override
    public Source create(Map<String, Object> settings, SourceContext context) {
        requireValid(settings);
        KafkaSourceConfig config = config(context.collector(), JSON.valueToTree(settings));
        return new ConsumingSource(config, context);
    }

    /** A source: once started, the consumer thread, its admin client and lag gauges. */
    private static final class ConsumingSource implements Source {
        private final String collector;
        private final KafkaSourceConfig config;
        private final SourceContext context;
        private final LineSink sink;
        private final List<KafkaLagGauge> gauges = new ArrayList<>();
        /** Per partition source id: the first offset the sink held in an open multi-line event after the last accept. */
        private final Map<String, Long> heldAtAccept = new java.util.concurrent.ConcurrentHashMap<>();
        private Admin admin;
        private volatile KafkaSource source;
        private volatile boolean stopped;

        ConsumingSource(KafkaSourceConfig config, SourceContext context) {
            this.collector = context.collector();
            this.config = config;
            this.context = context;
            this.sink = context.sink();
        }

        @Override
        public synchronized void start() {
            if (stopped || source != null) throw new IllegalStateException("kafka source '" + collector
                    + "' is started once");
            admin = Admin.create(config.adminProperties());
            try {
                for (String topic : config.topics()) {
                    gauges.add(KafkaLagGauge.register(context.meters(), admin, config.groupId(), topic,
                            Duration.ofSeconds(5)));
                }
                this.source = KafkaSource.start(config, new KafkaSource.Handler() {
                    @Override
                    public void handle(List<KafkaSourceRecord> batch) throws InterruptedException {
                        deliver(batch);
                    }

                    @Override
                    public long commitOffset(String topic, int partition, long next) {
                        // an open multi-line event holds its lines in memory: commit up to its first line only,
                        // so a crash re-reads it (same ids: no duplicate) instead of losing it
                        // (as held when the batch was accepted: an event the multi-line timeout handed on while
                        // deliver waited is not covered by that batch's stored())
                        String id = new KafkaSourceRecord(topic, partition, 0, null, "", null).sourceId();
                        long limit = next;
                        Long atAccept = heldAtAccept.get(id);
                        if (atAccept != null && atAccept >= 0) limit = Math.min(limit, atAccept);
                        long now = sink.heldFrom(id);
                        return now >= 0 ? Math.min(limit, now) : limit;
                    }
                }, collector);
            } catch (RuntimeException e) {
                gauges.forEach(KafkaLagGauge::close);
                gauges.clear();
                admin.close(Duration.ofSeconds(5));
                admin = null;
                throw e;
            }
        }

        /** Returns only once the sink took every line and stored it; otherwise throws and the batch is consumed again. */
        private void deliver(List<KafkaSourceRecord> batch) throws InterruptedException {
            List<SourceLine> lines = new ArrayList<>(batch.size());
            for (KafkaSourceRecord r : batch) {
                lines.add(SourceLine.of(r.sourceId(), r.offset(), r.line(), r.timestamp()));
            }
            Receipt receipt = sink.accept(lines);
            // what the sink still holds right after taking the batch: receipt.stored() covers only what it handed on
            heldAtAccept.clear();
            for (KafkaSourceRecord r : batch) heldAtAccept.computeIfAbsent(r.sourceId(), sink::heldFrom);
            if (!receipt.accepted()) {
                throw new IllegalStateException("index set '" + context.indexSet() + "' did not take the batch ("
                        + receipt.status() + "): " + receipt.reason());
            }
            // commit only once they are stored (in the ingest buffer, or written by the batching sink)
            try {
                receipt.stored().toCompletableFuture().get(DELIVERY_TIMEOUT.toNanos(), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("documents of index set '" + context.indexSet() + "' not stored: "
                        + e.getCause(), e.getCause());
            } catch (java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("documents of index set '" + context.indexSet()
                        + "' not stored within " + DELIVERY_TIMEOUT + "; the batch is consumed again");
            }
        }

        @Override
        public SourceStatus status() {
            KafkaSource s = source;
            if (stopped) return new SourceStatus(SourceStatus.State.STOPPED, "stopped");
            if (s == null) return new SourceStatus(SourceStatus.State.CREATED, "not started");
            double lag = gauges.stream().mapToDouble(KafkaLagGauge::value).sum();
            return SourceStatus.running("consuming " + config.topics() + " as group " + config.groupId() + ", lines "
                    + s.handled() + ", lag " + (Double.isNaN(lag) ? "unknown" : String.valueOf((long) lag)));
        }

        @Override
        public synchronized void stop() {
            if (stopped) return;
            stopped = true;
            KafkaSource s = source;
            if (s == null) return;
            s.close();
            gauges.forEach(KafkaLagGauge::close);
            admin.close(Duration.ofSeconds(5));
            LOG.info("event=kafka_collector_source_stopped collector={} group={} lines={}", collector,
                    config.groupId(), s.handled());
        }
    }

    private static List<String> list(JsonNode params, List<String> problems, String... keys) {
        for (String k : keys) {
            JsonNode v = params.get(k);
            if (v == null || v.isNull()) continue;
            if (v.isTextual()) {
                return Arrays.stream(v.asText().split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            }
            if (v.isArray()) {
                List<String> out = new ArrayList<>();
                v.forEach(e -> {
                    if (e.isTextual() && !e.asText().isBlank()) out.add(e.asText().trim());
                    else problems.add(k + ": expected strings, got " + e);
                });
                return out;
            }
            problems.add(k + ": expected a string or a list of strings");
            return List.of();
        }
        return List.of();
    }

    private static String text(JsonNode params, String... keys) {
        for (String k : keys) {
            JsonNode v = params.get(k);
            if (v != null && !v.isNull() && !v.asText().isBlank()) return v.asText();
        }
        return null;
    }

    private static String first(String a, Object b) {
        return a != null ? a : b == null || b.toString().isBlank() ? null : b.toString();
    }
}
