package io.bklog.es;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.health.NamespaceData;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.SnapshotRepository;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two independent Elasticsearch clusters (the shared node as {@code hot}, a second node started here as
 * {@code cold}), each selected as an {@code elasticsearch} backend of one platform: index sets are routed to the
 * cluster they name, and each node holds only its own index sets' indices.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EsStorageClustersIT {
    private static final String DAY = "20231114";
    private final HttpClient http = HttpClient.newHttpClient();
    private EsFixture hot;
    private EsFixture cold;
    private LogPlatform platform;

    @BeforeAll
    void start() {
        cold = EsFixture.create(Path.of(System.getProperty("es.dist.dir", "target/es-dist/elasticsearch-8.19.21")),
                Path.of(System.getProperty("es.work.dir", "target/es-node") + "-cold"));
        CompletableFuture<Void> coldStarted = CompletableFuture.runAsync(cold::start);
        hot = EsFixture.shared();
        coldStarted.join();
        platform = LogPlatform.builder().installProvider(new EsBackendProvider())
                .backend("elasticsearch", Map.of("cluster", "hot", "hosts", hot.url(),
                        "repository.name", "clusters_it_hot",
                        "repository.location", hot.repoDir().resolve("clusters_it_hot").toString()))
                .backend("elasticsearch", Map.of("cluster", "cold", "hosts", cold.url(),
                        "repository.name", "clusters_it_cold",
                        "repository.location", cold.repoDir().resolve("clusters_it_cold").toString()))
                .defaultCluster("hot")
                .build();
    }

    @AfterAll
    void stop() {
        try {
            if (platform != null) {
                platform.internals().store().deleteIndices(platform.internals().store().listIndices("*").stream().map(IndexInfo::name)
                        .filter(n -> n.startsWith("v2_clusters_it_")).toList());
                platform.close();
            }
        } finally {
            cold.stop();
        }
    }

    private static List<Map<String, Object>> docs(String word, int n) {
        return IntStream.range(0, n).<Map<String, Object>>mapToObj(i -> Map.of(
                "dtEventTimeStamp", 1_700_000_000_000L + i * 1000L, "log", word + " request " + i)).toList();
    }

    private static SearchParams params(String keyword) {
        return new SearchParams(keyword, List.of(), "2023-11-14T00:00:00Z", "2023-11-15T00:00:00Z", null, null, null,
                null, null, null, null);
    }

    private List<String> catIndices(EsFixture node) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(node.url()
                + "/_cat/indices/v2_*?h=index&s=index&expand_wildcards=all")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return Arrays.stream(r.body().split("\n")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void indexSetsAreIngestedSearchedAndListedOnTheirOwnCluster() throws Exception {
        platform.indexSets().create("clusters_it_hot", IndexSetSpec.defaults());
        platform.indexSets().create("clusters_it_cold", IndexSetSpec.defaults().withStorageCluster("cold"));
        assertThat(platform.indexSets().get("clusters_it_hot").storageCluster()).isEqualTo("hot");
        assertThat(platform.indexSets().get("clusters_it_cold").storageCluster()).isEqualTo("cold");

        assertThat(platform.ingest().ingest("clusters_it_hot", docs("hot", 3), true).errors()).isFalse();
        assertThat(platform.ingest().ingest("clusters_it_cold", docs("cold", 5), true).errors()).isFalse();

        SearchParams all = params("*");
        assertThat(platform.search().search("clusters_it_hot", all).total()).isEqualTo(3);
        assertThat(platform.search().search("clusters_it_cold", all).total()).isEqualTo(5);
        assertThat(platform.search().search("clusters_it_cold", params("log:cold")).total()).isEqualTo(5);

        // list indices through the platform: one set from its cluster, all from both
        assertThat(platform.internals().store().listIndices("clusters_it_cold")).extracting(IndexInfo::name)
                .containsExactly("v2_clusters_it_cold_" + DAY + "_0");
        assertThat(platform.internals().store().listIndices("*")).extracting(IndexInfo::name)
                .contains("v2_clusters_it_hot_" + DAY + "_0", "v2_clusters_it_cold_" + DAY + "_0");

        // each node holds only its own index set's indices
        assertThat(catIndices(hot)).contains("v2_clusters_it_hot_" + DAY + "_0")
                .noneMatch(i -> i.startsWith("v2_clusters_it_cold_"));
        assertThat(catIndices(cold)).containsExactly("v2_clusters_it_cold_" + DAY + "_0");

        // snapshots of an index set go to its own cluster's repository
        SnapshotRepository coldRepo = platform.internals().snapshotRepositoryOf("clusters_it_cold").orElseThrow();
        assertThat(coldRepo.name()).isEqualTo("clusters_it_cold");
        SnapshotRepository.SnapshotInfo snap = coldRepo.create("clusters_it_snap",
                List.of("v2_clusters_it_cold_" + DAY + "_0"), SnapshotRepository.ProgressListener.NONE);
        assertThat(snap.state()).isEqualTo(SnapshotRepository.State.SUCCESS);
        assertThat(snap.docCounts()).containsEntry("v2_clusters_it_cold_" + DAY + "_0", 5L);
        coldRepo.delete("clusters_it_snap");
        assertThat(platform.internals().snapshotRepositoryOf("clusters_it_hot").orElseThrow().name()).isEqualTo("clusters_it_hot");

        // moving the cold set (it has documents) is refused; an unknown cluster is refused naming the known ones
        assertThatThrownBy(() -> platform.indexSets().update("clusters_it_cold",
                IndexSetSpec.defaults().withStorageCluster("hot")))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.getMessage())
                        .contains("holds 5 documents"));
        assertThatThrownBy(() -> platform.indexSets().create("clusters_it_warm",
                IndexSetSpec.defaults().withStorageCluster("warm")))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INDEX_SET);
                    assertThat(e.getMessage()).contains("hot, cold");
                });
    }

    @Test
    void healthReportsEachClusterUnderTheElasticsearchNamespace() {
        assertThat(platform.internals().topology().clusterNames()).containsExactly("hot", "cold");
        // each cluster verifies its own repository (registered on first use)
        platform.internals().topology().clusters()
                .forEach(c -> c.snapshotRepository().orElseThrow().verify());
        NamespaceData es = platform.health().collect().namespace("elasticsearch").orElseThrow();
        assertThat(es.status()).as("%s", es).isTrue();
        assertThat(es.data()).filteredOn(m -> m.metricName().equals("cluster_status"))
                .extracting(m -> m.dimensions().get("cluster")).containsExactlyInAnyOrder("hot", "cold");
        assertThat(es.data()).filteredOn(m -> "cold".equals(m.dimensions().get("cluster")))
                .extracting(HealthzMetric::metricName).contains("cluster_status", "nodes", "repository");
    }
}
