package io.bklog.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.BitSet;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends numbered lines ({@code seq}, a long unique per line) to {@code POST /api/v1/index_sets/{name}/ingest} in
 * batches of {@code batchSize} every {@code interval}, as a careful client does: every batch carries an
 * {@code Idempotency-Key}, and a batch with an item answered {@code retryable}, a 429, an error status or a failed
 * request is sent again, whole and with the same key, until no item is retryable or the driver is stopped. An item
 * answered {@code ok} is acknowledged: its seq is recorded in {@link #acked()}. One thread; the next batch waits
 * while one is being resent (the client's back-pressure), and there is no catching up afterwards.
 */
final class LoadDriver implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoadDriver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(45);
    private static final Duration RESEND_PAUSE = Duration.ofMillis(250);

    private final URI ingest;
    private final String indexSet;
    /** Send through the Elasticsearch-compatible {@code _bulk} with {@code _id = runId-seq}, not the ingest API. */
    private final boolean bulk;
    /** The first seq this driver sends; seqs below it are another driver's. */
    private final long seqBase;
    private final String token;
    private final String runId;
    private final int batchSize;
    private final Duration interval;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final BitSet acked = new BitSet();
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong ackedCount = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong resends = new AtomicLong();
    private final Map<String, AtomicLong> answers = new ConcurrentHashMap<>();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean stop;
    private long lastWarnNanos;

    LoadDriver(URI server, String indexSet, String token, String runId, int batchSize, Duration interval) {
        this(server, indexSet, token, runId, batchSize, interval, false, 0);
    }

    /**
     * As above; with {@code bulk} the batches go to {@code POST /_bulk} (Elasticsearch's API, each line with
     * {@code _id} {@code runId-seq}, so a resend overwrites instead of adding), numbered from {@code seqBase}.
     */
    LoadDriver(URI server, String indexSet, String token, String runId, int batchSize, Duration interval,
               boolean bulk, long seqBase) {
        this.indexSet = indexSet;
        this.bulk = bulk;
        this.seqBase = seqBase;
        this.ingest = bulk ? server.resolve("/_bulk")
                : server.resolve("/api/v1/index_sets/" + indexSet + "/ingest");
        this.token = token;
        this.runId = runId;
        this.batchSize = batchSize;
        this.interval = interval;
        this.thread = new Thread(this, "chaos-load-driver");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Stops after the request in flight (a batch still unacknowledged is given up) and waits for the thread. */
    void stop() throws InterruptedException {
        stop = true;
        thread.join(REQUEST_TIMEOUT.plusSeconds(15).toMillis());
        if (thread.isAlive()) throw new IllegalStateException("the load driver did not stop");
        if (failure.get() != null) throw new IllegalStateException("the load driver failed", failure.get());
    }

    /** Lines sent at least once. */
    long sent() {
        return sent.get();
    }

    long ackedCount() {
        return ackedCount.get();
    }

    long rejected() {
        return rejected.get();
    }

    long requests() {
        return requests.get();
    }

    long resends() {
        return resends.get();
    }

    /** A copy of the acknowledged seqs. */
    BitSet acked() {
        synchronized (acked) {
            return (BitSet) acked.clone();
        }
    }

    /** How the requests were answered: {@code ok}, {@code retryable}, {@code http_429}, {@code io_...}, by count. */
    Map<String, Long> answers() {
        Map<String, Long> out = new TreeMap<>();
        answers.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    @Override
    public void run() {
        try {
            long next = System.nanoTime();
            for (long batch = 0; !stop; batch++) {
                long first = seqBase + batch * batchSize;
                byte[] body = body(batch, first);
                sent.set(first + batchSize);
                String key = runId + "-" + batch;
                boolean done = false;
                for (int attempt = 0; !done && !stop; attempt++) {
                    if (attempt > 0) resends.incrementAndGet();
                    done = send(body, key, first);
                }
                next = Math.max(next + interval.toNanos(), System.nanoTime());
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            }
        } catch (Throwable t) {
            failure.set(t);
            LOG.error("event=chaos_load_failed", t);
        }
    }

    private byte[] body(long batch, long first) throws IOException {
        if (bulk) {
            StringBuilder nd = new StringBuilder();
            long now = System.currentTimeMillis();
            for (int i = 0; i < batchSize; i++) {
                long seq = first + i;
                ObjectNode action = JSON.createObjectNode();
                action.putObject("index").put("_index", indexSet).put("_id", runId + "-" + seq);
                ObjectNode o = JSON.createObjectNode();
                o.put("seq", seq);
                o.put("batch", batch);
                o.put("dtEventTimeStamp", now);
                o.put("log", "bulk line " + seq + " of batch " + batch + " run " + runId);
                nd.append(JSON.writeValueAsString(action)).append('\n').append(JSON.writeValueAsString(o)).append('\n');
            }
            return nd.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        ArrayNode items = JSON.createArrayNode();
        long now = System.currentTimeMillis();
        for (int i = 0; i < batchSize; i++) {
            long seq = first + i;
            ObjectNode o = items.addObject();
            o.put("seq", seq);
            o.put("batch", batch);
            o.put("dtEventTimeStamp", now);
            o.put("log", "chaos line " + seq + " of batch " + batch + " run " + runId);
        }
        return JSON.writeValueAsBytes(items);
    }

    /** One attempt; true when no item is left to resend. */
    private boolean send(byte[] body, String key, long first) throws InterruptedException {
        requests.incrementAndGet();
        HttpResponse<String> r;
        try {
            r = http.send(HttpRequest.newBuilder(ingest).timeout(REQUEST_TIMEOUT)
                    .header("Authorization", "Bearer " + token)
                    .header("Content-Type", bulk ? "application/x-ndjson" : "application/json")
                    .header("Idempotency-Key", key).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            count("io_" + e.getClass().getSimpleName());
            warn("request failed key={} error={}", key, e.toString());
            pause(RESEND_PAUSE);
            return false;
        }
        if (r.statusCode() == 429) {
            count("http_429");
            long seconds = r.headers().firstValueAsLong("Retry-After").orElse(1);
            pause(Duration.ofSeconds(Math.max(1, Math.min(seconds, 5))));
            return false;
        }
        if (r.statusCode() != 200) {
            count("http_" + r.statusCode());
            warn("request answered status={} key={} body={}", r.statusCode(), key, abbreviate(r.body()));
            pause(RESEND_PAUSE);
            return false;
        }
        JsonNode items;
        try {
            items = JSON.readTree(r.body()).path("items");
        } catch (IOException e) {
            count("bad_json");
            warn("answer is not JSON key={} body={}", key, abbreviate(r.body()));
            pause(RESEND_PAUSE);
            return false;
        }
        if (items.size() != batchSize) {
            throw new AssertionError("the answer to " + key + " has " + items.size() + " items for " + batchSize
                    + " sent: " + abbreviate(r.body()));
        }
        boolean again = false;
        String reason = null;
        for (int i = 0; i < batchSize; i++) {
            JsonNode item = items.get(i);
            if (bulk) {
                JsonNode op = item.path("index");
                int status = op.path("status").asInt();
                if (status >= 200 && status < 300) {
                    ack(first + i);
                } else if (status == 429 || status >= 500) {
                    again = true;
                    reason = op.path("error").toString();
                } else {
                    rejected.incrementAndGet();
                    LOG.error("event=chaos_item_rejected seq={} key={} reason=\"{}\"", first + i, key, op);
                }
                continue;
            }
            switch (item.path("status").asText()) {
                case "ok" -> ack(first + i);
                case "rejected" -> {
                    rejected.incrementAndGet();
                    LOG.error("event=chaos_item_rejected seq={} key={} reason=\"{}\"", first + i, key,
                            item.path("reason").asText());
                }
                default -> {
                    again = true;
                    reason = item.path("reason").asText();
                }
            }
        }
        count(again ? "retryable" : "ok");
        if (again) {
            warn("items retryable key={} reason=\"{}\"", key, reason);
            pause(RESEND_PAUSE);
        }
        return !again;
    }

    private void ack(long seq) {
        synchronized (acked) {
            if (!acked.get((int) seq)) {
                acked.set((int) seq);
                ackedCount.incrementAndGet();
            }
        }
    }

    private void count(String answer) {
        answers.computeIfAbsent(answer, k -> new AtomicLong()).incrementAndGet();
    }

    /** At most one warning a second: an outage answers the same way many times. */
    private void warn(String format, Object... args) {
        long now = System.nanoTime();
        if (now - lastWarnNanos < TimeUnit.SECONDS.toNanos(1)) return;
        lastWarnNanos = now;
        LOG.warn("event=chaos_load_resend " + format, args);
    }

    private static void pause(Duration d) throws InterruptedException {
        Thread.sleep(d.toMillis()); // a client's back-off before it sends again
    }

    private static String abbreviate(String s) {
        return s == null ? "" : s.length() <= 300 ? s : s.substring(0, 300) + "...";
    }
}
