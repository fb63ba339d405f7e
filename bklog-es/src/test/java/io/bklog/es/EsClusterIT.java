package io.bklog.es;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.apache.http.HttpHost;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 20, Elasticsearch: three nodes ({@link EsClusterFixture}), an index set with 3 shards and 1 replica, and the
 * {@code elasticsearch} backend configured from settings as a user would ({@code hosts} naming all three nodes, an fs
 * snapshot repository below the shared {@code path.repo}). A producer indexes numbered lines through
 * {@link io.bklog.spi.LogStore#index} (the call the server's {@code _bulk} ends in) and resends whatever comes back
 * retryable. Mid-load the elected master, which also holds shards, is killed with {@code kill -9}; then: the client
 * fails over to the live nodes, ingest goes on, {@code /healthz} shows yellow naming the unassigned replicas and the
 * missing node with a suggestion, a snapshot taken while yellow succeeds; the node is restarted, the cluster turns
 * green, the snapshot restores, and every acknowledged line is searchable exactly once.
 *
 * <p>Loaded through the store rather than through the server's {@code _bulk}: the server adds a child JVM and its
 * metadata database to a test that already runs three Elasticsearch nodes on two cores, and its {@code _bulk} hands
 * the lines to this same {@code index} call (the server's own chaos IT covers the HTTP side on one node).
 */
class EsClusterIT {
    private static final Logger log = LoggerFactory.getLogger(EsClusterIT.class);
    private static final String SET = "ha_it";
    private static final Instant T0 = Instant.parse("2024-06-01T00:00:00Z");
    private static final int BATCH = 50;
    private static final Duration BATCH_INTERVAL = Duration.ofMillis(100);

    private static EsClusterFixture cluster;
    private static Backend backend;
    private static EsLogStore store;

    @BeforeAll
    @Timeout(value = 5, unit = TimeUnit.MINUTES)
    static void startCluster(@TempDir Path dataDir) {
        cluster = EsClusterFixture.shared();
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("hosts", String.join(",", cluster.urls()));
        settings.put("connect.timeout", "1s");
        settings.put("request.timeout", "15s");
        settings.put("bulk.max.retries", "3");
        settings.put("bulk.initial.backoff", "100ms");
        settings.put("bulk.max.backoff", "1s");
        settings.put("repository.name", "ha_repo");
        settings.put("repository.location", cluster.repoDir().resolve("ha_repo").toString());
        backend = new EsBackendProvider().create(BackendConfig.of(settings, dataDir));
        store = (EsLogStore) backend.logStore().orElseThrow();
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.deleteIndices(store.listIndices(SET).stream().map(i -> i.name()).toList());
        }
        if (backend != null) backend.close();
        // No other test class of this JVM needs the cluster now: stop it so its three nodes do not take memory and
        // the two cores from the rest of the suite. EsClusterFixture.shared() starts it again for a later one.
        if (cluster != null) cluster.stop();
    }

    @Test
    @Timeout(value = 8, unit = TimeUnit.MINUTES) // a guard against a hang: ~1 min on a quiet 2-core machine
    void killingTheMasterMidLoadLosesNoAcknowledgedLineAndTheClusterHealsAfterItsRestart() throws Exception {
        long t0 = System.nanoTime();
        store.ensureIndexSet(new IndexSetSchema(SET, null, List.of(FieldSpec.of("log", FieldType.TEXT),
                FieldSpec.of("seq", FieldType.LONG)), 3, 1, 0));
        store.deleteIndices(store.listIndices(SET).stream().map(i -> i.name()).toList());
        String index = IndexNames.daily(SET, IndexNames.dayOf(T0), 0);
        HealthIndicator health = backend.healthIndicators().get(0);
        SnapshotRepository repo = backend.snapshotRepository().orElseThrow();
        Producer producer = new Producer();
        ExecutorService exec = Executors.newSingleThreadExecutor(r -> new Thread(r, "es-cluster-it-load"));
        int victim = -1;
        try {
            Future<?> load = exec.submit(producer);
            await().atMost(Duration.ofSeconds(60)).until(() -> producer.acked() >= 1_000);
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> status(health.check()).equals("green"));

            victim = cluster.master();
            String victimName = EsClusterFixture.nodeName(victim);
            long ackedBeforeKill = producer.acked();
            long killedAt = System.nanoTime();
            cluster.kill(victim);

            // the low-level client leaves the dead node and answers from the two live ones
            Set<String> answering = new HashSet<>();
            long failoverStart = System.nanoTime();
            for (int i = 0; i < 12; i++) {
                Response r = store.connection().restClient().performRequest(
                        new Request("GET", "/_nodes/_local?filter_path=nodes.*.name"));
                assertThat(r.getStatusLine().getStatusCode()).isEqualTo(200);
                answering.add(r.getHost().toHostString());
            }
            long failoverMs = (System.nanoTime() - failoverStart) / 1_000_000;
            String dead = HttpHost.create(cluster.url(victim)).toHostString();
            assertThat(answering).as("hosts that answered after the kill").doesNotContain(dead).hasSize(2);
            assertThat(failoverMs).as("12 requests right after the kill, in ms").isLessThan(10_000);

            // ingest goes on with a node down
            await().atMost(Duration.ofSeconds(120)).until(() -> producer.acked() >= ackedBeforeKill + 1_000);
            long ingestResumedMs = (System.nanoTime() - killedAt) / 1_000_000;

            // /healthz: yellow, naming the unassigned replicas and the missing node, with a suggestion
            List<HealthzMetric> yellow = await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
                    .until(health::check, m -> status(m).equals("yellow"));
            HealthzMetric clusterStatus = metric(yellow, "cluster_status");
            assertThat(clusterStatus.message()).contains("replica shards are not", victimName)
                    .as("no index name on the unauthenticated /healthz").doesNotContain(index).doesNotContain(SET);
            assertThat(clusterStatus.suggestion()).contains("restart " + victimName);
            assertThat(metric(yellow, "nodes").metricValue()).isEqualTo(2);
            assertThat(metric(yellow, "nodes").message()).contains(victimName);
            assertThat(metric(yellow, "repository").status()).as("the snapshot repository verifies").isTrue();
            log.info("event=es_cluster_yellow message=\"{}\" suggestion=\"{}\"", clusterStatus.message(),
                    clusterStatus.suggestion());

            // a snapshot taken while yellow: every primary is there, so it succeeds
            String snapshot = "ha-it-yellow";
            if (repo.get(snapshot).isPresent()) repo.delete(snapshot);
            SnapshotRepository.SnapshotInfo info = repo.create(snapshot, List.of(index), null);
            assertThat(info.state()).isEqualTo(SnapshotRepository.State.SUCCESS);
            long snapshotDocs = info.docCounts().get(index);
            assertThat(snapshotDocs).isGreaterThanOrEqualTo(ackedBeforeKill);

            long restartAt = System.nanoTime();
            cluster.start(victim);
            List<HealthzMetric> green = await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(500))
                    .until(health::check, m -> status(m).equals("green"));
            long greenAfterRestartMs = (System.nanoTime() - restartAt) / 1_000_000;
            assertThat(metric(green, "cluster_status").status()).isTrue();
            assertThat(metric(green, "nodes").metricValue()).isEqualTo(3);
            assertThat(metric(green, "nodes").message()).isEmpty();

            long ackedAtGreen = producer.acked();
            await().atMost(Duration.ofSeconds(30)).until(() -> producer.acked() >= ackedAtGreen + 200);
            producer.stop();
            load.get(2, TimeUnit.MINUTES);
            assertThat(producer.rejected()).as("items rejected for good").isZero();

            // every acknowledged line is searchable, once
            store.refresh(SET);
            BitSet acked = producer.ackedSeqs();
            List<Long> found = allSeqs();
            BitSet distinct = new BitSet();
            found.forEach(s -> distinct.set(Math.toIntExact(s)));
            assertThat(found).as("stored lines").hasSize(distinct.cardinality());
            BitSet missing = (BitSet) acked.clone();
            missing.andNot(distinct);
            assertThat(missing.stream().boxed().toList()).as("acknowledged lines not found").isEmpty();
            BitSet unsent = (BitSet) distinct.clone();
            unsent.andNot(producer.sentSeqs());
            assertThat(unsent.stream().boxed().toList()).as("stored lines never sent").isEmpty();
            assertThat(total(SearchRequest.builder(SET).query(Query.matchAll()).size(0).build()))
                    .isEqualTo(acked.cardinality());

            // the snapshot taken while yellow restores
            List<String> restored = repo.restore(snapshot, List.of(index), IndexNames.RESTORE_PREFIX, null);
            try {
                assertThat(restored).containsExactly(IndexNames.RESTORE_PREFIX + index);
                long restoredDocs = cluster.get(cluster.anyRunning(), "/" + restored.get(0) + "/_count")
                        .path("count").asLong();
                // the count is read just before the snapshot starts and the load goes on meanwhile: at least that many
                assertThat(restoredDocs).isBetween(snapshotDocs, (long) acked.cardinality());
            } finally {
                store.deleteIndices(restored);
                repo.delete(snapshot);
            }
            log.info("event=es_cluster_it killed={} acked={} acked_before_kill={} bulk_calls={} retryable_items={}"
                            + " max_bulk_ms={} failover_12_requests_ms={} ingest_1000_more_after_kill_ms={}"
                            + " green_after_restart_ms={} snapshot_docs={} took_ms={}", victimName,
                    acked.cardinality(), ackedBeforeKill, producer.calls.get(), producer.retryable.get(),
                    producer.maxCallMs.get(), failoverMs, ingestResumedMs, greenAfterRestartMs, snapshotDocs,
                    (System.nanoTime() - t0) / 1_000_000);
        } finally {
            producer.stop();
            exec.shutdown();
            // not interrupted: a request interrupted in the low-level client marks its node dead for a minute
            if (!exec.awaitTermination(60, TimeUnit.SECONDS)) exec.shutdownNow();
            if (victim >= 0 && !cluster.running(victim)) cluster.start(victim);
        }
    }

    @Test
    @Timeout(value = 2, unit = TimeUnit.MINUTES)
    void raisingAnIndexSetsReplicasGivesItsExistingIndicesAReplicaAtOnce() {
        String set = "ha_replicas_it";
        store.ensureIndexSet(new IndexSetSchema(set, null, List.of(FieldSpec.of("log", FieldType.TEXT)), 1, 0, 0));
        try {
            store.index(set, List.of(new LogDocument("r-1", T0, Map.of("log", "one"))));
            String index = IndexNames.daily(set, IndexNames.dayOf(T0), 0);
            assertThat(replicasOf(index)).isEqualTo("0");

            store.ensureIndexSet(new IndexSetSchema(set, null, List.of(FieldSpec.of("log", FieldType.TEXT)), 1, 1, 0));
            assertThat(replicasOf(index)).isEqualTo("1");
            assertThat(store.schema(set).replicas()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(60)).until(() -> cluster.get(cluster.anyRunning(),
                    "/_cluster/health/" + index + "?wait_for_status=green&timeout=5s").path("status").asText()
                    .equals("green"));
        } finally {
            store.deleteIndices(store.listIndices(set).stream().map(i -> i.name()).toList());
        }
    }

    private static String replicasOf(String index) {
        return cluster.get(cluster.anyRunning(), "/" + index + "/_settings/index.number_of_replicas")
                .path(index).path("settings").path("index").path("number_of_replicas").asText();
    }

    /** Every {@code seq} stored in the set, page by page in {@code seq} order. */
    private static List<Long> allSeqs() {
        List<Long> out = new ArrayList<>();
        List<Object> after = null;
        while (true) {
            SearchRequest.Builder b = SearchRequest.builder(SET).query(Query.matchAll()).sort(Sort.asc("seq"))
                    .fields(List.of("seq")).size(5_000);
            if (after != null) b.searchAfter(after);
            SearchResult page = store.search(b.build());
            for (SearchResult.Hit h : page.hits()) out.add(((Number) h.source().get("seq")).longValue());
            if (page.hits().size() < 5_000) return out;
            after = page.hits().get(page.hits().size() - 1).sortValues();
        }
    }

    private static long total(SearchRequest request) {
        return store.search(request).total();
    }

    private static String status(List<HealthzMetric> metrics) {
        return String.valueOf(metric(metrics, "cluster_status").metricValue());
    }

    private static HealthzMetric metric(List<HealthzMetric> metrics, String name) {
        return metrics.stream().filter(m -> m.metricName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + metrics));
    }

    /** Sends numbered lines in batches of {@link #BATCH} every {@link #BATCH_INTERVAL}, resending what is retryable. */
    private static final class Producer implements java.util.concurrent.Callable<Void> {
        private final AtomicBoolean stop = new AtomicBoolean();
        private final BitSet sent = new BitSet();
        private final BitSet ackedSeqs = new BitSet();
        private final AtomicLong acked = new AtomicLong();
        private final AtomicInteger rejected = new AtomicInteger();
        final AtomicLong calls = new AtomicLong();
        final AtomicLong retryable = new AtomicLong();
        final AtomicLong maxCallMs = new AtomicLong();

        @Override
        public Void call() throws InterruptedException {
            int next = 0;
            while (!stop.get()) {
                long start = System.nanoTime();
                List<LogDocument> pending = new ArrayList<>();
                for (int i = 0; i < BATCH; i++, next++) {
                    pending.add(new LogDocument("ha-" + next, T0.plusMillis(next),
                            Map.of("log", "line " + next, "seq", (long) next)));
                    synchronized (this) {
                        sent.set(next);
                    }
                }
                // a batch is resent until every line is stored or refused: the producer never drops a line
                while (!pending.isEmpty()) {
                    long callStart = System.nanoTime();
                    BulkResult r = store.index(SET, pending);
                    calls.incrementAndGet();
                    maxCallMs.accumulateAndGet((System.nanoTime() - callStart) / 1_000_000, Math::max);
                    List<LogDocument> again = new ArrayList<>();
                    for (int k = 0; k < pending.size(); k++) {
                        BulkResult.ItemResult item = r.items().get(k);
                        switch (item.status()) {
                            case OK -> {
                                int seq = Integer.parseInt(item.id().substring(3));
                                synchronized (this) {
                                    ackedSeqs.set(seq);
                                }
                                acked.incrementAndGet();
                            }
                            case RETRYABLE -> again.add(pending.get(k));
                            case REJECTED -> rejected.incrementAndGet();
                        }
                    }
                    retryable.addAndGet(again.size());
                    pending = again;
                }
                long left = BATCH_INTERVAL.toMillis() - (System.nanoTime() - start) / 1_000_000;
                if (left > 0) Thread.sleep(left); // the load's pace, not a wait for a condition
            }
            return null;
        }

        long acked() {
            return acked.get();
        }

        int rejected() {
            return rejected.get();
        }

        void stop() {
            stop.set(true);
        }

        synchronized BitSet ackedSeqs() {
            return (BitSet) ackedSeqs.clone();
        }

        synchronized BitSet sentSeqs() {
            return (BitSet) sent.clone();
        }
    }
}
