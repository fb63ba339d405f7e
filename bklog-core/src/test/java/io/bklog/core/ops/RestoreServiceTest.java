package io.bklog.core.ops;

import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.RestoreJob;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskRegistry;
import io.bklog.spi.IndexNames;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class RestoreServiceTest {
    private final OpsFixture f = new OpsFixture();
    private final IndexLifecycle lifecycle = new IndexLifecycle(f.platform.internals().metadata(), f.store, f.repo, f.clock);

    @AfterEach
    void close() {
        f.close();
    }

    private Instant daysAgo(int d) {
        return OpsFixture.NOW.minus(Duration.ofDays(d));
    }

    private void archivedApp() {
        IndexSet set = f.indexSet("app", 3);
        f.archive(set, 0);
        f.ingest("app", 5, 0, 5, 6, 10);
        lifecycle.retention();
        assertThat(f.count("app")).isEqualTo(5);
    }

    @Test
    void restoresArchivedRangeIntoRestoreIndicesSearchableWithTheIndexSet() {
        archivedApp();
        RestoreService restores = new RestoreService(f.platform.internals().metadata(), f.store, f.repo, f.clock,
                () -> 1L << 40, 0.85);

        RestoreJob job = restores.start("app", daysAgo(6), daysAgo(5), daysAgo(-7));

        assertThat(job.done()).isTrue();
        assertThat(job.status()).isEqualTo(RestoreJob.DONE);
        assertThat(job.totalDocCount()).isEqualTo(10);
        assertThat(job.completeDocCount()).isEqualTo(10);
        assertThat(f.indices()).contains("restore_" + IndexNames.daily("app", IndexNames.dayOf(daysAgo(5)), 0),
                "restore_" + IndexNames.daily("app", IndexNames.dayOf(daysAgo(6)), 0))
                .noneMatch(i -> i.equals("restore_" + IndexNames.daily("app", IndexNames.dayOf(daysAgo(10)), 0)));
        assertThat(f.count("app")).isEqualTo(15);
    }

    @Test
    void refusesWhenEstimatedSizePassesTheDiskWatermarkNamingTheFigures() {
        archivedApp();
        RestoreService restores = new RestoreService(f.platform.internals().metadata(), f.store, f.repo, f.clock, () -> 100, 0.5);

        assertThatThrownBy(() -> restores.start("app", daysAgo(30), OpsFixture.NOW, daysAgo(-1)))
                .isInstanceOf(OpsException.class)
                .hasMessageContaining("needs about")
                .hasMessageContaining("100 bytes free")
                .hasMessageContaining("50%")
                .hasMessageContaining("(50 bytes)");
        assertThat(f.platform.internals().metadata().restoreJobs().list()).isEmpty();
        assertThat(f.indices()).noneMatch(i -> i.startsWith("restore_"));
    }

    @Test
    void refusesIndexSetWithoutArchive() {
        f.indexSet("plain", 3);
        RestoreService restores = new RestoreService(f.platform.internals().metadata(), f.store, f.repo, f.clock, () -> 1L << 40,
                0.85);
        assertThatThrownBy(() -> restores.start("plain", daysAgo(3), OpsFixture.NOW, daysAgo(-1)))
                .hasMessageContaining("index set 'plain' has no archive config");
    }

    @Test
    void runsAsAsyncTaskOnTheSchedulerWithProgress() {
        archivedApp();
        TaskRegistry registry = new TaskRegistry();
        try (Scheduler scheduler = Scheduler.builder(registry).clock(Clock.systemUTC()).beat(false).build()) {
            RestoreService restores = new RestoreService(f.platform.internals().metadata(),
                    io.bklog.core.store.StorageTopology.single(f.store, f.repo), f.clock, () -> 1L << 40, 0.85,
                    scheduler);
            restores.register(registry);
            scheduler.start();
            RestoreJob job = restores.start("app", daysAgo(11), daysAgo(4), daysAgo(-7));
            assertThat(job.status()).isEqualTo(RestoreJob.PENDING);
            assertThat(job.totalDocCount()).isEqualTo(15);

            await().atMost(20, TimeUnit.SECONDS).until(() ->
                    f.platform.internals().metadata().restoreJobs().getById(job.id()).done());

            RestoreJob done = f.platform.internals().metadata().restoreJobs().getById(job.id());
            assertThat(done.status()).isEqualTo(RestoreJob.DONE);
            assertThat(done.progress()).isEqualTo(1.0);
            assertThat(done.completeDocCount()).isEqualTo(15);
            assertThat(f.count("app")).isEqualTo(20);
        }
    }

    @Test
    void overlappingRestoresShareTheirDaysAndDroppingOneKeepsTheOthers() {
        archivedApp();
        RestoreService restores = new RestoreService(f.platform.internals().metadata(), f.store, f.repo, f.clock,
                () -> 1L << 40, 0.85);
        String day5 = "restore_" + IndexNames.daily("app", IndexNames.dayOf(daysAgo(5)), 0);
        String day6 = "restore_" + IndexNames.daily("app", IndexNames.dayOf(daysAgo(6)), 0);

        RestoreJob wide = restores.start("app", daysAgo(6), daysAgo(5), daysAgo(-7));
        RestoreJob narrow = restores.start("app", daysAgo(5), daysAgo(5), daysAgo(-3));
        assertThat(narrow.status()).as("the second restore finds day 5 already restored").isEqualTo(RestoreJob.DONE);
        assertThat(narrow.completeDocCount()).isEqualTo(5);

        // dropping the narrow one keeps day 5: the wide one still shows it
        assertThat(restores.delete(narrow.id())).isEmpty();
        assertThat(f.indices()).contains(day5, day6);
        assertThat(f.count("app")).isEqualTo(15);

        // the wide one expires: both its days go (no live restore covers them)
        f.clock.advance(Duration.ofDays(8));
        assertThat(lifecycle.expireRestores()).containsExactlyInAnyOrder(day5, day6);
        assertThat(f.indices()).doesNotContain(day5, day6);
        assertThat(f.platform.internals().metadata().restoreJobs().getById(wide.id()).status())
                .isEqualTo(RestoreJob.EXPIRED);
    }
}
