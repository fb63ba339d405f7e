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
    private final RejectedFile rejected;
    private final String agentId;
    private volatile String lastError;
    private volatile long retryingSince = -1;
    private volatile String etag;
    private volatile boolean closed;

    private Agent(AgentConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        AgentFiles.privateDir(config.dataDir());
        this.agentId = AgentFiles.agentId(config.dataDir());
        this.buffer = DiskBuffer.open(config.dataDir().resolve("buffer"), config.bufferMaxBytes());
        this.rejected = new RejectedFile(config.dataDir().resolve("rejected"), RejectedFile.DEFAULT_MAX_BYTES);
        // the agent's own allow-list (a space admin's collector must not read /etc/shadow or bind any port), and
        // never its own data dir (buffer, offsets, configs, identity)
        CollectorConfinement confinement = CollectorConfinement.of(config.allowedPaths(),
                List.of(config.dataDir()), config.allowedPorts());
        Map<String, SourceFactory> factories = new HashMap<>();
        FileSourceFactory files = new FileSourceFactory(config.dataDir().resolve("collectors"), clock, confinement);
        factories.put(FileSourceFactory.TYPE, files);
        for (String alias : io.bklog.core.collect.CollectorService.FILE_ALIASES) factories.put(alias, files);
        factories.put(SyslogSourceFactory.TYPE, new SyslogSourceFactory(clock, confinement));
        CollectorRuntime.Pipelines pipelines = (collector, indexSet) -> IngestPipeline.builder(indexSet).clock(clock)
                .buffer(agentBuffer(collector));
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

    /** This agent's identity: a UUID made on its first start and kept in {@code {data_dir}/agent-id}. */
    public String agentId() {
        return agentId;
    }

    /**
     * The buffer a collector's pipeline writes to. Each document's id is re-derived from the agent's identity, the
     * collector's id and the pipeline's id (file identity, generation, offset): two cloned hosts (same device and
     * inode) or two collectors reading one file never overwrite each other's lines, and the id stays the same across
     * restarts (a resend after a lost answer overwrites). A dead letter (a parse failure with
     * {@code enable_retain_content} off) is not shipped to a dead-letter index set through the space's {@code _bulk}:
     * it goes to the local rejected file.
     */
    private io.bklog.spi.IngestBuffer agentBuffer(CollectorConfig collector) {
        io.bklog.spi.IngestBuffer to = buffer.forCollector(collector.name());
        String scope = "agent:" + agentId + ":collector:" + collector.id();
        return new io.bklog.spi.IngestBuffer() {
            @Override
            public String backendName() {
                return to.backendName();
            }

            @Override
            public void append(List<io.bklog.spi.BufferedDocument> documents) throws io.bklog.spi.BufferFullException {
                List<io.bklog.spi.BufferedDocument> out = new java.util.ArrayList<>(documents.size());
                List<io.bklog.spi.BufferedDocument> dead = new java.util.ArrayList<>();
                for (io.bklog.spi.BufferedDocument d : documents) {
                    if (io.bklog.core.ingest.BatchingSink.DEAD_LETTER_INDEX_SET.equals(d.indexSet())) {
                        dead.add(d);
                        continue;
                    }
                    io.bklog.spi.LogDocument doc = d.document();
                    out.add(new io.bklog.spi.BufferedDocument(d.indexSet(), d.key(), new io.bklog.spi.LogDocument(
                            agentDocumentId(scope, doc.id()), doc.timestamp(), doc.fields())));
                }
                to.append(out); // first: a full buffer refuses the whole call, and it is offered again
                for (io.bklog.spi.BufferedDocument d : dead) {
                    rejected.write(collector.name(), d.indexSet(), d.document().id(), 0,
                            "parse failure (dead letter)", d.document().fields());
                }
            }

            @Override
            public Consumer consumer(String group) {
                return to.consumer(group);
            }

            @Override
            public long pending(String group) {
                return to.pending(group);
            }
        };
    }

    /** A confinement refusal names the agent's own options, not the servers' config keys. */
    static String agentRules(String reason) {
        return reason.replace("collectors.file.allowed_paths", "--allowed-paths")
                .replace("collectors.syslog.allowed_ports", "--allowed-ports");
    }

    /** The {@code _id} of a document an agent's collector made: its pipeline id scoped by agent and collector. */
    static String agentDocumentId(String scope, String pipelineId) {
        return io.bklog.core.ingest.DocumentIds.ofContent(scope, pipelineId);
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
        AgentFiles.privateFile(tmp);
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
            String detail = agentRules(e.getValue().detail() != null ? e.getValue().detail()
                    : e.getValue().reason() != null ? e.getValue().reason() : "");
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
        buf.put("write_failures", buffer.writeFailures());
        buf.put("shipped", shipped.get());
        buf.put("rejected", rejected.count());
        b.put("syslog_dropped", dropped);
        b.put("agent_id", agentId);
        b.put("rejected", rejected.count());
        b.put("rejected_not_written", rejected.notWritten());
        b.put("rejected_file", rejected.file().toAbsolutePath().toString());
        ObjectNode sh = b.putObject("shipper");
        sh.put("alive", shipper.isAlive());
        long since = retryingSince;
        sh.put("retrying", since >= 0);
        if (since >= 0) sh.put("retrying_ms", Math.max(0, clock.millis() - since));
        if (lastError != null) sh.put("last_error", abbrev(lastError));
        b.put("shipper_alive", sh.path("alive").asBoolean());
        return b;
    }

    void heartbeat() throws IOException, InterruptedException {
        if (closed) return;
        ObjectNode body = status();
        log.info("event=agent_status collectors={} buffer_lines={} buffer_bytes={} shipped={} rejected={}",
                body.path("collectors").size(), body.at("/buffer/lines").asLong(), body.at("/buffer/bytes").asLong(),
                shipped.get(), rejected.count());
        HttpResponse<String> r = send("POST", "/api/v1/agents/" + enc(config.name()) + "/status",
                JSON.writeValueAsString(body), "application/json", Map.of());
        if (r.statusCode() / 100 != 2) {
            log.warn("event=agent_heartbeat_refused status={} body=\"{}\"", r.statusCode(), abbrev(r.body()));
        }
    }

    // ---------------------------------------------------------------- shipping

    private void shipLoop() {
        long backoff = 200;
        boolean uncommitted = false;
        while (!closed) {
            try {
                if (uncommitted) { // what was shipped leaves the buffer before anything more is read
                    buffer.commit();
                    uncommitted = false;
                    lastError = null;
                }
                List<DiskBuffer.Entry> batch = buffer.poll(config.batchDocs(), Duration.ofSeconds(1));
                if (batch.isEmpty()) continue;
                deliver(batch);
                if (closed) return;
                shipped.addAndGet(batch.size());
                uncommitted = true;
                buffer.commit();
                uncommitted = false;
                backoff = 200;
                lastError = null;
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) { // ENOSPC, EIO, a bug: the shipper logs, waits and goes on
                lastError = e.toString();
                log.error("event=agent_shipper_error backoff_ms={} uncommitted={} reason=\"{}\"", backoff,
                        uncommitted, abbrev(e.toString()), e);
                if (!uncommitted) {
                    try {
                        buffer.rewind(); // what was polled and not delivered is polled again
                    } catch (RuntimeException r) {
                        log.error("event=agent_buffer_rewind_failed reason=\"{}\"", r.toString());
                    }
                }
                sleep(backoff);
                backoff = Math.min(5000, backoff * 2);
            }
        }
    }

    /** One document of a batch with its {@code _bulk} lines. */
    private record Item(DiskBuffer.Entry entry, String lines) {
        int bytes() {
            return lines.length(); // chars: within a factor of the UTF-8 bytes, and never fewer for ASCII
        }
    }

    /**
     * Ships the batch until every document is either taken or rejected for good (in the rejected file): in requests
     * of at most {@link AgentConfig#batchBytes()}, holding and retrying (with back-off, reported in the status) what
     * a server cannot take yet. Returns early only when the agent is closed.
     */
    private void deliver(List<DiskBuffer.Entry> batch) throws InterruptedException {
        List<Item> chunk = new java.util.ArrayList<>();
        long bytes = 0;
        for (DiskBuffer.Entry e : batch) {
            Item it = new Item(e, bulkLines(e));
            if (!chunk.isEmpty() && bytes + it.bytes() > config.batchBytes()) {
                deliverChunk(chunk);
                chunk = new java.util.ArrayList<>();
                bytes = 0;
            }
            chunk.add(it);
            bytes += it.bytes();
        }
        if (!chunk.isEmpty()) deliverChunk(chunk);
    }

    private void deliverChunk(List<Item> items) throws InterruptedException {
        long backoff = 200;
        List<Item> todo = items;
        while (!closed && !todo.isEmpty()) {
            String failure;
            try {
                Shipped r = ship(todo);
                if (r.tooLarge()) { // 413: halve the request, down to one document
                    if (todo.size() == 1) {
                        reject(todo.get(0), 413, "a single document larger than the servers take: " + r.failure());
                        todo = List.of();
                    } else {
                        int half = todo.size() / 2;
                        deliverChunk(todo.subList(0, half));
                        deliverChunk(todo.subList(half, todo.size()));
                        todo = List.of();
                    }
                    break;
                }
                todo = r.retry();
                failure = r.failure();
            } catch (IOException e) {
                failure = e.toString();
            }
            if (todo.isEmpty()) break;
            if (retryingSince < 0) retryingSince = clock.millis();
            lastError = failure;
            log.warn("event=agent_ship_retry docs={} backoff_ms={} reason=\"{}\"", todo.size(), backoff,
                    abbrev(failure));
            sleep(backoff);
            if (Thread.currentThread().isInterrupted()) throw new InterruptedException();
            backoff = Math.min(5000, backoff * 2);
        }
        retryingSince = -1;
    }

    private void reject(Item it, int status, String reason) {
        DiskBuffer.Entry e = it.entry();
        rejected.write(e.collector(), e.document().indexSet(), e.document().document().id(), status, reason,
                e.document().document().fields());
    }

    private static String bulkLines(DiskBuffer.Entry e) {
        try {
            ObjectNode action = JSON.createObjectNode();
            action.putObject("index").put("_index", e.document().indexSet()).put("_id", e.document().document().id());
            return JSON.writeValueAsString(action) + "\n" + JSON.writeValueAsString(e.document().document().fields())
                    + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException x) {
            throw new IllegalStateException("cannot write a buffered document as JSON: " + x.getMessage(), x);
        }
    }

    /** What a {@code _bulk} answer leaves to do: the documents to send again, why, or 413 for the whole request. */
    private record Shipped(List<Item> retry, String failure, boolean tooLarge) {
    }

    /**
     * Per item: 2xx taken; 401/403/404 (the token or the index set is gone or not writable, which an admin may fix),
     * 408, 429 and 5xx held and sent again; any other 4xx (a mapping or type refusal, a document too large) is a
     * refusal for good: the document goes to the rejected file, never dropped silently.
     */
    private Shipped ship(List<Item> items) throws IOException, InterruptedException {
        StringBuilder nd = new StringBuilder();
        for (Item it : items) nd.append(it.lines());
        HttpResponse<String> r = send("POST", "/_bulk", nd.toString(), "application/x-ndjson", Map.of());
        if (r.statusCode() == 413) return new Shipped(items, "HTTP 413: " + abbrev(r.body()), true);
        if (r.statusCode() != 200) return new Shipped(items, "HTTP " + r.statusCode() + ": " + abbrev(r.body()), false);
        JsonNode items2 = JSON.readTree(r.body()).path("items");
        if (items2.size() != items.size()) {
            return new Shipped(items, "the answer has " + items2.size() + " items for " + items.size(), false);
        }
        List<Item> retry = new java.util.ArrayList<>();
        String reason = null;
        for (int i = 0; i < items2.size(); i++) {
            JsonNode it = items2.get(i).elements().hasNext() ? items2.get(i).elements().next() : items2.get(i);
            int status = it.path("status").asInt(500);
            if (status / 100 == 2) continue;
            if (retryable(status)) {
                retry.add(items.get(i));
                reason = "HTTP " + status + " " + abbrev(it.path("error").toString());
            } else {
                reject(items.get(i), status, it.path("error").toString());
            }
        }
        return new Shipped(retry, retry.isEmpty() ? null : retry.size() + " document(s) not stored yet: " + reason,
                false);
    }

    /** An item status worth sending again: the servers (or an admin) may take it later. */
    static boolean retryable(int status) {
        return status == 401 || status == 403 || status == 404 || status == 408 || status == 429 || status >= 500;
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
