package io.bklog.core.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.collect.CollectorConfinement;
import io.bklog.core.collect.CollectorRuntime;
import io.bklog.core.collect.CollectorStatus;
import io.bklog.core.collect.FileSourceFactory;
import io.bklog.core.collect.SyslogSourceFactory;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.source.SourceFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code bklog agent}: runs the file and syslog collectors that target this host, with the platform's own sources
 * ({@link FileSourceFactory}, {@link SyslogSourceFactory}) and pipelines (multi-line, filters, ETL), delivering into a
 * {@link DiskBuffer} under the data dir, and ships the buffer to the servers' {@code _bulk} ingest endpoint.
 *
 * <ul>
 *   <li>Configs: {@code GET /api/v1/agents/configs} every {@link AgentConfig#pollInterval()} with the last etag
 *   (304 = nothing changed); a new or changed collector is (re)started, a gone one stopped. The last answer is kept
 *   in {@code configs.json}, so an agent restarted while every server is down runs its collectors.</li>
 *   <li>Delivery: a file offset is committed only once the buffer holds (fsynced) the line; a batch leaves the buffer
 *   only once a server acknowledged every document. Each document keeps the id its pipeline gave it (file identity,
 *   generation and offset), sent as the {@code _bulk} {@code _id}: a resend after a lost answer, a restart or a
 *   re-read overwrites the stored document instead of adding a second one.</li>
 *   <li>Servers: requests go to one server at a time and fail over to the next on a connection error, 429 or 5xx.
 *   While all are down the buffer grows; when it is full the file sources stop reading (backpressure, nothing
 *   dropped), a syslog source drops UDP messages and counts them.</li>
 *   <li>Status: {@code POST /api/v1/agents/{name}/status} every {@link AgentConfig#heartbeat()}: version, host, IPs,
 *   labels, each collector's state and lag (documents in the buffer not yet shipped), the buffer's size.</li>
 * </ul>
 */
public final class Agent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Agent.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern DROPPED = Pattern.compile("(\\d+) udp message\\(s\\) dropped");

    private final AgentConfig config;
    private final Clock clock;
    private final DiskBuffer buffer;
    private final CollectorRuntime runtime;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(3)).build();
    private final AtomicInteger current = new AtomicInteger();
    private final Map<Long, CollectorConfig> applied = new HashMap<>();
    private final Map<Long, IndexSet> indexSets = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Thread shipper;
    private final AtomicLong shipped = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private volatile String etag;
    private volatile boolean closed;

    private Agent(AgentConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.buffer = DiskBuffer.open(config.dataDir().resolve("buffer"), config.bufferMaxBytes());
        CollectorConfinement confinement = CollectorConfinement.unconfined(List.of(config.dataDir()));
        Map<String, SourceFactory> factories = new HashMap<>();
        FileSourceFactory files = new FileSourceFactory(config.dataDir().resolve("collectors"), clock, confinement);
        factories.put(FileSourceFactory.TYPE, files);
        for (String alias : io.bklog.core.collect.CollectorService.FILE_ALIASES) factories.put(alias, files);
        factories.put(SyslogSourceFactory.TYPE, new SyslogSourceFactory(clock, confinement));
        CollectorRuntime.Pipelines pipelines = (collector, indexSet) -> IngestPipeline.builder(indexSet).clock(clock)
                .buffer(buffer.forCollector(collector.name()));
        this.runtime = new CollectorRuntime(pipelines, factories, id -> {
            IndexSet s = indexSets.get(id);
            if (s == null) throw new IllegalStateException("no index set with id " + id + " in the agent's configs");
            return s;
        }, null, clock);
        this.scheduler = Executors.newScheduledThreadPool(2, r -> {
            Thread t = new Thread(r, "bklog-agent-poll");
            t.setDaemon(true);
            return t;
        });
        this.shipper = new Thread(this::shipLoop, "bklog-agent-ship");
        this.shipper.setDaemon(true);
    }

    /** Opens the buffer, starts the collectors of the last known configs, polling, shipping and heartbeats. */
    public static Agent start(AgentConfig config, Clock clock) {
        Agent a = new Agent(config, clock == null ? Clock.systemUTC() : clock);
        log.info("event=agent_started name={} host={} ips={} labels={} servers={} data_dir={} buffer_max_bytes={}"
                        + " version={}", config.name(), config.host(), config.ips(), config.labels(), config.servers(),
                config.dataDir().toAbsolutePath(), config.bufferMaxBytes(), config.version());
        a.applyKnown();
        a.shipper.start();
        a.scheduler.scheduleWithFixedDelay(a::pollQuietly, 0, config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
        a.scheduler.scheduleWithFixedDelay(a::heartbeatQuietly, 0, config.heartbeat().toMillis(),
                TimeUnit.MILLISECONDS);
        return a;
    }

    public DiskBuffer buffer() {
        return buffer;
    }

    // ---------------------------------------------------------------- configs

    private Path configsFile() {
        return config.dataDir().resolve("configs.json");
    }

    /** Starts the collectors of the configs saved by the last successful poll (a restart while servers are down). */
    private void applyKnown() {
        Path f = configsFile();
        if (!Files.exists(f)) return;
        try {
            apply(JSON.readTree(f.toFile()).path("collectors"));
            log.info("event=agent_configs_restored collectors={} file={}", applied.size(), f);
        } catch (IOException | RuntimeException e) {
            log.warn("event=agent_configs_not_restored file={} reason=\"{}\"", f, e.toString());
        }
    }

    private void pollQuietly() {
        try {
            poll();
        } catch (Exception e) {
            log.warn("event=agent_config_poll_failed reason=\"{}\"", e.toString());
        }
    }

    /** Asks for the configs targeting this agent; applies them when they changed. */
    void poll() throws IOException, InterruptedException {
        if (closed) return;
        String q = "name=" + enc(config.name()) + "&host=" + enc(config.host()) + "&ip="
                + enc(String.join(",", config.ips())) + "&labels=" + enc(String.join(",", config.labels().entrySet()
                .stream().map(e -> e.getKey() + "=" + e.getValue()).toList()));
        HttpResponse<String> r = send("GET", "/api/v1/agents/configs?" + q, null, null,
                etag == null ? Map.of() : Map.of("If-None-Match", etag));
        if (r.statusCode() == 304) return;
        if (r.statusCode() != 200) {
            log.warn("event=agent_config_poll_refused status={} body=\"{}\"", r.statusCode(), abbrev(r.body()));
            return;
        }
        JsonNode body = JSON.readTree(r.body());
        apply(body.path("collectors"));
        etag = r.headers().firstValue("ETag").orElse(null);
        Path tmp = configsFile().resolveSibling("configs.json.tmp");
        Files.createDirectories(tmp.getParent());
        Files.writeString(tmp, r.body());
        Files.move(tmp, configsFile(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private synchronized void apply(JsonNode collectors) {
        Map<Long, CollectorConfig> now = new LinkedHashMap<>();
        for (JsonNode c : collectors) {
            long setId = c.path("index_set_id").asLong();
            indexSets.put(setId, IndexSet.of(c.path("index_set").asText(), c.path("space").asText(), List.of()));
            CollectorConfig cfg = new CollectorConfig(c.path("id").asLong(), c.path("name").asText(), setId,
                    c.path("source_type").asText(), c.get("source_params"), c.get("filters"), c.get("multiline"),
                    c.path("etl_config").asText("bk_log_text"), c.get("etl_params"), c.get("fields"), true, null,
                    c.path("version").asLong(), null, null);
            now.put(cfg.id(), cfg);
        }
        for (CollectorConfig c : now.values()) {
            CollectorConfig had = applied.get(c.id());
            if (had != null && had.version() == c.version() && had.indexSetId() == c.indexSetId()) continue;
            CollectorStatus s = runtime.apply(c);
            applied.put(c.id(), c);
            log.info("event=agent_collector_applied collector={} id={} version={} state={} reason=\"{}\"", c.name(),
                    c.id(), c.version(), s.state(), s.reason() == null ? "" : s.reason());
        }
        for (Long id : List.copyOf(applied.keySet())) {
            if (now.containsKey(id)) continue;
            CollectorConfig gone = applied.remove(id);
            runtime.remove(id);
            log.info("event=agent_collector_removed collector={} id={}", gone.name(), id);
        }
    }

    // ---------------------------------------------------------------- status

    private void heartbeatQuietly() {
        try {
            heartbeat();
        } catch (Exception e) {
            log.warn("event=agent_heartbeat_failed reason=\"{}\"", e.toString());
        }
    }

    /** The status this agent reports (and logs). */
    public synchronized ObjectNode status() {
        ObjectNode b = JSON.createObjectNode();
        b.put("version", config.version());
        b.put("host", config.host());
        ArrayNode ips = b.putArray("ips");
        config.ips().forEach(ips::add);
        ObjectNode labels = b.putObject("labels");
        config.labels().forEach(labels::put);
        ArrayNode cs = b.putArray("collectors");
        Map<String, Long> lag = buffer.pendingByCollector();
        long dropped = 0;
        for (Map.Entry<Long, CollectorStatus> e : runtime.statuses().entrySet()) {
            CollectorConfig c = applied.get(e.getKey());
            if (c == null) continue;
            ObjectNode n = cs.addObject();
            n.put("id", c.id());
            n.put("name", c.name());
            n.put("version", c.version());
            n.put("state", e.getValue().state());
            String detail = e.getValue().detail() != null ? e.getValue().detail()
                    : e.getValue().reason() != null ? e.getValue().reason() : "";
            n.put("detail", detail);
            n.put("lag", lag.getOrDefault(c.name(), 0L));
            Matcher m = DROPPED.matcher(detail);
            if (m.find()) dropped += Long.parseLong(m.group(1));
        }
        ObjectNode buf = b.putObject("buffer");
        buf.put("bytes", buffer.bytes());
        buf.put("max_bytes", buffer.maxBytes());
        buf.put("lines", buffer.pending());
        buf.put("full_refusals", buffer.fullRefusals());
        buf.put("shipped", shipped.get());
        buf.put("rejected", rejected.get());
        b.put("syslog_dropped", dropped);
        return b;
    }

    void heartbeat() throws IOException, InterruptedException {
        if (closed) return;
        ObjectNode body = status();
        log.info("event=agent_status collectors={} buffer_lines={} buffer_bytes={} shipped={} rejected={}",
                body.path("collectors").size(), body.at("/buffer/lines").asLong(), body.at("/buffer/bytes").asLong(),
                shipped.get(), rejected.get());
        HttpResponse<String> r = send("POST", "/api/v1/agents/" + enc(config.name()) + "/status",
                JSON.writeValueAsString(body), "application/json", Map.of());
        if (r.statusCode() / 100 != 2) {
            log.warn("event=agent_heartbeat_refused status={} body=\"{}\"", r.statusCode(), abbrev(r.body()));
        }
    }

    // ---------------------------------------------------------------- shipping

    private void shipLoop() {
        long backoff = 200;
        while (!closed) {
            List<DiskBuffer.Entry> batch;
            try {
                batch = buffer.poll(config.batchDocs(), Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("event=agent_buffer_read_failed reason=\"{}\"", e.toString());
                sleep(1000);
                continue;
            }
            if (batch.isEmpty()) continue;
            while (!closed) {
                String failure;
                try {
                    failure = ship(batch);
                } catch (IOException e) {
                    failure = e.toString();
                } catch (InterruptedException e) {
                    return;
                }
                if (failure == null) {
                    buffer.commit();
                    shipped.addAndGet(batch.size());
                    backoff = 200;
                    break;
                }
                log.warn("event=agent_ship_retry docs={} backoff_ms={} reason=\"{}\"", batch.size(), backoff,
                        abbrev(failure));
                sleep(backoff);
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    /** Sends the batch to {@code _bulk}; null when every document was taken (or refused for good), else why not. */
    private String ship(List<DiskBuffer.Entry> batch) throws IOException, InterruptedException {
        StringBuilder nd = new StringBuilder();
        for (DiskBuffer.Entry e : batch) {
            ObjectNode action = JSON.createObjectNode();
            action.putObject("index").put("_index", e.document().indexSet()).put("_id", e.document().document().id());
            nd.append(JSON.writeValueAsString(action)).append('\n');
            nd.append(JSON.writeValueAsString(e.document().document().fields())).append('\n');
        }
        HttpResponse<String> r = send("POST", "/_bulk", nd.toString(), "application/x-ndjson", Map.of());
        if (r.statusCode() != 200) return "HTTP " + r.statusCode() + ": " + abbrev(r.body());
        JsonNode items = JSON.readTree(r.body()).path("items");
        if (items.size() != batch.size()) return "the answer has " + items.size() + " items for " + batch.size();
        int retry = 0;
        String reason = null;
        for (int i = 0; i < items.size(); i++) {
            JsonNode it = items.get(i).elements().hasNext() ? items.get(i).elements().next() : items.get(i);
            int status = it.path("status").asInt(500);
            if (status / 100 == 2) continue;
            if (status == 429 || status >= 500) {
                retry++;
                reason = it.path("error").toString();
            } else {
                rejected.incrementAndGet();
                log.warn("event=agent_line_rejected index_set={} id={} status={} error=\"{}\"",
                        batch.get(i).document().indexSet(), batch.get(i).document().document().id(), status,
                        abbrev(it.path("error").toString()));
            }
        }
        return retry == 0 ? null : retry + " document(s) not stored yet: " + reason;
    }

    /**
     * One request to the current server, failing over to the next on a connection error, 429 or 5xx; the last
     * answer (or error) when every server failed.
     */
    private HttpResponse<String> send(String method, String path, String body, String contentType,
                                      Map<String, String> headers) throws IOException, InterruptedException {
        List<URI> servers = config.servers();
        IOException last = null;
        HttpResponse<String> lastResponse = null;
        for (int i = 0; i < servers.size(); i++) {
            int at = Math.floorMod(current.get(), servers.size());
            URI base = servers.get(at);
            HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                    .header("Authorization", "Bearer " + config.token())
                    .header("User-Agent", "bklog-agent/" + config.version());
            headers.forEach(b::header);
            if (contentType != null) b.header("Content-Type", contentType);
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
            try {
                HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 429 && r.statusCode() < 500) return r;
                lastResponse = r;
            } catch (IOException e) {
                last = e;
            }
            current.compareAndSet(at, at + 1); // the next server for this and later requests
        }
        if (lastResponse != null) return lastResponse;
        throw last != null ? last : new IOException("no server answered");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String abbrev(String s) {
        if (s == null) return "";
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms); // a back-off between retries to a server that is down: nothing else to wait on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops the collectors (their pipelines hand what they hold to the buffer), polling and shipping. */
    @Override
    public void close() {
        if (closed) return;
        scheduler.shutdownNow();
        runtime.close();
        closed = true;
        shipper.interrupt();
        try {
            shipper.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        buffer.close();
        log.info("event=agent_stopped name={} shipped={} buffered={}", config.name(), shipped.get(), buffer.pending());
    }
}
