package io.bklog.es;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.SearchResult;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A backup of a platform with two storage clusters ({@code hot} and {@code cold}, both on the shared node, each
 * with its own snapshot repository): one snapshot per cluster, listed in the manifest; the indices dropped; a new
 * platform (fresh metadata) restores the backup and every index set searches as before, in its own cluster.
 */
class EsClustersBackupIT {
    private static final String HOT = "bk_clusters_hot";
    private static final String COLD = "bk_clusters_cold";

    private final EsFixture es = EsFixture.shared();
    @TempDir
    Path backups;
    private final List<BackupManifest> taken = new ArrayList<>();

    private LogPlatform platform() {
        return LogPlatform.builder().installProvider(new EsBackendProvider())
                .backend("elasticsearch", Map.of("cluster", "hot", "hosts", es.url(),
                        "repository.name", "bk_clusters_hot_repo",
                        "repository.location", es.repoDir().resolve("bk_clusters_hot_repo").toString()))
                .backend("elasticsearch", Map.of("cluster", "cold", "hosts", es.url(),
                        "repository.name", "bk_clusters_cold_repo",
                        "repository.location", es.repoDir().resolve("bk_clusters_cold_repo").toString()))
                .defaultCluster("hot")
                .operations(o -> o.backupLocation(backups))
                .build();
    }

    /** A backup takes every bklog index of a cluster: this test needs the shared node to itself. */
    @org.junit.jupiter.api.BeforeEach
    void aNodeWithoutOtherTestsIndices() {
        EsFixture.wipeBklogData(es.url());
    }

    @AfterEach
    void cleanUp() {
        try (LogPlatform p = platform()) {
            dropIndices(p);
            for (BackupManifest m : taken) {
                m.clusters().forEach((cluster, s) -> p.internals().topology().clusters().stream()
                        .filter(c -> c.name().equals(cluster)).findFirst().orElseThrow().snapshotRepository()
                        .orElseThrow().delete(s.snapshot()));
            }
        }
    }

    private static void dropIndices(LogPlatform p) {
        p.internals().store().deleteIndices(p.internals().store().listIndices("*").stream().map(IndexInfo::name)
                .filter(n -> n.contains("bk_clusters_")).distinct().toList());
    }

    private static List<Map<String, Object>> docs(String word, int n) {
        return IntStream.range(0, n).<Map<String, Object>>mapToObj(i -> Map.of("dtEventTimeStamp",
                1_700_000_000_000L + i * 1000L, "log", (i % 3 == 0 ? "ERROR " : "INFO ") + word + " request " + i,
                "gseIndex", i)).toList();
    }

    private static Map<String, Object> observe(LogPlatform p) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String set : List.of(HOT, COLD)) {
            for (String q : List.of("*", "ERROR")) {
                var r = p.search().search(set, new SearchParams(q, List.of(), "2023-11-14T00:00:00Z",
                        "2023-11-15T00:00:00Z", 0, 50, List.of(List.of("gseIndex", "asc")), null, null, null, null));
                out.put(set + " " + q + " total", r.total());
                out.put(set + " " + q + " ids", r.hits().stream().map(SearchResult.Hit::id).toList());
            }
        }
        return out;
    }

    @Test
    void aBackupTakesOneSnapshotPerClusterAndRestoresEveryIndexSetIntoItsCluster() {
        Map<String, Object> before;
        BackupManifest full;
        try (LogPlatform a = platform()) {
            dropIndices(a);
            a.indexSets().create(HOT, IndexSetSpec.defaults());
            a.indexSets().create(COLD, IndexSetSpec.defaults().withStorageCluster("cold"));
            assertThat(a.ingest().ingest(HOT, docs("hot", 40), true).errors()).isFalse();
            assertThat(a.ingest().ingest(COLD, docs("cold", 70), true).errors()).isFalse();
            before = observe(a);

            full = a.operations().backups().full();
            taken.add(full);

            assertThat(full.clusters()).containsOnlyKeys("hot", "cold");
            assertThat(full.clusters().get("cold").repository()).isEqualTo("bk_clusters_cold_repo");
            assertThat(full.clusters().get("hot").snapshot()).isEqualTo(BackupService.SNAPSHOT_PREFIX + full.id()
                    + "_hot");
            assertThat(full.indices()).hasSize(2);
            assertThat(full.indices().values()).extracting(BackupManifest.IndexEntry::cluster)
                    .containsExactlyInAnyOrder("hot", "cold");
            assertThat(full.totalDocs()).isEqualTo(110L);
            assertThat(a.operations().backups().verify(full.id()).problems()).isEmpty();
            dropIndices(a);
        }
        assertThat(before.get(COLD + " * total")).isEqualTo(70L);

        try (LogPlatform b = platform()) {
            BackupService.RestoreResult r = b.operations().backups().restore(full.id());

            assertThat(r.indices()).hasSize(2);
            assertThat(b.indexSets().get(COLD).storageCluster()).isEqualTo("cold");
            assertThat(observe(b)).isEqualTo(before);
        }
    }
}
