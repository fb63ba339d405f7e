package io.bklog.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.es.EsFixture;
import io.bklog.kafka.KafkaFixture;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Whole-stack chaos, bounded (issue 13, "Ingest you can trust", part 7). The real server runs as a child JVM (the fat
 * jar) on Elasticsearch (the store), Kafka (the ingest buffer), Redis (task broker and lock) and MariaDB (metadata),
 * with token auth on. A {@link LoadDriver} sends about 1,000 numbered lines a second with an {@code Idempotency-Key}
 * per batch and resends whatever is not acknowledged. Meanwhile, one after the other: the server is killed with
 * {@code kill -9} and started again; Elasticsearch, Kafka, Redis and MariaDB are each stopped for {@link #OUTAGE}
 * and started again. Then every acknowledged line must be searchable exactly once, and during each outage
 * {@code /healthz} must name the failed namespace, with a suggestion, within {@link #DETECT_WITHIN}.
 *
 * <p>Elasticsearch and Kafka are the shared per-JVM fixtures ({@link EsFixture}, {@link KafkaFixture}); Redis and
 * MariaDB are private servers the test starts on free ports ({@link PrivateRedis}, {@link PrivateMariaDb}), so the
 * machine's shared ones are never stopped. The run's logs (server, MariaDB, Redis) stay under
 * {@code target/chaos-it-*}. The figures are logged as {@code event=chaos_*} lines.
 *
 * <p>Each outage lasts 12 s by default, so that the whole test stays under two minutes on a quiet machine (failures
 * are named by /healthz within about 2 s); {@code -Dchaos.outage.seconds=30} runs the 30 s outages of the issue
 * (about 70 s longer).
 */
class IngestChaosIT {
    private static final Logger LOG = LoggerFactory.getLogger(IngestChaosIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("chaos.outage.seconds", 12));
    static final Duration DETECT_WITHIN = Duration.ofSeconds(10);
    private static final Duration RECOVER_WITHIN = Duration.ofSeconds(90);
    private static final int BATCH = 100;
    private static final Duration BATCH_INTERVAL = Duration.ofMillis(100);

    private static EsFixture es;
    private static KafkaFixture kafka;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final String runId = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    private final String database = "bklog_chaos_" + runId;
    private final String indexSet = "chaos_" + runId;
    private Path workDir;
    private PrivateRedis redis;
    private PrivateMariaDb mariadb;
    private ServerProcess server;
    private LoadDriver load;
    private String adminToken;
    private String clientToken;

    /** One fault and what was seen: the time to stop it, to see it in /healthz, to recover. */
    record Fault(String name, String namespace, double stopSeconds, Double detectSeconds, String message,
                 String suggestion, double restartSeconds, Double recoverSeconds, long ackedDuring) {
        String line() {
            return String.format(Locale.ROOT, "fault=%s namespace=%s stop_s=%.1f detect_s=%s restart_s=%.1f"
                            + " recover_s=%s acked_during=%d message=\"%s\" suggestion=\"%s\"", name,
                    namespace == null ? "-" : namespace,
                    stopSeconds, detectSeconds == null ? "never" : String.format(Locale.ROOT, "%.1f", detectSeconds),
                    restartSeconds, recoverSeconds == null ? "never" : String.format(Locale.ROOT, "%.1f", recoverSeconds),
                    ackedDuring, message, suggestion);
        }
    }

    @BeforeAll
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    static void sharedBackends() {
        PrivateRedis.requireInstalled();
        PrivateMariaDb.requireInstalled();
        es = EsFixture.shared();
        if (es.external()) {
            throw new IllegalStateException("IngestChaosIT stops and starts Elasticsearch, so it needs the fixture's own"
                    + " node: run it without -Des.url");
        }
        kafka = KafkaFixture.shared();
    }

    @BeforeEach
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    void startStack() throws Exception {
        workDir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "chaos-it-");
        redis = new PrivateRedis(workDir);
        redis.start();
        mariadb = new PrivateMariaDb(workDir.resolve("mariadb"));
        mariadb.install();
        mariadb.start();
        mariadb.createDatabase(database);

        int port = Ports.free();
        Path dataDir = workDir.resolve("data");
        Path config = workDir.resolve("bklog.yaml");
        Files.writeString(config, String.join("\n",
                "server:",
                "  host: 127.0.0.1",
                "  port: " + port,
                "data_dir: " + dataDir,
                "store:",
                "  backend: elasticsearch",
                "  settings:",
                "    hosts: " + es.url(),
                "metadata:",
                "  url: " + mariadb.jdbcUrl(database),
                "  user: root",
                "  password: \"\"",
                "  migrate_on_start: true",
                "auth:",
                "  enabled: true",
                "backends:",
                "  redis:",
                "    uri: " + redis.uri(),
                "    prefix: bklog-chaos-" + runId,
                "  kafka:",
                "    bootstrap.servers: " + kafka.bootstrapServers(),
                "    topic: " + kafka.nextTopic("chaos"),
                "    partitions: \"4\"",
                "    delivery.timeout: 10s",
                ""));
        server = new ServerProcess(config, workDir.resolve("server.log"), port);
        server.start();
        server.awaitReady(Duration.ofMinutes(2));

        adminToken = Files.readString(dataDir.resolve("admin-token")).trim();
        call("PUT", "/api/v1/index_sets/" + indexSet, adminToken, "{\"fields\": ["
                + "{\"name\": \"log\", \"type\": \"text\"}, {\"name\": \"seq\", \"type\": \"long\"},"
                + " {\"name\": \"batch\", \"type\": \"long\"}]}");
        clientToken = call("POST", "/api/v1/tokens", adminToken,
                "{\"name\": \"chaos-client\", \"roles\": [\"ingest\", \"viewer\"]}").get("token").asText();
        LOG.info("event=chaos_stack_ready work_dir={} server={} es={} kafka={} redis={} mariadb={} index_set={}",
                workDir, server.uri(), es.url(), kafka.bootstrapServers(), redis.uri(), mariadb.jdbcUrl(database),
                indexSet);
    }

    @AfterEach
    void stopStack() throws Exception {
        try {
            if (load != null) load.stop();
        } finally {
            if (server != null) server.close();
            // a failed run must not leave the shared fixtures stopped for the next IT of this JVM
            if (es != null && !es.running()) es.start();
            if (kafka != null) kafka.start();
            if (redis != null) redis.close();
            if (mariadb != null) {
                try {
                    mariadb.start();
                    mariadb.dropDatabase(database);
                } finally {
                    mariadb.close();
                }
            }
        }
    }

    @Test
    @Timeout(value = 6, unit = TimeUnit.MINUTES)
    void everyAcknowledgedLineIsSearchableOnceThroughAKillAndFourOutages() throws Exception {
        long testStart = System.nanoTime();
        load = new LoadDriver(server.uri(), indexSet, clientToken, runId, BATCH, BATCH_INTERVAL);
        load.start();
        awaitAcksGrow(2_000, Duration.ofSeconds(60));
        List<Fault> faults = new ArrayList<>();

        faults.add(killServer());
        faults.add(outage("elasticsearch", "elasticsearch", es::stop, es::start));
        faults.add(outage("kafka", "kafka", kafka::stop, kafka::start));
        faults.add(outage("redis", "redis", redis::stop, redis::start));
        faults.add(outage("mariadb", "mysql", mariadb::stop, mariadb::start));

        awaitAcksGrow(2_000, Duration.ofSeconds(60));
        load.stop();
        long sent = load.sent();
        BitSet acked = load.acked();
        LOG.info("event=chaos_load_stopped sent={} acked={} requests={} resends={} answers={}", sent,
                acked.cardinality(), load.requests(), load.resends(), load.answers());

        Stored stored = awaitStored(acked, sent, Duration.ofSeconds(120));
        long deadLetters = call("GET", "/api/v1/index_sets/" + indexSet + "/dead_letters?size=1", deadLetterToken(), null)
                .path("total").asLong();
        BitSet lost = (BitSet) acked.clone();
        lost.andNot(stored.seen());
        double seconds = (System.nanoTime() - testStart) / 1e9;

        LOG.info("event=chaos_figures sent={} acked={} stored={} duplicates={} lost={} unacked_stored={} rejected={}"
                        + " dead_letters={} test_s={}", sent, acked.cardinality(), stored.seen().cardinality(),
                stored.duplicates(), lost.cardinality(), stored.seen().cardinality() - countBoth(acked, stored.seen()),
                load.rejected(), deadLetters, String.format(Locale.ROOT, "%.1f", seconds));
        faults.forEach(f -> LOG.info("event=chaos_fault {}", f.line()));
        if (!lost.isEmpty()) LOG.error("event=chaos_lost ranges={}", ranges(lost, 20));
        if (stored.duplicates() > 0) LOG.error("event=chaos_duplicates seqs={}", stored.duplicateSamples());

        SoftAssertions soft = new SoftAssertions();
        soft.assertThat(ranges(lost, 20)).as("acknowledged lines not searchable").isEmpty();
        soft.assertThat(stored.duplicates()).as("lines stored more than once (e.g. %s)", stored.duplicateSamples())
                .isZero();
        soft.assertThat(stored.outOfRange()).as("stored seqs that were never sent").isZero();
        soft.assertThat(load.rejected()).as("items answered rejected").isZero();
        soft.assertThat(deadLetters).as("dead letters of %s", indexSet).isZero();
        soft.assertThat(acked.cardinality()).as("acknowledged lines").isGreaterThan(10_000);
        // a client retries on 429 and 503 and after a failed connection; anything else would be a wrong answer
        soft.assertThat(load.answers().keySet()).as("answers to the load (%s)", load.answers())
                .allMatch(a -> a.equals("ok") || a.equals("retryable") || a.equals("http_429") || a.equals("http_503")
                        || a.startsWith("io_"));
        for (Fault f : faults) {
            if (f.namespace() == null) continue; // kill -9: the server itself is gone, nothing to ask
            soft.assertThat(f.detectSeconds()).as("%s: seconds until /healthz named %s failed with a suggestion",
                    f.name(), f.namespace()).isNotNull().isLessThanOrEqualTo((double) DETECT_WITHIN.toSeconds());
            soft.assertThat(f.suggestion()).as("%s: suggestion", f.name()).isNotBlank();
            soft.assertThat(f.recoverSeconds()).as("%s: seconds until %s passed again after the restart",
                    f.name(), f.namespace()).isNotNull();
        }
        soft.assertAll();
    }

    /** kill -9 the server, start it at once, wait for /readyz. */
    private Fault killServer() {
        long acked0 = load.ackedCount();
        long t0 = System.nanoTime();
        server.kill9();
        double stop = seconds(t0);
        long t1 = System.nanoTime();
        server.start();
        server.awaitReady(Duration.ofMinutes(2));
        double ready = seconds(t1);
        awaitAcksGrow(1_000, RECOVER_WITHIN);
        double flowing = seconds(t1);
        Fault f = new Fault("kill-9 server", null, stop, null, "restarted, /readyz 200 after " + fmt(ready) + " s",
                "", ready, flowing, load.ackedCount() - acked0);
        LOG.info("event=chaos_fault_done {}", f.line());
        return f;
    }

    /** Stops a dependency for {@link #OUTAGE}, watching /healthz, starts it again and waits until it passes. */
    private Fault outage(String name, String namespace, Runnable stop, Runnable start) {
        LOG.info("event=chaos_fault_start fault={} outage_s={}", name, OUTAGE.toSeconds());
        long acked0 = load.ackedCount();
        long t0 = System.nanoTime();
        stop.run();
        double stopSeconds = seconds(t0);
        long down = System.nanoTime();
        Detection d = awaitNamespace(namespace, false, OUTAGE);
        long left = OUTAGE.toNanos() - (System.nanoTime() - down);
        if (left > 0) sleep(Duration.ofNanos(left));
        long ackedDuring = load.ackedCount() - acked0;
        long t1 = System.nanoTime();
        start.run();
        double restart = seconds(t1);
        Detection r = awaitNamespace(namespace, true, RECOVER_WITHIN);
        awaitAcksGrow(1_000, RECOVER_WITHIN);
        Fault f = new Fault(name, namespace, stopSeconds, d.seconds(), d.message(), d.suggestion(), restart,
                r.seconds() == null ? null : restart + r.seconds(), ackedDuring);
        LOG.info("event=chaos_fault_done {}", f.line());
        return f;
    }

    record Detection(Double seconds, String message, String suggestion) {}

    /**
     * Polls {@code /healthz} until {@code namespace} passes ({@code ok}) or fails with a failed metric that carries a
     * suggestion; the seconds it took, or null when it did not happen within {@code atMost}.
     */
    private Detection awaitNamespace(String namespace, boolean ok, Duration atMost) {
        long t0 = System.nanoTime();
        long deadline = t0 + atMost.toNanos();
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.uri().resolve("/healthz"))
                        .timeout(Duration.ofSeconds(8)).GET().build(), HttpResponse.BodyHandlers.ofString());
                JsonNode ns = null;
                for (JsonNode n : JSON.readTree(r.body()).path("data")) {
                    if (namespace.equals(n.path("namespace").asText())) ns = n;
                }
                if (ns == null) throw new AssertionError("/healthz has no namespace " + namespace + ": " + r.body());
                last = ns.toString();
                if (ok && ns.path("status").asBoolean()) return new Detection(seconds(t0), "", "");
                if (!ok && !ns.path("status").asBoolean()) {
                    for (JsonNode m : ns.path("data")) {
                        if (!m.path("status").asBoolean() && !m.path("suggestion").asText().isBlank()) {
                            Detection d = new Detection(seconds(t0), m.path("message").asText(),
                                    m.path("suggestion").asText());
                            LOG.info("event=chaos_health_detected namespace={} seconds={} metric={} message=\"{}\""
                                    + " suggestion=\"{}\"", namespace, fmt(d.seconds()), m.path("metric_name").asText(),
                                    d.message(), d.suggestion());
                            return d;
                        }
                    }
                }
            } catch (IOException e) {
                last = e.toString();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(Duration.ofMillis(250));
        }
        LOG.warn("event=chaos_health_not_seen namespace={} want_ok={} within_s={} last={}", namespace, ok,
                atMost.toSeconds(), last);
        return new Detection(null, last, "");
    }

    private void awaitAcksGrow(long by, Duration atMost) {
        long target = load.ackedCount() + by;
        await("acknowledged lines to reach " + target).atMost(atMost).pollInterval(Duration.ofMillis(200))
                .until(() -> load.ackedCount() >= target);
    }

    record Stored(BitSet seen, long duplicates, long outOfRange, List<Long> duplicateSamples) {}

    /** Waits until every acknowledged seq is searchable (or the time is up) and answers what is stored. */
    private Stored awaitStored(BitSet acked, long sent, Duration atMost) throws Exception {
        long deadline = System.nanoTime() + atMost.toNanos();
        long want = acked.cardinality();
        while (System.nanoTime() < deadline && total() < want) sleep(Duration.ofSeconds(1));
        while (true) {
            Stored s = readAll(sent);
            BitSet missing = (BitSet) acked.clone();
            missing.andNot(s.seen());
            LOG.info("event=chaos_stored_read stored={} duplicates={} missing_acked={}", s.seen().cardinality(),
                    s.duplicates(), missing.cardinality());
            if (missing.isEmpty() || System.nanoTime() > deadline) return s;
            sleep(Duration.ofSeconds(2));
        }
    }

    private long total() throws Exception {
        return call("POST", "/api/v1/index_sets/" + indexSet + "/search", clientToken, "{\"size\": 0}")
                .path("total").asLong();
    }

    /** Every stored line, paged by {@code seq} with {@code search_after}. */
    private Stored readAll(long sent) throws Exception {
        BitSet seen = new BitSet();
        long duplicates = 0;
        long outOfRange = 0;
        List<Long> samples = new ArrayList<>();
        JsonNode after = null;
        while (true) {
            ObjectNode body = JSON.createObjectNode();
            body.put("size", 10_000);
            body.putArray("sort_list").addArray().add("seq").add("asc");
            body.putArray("fields").add("seq");
            if (after != null) body.set("search_after", after);
            JsonNode hits = call("POST", "/api/v1/index_sets/" + indexSet + "/search", clientToken,
                    JSON.writeValueAsString(body)).path("hits");
            if (hits.isEmpty()) break;
            for (JsonNode h : hits) {
                long seq = h.path("source").path("seq").asLong(-1);
                if (seq < 0 || seq >= sent) {
                    outOfRange++;
                    continue;
                }
                if (seen.get((int) seq)) {
                    duplicates++;
                    if (samples.size() < 10) samples.add(seq);
                }
                seen.set((int) seq);
            }
            after = hits.get(hits.size() - 1).path("sort_values");
        }
        return new Stored(seen, duplicates, outOfRange, samples);
    }

    /** A new token that may list dead letters (roles admin and unmasked). */
    private String deadLetterToken() throws Exception {
        return call("POST", "/api/v1/tokens", adminToken,
                "{\"name\": \"chaos-ops\", \"roles\": [\"admin\", \"unmasked\"]}").get("token").asText();
    }

    private JsonNode call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
        return JSON.readTree(r.body());
    }

    private static long countBoth(BitSet a, BitSet b) {
        BitSet x = (BitSet) a.clone();
        x.and(b);
        return x.cardinality();
    }

    /** The set bits as ranges, e.g. {@code [1200..1299]}, at most {@code max}. */
    static List<String> ranges(BitSet bits, int max) {
        List<String> out = new ArrayList<>();
        int from = bits.nextSetBit(0);
        while (from >= 0 && out.size() < max) {
            int to = bits.nextClearBit(from);
            out.add("[" + from + ".." + (to - 1) + "]");
            from = bits.nextSetBit(to);
        }
        return out;
    }

    private static double seconds(long sinceNanos) {
        return (System.nanoTime() - sinceNanos) / 1e9;
    }

    private static String fmt(double seconds) {
        return String.format(Locale.ROOT, "%.1f", seconds);
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis()); // the outage lasts a wall-clock time: nothing else to wait on
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
