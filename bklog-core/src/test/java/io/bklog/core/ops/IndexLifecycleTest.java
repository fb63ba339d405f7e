package io.bklog.core.ops;

import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.ArchivedSnapshot;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.IndexSetCapacity;
import io.bklog.core.meta.RestoreJob;
import io.bklog.core.schedule.TaskRegistry;
import io.bklog.spi.IndexNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.LocalDate;

import static org.assertj.core.api.Assertions.assertThat;

class IndexLifecycleTest {
    private final OpsFixture f = new OpsFixture();
    private final IndexLifecycle lifecycle = new IndexLifecycle(f.platform.internals().metadata(), f.store, f.repo, f.clock);
    private final LocalDate today = IndexNames.dayOf(OpsFixture.NOW);

    @AfterEach
    void close() {
        f.close();
    }

    private String index(String set, int daysAgo) {
        return IndexNames.daily(set, today.minusDays(daysAgo), 0);
    }

    @Test
    void retentionDeletesIndicesOlderThanRetentionDaysWhenNotArchived() {
        f.indexSet("app", 7);
        f.ingest("app", 3, 0, 6, 7, 8, 30);

        IndexLifecycle.RetentionResult r = lifecycle.retention();

        assertThat(r.deleted()).containsExactlyInAnyOrder(index("app", 8), index("app", 30));
        assertThat(f.indices()).contains(index("app", 0), index("app", 6), index("app", 7))
                .doesNotContain(index("app", 8), index("app", 30));
        assertThat(r.snapshotted()).isEmpty();
    }

    @Test
    void retentionDaysZeroKeepsEveryIndexForever() {
        f.indexSet("forever", 0);
        f.ingest("forever", 2, 0, 1, 400, 4000);

        IndexLifecycle.RetentionResult r = lifecycle.retention();

        assertThat(r.deleted()).isEmpty();
        assertThat(r.snapshotted()).isEmpty();
        assertThat(f.indices()).contains(index("forever", 0), index("forever", 1), index("forever", 400),
                index("forever", 4000));
    }

    @Test
    void retentionSnapshotsArchivedIndexBeforeDeletingIt() {
        IndexSet set = f.indexSet("app", 7);
        ArchiveConfig archive = f.archive(set, 30);
        f.ingest("app", 4, 1, 9);

        IndexLifecycle.RetentionResult r = lifecycle.retention();

        String expired = index("app", 9);
        String snapshot = IndexNames.snapshotName(expired, today);
        assertThat(r.snapshotted()).containsExactly(snapshot);
        assertThat(r.deleted()).containsExactly(expired);
        assertThat(f.repo.get(snapshot)).hasValueSatisfying(s -> assertThat(s.docCounts()).containsEntry(expired, 4L));
        assertThat(f.platform.internals().metadata().archivedSnapshots().findByName(archive.id(), snapshot))
                .hasValueSatisfying(s -> assertThat(s.state()).isEqualTo(ArchivedSnapshot.SUCCESS));
        assertThat(f.indices()).doesNotContain(expired);
    }

    @Test
    void retentionKeepsIndexWhoseArchiveSnapshotFailed() {
        IndexSet set = f.indexSet("app", 7);
        ArchiveConfig archive = f.platform.internals().metadata().archiveConfigs()
                .create(ArchiveConfig.of(set.id(), 30, "no_such_repository"));
        f.ingest("app", 2, 10);

        IndexLifecycle.RetentionResult r = lifecycle.retention();

        assertThat(r.deleted()).isEmpty();
        assertThat(r.kept()).containsExactly(index("app", 10));
        assertThat(f.indices()).contains(index("app", 10));
        assertThat(f.platform.internals().metadata().archivedSnapshots().listByArchiveConfig(archive.id())).isEmpty();
    }

    @Test
    void expiredArchiveSnapshotsAreDeletedAfterSnapshotDaysAndForeverOnesKept() {
        IndexSet app = f.indexSet("app", 1);
        IndexSet keep = f.indexSet("keep", 1);
        f.archive(app, 5);
        f.archive(keep, 0);
        f.ingest("app", 1, 3);
        f.ingest("keep", 1, 3);
        lifecycle.retention();
        String appSnap = IndexNames.snapshotName(index("app", 3), today);
        String keepSnap = IndexNames.snapshotName(index("keep", 3), today);

        f.clock.advance(Duration.ofDays(4));
        assertThat(lifecycle.expireSnapshots()).isEmpty();
        f.clock.advance(Duration.ofDays(2));
        assertThat(lifecycle.expireSnapshots()).containsExactly(appSnap);

        assertThat(f.repo.get(appSnap)).isEmpty();
        assertThat(f.repo.get(keepSnap)).isPresent();
    }

    @Test
    void capacitySyncRecordsDocsBytesAndIndexCountPerIndexSet() {
        IndexSet set = f.indexSet("app", 30);
        f.ingest("app", 5, 0, 1, 2);

        lifecycle.syncCapacity();

        IndexSetCapacity c = f.platform.internals().metadata().capacity().findByIndexSet(set.id()).orElseThrow();
        assertThat(c.docCount()).isEqualTo(15);
        assertThat(c.indexCount()).isEqualTo(3);
        assertThat(c.sizeBytes()).isPositive();
        assertThat(c.syncedAt()).isEqualTo(OpsFixture.NOW);
    }

    @Test
    void restoreExpiryDropsRestoredIndicesOfExpiredJobs() {
        IndexSet set = f.indexSet("app", 2);
        f.archive(set, 0);
        f.ingest("app", 3, 5);
        lifecycle.retention();
        RestoreService restores = new RestoreService(f.platform.internals().metadata(), f.store, f.repo, f.clock,
                () -> Long.MAX_VALUE / 2, 0.85);
        RestoreJob job = restores.start("app", OpsFixture.NOW.minus(Duration.ofDays(6)), OpsFixture.NOW,
                OpsFixture.NOW.plus(Duration.ofDays(1)));
        assertThat(f.indices()).contains("restore_" + index("app", 5));

        assertThat(lifecycle.expireRestores()).isEmpty();
        f.clock.advance(Duration.ofDays(1));
        assertThat(lifecycle.expireRestores()).containsExactly("restore_" + index("app", 5));

        assertThat(f.indices()).doesNotContain("restore_" + index("app", 5));
        assertThat(f.platform.internals().metadata().restoreJobs().getById(job.id()).status()).isEqualTo(RestoreJob.EXPIRED);
    }

    @Test
    void rotationEnsuresEveryIndexSetInTheStore() {
        f.indexSet("app", 30);
        f.indexSet("web", 30);
        assertThat(lifecycle.rotate()).containsExactlyInAnyOrder("app", "web");
        assertThat(f.store.indexSets()).contains("app", "web");
    }

    @Test
    void registersFiveLifecycleTasks() {
        TaskRegistry registry = new TaskRegistry();
        MaintenanceTasks.register(registry, lifecycle);
        assertThat(registry.periodic()).extracting(t -> t.name())
                .containsExactlyInAnyOrderElementsOf(MaintenanceTasks.ALL);
    }
}
