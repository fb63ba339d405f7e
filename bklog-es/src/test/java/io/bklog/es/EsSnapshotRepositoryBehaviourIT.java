package io.bklog.es;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.SnapshotRepository.SnapshotInfo;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Snapshot, list, restore under restore_ and delete on the real node's fs repository. */
class EsSnapshotRepositoryBehaviourIT {
    private static final Instant T0 = Instant.parse("2024-04-01T00:00:00Z");
    private static EsLogStore store;
    private static EsSnapshotRepository repo;

    @BeforeAll
    static void setUp() {
        EsFixture es = EsFixture.shared();
        store = EsLogStore.builder().hosts(es.url()).build();
        repo = EsSnapshotRepository.builder().connection(store.connection()).name("bklog_it_repo")
                .location(es.repoDir().resolve("bklog_it_repo").toString()).build();
    }

    @AfterAll
    static void tearDown() {
        if (repo != null) repo.close();
        if (store != null) store.close();
    }

    @Test
    void snapshotsRestoresUnderAPrefixIntoTheSetAndDeletes() {
        String set = "snap_it_" + ProcessHandle.current().pid();
        store.ensureIndexSet(IndexSetSchema.of(set, List.of(FieldSpec.of("log", FieldType.TEXT))));
        store.index(set, List.of(new LogDocument("a", T0, Map.of("log", "alpha")),
                new LogDocument("b", T0, Map.of("log", "beta"))));
        String index = IndexNames.daily(set, IndexNames.dayOf(T0), 0);
        repo.verify();

        List<Double> progress = new ArrayList<>();
        String name = IndexNames.snapshotName(index, IndexNames.dayOf(T0));
        SnapshotInfo info = repo.create(name, List.of(index), (f, m) -> progress.add(f));
        assertThat(info.state()).isEqualTo(SnapshotRepository.State.SUCCESS);
        assertThat(info.docCounts()).containsEntry(index, 2L);
        assertThat(info.sizeBytes()).isPositive();
        assertThat(progress).contains(0.0, 1.0);
        assertThat(repo.list()).extracting(SnapshotInfo::name).contains(name);
        assertThat(repo.get(name)).isPresent();
        assertThat(repo.get("missing")).isEmpty();
        assertThatThrownBy(() -> repo.create(name, List.of(index), null)).isInstanceOf(IllegalArgumentException.class);

        store.deleteIndices(List.of(index));
        List<String> restored = repo.restore(name, List.of(), IndexNames.RESTORE_PREFIX, null);
        assertThat(restored).containsExactly(IndexNames.RESTORE_PREFIX + index);
        store.refresh(set);
        assertThat(store.search(SearchRequest.builder(set).build()).total()).isEqualTo(2);
        assertThatThrownBy(() -> repo.restore(name, List.of(), IndexNames.RESTORE_PREFIX, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exists");

        repo.delete(name);
        repo.delete(name);
        assertThat(repo.get(name)).isEmpty();
        store.deleteIndices(restored);
    }

    @Test
    void refusesAnFsLocationOutsidePathRepo() {
        EsSnapshotRepository bad = EsSnapshotRepository.builder().connection(store.connection()).name("bklog_bad")
                .location("/definitely/not/in/path/repo").build();
        assertThatThrownBy(bad::verify).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path.repo");
    }
}
