package io.bklog.kafka;

import io.bklog.core.DirectIngest;
import io.bklog.core.LogPlatform;
import io.bklog.core.health.HealthReport;
import io.bklog.core.health.NamespaceData;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ingest.BufferDrainer;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.BulkResult;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.SearchResult;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Kafka buffer on three KRaft brokers ({@link KafkaClusterFixture}): a platform with {@code backends.kafka}
 * listing all three, topic replication 3 and min.insync.replicas 2, is loaded through its front door (the HTTP
 * ingest path) while the broker leading partition 0 is killed with {@code kill -9}. Asserted: ingest goes on while
 * it is down (2 of 3 in sync), every acknowledged line is stored exactly once, the drainer's lag returns to 0, the
 * {@code kafka} health names the dead broker (node id, host:port, level degraded, a suggestion) while it is down and
 * is green again after it was restarted. With two of three down, nothing is acknowledged (items answered
 * {@code retryable}), health says {@code unavailable} naming both, and the resend after the restart stores each
 * line once. A broker that holds no replica of the watched topic is forgotten once the cluster dropped it (a
 * decommissioned broker does not keep the health failing). Each test is bounded by 2 minutes; the cluster's cold
 * start, once for all, by its own 4 minutes in {@code @BeforeAll}; every topic a test creates is deleted after it.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class KafkaClusterIT {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaClusterIT.class);
    private static KafkaClusterFixture CLUSTER;
    private static final String SET = "app";
    /** the topics (with their .dlq) each test created, deleted after it */
    private final List<String> created = new ArrayList<>();

    @org.junit.jupiter.api.BeforeAll
    @Timeout(value = 4, unit = TimeUnit.MINUTES) // the cold start of three brokers, not counted in a test's 2 minutes
    static void startCluster() {
        long t0 = System.nanoTime();
        CLUSTER = KafkaClusterFixture.shared();
        LOG.info("event=kafka_cluster_it_cold_start duration_ms={}", (System.nanoTime() - t0) / 1_000_000);
    }

    private String nextTopic(String prefix) {
        String topic = CLUSTER.nextTopic(prefix);
        created.add(topic);
        created.add(topic + ".dlq");
        return topic;
    }

    @org.junit.jupiter.api.AfterEach
    void deleteTopics() {
        if (created.isEmpty()) return;
        CLUSTER.startAll();
        try (Admin admin = KafkaClients.admin(CLUSTER.bootstrapServers(), Map.of(), Duration.ofSeconds(5))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            List<String> delete = created.stream().filter(existing::contains).toList();
            if (!delete.isEmpty()) admin.deleteTopics(delete).all().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("cannot delete the test topics " + created + " from the shared cluster", e);
        }
        created.clear();
    }

    @org.junit.jupiter.api.AfterAll
    static void releaseCluster() {
        KafkaClusterFixture.releaseShared(); // no other test class uses it: free the CPU of three idle brokers
    }

    private static List<Map<String, Object>> lines(int batch, int n) {
        List<Map<String, Object>> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(Map.of("log", "batch " + batch + " line " + i, "seq", (long) batch * n + i));
        return out;
    }

    private static List<HealthzMetric> kafkaHealth(LogPlatform p) {
        HealthReport r = p.health().collect(Set.of("kafka"), Set.of());
        NamespaceData ns = r.data().stream().filter(d -> d.namespace().equals("kafka")).findFirst().orElseThrow();
        return ns.data();
    }

    private static HealthzMetric metric(List<HealthzMetric> ms, String name) {
        return ms.stream().filter(m -> m.metricName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + ms));
    }

    /** Every stored id with how often a search returns it, paged with search_after. */
    private static Map<String, Integer> storedIds(LogPlatform p) {
        p.internals().store().refresh(SET);
        Map<String, Integer> out = new HashMap<>();
        List<Object> after = null;
        while (true) {
            io.bklog.core.search.SearchResponse page = p.search().search(SET, SearchParams.of("*").withPage(0, 1000, after));
            for (SearchResult.Hit h : page.hits()) out.merge(h.id(), 1, Integer::sum);
            if (page.hits().size() < 1000) return out;
            after = page.hits().get(page.hits().size() - 1).sortValues();
        }
    }

    @Test
    void killingOneOfThreeBrokersMidLoadLosesNothingAcknowledgedAndHealthNamesItUntilItIsBack() throws Exception {
        long t0 = System.nanoTime();
        CLUSTER.startAll();
        String topic = nextTopic("cluster-buffer");
        Map<String, String> kafka = Map.of("bootstrap.servers", CLUSTER.bootstrapServers(), "topic", topic,
                "partitions", "6", "replication", "3", "min.insync.replicas", "2", "linger", "2ms",
                "delivery.timeout", "20s", "health.timeout", "1500ms");
        Set<String> acked = ConcurrentHashMap.newKeySet();
        AtomicInteger refusedBatches = new AtomicInteger();
        AtomicBoolean running = new AtomicBoolean(true);
        try (LogPlatform p = LogPlatform.builder().backend("kafka", kafka).build();
             Admin admin = KafkaClients.admin(CLUSTER.bootstrapServers(), Map.of(), Duration.ofSeconds(3))) {
            p.indexSets().put(SET, IndexSetSpec.defaults());
            KafkaIngestBuffer buffer = (KafkaIngestBuffer) p.pipeline().buffer().orElseThrow();

            // the topic as the platform created it: replication 3, min.insync.replicas 2
            TopicDescription d = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
            assertThat(d.partitions()).hasSize(6).allSatisfy(pi -> assertThat(pi.replicas()).hasSize(3));
            ConfigEntry minIsr = admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, topic)))
                    .all().get().values().iterator().next().get("min.insync.replicas");
            assertThat(minIsr.value()).isEqualTo("2");
            assertThat(kafkaHealth(p)).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());
            assertThat(metric(kafkaHealth(p), "brokers").metricValue()).isEqualTo(3);

            Thread load = new Thread(() -> {
                int b = 0;
                boolean lastWhole = true;
                while (running.get() || !lastWhole) { // a refused batch is resent before stopping: it may have landed in part
                    List<Map<String, Object>> items = lines(b, 20);
                    DirectIngest.Result r = p.pipeline().ingest(SET, items, false, 0, "cluster-batch-" + b);
                    r.items().stream().filter(i -> i.status() == BulkResult.Status.OK)
                            .forEach(i -> acked.add(i.id()));
                    lastWhole = r.accepted() == items.size();
                    if (lastWhole) {
                        b++;
                    } else {
                        // the same Idempotency-Key again: items that landed keep their ids, nothing is stored twice
                        refusedBatches.incrementAndGet();
                    }
                    try {
                        Thread.sleep(10);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }, "cluster-load");
            load.start();
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= 500);
                int victim = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                        .partitions().get(0).leader().id();
                CLUSTER.kill(victim);
                long killedAt = System.nanoTime();
                int ackedAtKill = acked.size();

                HealthzMetric[] seen = new HealthzMetric[1];
                await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(250)).until(() -> {
                    seen[0] = kafkaHealth(p).stream().filter(m -> m.metricName().equals("brokers")).findFirst().orElse(null);
                    return seen[0] != null && !seen[0].status();
                });
                long downMs = (System.nanoTime() - killedAt) / 1_000_000;
                HealthzMetric brokers = seen[0];
                String named = "node " + victim + " (" + CLUSTER.address(victim) + ")";
                assertThat(brokers.metricValue()).isEqualTo(2);
                assertThat(brokers.dimensions()).containsEntry("down", named).containsEntry("level", "degraded");
                assertThat(brokers.message()).contains("Kafka broker " + named + " is down").contains("2 of 3");
                assertThat(brokers.suggestion()).contains("restart broker " + named);

                // ingest goes on with two of three in sync
                await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= ackedAtKill + 500);
                int ackedWhileDown = acked.size() - ackedAtKill;
                List<HealthzMetric> down = kafkaHealth(p);
                assertThat(metric(down, "under_min_isr_partitions").status()).as("writes are accepted").isTrue();
                LOG.info("event=broker_down victim={} health_named_after_ms={} acked_since_kill={} refused_batches={}",
                        victim, downMs, ackedWhileDown, refusedBatches.get());
            } finally {
                CLUSTER.startAll();
            }
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(kafkaHealth(p)).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue()));
            int before = acked.size();
            await().atMost(Duration.ofSeconds(30)).until(() -> acked.size() >= before + 200);
            running.set(false);
            load.join(30_000);

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> buffer.pending(BufferDrainer.GROUP) == 0 && storedIds(p).size() >= acked.size());
            Map<String, Integer> stored = storedIds(p);
            assertThat(stored.keySet()).as("every acknowledged line is stored").containsAll(acked);
            assertThat(stored.values()).as("exactly once").containsOnly(1);
            assertThat(stored).hasSize(acked.size());
            assertThat(metric(kafkaHealth(p), "consumer_lag").metricValue()).isEqualTo(0L);
            LOG.info("event=kafka_cluster_it acked={} refused_batches={} duration_ms={}", acked.size(),
                    refusedBatches.get(), (System.nanoTime() - t0) / 1_000_000);
        } finally {
            running.set(false);
        }
    }

    @Test
    void withTwoOfThreeBrokersDownIngestAnswersRetryableAndAResendAfterTheRestartStoresEachLineOnce() {
        long t0 = System.nanoTime();
        CLUSTER.startAll();
        String topic = nextTopic("cluster-two-down");
        Map<String, String> kafka = Map.of("bootstrap.servers", CLUSTER.bootstrapServers(), "topic", topic,
                "partitions", "3", "replication", "3", "linger", "2ms", "delivery.timeout", "5s",
                "max.block", "2s", "health.timeout", "1500ms");
        try (LogPlatform p = LogPlatform.builder().backend("kafka", kafka).build()) {
            p.indexSets().put(SET, IndexSetSpec.defaults());
            KafkaIngestBuffer buffer = (KafkaIngestBuffer) p.pipeline().buffer().orElseThrow();
            assertThat(buffer.config().effectiveMinInsyncReplicas()).as("the default from replication 3").isEqualTo(2);
            DirectIngest.Result before = p.pipeline().ingest(SET, lines(1, 20), false, 0, "two-down-before");
            assertThat(before.accepted()).isEqualTo(20);
            assertThat(kafkaHealth(p)).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());

            CLUSTER.kill(1);
            CLUSTER.kill(2);
            DirectIngest.Result down;
            List<HealthzMetric> health;
            try {
                down = p.pipeline().ingest(SET, lines(2, 20), false, 0, "two-down-during");
                health = kafkaHealth(p);
            } finally {
                CLUSTER.startAll();
            }
            assertThat(down.accepted()).as("nothing is acknowledged without two replicas").isZero();
            assertThat(down.items()).allSatisfy(i -> {
                assertThat(i.status()).isEqualTo(BulkResult.Status.RETRYABLE);
                assertThat(i.reason()).contains("Idempotency-Key");
            });
            HealthzMetric brokers = metric(health, "brokers");
            assertThat(brokers.status()).isFalse();
            assertThat(brokers.dimensions()).containsEntry("level", "unavailable")
                    .containsEntry("down", "node 1 (" + CLUSTER.address(1) + "), node 2 (" + CLUSTER.address(2) + ")");
            assertThat(metric(health, "under_min_isr_partitions").status()).isFalse();
            assertThat(metric(health, "under_min_isr_partitions").message()).contains("appends to them are refused");

            DirectIngest.Result[] resent = new DirectIngest.Result[1];
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
                resent[0] = p.pipeline().ingest(SET, lines(2, 20), false, 0, "two-down-during");
                return resent[0].accepted() == 20;
            });
            assertThat(resent[0].items()).extracting(BulkResult.ItemResult::id)
                    .as("the same key gives the same ids").isEqualTo(down.items().stream().map(BulkResult.ItemResult::id).toList());
            Set<String> acked = new java.util.HashSet<>();
            before.items().forEach(i -> acked.add(i.id()));
            resent[0].items().forEach(i -> acked.add(i.id()));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> buffer.pending(BufferDrainer.GROUP) == 0 && storedIds(p).keySet().containsAll(acked));
            assertThat(storedIds(p)).containsOnlyKeys(acked).allSatisfy((id, n) -> assertThat(n).isEqualTo(1));
            await().atMost(Duration.ofSeconds(45)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                    assertThat(kafkaHealth(p)).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue()));
            LOG.info("event=kafka_two_down_it brokers_message=\"{}\" duration_ms={}", brokers.message(),
                    (System.nanoTime() - t0) / 1_000_000);
        }
    }

    @Test
    void aBrokerHoldingNoReplicaOfTheWatchedTopicIsForgottenOnceTheClusterDropsIt() throws Exception {
        CLUSTER.startAll();
        String topic = nextTopic("cluster-decommission");
        try (Admin admin = KafkaClients.admin(CLUSTER.bootstrapServers(), Map.of(), Duration.ofSeconds(3))) {
            // replicas on brokers 1 and 2 only: broker 3 is the one taken out of the cluster
            admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic,
                    Map.of(0, List.of(1, 2), 1, List.of(2, 1))))).all().get(30, TimeUnit.SECONDS);
            KafkaHealthIndicator health = KafkaHealthIndicator.builder(admin).topics(List.of(topic))
                    .timeout(Duration.ofMillis(1500)).minInsyncReplicas(1).probeCache(Duration.ZERO)
                    .bootstrapServers(CLUSTER.bootstrapServers()).build();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                List<HealthzMetric> ms = health.check();
                assertThat(ms).allSatisfy(m -> assertThat(m.status()).as(m.toString()).isTrue());
                assertThat(metric(ms, "brokers").metricValue()).isEqualTo(3);
            });
            CLUSTER.kill(3);
            try {
                // listed but silent: named at once
                HealthzMetric down = metric(health.check(), "brokers");
                if (CLUSTER.aliveBrokers().contains(3)) {
                    assertThat(down.status()).isFalse();
                    assertThat(down.dimensions()).containsEntry("down", "node 3 (" + CLUSTER.address(3) + ")");
                }
                // fenced (broker.session.timeout.ms 3 s): no longer listed, holds no watched replica: not expected
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                    List<HealthzMetric> ms = health.check();
                    assertThat(metric(ms, "brokers").status()).as(metric(ms, "brokers").toString()).isTrue();
                    assertThat(metric(ms, "brokers").metricValue()).isEqualTo(2);
                });
            } finally {
                CLUSTER.startAll();
            }
        }
    }
}
