package io.bklog.core.store;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.UnsupportedFeatureException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two in-memory stores as clusters {@code one} (default) and {@code two}, selected as two backends. */
class RoutingLogStoreTest {
    private final LogPlatform platform = LogPlatform.builder()
            .backend("memory", Map.of("cluster", "one"))
            .backend("memory", Map.of("cluster", "two"))
            .build();

    @AfterEach
    void close() {
        platform.close();
    }

    private RoutingLogStore router() {
        assertThat(platform.internals().store()).isInstanceOf(RoutingLogStore.class);
        return (RoutingLogStore) platform.internals().store();
    }

    private LogStore cluster(String name) {
        return router().cluster(name).orElseThrow().store();
    }

    private static List<String> names(List<IndexInfo> indices) {
        return indices.stream().map(IndexInfo::name).toList();
    }

    private void ingest(String set, String... lines) {
        List<Map<String, Object>> items = java.util.Arrays.stream(lines).<Map<String, Object>>map(l -> Map.of("log", l))
                .toList();
        assertThat(platform.ingest().ingest(set, items, true).errors()).isFalse();
    }

    @Test
    void documentsOfEachIndexSetLandOnlyInItsOwnCluster() {
        platform.indexSets().create("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
        platform.indexSets().create("beta", IndexSetSpec.defaults().withStorageCluster("two"));
        ingest("alpha", "GET /a 200", "GET /a 500");
        ingest("beta", "GET /b 200");

        assertThat(cluster("one").indexSets()).contains("alpha").doesNotContain("beta");
        assertThat(cluster("two").indexSets()).contains("beta").doesNotContain("alpha");
        assertThat(names(cluster("one").listIndices("*"))).isNotEmpty().allMatch(n -> n.startsWith("v2_alpha_"));
        assertThat(names(cluster("two").listIndices("*"))).isNotEmpty().allMatch(n -> n.startsWith("v2_beta_"));
        assertThat(cluster("one").listIndices("*").stream().mapToLong(IndexInfo::docCount).sum()).isEqualTo(2);
        assertThat(cluster("two").listIndices("*").stream().mapToLong(IndexInfo::docCount).sum()).isEqualTo(1);

        // search through the platform finds each set's documents in its cluster
        assertThat(platform.search().search("alpha", SearchParams.of("log:500")).total()).isEqualTo(1);
        assertThat(platform.search().search("beta", SearchParams.of("*")).total()).isEqualTo(1);
        // the router lists one set's indices from its cluster, and all indices from both
        assertThat(names(platform.internals().store().listIndices("beta"))).allMatch(n -> n.startsWith("v2_beta_")).hasSize(1);
        assertThat(names(platform.internals().store().listIndices("*"))).hasSize(2)
                .anyMatch(n -> n.startsWith("v2_alpha_")).anyMatch(n -> n.startsWith("v2_beta_"));
        assertThat(platform.internals().store().indexSets()).contains("alpha", "beta");
        assertThat(platform.indexSets().get("alpha").storageCluster()).isEqualTo("one");
        assertThat(platform.indexSets().get("beta").storageCluster()).isEqualTo("two");
    }

    @Test
    void indexSetWithoutClusterGoesToTheDefaultOneAndRecordsIt() {
        IndexSet s = platform.indexSets().create("gamma", IndexSetSpec.defaults());
        assertThat(s.storageCluster()).isEqualTo("one");
        ingest("gamma", "x");
        assertThat(cluster("one").indexSets()).contains("gamma");
        assertThat(cluster("two").indexSets()).doesNotContain("gamma");
        assertThat(platform.indexSets().storageClusters()).containsExactly("one", "two");
    }

    @Test
    void deleteAndAliasesAreRoutedByTheIndexSetOfTheIndexName() {
        platform.indexSets().create("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
        platform.indexSets().create("beta", IndexSetSpec.defaults().withStorageCluster("two"));
        ingest("alpha", "a");
        ingest("beta", "b");
        String betaIndex = names(cluster("two").listIndices("beta")).get(0);
        platform.internals().store().addAlias(betaIndex, "beta_extra");
        assertThat(cluster("two").listIndices(betaIndex).get(0).aliases()).contains("beta_extra");
        platform.internals().store().removeAlias(betaIndex, "beta_extra");
        assertThat(cluster("two").listIndices(betaIndex).get(0).aliases()).doesNotContain("beta_extra");

        String alphaIndex = names(cluster("one").listIndices("alpha")).get(0);
        platform.internals().store().deleteIndices(List.of(betaIndex, alphaIndex, "not_ours"));
        assertThat(cluster("one").listIndices("alpha")).isEmpty();
        assertThat(cluster("two").listIndices("beta")).isEmpty();
    }

    @Test
    void unknownClusterIsRefusedWithTheKnownOnes() {
        assertThatThrownBy(() -> platform.indexSets().create("alpha",
                IndexSetSpec.defaults().withStorageCluster("cold")))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INDEX_SET);
                    assertThat(e.code().httpStatus()).isEqualTo(400);
                    assertThat(e.field()).contains("storage_cluster");
                    assertThat(e.getMessage()).contains("'cold'", "one, two");
                    assertThat(e.details()).containsEntry("known", List.of("one", "two"));
                });
        assertThat(platform.indexSets().find("alpha")).isEmpty();
        assertThat(platform.internals().store().indexSets()).doesNotContain("alpha");
    }

    @Test
    void movingAnIndexSetThatHoldsDocumentsIsRefused() {
        platform.indexSets().create("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
        ingest("alpha", "a");
        assertThatThrownBy(() -> platform.indexSets().update("alpha",
                IndexSetSpec.defaults().withStorageCluster("two")))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_INDEX_SET);
                    assertThat(e.getMessage()).contains("holds 1 documents", "'one'", "'two'");
                });
        assertThat(platform.indexSets().get("alpha").storageCluster()).isEqualTo("one");
        assertThat(platform.search().search("alpha", SearchParams.of("*")).total()).isEqualTo(1);
        // the same cluster again is no move
        platform.indexSets().update("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
    }

    @Test
    void anEmptyIndexSetMovesAndItsNextDocumentsGoToTheNewCluster() {
        platform.indexSets().create("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
        IndexSet moved = platform.indexSets().update("alpha", IndexSetSpec.defaults().withStorageCluster("two"));
        assertThat(moved.storageCluster()).isEqualTo("two");
        ingest("alpha", "a");
        assertThat(cluster("two").listIndices("alpha").stream().mapToLong(IndexInfo::docCount).sum()).isEqualTo(1);
        assertThat(cluster("one").listIndices("alpha")).isEmpty();
    }

    @Test
    void searchOverIndexSetsOfTwoClustersIsRefused() {
        platform.indexSets().create("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
        platform.indexSets().create("beta", IndexSetSpec.defaults().withStorageCluster("two"));
        assertThatThrownBy(() -> platform.internals().store().search(SearchRequest.builder("alpha", "beta").build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("several storage clusters");
    }

    @Test
    void eachClusterKeepsItsOwnSnapshotRepository() {
        platform.indexSets().create("alpha", IndexSetSpec.defaults().withStorageCluster("one"));
        platform.indexSets().create("beta", IndexSetSpec.defaults().withStorageCluster("two"));
        assertThat(platform.internals().snapshotRepositoryOf("alpha")).containsSame(router().cluster("one").orElseThrow()
                .repository());
        assertThat(platform.internals().snapshotRepositoryOf("beta")).containsSame(router().cluster("two").orElseThrow()
                .repository());
        assertThat(platform.internals().snapshotRepositoryOf("alpha").orElseThrow())
                .isNotSameAs(platform.internals().snapshotRepositoryOf("beta").orElseThrow());
    }

    @Test
    void routerFindsTheClusterRecordedByAnotherInstanceThroughItsResolver() {
        MemoryLogStore one = new MemoryLogStore();
        MemoryLogStore two = new MemoryLogStore();
        RoutingLogStore r = new RoutingLogStore(List.of(StoreCluster.of("one", one), StoreCluster.of("two", two)),
                "one", name -> name.equals("beta") ? Optional.of("two") : Optional.empty());
        IndexSetSchema beta = IndexSetSchema.of("beta", List.of(FieldSpec.of("log", FieldType.TEXT)));
        r.ensureIndexSet(beta);
        r.ensureIndexSet(IndexSetSchema.of("alpha", List.of(FieldSpec.of("log", FieldType.TEXT))));
        r.index("beta", List.of(new LogDocument("1", Instant.parse("2026-01-02T03:04:05Z"), Map.of("log", "b"))));
        assertThat(two.indexSets()).containsExactly("beta");
        assertThat(one.indexSets()).containsExactly("alpha");
        assertThat(names(two.listIndices("*"))).containsExactly("v2_beta_20260102_0");
    }

    @Test
    void aRecordedClusterThatIsNotConfiguredFailsClearly() {
        RoutingLogStore r = new RoutingLogStore(List.of(StoreCluster.of("one", new MemoryLogStore())), "one",
                name -> Optional.of("cold"));
        assertThatThrownBy(() -> r.refresh("x")).hasMessageContaining("'cold'").hasMessageContaining("configured: one");
        assertThatThrownBy(() -> r.assign("x", "hot")).hasMessageContaining("unknown storage cluster 'hot'");
    }

    @Test
    void twoStoreBackendsWithTheSameClusterNameAreRefused() {
        assertThatThrownBy(() -> LogPlatform.builder().backend("memory", Map.of()).backend("memory", Map.of())
                .build()).isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_BACKEND_CONFIG);
                    assertThat(e.getMessage()).contains("storage cluster 'memory'", "cluster");
                });
        assertThatThrownBy(() -> LogPlatform.builder().backend("memory", Map.of("cluster", "a"))
                .backend("memory", Map.of("cluster", "b")).defaultCluster("c").build())
                .hasMessageContaining("default cluster 'c'").hasMessageContaining("a, b");
    }

    @Test
    void aSingleStoreIsOneClusterNamedByItsClusterSetting() {
        try (LogPlatform single = LogPlatform.builder().backend("memory", Map.of("cluster", "main")).build()) {
            assertThat(single.internals().store()).isNotInstanceOf(RoutingLogStore.class);
            assertThat(single.indexSets().storageClusters()).containsExactly("main");
            assertThat(single.indexSets().create("a", IndexSetSpec.defaults().withStorageCluster("main"))
                    .storageCluster()).isEqualTo("main");
            assertThat(single.indexSets().create("b", IndexSetSpec.defaults()).storageCluster()).isNull();
            assertThatThrownBy(() -> single.indexSets().create("c", IndexSetSpec.defaults().withStorageCluster("x")))
                    .hasMessageContaining("unknown storage_cluster 'x'; configured clusters: main");
        }
    }
}
