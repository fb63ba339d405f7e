package io.bklog.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.server.BklogServer;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The metadata database as a MariaDB primary with a replica ({@link MariaDbReplicaPair}): the server is configured
 * with {@code metadata.url} (the primary) and {@code metadata.replica_url}. Two writers create index sets and tokens
 * through the API; the primary is killed with {@code kill -9} mid-load. {@code /healthz} must fail the {@code mysql}
 * namespace naming the primary, with a suggestion naming the replica, within {@link #DETECT_WITHIN}. Then the
 * promotion of docs/ha.md runs on the replica, the server restarts with {@code metadata.url} pointing at it, and
 * every write the API acknowledged must be there; new writes succeed.
 */
class MetadataFailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(MetadataFailoverIT.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DETECT_WITHIN = Duration.ofSeconds(10);
    private static final int WRITERS = 2;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final Set<String> ackedIndexSets = ConcurrentHashMap.newKeySet();
    private final Set<String> ackedTokens = ConcurrentHashMap.newKeySet();
    private final AtomicLong failedWrites = new AtomicLong();
    private final AtomicBoolean writing = new AtomicBoolean(true);
    private final List<Thread> writers = new ArrayList<>();
    private BklogServer server;
    private Thread retiring;

    @AfterEach
    void stop() throws InterruptedException {
        writing.set(false);
        try {
            for (Thread t : writers) t.join(TimeUnit.SECONDS.toMillis(30));
            if (retiring != null) {
                retiring.join(TimeUnit.SECONDS.toMillis(60));
                assertThat(retiring.isAlive()).as("the old server closed within 60 s").isFalse();
            }
        } finally {
            if (server != null) server.close();
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void killingThePrimaryIsNamedByHealthAndThePromotedReplicaHasEveryAcknowledgedWrite() throws Exception {
        long testStart = System.nanoTime();
        MariaDbReplicaPair pair = MariaDbReplicaPair.shared();
        String database = MariaDbReplicaPair.uniqueDatabase("bklog_ha_");
        pair.createDatabase(database);
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "metadata-failover-it-");
        Path dataDir = work.resolve("data");
        String primary = "127.0.0.1:" + pair.primaryPort();
        String replica = "127.0.0.1:" + pair.replicaPort();

        server = start(work.resolve("bklog.yaml"), dataDir, pair.primaryUrl(database), pair.replicaUrl(database));
        String admin = Files.readString(dataDir.resolve("admin-token")).trim();
        JsonNode green = mysqlNamespace(server.uri());
        assertThat(green.path("status").asBoolean()).as(green.toString()).isTrue();
        assertThat(metric(green, "replica_io_running").path("metric_value").asText()).isEqualTo("Yes");
        assertThat(metric(green, "replica_sql_running").path("metric_value").asText()).isEqualTo("Yes");
        assertThat(metric(green, "replica_read_only").path("metric_value").asText()).isEqualTo("ON");
        assertThat(metric(green, "replication_mode").path("metric_value").asText()).isEqualTo("semi-sync");
        assertThat(metric(green, "ping").path("dimensions").path("primary").asText()).isEqualTo(primary);

        URI base = server.uri();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            Thread t = new Thread(() -> write(base, admin, writer), "metadata-writer-" + w);
            t.setDaemon(true);
            writers.add(t);
            t.start();
        }
        await("acknowledged metadata writes").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .until(() -> ackedIndexSets.size() + ackedTokens.size() >= 40);

        long killed = System.nanoTime();
        pair.killPrimary();
        AtomicReference<JsonNode> red = new AtomicReference<>();
        await("within " + DETECT_WITHIN.toSeconds() + " s of kill -9 of the primary, /healthz names it failed")
                .atMost(DETECT_WITHIN).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    JsonNode ns = mysqlNamespace(base);
                    red.set(ns);
                    assertThat(ns.path("status").asBoolean()).as(ns.toString()).isFalse();
                    assertThat(metric(ns, "ping").path("status").asBoolean(true)).as(ns.toString()).isFalse();
                    assertThat(metric(ns, "ping").path("message").asText()).contains(primary);
                });
        double detect = (System.nanoTime() - killed) / 1e9;
        JsonNode failed = metric(red.get(), "ping");
        assertThat(failed.path("suggestion").asText()).contains("promote the replica " + replica)
                .contains("metadata.url");
        LOG.info("event=metadata_failover_detected seconds={} message=\"{}\" suggestion=\"{}\"",
                String.format(Locale.ROOT, "%.1f", detect), failed.path("message").asText(),
                failed.path("suggestion").asText());

        // the old instance goes away as a replaced one would: its writers and its close wait out the pool's
        // connection timeout (10 s) on the dead primary, so they finish in the background while a new instance,
        // with a data dir of its own and metadata.url pointing at the promoted replica, takes over
        writing.set(false);
        BklogServer old = server;
        server = null;
        retiring = new Thread(() -> {
            for (Thread t : writers) {
                try {
                    t.join(TimeUnit.SECONDS.toMillis(30));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            old.close();
        }, "metadata-failover-old-server-close");
        retiring.start();

        long promoteStart = System.nanoTime();
        String gtid = pair.promoteReplica();
        server = start(work.resolve("bklog-promoted.yaml"), work.resolve("data-promoted"), pair.replicaUrl(database),
                "");
        double promote = (System.nanoTime() - promoteStart) / 1e9;

        Set<String> indexSets = names(get(server.uri(), "/api/v1/index_sets", admin).path("index_sets"));
        Set<String> tokens = names(get(server.uri(), "/api/v1/tokens", admin).path("tokens"));
        Set<String> lostSets = new HashSet<>(ackedIndexSets);
        lostSets.removeAll(indexSets);
        Set<String> lostTokens = new HashSet<>(ackedTokens);
        lostTokens.removeAll(tokens);
        LOG.info("event=metadata_failover_done acked_index_sets={} acked_tokens={} failed_writes={} lost_index_sets={}"
                        + " lost_tokens={} detect_s={} promote_and_restart_s={} gtid={} total_s={}",
                ackedIndexSets.size(), ackedTokens.size(), failedWrites.get(), lostSets.size(), lostTokens.size(),
                String.format(Locale.ROOT, "%.1f", detect), String.format(Locale.ROOT, "%.1f", promote), gtid,
                String.format(Locale.ROOT, "%.1f", (System.nanoTime() - testStart) / 1e9));
        assertThat(lostSets).as("acknowledged index sets missing after the promotion").isEmpty();
        assertThat(lostTokens).as("acknowledged tokens missing after the promotion").isEmpty();

        // the platform continues on the promoted replica
        assertThat(send(server.uri(), "PUT", "/api/v1/index_sets/after_failover", admin,
                "{\"fields\": [{\"name\": \"log\", \"type\": \"text\"}]}").statusCode()).isEqualTo(201);
        assertThat(send(server.uri(), "POST", "/api/v1/tokens", admin,
                "{\"name\": \"after-failover\", \"roles\": [\"viewer\"]}").statusCode()).isEqualTo(201);
        JsonNode after = mysqlNamespace(server.uri());
        assertThat(after.path("status").asBoolean()).as(after.toString()).isTrue();
    }

    private static BklogServer start(Path file, Path dataDir, String url, String replicaUrl) throws IOException {
        Files.writeString(file, String.join("\n",
                "server:",
                "  host: 127.0.0.1",
                "  port: 0",
                "data_dir: " + dataDir,
                "store:",
                "  backend: lucene",
                "metadata:",
                "  url: " + url,
                "  replica_url: \"" + replicaUrl + "\"",
                "  user: root",
                "  password: \"\"",
                "  migrate_on_start: true",
                "scheduler:",
                "  beat: false",
                "  workers: 0",
                ""));
        BklogConfig config = ConfigLoader.load(file, Map.of(), Map.of());
        return BklogServer.start(config, file);
    }

    /** Creates index sets and tokens until told to stop; remembers those the API acknowledged. */
    private void write(URI base, String admin, int writer) {
        for (int i = 0; writing.get(); i++) {
            String set = "ha_w" + writer + "_" + i;
            String token = "ha-w" + writer + "-" + i;
            try {
                if (send(base, "PUT", "/api/v1/index_sets/" + set, admin,
                        "{\"fields\": [{\"name\": \"log\", \"type\": \"text\"}]}").statusCode() == 201) {
                    ackedIndexSets.add(set);
                } else {
                    failedWrites.incrementAndGet();
                }
                if (!writing.get()) return;
                if (send(base, "POST", "/api/v1/tokens", admin,
                        "{\"name\": \"" + token + "\", \"roles\": [\"viewer\"]}").statusCode() == 201) {
                    ackedTokens.add(token);
                } else {
                    failedWrites.incrementAndGet();
                }
            } catch (IOException e) {
                failedWrites.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private HttpResponse<String> send(URI base, String method, String path, String token, String body)
            throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(URI base, String path, String token) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private JsonNode mysqlNamespace(URI base) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(base.resolve("/healthz?include=mysql"))
                .timeout(Duration.ofSeconds(8)).GET().build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode n : JSON.readTree(r.body()).path("data")) {
            if ("mysql".equals(n.path("namespace").asText())) return n;
        }
        throw new AssertionError("/healthz has no mysql namespace: " + r.body());
    }

    private static JsonNode metric(JsonNode namespace, String name) {
        for (JsonNode m : namespace.path("data")) {
            if (name.equals(m.path("metric_name").asText())) return m;
        }
        throw new AssertionError("no metric " + name + " in " + namespace);
    }

    private static Set<String> names(JsonNode array) {
        Set<String> out = new HashSet<>();
        for (JsonNode n : array) out.add(n.path("name").asText());
        return out;
    }
}
