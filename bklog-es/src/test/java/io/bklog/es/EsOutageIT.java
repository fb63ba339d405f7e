package io.bklog.es;

import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.query.Query;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The node stops in the middle of an ingest and comes back: nothing acknowledged is lost, ingest resumes by itself. */
class EsOutageIT {
    private static final int BATCHES = 40;
    private static final int BATCH_SIZE = 25;

    @Test
    void itemsAreRetryableWhileTheNodeIsDownAndIngestResumesWhenItIsBack() throws Exception {
        EsFixture es = EsFixture.shared();
        String set = "outage_it";
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        AtomicInteger retryableItems = new AtomicInteger();
        AtomicBoolean rejected = new AtomicBoolean();
        ExecutorService ingest = Executors.newSingleThreadExecutor(r -> new Thread(r, "outage-it-ingest"));
        try (EsLogStore store = EsLogStore.builder().hosts(es.url())
                .bulkRetry(new BulkRetryPolicy(2, Duration.ofMillis(50), Duration.ofMillis(200)))
                .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(10)).build()) {
            EsHealthIndicator health = EsHealthIndicator.builder(store.connection()).cluster("it").build();
            store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("log", FieldType.TEXT),
                    FieldSpec.of("batch", FieldType.LONG))));
            store.deleteIndices(store.listIndices(set).stream().map(i -> i.name()).toList());
            Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
            Future<?> producer = ingest.submit(() -> {
                for (int b = 0; b < BATCHES; b++) {
                    List<LogDocument> pending = new ArrayList<>();
                    for (int i = 0; i < BATCH_SIZE; i++) {
                        pending.add(new LogDocument("o-" + b + "-" + i, t0.plusMillis(b * 1000L + i),
                                Map.of("log", "line " + i + " of batch " + b, "batch", (long) b)));
                    }
                    while (!pending.isEmpty()) {
                        BulkResult r = store.index(set, pending);
                        List<LogDocument> again = new ArrayList<>();
                        for (int k = 0; k < pending.size(); k++) {
                            BulkResult.ItemResult item = r.items().get(k);
                            switch (item.status()) {
                                case OK -> acknowledged.add(item.id());
                                case RETRYABLE -> again.add(pending.get(k));
                                case REJECTED -> rejected.set(true);
                            }
                        }
                        retryableItems.addAndGet(again.size());
                        pending = again;
                    }
                }
                return null;
            });

            await().atMost(Duration.ofMinutes(2)).until(() -> acknowledged.size() >= 5 * BATCH_SIZE);
            assertThat(ok(health.check(), "cluster_status")).isTrue();
            es.stop();
            await().atMost(Duration.ofMinutes(1)).until(() -> retryableItems.get() > 0);
            List<HealthzMetric> down = health.check();
            assertThat(ok(down, "cluster_status")).as("health while down: %s", down).isFalse();
            assertThat(metric(down, "cluster_status").suggestion()).isNotBlank();
            int acknowledgedWhileDown = acknowledged.size();

            es.start();
            producer.get(5, java.util.concurrent.TimeUnit.MINUTES);
            assertThat(rejected).isFalse();
            assertThat(acknowledged).hasSize(BATCHES * BATCH_SIZE);
            assertThat(acknowledgedWhileDown).isLessThan(BATCHES * BATCH_SIZE);
            await().atMost(Duration.ofMinutes(1)).until(() -> ok(health.check(), "cluster_status"));

            store.refresh(set);
            long total = store.search(SearchRequest.builder(set).query(Query.matchAll()).size(0).build()).total();
            assertThat(total).as("every acknowledged document is stored, once").isEqualTo(BATCHES * BATCH_SIZE);
        } finally {
            ingest.shutdownNow();
            if (!es.running()) es.start();
        }
    }

    @Test
    void searchesGoToTheNextNodeWhenOneRefusesConnections() throws Exception {
        EsFixture es = EsFixture.shared();
        String set = "outage_it_search";
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort(); // closed again: connections to it are refused
        }
        // a node that answers 503 to everything (restarting): searches go on to the next node too
        com.sun.net.httpserver.HttpServer unavailable = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        java.util.concurrent.atomic.AtomicInteger refusedSearches = new java.util.concurrent.atomic.AtomicInteger();
        unavailable.createContext("/", ex -> {
            if (ex.getRequestURI().getPath().endsWith("/_search")) refusedSearches.incrementAndGet();
            byte[] body = "{\"error\":{\"type\":\"unavailable\",\"reason\":\"restarting\"},\"status\":503}"
                    .getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            ex.sendResponseHeaders(503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        unavailable.start();
        String unavailableUrl = "http://127.0.0.1:" + unavailable.getAddress().getPort();
        try (EsLogStore store = EsLogStore.builder().hosts("http://127.0.0.1:" + dead, unavailableUrl, es.url())
                .connectTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(10)).build()) {
            store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("log", FieldType.TEXT))));
            store.deleteIndices(store.listIndices(set).stream().map(i -> i.name()).toList());
            Instant t0 = Instant.parse("2024-05-01T00:00:00Z");
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 20; i++) docs.add(new LogDocument("f-" + i, t0.plusSeconds(i), Map.of("log", "line " + i)));
            assertThat(store.index(set, docs).allOk()).isTrue();
            store.refresh(set);
            // searches start at each node in turn: every one is answered, whichever node it tried first
            for (int i = 0; i < 6; i++) {
                var r = store.search(SearchRequest.builder(set).query(Query.matchAll()).size(5).build());
                assertThat(r.total()).as("search %d", i).isEqualTo(20);
                assertThat(r.hits()).hasSize(5);
            }
            assertThat(refusedSearches.get()).as("searches the 503 node was asked, then kept last").isBetween(1, 2);
            // a refused query is still the caller's error, named
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.search(SearchRequest.builder(set)
                    .query(Query.matchAll()).sort(List.of(io.bklog.spi.query.Sort.desc("log"))).size(5).build()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("log");
        } finally {
            unavailable.stop(0);
        }
    }

    private static boolean ok(List<HealthzMetric> metrics, String name) {
        return metric(metrics, name).status();
    }

    private static HealthzMetric metric(List<HealthzMetric> metrics, String name) {
        return metrics.stream().filter(m -> m.metricName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name + " in " + metrics));
    }
}
