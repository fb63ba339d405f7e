package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.BackendException;
import io.bklog.spi.IndexNames;
import io.bklog.spi.SnapshotRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Snapshots in an Elasticsearch snapshot repository: {@code fs} (a {@code location} under the nodes'
 * {@code path.repo}) or any other type with its settings passed through ({@code s3}, {@code hdfs}, ...). The
 * repository is registered (and verified by Elasticsearch) on first use. Snapshots record each index's document
 * count in their metadata; restores rename with {@code rename_pattern}/{@code rename_replacement}, set 0 replicas,
 * and add the index set's name as an alias to each restored bklog index so searches of the set include it.
 */
public final class EsSnapshotRepository implements SnapshotRepository {
    private static final Logger log = LoggerFactory.getLogger(EsSnapshotRepository.class);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.\\-]*");

    private final EsConnection connection;
    private final boolean ownsConnection;
    private final EsHttp http;
    private final String name;
    private final String type;
    private final Map<String, String> settings;
    private final Duration pollInterval;
    private final Duration timeout;
    private volatile boolean registered;

    private EsSnapshotRepository(Builder b) {
        this.ownsConnection = b.connection == null;
        this.connection = b.connection != null ? b.connection
                : EsConnection.connect(b.hosts, Duration.ofSeconds(5), Duration.ofSeconds(60));
        this.http = new EsHttp(connection);
        this.name = b.name;
        this.type = b.type;
        this.settings = Map.copyOf(b.settings);
        this.pollInterval = b.pollInterval;
        this.timeout = b.timeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String name() {
        return name;
    }

    /** Registers the repository with Elasticsearch (idempotent); Elasticsearch verifies it on every node. */
    public void register() {
        ObjectNode body = http.json().createObjectNode();
        body.put("type", type);
        ObjectNode s = body.putObject("settings");
        settings.forEach(s::put);
        try {
            http.perform("PUT", "/_snapshot/" + name, body);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot register snapshot repository '" + name + "' (type " + type
                    + ", settings " + settings + "): " + e.getMessage()
                    + (type.equals("fs") ? "; an fs location must be below a path listed in path.repo of every node" : ""),
                    e);
        } catch (BackendException e) {
            if (e.getMessage().contains("path.repo")) {
                throw new IllegalArgumentException("cannot register snapshot repository '" + name + "': location "
                        + settings.get("location") + " is not below a path listed in path.repo of every node; add it "
                        + "to path.repo in elasticsearch.yml or choose a location below it", e);
            }
            throw new BackendException("cannot register snapshot repository '" + name + "': " + e.getMessage()
                    + "; check that every node can write " + settings.getOrDefault("location", "the location"), true, e);
        }
        registered = true;
    }

    private void ensureRegistered() {
        if (!registered) register();
    }

    @Override
    public void verify() {
        ensureRegistered();
        try {
            http.perform("POST", "/_snapshot/" + name + "/_verify", null);
        } catch (IllegalArgumentException | BackendException e) {
            throw new BackendException("snapshot repository '" + name + "' failed verification: " + e.getMessage()
                    + "; check that every node can read and write " + settings.getOrDefault("location", "it"), true, e);
        }
    }

    @Override
    public SnapshotInfo create(String snapshot, List<String> indices, ProgressListener progress) {
        checkName(snapshot);
        ensureRegistered();
        if (get(snapshot).isPresent()) {
            throw new IllegalArgumentException("snapshot '" + snapshot + "' already exists in repository '" + name + "'");
        }
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        Map<String, Long> counts = new LinkedHashMap<>();
        if (!indices.isEmpty()) {
            String list = String.join(",", indices);
            http.perform("POST", "/" + list + "/_refresh", null);
            JsonNode stats = http.perform("GET", "/" + list + "/_stats/docs?level=indices", null).path("indices");
            for (String i : indices) counts.put(i, stats.path(i).path("primaries").path("docs").path("count").asLong(0));
        }
        ObjectNode body = http.json().createObjectNode();
        if (!indices.isEmpty()) body.put("indices", String.join(",", indices));
        body.put("include_global_state", false);
        body.put("ignore_unavailable", false);
        body.put("partial", false);
        ObjectNode meta = body.putObject("metadata");
        meta.put("created_by", "bklog");
        ObjectNode docCounts = meta.putObject("bklog_doc_counts");
        counts.forEach(docCounts::put);
        p.onProgress(0.0, "snapshot " + snapshot + " of " + indices.size() + " indices started");
        http.perform("PUT", "/_snapshot/" + name + "/" + snapshot + "?wait_for_completion=false", body);
        Instant deadline = Instant.now().plus(timeout);
        SnapshotInfo info;
        while (true) {
            Optional<SnapshotInfo> now = get(snapshot);
            if (now.isPresent() && now.get().state() != State.IN_PROGRESS) {
                info = now.get();
                break;
            }
            JsonNode shards = http.perform("GET", "/_snapshot/" + name + "/" + snapshot + "/_status", null)
                    .path("snapshots").path(0).path("shards_stats");
            long total = shards.path("total").asLong(0);
            long done = shards.path("done").asLong(0);
            p.onProgress(total == 0 ? 0.0 : Math.min(0.99, (double) done / total),
                    "snapshot " + snapshot + ": " + done + "/" + total + " shards");
            if (Instant.now().isAfter(deadline)) {
                throw new BackendException("snapshot '" + snapshot + "' did not finish within " + timeout
                        + "; it goes on in Elasticsearch, check GET /_snapshot/" + name + "/" + snapshot + "/_status",
                        true, null);
            }
            pause();
        }
        if (info.state() == State.FAILED) {
            throw new BackendException("snapshot '" + snapshot + "' failed: " + info.failure(), false, null);
        }
        p.onProgress(1.0, "snapshot " + snapshot + " " + info.state().name().toLowerCase(Locale.ROOT));
        log.info("es-snapshot-created repository={} snapshot={} indices={} state={} sizeBytes={}", name, snapshot,
                info.indices().size(), info.state(), info.sizeBytes());
        return info;
    }

    private void pause() {
        try {
            Thread.sleep(pollInterval.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BackendException("interrupted while waiting for a snapshot", false, e);
        }
    }

    @Override
    public List<SnapshotInfo> list() {
        ensureRegistered();
        JsonNode r = http.performOrNull("GET", "/_snapshot/" + name + "/_all?index_details=true");
        List<SnapshotInfo> out = new ArrayList<>();
        if (r != null) r.path("snapshots").forEach(s -> out.add(info(s)));
        out.sort(Comparator.comparingLong(SnapshotInfo::startMillis).thenComparing(SnapshotInfo::name));
        return out;
    }

    @Override
    public Optional<SnapshotInfo> get(String snapshot) {
        ensureRegistered();
        JsonNode r = http.performOrNull("GET", "/_snapshot/" + name + "/" + snapshot
                + "?index_details=true&ignore_unavailable=true");
        if (r == null) return Optional.empty();
        for (JsonNode s : r.path("snapshots")) {
            if (snapshot.equals(s.path("snapshot").asText())) return Optional.of(info(s));
        }
        return Optional.empty();
    }

    private static SnapshotInfo info(JsonNode s) {
        Map<String, Long> counts = new HashMap<>();
        JsonNode recorded = s.path("metadata").path("bklog_doc_counts");
        long size = 0;
        for (JsonNode i : s.path("indices")) {
            String index = i.asText();
            counts.put(index, recorded.path(index).asLong(-1));
            size += s.path("index_details").path(index).path("size_in_bytes").asLong(0);
        }
        State state = switch (s.path("state").asText("")) {
            case "SUCCESS" -> State.SUCCESS;
            case "PARTIAL" -> State.PARTIAL;
            case "IN_PROGRESS", "STARTED", "INIT" -> State.IN_PROGRESS;
            default -> State.FAILED;
        };
        String failure = s.path("reason").asText(null);
        if (failure == null && s.path("failures").size() > 0) failure = s.path("failures").toString();
        return new SnapshotInfo(s.path("snapshot").asText(), state, counts, size,
                s.path("start_time_in_millis").asLong(0), s.path("end_time_in_millis").asLong(0), failure);
    }

    @Override
    public List<String> restore(String snapshot, List<String> indices, String renamePrefix, ProgressListener progress) {
        Objects.requireNonNull(renamePrefix, "renamePrefix");
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        SnapshotInfo info = get(snapshot).orElseThrow(() -> new IllegalArgumentException(
                "no snapshot '" + snapshot + "' in repository '" + name + "'"));
        List<String> sources = indices.isEmpty() ? info.indices() : List.copyOf(indices);
        for (String i : sources) {
            if (!info.docCounts().containsKey(i)) {
                throw new IllegalArgumentException("snapshot '" + snapshot + "' has no index '" + i + "'; it has "
                        + info.indices());
            }
            String target = renamePrefix + i;
            if (http.performOrNull("HEAD", "/" + target) != null) {
                throw new IllegalArgumentException("cannot restore '" + i + "' of snapshot '" + snapshot + "' as '"
                        + target + "': that index exists; delete it or use another prefix");
            }
        }
        p.onProgress(0.0, "restoring " + sources.size() + " indices of " + snapshot);
        ObjectNode body = http.json().createObjectNode();
        body.put("indices", String.join(",", sources));
        body.put("include_global_state", false);
        body.put("include_aliases", false);
        if (!renamePrefix.isEmpty()) {
            body.put("rename_pattern", "(.+)");
            body.put("rename_replacement", renamePrefix + "$1");
        }
        body.putObject("index_settings").put("index.number_of_replicas", 0);
        JsonNode r = http.perform("POST", "/_snapshot/" + name + "/" + snapshot + "/_restore?wait_for_completion=true",
                body);
        List<String> restored = new ArrayList<>();
        r.path("snapshot").path("indices").forEach(n -> restored.add(n.asText()));
        JsonNode shards = r.path("snapshot").path("shards");
        if (shards.path("failed").asInt(0) > 0) {
            throw new BackendException("restore of '" + snapshot + "' failed on " + shards.path("failed").asInt()
                    + " shards: " + r, false, null);
        }
        ObjectNode actions = http.json().createObjectNode();
        var list = actions.putArray("actions");
        for (String index : restored) {
            IndexNames.parse(index).ifPresent(parsed ->
                    list.addObject().putObject("add").put("index", index).put("alias", parsed.indexSet()));
        }
        if (!list.isEmpty()) http.perform("POST", "/_aliases", actions);
        restored.sort(null);
        p.onProgress(1.0, "restored " + restored.size() + " indices of " + snapshot);
        log.info("es-snapshot-restored repository={} snapshot={} indices={}", name, snapshot, restored);
        return restored;
    }

    @Override
    public void delete(String snapshot) {
        ensureRegistered();
        http.performOrNull("DELETE", "/_snapshot/" + name + "/" + snapshot);
    }

    @Override
    public void close() {
        if (ownsConnection) connection.close();
    }

    private static void checkName(String snapshot) {
        if (snapshot == null || !NAME.matcher(snapshot).matches()) {
            throw new IllegalArgumentException("snapshot name '" + snapshot + "' must match " + NAME.pattern());
        }
    }

    /**
     * Builder; defaults: type {@code fs}, poll interval 200 ms, timeout 1 h. {@code name} and (for fs) the
     * {@code location} setting are required.
     */
    public static final class Builder {
        private EsConnection connection;
        private List<String> hosts = List.of("http://127.0.0.1:9200");
        private String name;
        private String type = "fs";
        private final Map<String, String> settings = new LinkedHashMap<>();
        private Duration pollInterval = Duration.ofMillis(200);
        private Duration timeout = Duration.ofHours(1);

        private Builder() {}

        public Builder connection(EsConnection c) {
            this.connection = c;
            return this;
        }

        public Builder hosts(List<String> hosts) {
            this.hosts = List.copyOf(hosts);
            return this;
        }

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        /** Repository type: {@code fs} (default), {@code s3}, {@code hdfs}, {@code url}, ... */
        public Builder type(String type) {
            this.type = Objects.requireNonNull(type, "type");
            return this;
        }

        /** fs: the directory (below {@code path.repo} on every node). */
        public Builder location(String location) {
            return setting("location", location);
        }

        /** Any repository setting, passed to Elasticsearch as is (bucket, base_path, compress, ...). */
        public Builder setting(String key, String value) {
            settings.put(key, value);
            return this;
        }

        public Builder pollInterval(Duration d) {
            this.pollInterval = Objects.requireNonNull(d, "pollInterval");
            return this;
        }

        public Builder timeout(Duration d) {
            this.timeout = Objects.requireNonNull(d, "timeout");
            return this;
        }

        public EsSnapshotRepository build() {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException("repository name '" + name + "' must match " + NAME.pattern());
            }
            if (type.equals("fs") && !settings.containsKey("location")) {
                throw new IllegalArgumentException("an fs snapshot repository needs a location (below path.repo)");
            }
            return new EsSnapshotRepository(this);
        }
    }
}
