package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Health of one Elasticsearch cluster, namespace {@value #NAMESPACE}: cluster status, nodes, disk use of each node
 * against the cluster's own watermark settings, JVM heap of each node, pending cluster tasks and (when configured)
 * the verification of the snapshot repository, and the open shards against the cluster's shard limit
 * ({@code shards_percent_of_limit}: a warning from {@value #SHARDS_WARN_PERCENT} %, failing at 100 %, when no new
 * index can be created). Every failing metric carries a message and a suggestion.
 */
public final class EsHealthIndicator implements HealthIndicator, AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EsHealthIndicator.class);
    public static final String NAMESPACE = "elasticsearch";
    /** open shards, in percent of the cluster's limit, from which {@code shards_percent_of_limit} warns */
    public static final int SHARDS_WARN_PERCENT = 85;

    private final EsHttp http;
    private final EsConnection connection;
    private final String cluster;
    private final String repository;
    private final Runnable registerRepository;
    private final int maxHeapPercent;
    private final int maxPendingTasks;
    /** node id to {@code name (transport address)} of every node seen since the cluster was last green */
    private final Map<String, String> seenNodes = new LinkedHashMap<>();
    private volatile boolean registered;
    private volatile boolean closed;
    private volatile String lastRegistrationError = "none yet";
    private volatile Thread registration;

    private EsHealthIndicator(Builder b) {
        this.connection = Objects.requireNonNull(b.connection, "connection");
        this.http = new EsHttp(b.connection);
        this.cluster = b.cluster;
        this.repository = b.repository;
        this.registerRepository = b.registerRepository;
        this.maxHeapPercent = b.maxHeapPercent;
        this.maxPendingTasks = b.maxPendingTasks;
    }

    public static Builder builder(EsConnection connection) {
        return new Builder(connection);
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public List<HealthzMetric> check() {
        List<HealthzMetric> out = new ArrayList<>();
        JsonNode health;
        try {
            health = http.perform("GET", "/_cluster/health", null);
        } catch (RuntimeException e) {
            out.add(metric(false, "cluster_status", "unreachable", Map.of(),
                    "cannot reach Elasticsearch at " + connection.hosts() + ": " + e.getMessage(),
                    "start Elasticsearch or fix the hosts setting; check GET /_cluster/health on a node"));
            return out;
        }
        String status = health.path("status").asText("red");
        int nodes = health.path("number_of_nodes").asInt();
        int dataNodes = health.path("number_of_data_nodes").asInt();
        JsonNode stats = null;
        RuntimeException statsError = null;
        try {
            stats = http.perform("GET", "/_nodes/stats/fs,jvm", null).path("nodes");
        } catch (RuntimeException e) {
            statsError = e;
        }
        List<String> missing = missingNodes(stats, status);
        String unassigned = status.equals("green") ? "" : explainUnassigned();
        String missingText = missing.isEmpty() ? "" : "; missing node" + (missing.size() > 1 ? "s " : " ")
                + String.join(", ", missing) + " (left the cluster; " + nodes + " nodes now)";
        switch (status) {
            case "green" -> out.add(metric(true, "cluster_status", status, Map.of(), "", ""));
            case "yellow" -> out.add(metric(true, "cluster_status", status, Map.of(),
                    "all primary shards are assigned but " + health.path("unassigned_shards").asInt()
                            + " replica shards are not" + unassigned + missingText
                            + (dataNodes > 1 ? ": searches and writes go on, but losing one more node can leave"
                            + " shards without any copy" : ""),
                    !missing.isEmpty()
                            ? "restart " + String.join(", ", missing) + ": its replicas then recover from the primaries"
                            + " and the status turns green; if it is gone for good, the replicas are rebuilt on the"
                            + " other nodes after index.unassigned.node_left.delayed_timeout (1m by default) when"
                            + " they have room (docs/ha.md#elasticsearch)"
                            : dataNodes <= 1 ? "add a data node or set replicas to 0 on a single-node cluster"
                            : "GET /_cluster/allocation/explain says why the replicas cannot be assigned (a node"
                            + " that left, disk watermarks, allocation filters); restart a missing node or add one"));
            default -> out.add(metric(false, "cluster_status", status, Map.of(),
                    health.path("unassigned_primary_shards").asInt(health.path("unassigned_shards").asInt())
                            + " primary shards are unassigned: some indices cannot be searched or written"
                            + unassigned + missingText,
                    (missing.isEmpty() ? "" : "restart " + String.join(", ", missing) + " (it holds the only copy"
                            + " of those shards); ")
                            + "check GET /_cluster/allocation/explain and the nodes' logs; restore lost indices from snapshot"));
        }
        out.add(metric(dataNodes > 0, "nodes", nodes, Map.of("data_nodes", String.valueOf(dataNodes)),
                dataNodes > 0 ? (missing.isEmpty() ? "" : "missing: " + String.join(", ", missing))
                        : "the cluster has no data node",
                dataNodes > 0 ? (missing.isEmpty() ? "" : "restart the missing node (docs/ha.md#elasticsearch)")
                        : "start a data node"));
        int pending = health.path("number_of_pending_tasks").asInt();
        boolean pendingOk = pending <= maxPendingTasks;
        out.add(metric(pendingOk, "pending_tasks", pending, Map.of(),
                pendingOk ? "" : pending + " cluster tasks are pending (more than " + maxPendingTasks + ")",
                pendingOk ? "" : "the master is overloaded: reduce index/mapping churn, check GET /_cluster/pending_tasks"));
        // one read of the cluster's settings serves the shard limit and the disk watermarks
        Settings settings = new Settings();
        try {
            shardMetrics(out, health, dataNodes, settings);
        } catch (RuntimeException e) {
            out.add(metric(false, "shards_percent_of_limit", "unavailable", Map.of(),
                    "cannot read the cluster's shard limit: " + e.getMessage(),
                    "check GET /_cluster/settings?include_defaults=true on the cluster"));
        }
        try {
            if (statsError != null) throw statsError;
            nodeMetrics(out, settings, stats);
        } catch (RuntimeException e) {
            out.add(metric(false, "node_stats", "unavailable", Map.of(), "cannot read node stats: " + e.getMessage(),
                    "check GET /_nodes/stats on the cluster"));
        }
        if (repository != null) {
            try {
                verifyRepository();
                out.add(metric(true, "repository", repository, Map.of("repository", repository), "", ""));
            } catch (RuntimeException e) {
                out.add(metric(false, "repository", repository, Map.of("repository", repository),
                        "snapshot repository '" + repository + "' failed verification: " + e.getMessage(),
                        "check that every node can write the repository location (fs: below path.repo)"));
            }
        }
        return out;
    }

    /**
     * Verifies the repository (a read: the nodes check the location); never registers it. A configured repository
     * the cluster does not know yet is registered by {@link #startRegistration} in the background.
     */
    private void verifyRepository() {
        try {
            http.perform("POST", "/_snapshot/" + repository + "/_verify", null);
        } catch (RuntimeException e) {
            if (registerRepository != null && !registered
                    && String.valueOf(e.getMessage()).contains("repository_missing_exception")) {
                throw new IllegalStateException("it is not registered yet (bklog registers it in the background,"
                        + " retrying with backoff; last error: " + lastRegistrationError + ")", e);
            }
            throw e;
        }
    }

    /**
     * Registers the repository on a daemon thread, retrying with backoff (1 s doubling to 1 min) until it succeeds or
     * {@link #close} is called: a cluster-state write done once at start-up, never by a /healthz request.
     */
    private void startRegistration() {
        if (registerRepository == null) return;
        Thread t = new Thread(() -> {
            long backoffMs = 1000;
            while (!closed) {
                try {
                    registerRepository.run();
                    registered = true;
                    LOG.info("event=es_repository_registered cluster={} repository={}", cluster, repository);
                    return;
                } catch (RuntimeException e) {
                    lastRegistrationError = e.getMessage();
                    LOG.warn("event=es_repository_register_failed cluster={} repository={} retry_in_ms={} error=\"{}\"",
                            cluster, repository, backoffMs, e.getMessage());
                }
                try {
                    Thread.sleep(backoffMs);
                } catch (InterruptedException e) {
                    return;
                }
                backoffMs = Math.min(60_000, backoffMs * 2);
            }
        }, "bklog-es-repository-register-" + cluster);
        t.setDaemon(true);
        registration = t;
        t.start();
    }

    /** Stops the background registration of the repository, if still running. */
    @Override
    public void close() {
        closed = true;
        Thread t = registration;
        if (t != null) t.interrupt();
    }

    /** The cluster's settings with their defaults, read on first use within one check; a failed read is retried. */
    private final class Settings {
        private JsonNode value;

        JsonNode get() {
            if (value == null) {
                value = http.perform("GET", "/_cluster/settings?include_defaults=true&flat_settings=true", null);
            }
            return value;
        }
    }

    /**
     * Open shards (assigned or not: Elasticsearch counts every shard of an open index) against
     * {@code cluster.max_shards_per_node} times the data nodes, past which no index can be created: a warning (still
     * ok) from {@value #SHARDS_WARN_PERCENT} %, failing at the limit.
     */
    private void shardMetrics(List<HealthzMetric> out, JsonNode health, int dataNodes, Settings settings) {
        if (dataNodes <= 0) return;
        int perNode = Integer.parseInt(setting(settings.get(), "cluster.max_shards_per_node", "1000"));
        long limit = (long) perNode * dataNodes;
        long open = health.path("active_shards").asLong() + health.path("initializing_shards").asLong()
                + health.path("unassigned_shards").asLong();
        double pct = 100.0 * open / Math.max(1, limit);
        String value = String.format(Locale.ROOT, "%.1f", pct);
        Map<String, String> dims = Map.of("open_shards", String.valueOf(open), "limit", String.valueOf(limit),
                "max_shards_per_node", String.valueOf(perNode), "data_nodes", String.valueOf(dataNodes));
        if (pct < SHARDS_WARN_PERCENT) {
            out.add(metric(true, "shards_percent_of_limit", value, dims, "", ""));
            return;
        }
        String suggestion = "each index set holds retention days x shards x (1 + replicas) shards: share index sets"
                + " between collectors, shorten retention, use 1 shard and fewer replicas for small sets, add data"
                + " nodes, or raise cluster.max_shards_per_node (docs/elasticsearch.md)";
        out.add(metric(pct < 100, "shards_percent_of_limit", value, dims, pct < 100
                ? open + " of " + limit + " shards are open (" + value + "% of cluster.max_shards_per_node " + perNode
                        + " x " + dataNodes + " data nodes): new daily indices will be refused at the limit"
                : open + " of " + limit + " shards are open: the cluster is at its shard limit and refuses new"
                        + " indices (cluster.max_shards_per_node " + perNode + " x " + dataNodes + " data nodes)",
                suggestion));
    }

    /**
     * The nodes this indicator saw in an earlier check that are not in the cluster now, as {@code name (address)}.
     * While the cluster is green the nodes seen are reset to the current ones, so a node removed on purpose (its
     * replicas rebuilt elsewhere) is forgotten.
     */
    private List<String> missingNodes(JsonNode stats, String status) {
        if (stats == null) return List.of();
        Map<String, String> now = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode n = e.getValue();
            now.put(e.getKey(), n.path("name").asText("?") + " (" + n.path("transport_address").asText("?") + ")");
        }
        List<String> missing = new ArrayList<>();
        synchronized (seenNodes) {
            if (status.equals("green")) seenNodes.clear();
            seenNodes.forEach((id, name) -> {
                if (!now.containsKey(id)) missing.add(name);
            });
            seenNodes.putAll(now);
        }
        return missing;
    }

    /**
     * Why the first unassigned shard is unassigned, from {@code _cluster/allocation/explain}, as
     * {@code " (e.g. a replica shard: NODE_LEFT, node_left [name (address)])"}; empty when it cannot be told. The
     * index name and the raw details are left out: /healthz is unauthenticated and index names carry other spaces'
     * index set names; only the reason and the names of the nodes involved (as in the {@code nodes} metric) are shown.
     */
    private String explainUnassigned() {
        try {
            JsonNode r = http.perform("GET", "/_cluster/allocation/explain", null);
            JsonNode info = r.path("unassigned_info");
            if (info.isMissingNode()) return "";
            String details = info.path("details").asText("");
            List<String> involved = new ArrayList<>();
            synchronized (seenNodes) {
                for (Map.Entry<String, String> e : seenNodes.entrySet()) {
                    if (details.contains(e.getKey())) involved.add(e.getValue());
                }
            }
            String reason = info.path("reason").asText();
            return " (e.g. a " + (r.path("primary").asBoolean() ? "primary" : "replica") + " shard: " + reason
                    + (involved.isEmpty() ? "" : ", " + reason.toLowerCase(Locale.ROOT) + " " + involved) + ")";
        } catch (RuntimeException e) {
            return ""; // nothing unassigned any more, or the explain API refused: the counts above still hold
        }
    }

    private void nodeMetrics(List<HealthzMetric> out, Settings settings, JsonNode stats) {
        String high = setting(settings.get(), "cluster.routing.allocation.disk.watermark.high", "90%");
        String flood = setting(settings.get(), "cluster.routing.allocation.disk.watermark.flood_stage", "95%");
        for (Iterator<Map.Entry<String, JsonNode>> it = stats.fields(); it.hasNext(); ) {
            JsonNode n = it.next().getValue();
            String node = n.path("name").asText("?");
            long total = n.path("fs").path("total").path("total_in_bytes").asLong(0);
            long available = n.path("fs").path("total").path("available_in_bytes").asLong(0);
            if (total > 0) {
                double usedPct = 100.0 * (total - available) / total;
                boolean pastFlood = pastWatermark(flood, usedPct, available);
                boolean pastHigh = pastWatermark(high, usedPct, available);
                Map<String, String> dims = Map.of("node", node, "high_watermark", high, "flood_stage", flood);
                String used = String.format(Locale.ROOT, "%.1f", usedPct);
                if (pastFlood) {
                    out.add(metric(false, "disk_used_percent", used, dims, "node " + node + " disk is " + used
                                    + "% used, past the flood stage " + flood + ": its indices are read-only",
                            "free disk space or delete old indices now; then writes resume by themselves"));
                } else if (pastHigh) {
                    out.add(metric(false, "disk_used_percent", used, dims, "node " + node + " disk is " + used
                                    + "% used, past the high watermark " + high + ": shards move away from it",
                            "free disk space, shorten retention or add a data node"));
                } else {
                    out.add(metric(true, "disk_used_percent", used, dims, "", ""));
                }
            }
            int heap = n.path("jvm").path("mem").path("heap_used_percent").asInt(0);
            boolean heapOk = heap < maxHeapPercent;
            out.add(metric(heapOk, "heap_used_percent", heap, Map.of("node", node),
                    heapOk ? "" : "node " + node + " uses " + heap + "% of its heap (limit " + maxHeapPercent + "%)",
                    heapOk ? "" : "give the node more heap, or reduce aggregation sizes and shard count"));
        }
    }

    private static String setting(JsonNode settings, String key, String dflt) {
        for (String scope : List.of("transient", "persistent", "defaults")) {
            JsonNode v = settings.path(scope).path(key);
            if (v.isTextual() && !v.asText().isBlank()) return v.asText();
        }
        return dflt;
    }

    /** A watermark is a used percentage ({@code 90%}), a used ratio ({@code 0.9}) or a free-space size ({@code 50gb}). */
    static boolean pastWatermark(String watermark, double usedPct, long availableBytes) {
        String w = watermark.trim().toLowerCase(Locale.ROOT);
        try {
            if (w.endsWith("%")) return usedPct >= Double.parseDouble(w.substring(0, w.length() - 1));
            if (w.matches("[0-9.]+")) return usedPct >= Double.parseDouble(w) * 100;
            return availableBytes <= bytes(w);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static long bytes(String s) {
        String[][] units = {{"pb", "1125899906842624"}, {"tb", "1099511627776"}, {"gb", "1073741824"},
                {"mb", "1048576"}, {"kb", "1024"}, {"b", "1"}};
        for (String[] u : units) {
            if (s.endsWith(u[0])) {
                return (long) (Double.parseDouble(s.substring(0, s.length() - u[0].length())) * Long.parseLong(u[1]));
            }
        }
        return Long.parseLong(s);
    }

    private HealthzMetric metric(boolean ok, String name, Object value, Map<String, String> dims, String message,
                                 String suggestion) {
        Map<String, String> d = new LinkedHashMap<>(dims);
        d.put("cluster", cluster);
        return new HealthzMetric(ok, name, value, d, message, suggestion);
    }

    /** Builder; defaults: cluster {@code default}, no repository check, heap limit 90 %, 100 pending tasks. */
    public static final class Builder {
        private final EsConnection connection;
        private String cluster = "default";
        private String repository;
        private Runnable registerRepository;
        private int maxHeapPercent = 90;
        private int maxPendingTasks = 100;

        private Builder(EsConnection connection) {
            this.connection = connection;
        }

        /** The name reported in every metric's {@code cluster} dimension. */
        public Builder cluster(String name) {
            this.cluster = Objects.requireNonNull(name, "cluster");
            return this;
        }

        /** Also verify this snapshot repository. */
        public Builder repository(String name) {
            this.repository = name;
            this.registerRepository = null;
            return this;
        }

        /**
         * Also verify this snapshot repository; {@link #build} registers it once in the background (retrying with
         * backoff while the cluster refuses), so the metric does not fail before the first archive or backup and a
         * /healthz request never writes the cluster state.
         */
        public Builder repository(EsSnapshotRepository repository) {
            this.repository = repository.name();
            this.registerRepository = repository::register;
            return this;
        }

        public Builder maxHeapPercent(int p) {
            this.maxHeapPercent = p;
            return this;
        }

        public Builder maxPendingTasks(int n) {
            this.maxPendingTasks = n;
            return this;
        }

        /** Builds the indicator; with {@link #repository(EsSnapshotRepository)} starts registering it in the background. */
        public EsHealthIndicator build() {
            EsHealthIndicator h = new EsHealthIndicator(this);
            h.startRegistration();
            return h;
        }
    }
}
