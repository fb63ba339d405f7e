package io.bklog.s3;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.ArchivedSnapshot;
import io.bklog.core.meta.RestoreJob;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BlobArchiveRepository;
import io.bklog.core.ops.IndexLifecycle;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.IndexNames;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Archives of the embedded store kept in an S3 bucket (s3proxy): retention snapshots an expired index into the
 * bucket (not the data dir) and deletes it; after the whole data dir is lost and the metadata restored from a
 * backup (also in the bucket), the archived range is restored straight from the bucket and searches as before.
 */
class S3ArchiveIT {
    private static final Instant NOW = Instant.parse("2026-03-20T12:00:00Z");
    private static final Instant DAY = NOW.minus(Duration.ofDays(3));
    private static final String SET = "archive_s3";

    private final S3ProxyFixture s3 = S3ProxyFixture.get();
    private final String prefix = "archive-" + UUID.randomUUID();
    @TempDir
    Path dataDir;

    private LogPlatform platform(S3BlobStore archives, S3BlobStore backups) {
        return LogPlatform.builder().dataDir(dataDir).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .operations(o -> o.archiveStore(archives).backupStore(backups)).build();
    }

    private static Map<String, Object> observe(LogPlatform p) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String q : List.of("*", "ERROR", "serverIp:\"10.0.0.1\"")) {
            var r = p.search().search(SET, new SearchParams(q, null, "2000-01-01 00:00:00", "2100-01-01 00:00:00",
                    0, 20, List.of(List.of("gseIndex", "asc")), null, null, null));
            out.put(q + " total", r.total());
            out.put(q + " ids", r.hits().stream().map(SearchResult.Hit::id).toList());
        }
        return out;
    }

    @Test
    void anExpiredIndexIsArchivedToTheBucketAndItsRangeRestoredFromThereIntoAFreshDataDir() throws IOException {
        String index;
        String snapshot;
        Map<String, Object> before;
        BackupManifest backup;
        try (S3BlobStore archives = s3.store(prefix + "/archives"); S3BlobStore backups = s3.store(prefix + "/backups");
             LogPlatform p = platform(archives, backups)) {
            p.indexSets().put(SET, new IndexSetSpec(null, IndexSetService.DEFAULT_FIELDS, 1, null, null, null));
            long setId = p.internals().metadata().indexSets().getByName(SET).id();
            p.internals().metadata().archiveConfigs().create(ArchiveConfig.of(setId, 0, "fs"));
            List<LogDocument> docs = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                docs.add(new LogDocument("a-" + i, DAY.plusSeconds(61L * i), Map.of(
                        "log", (i % 5 == 0 ? "ERROR" : "INFO") + " archived line " + i,
                        "serverIp", "10.0.0." + (i % 3), "gseIndex", (long) i)));
            }
            p.internals().store().index(SET, docs);
            p.internals().store().refresh(SET);
            before = observe(p);
            index = p.internals().store().listIndices(SET).stream().map(i -> i.name())
                    .filter(n -> IndexNames.parse(n).isPresent()).findFirst().orElseThrow();

            IndexLifecycle.RetentionResult r = p.operations().lifecycle().retention();

            assertThat(r.deleted()).containsExactly(index);
            snapshot = r.snapshotted().get(0);
            assertThat(p.internals().metadata().archivedSnapshots().listByArchiveConfig(
                    p.internals().metadata().archiveConfigs().listByIndexSet(setId).get(0).id()))
                    .extracting(ArchivedSnapshot::state).containsExactly(ArchivedSnapshot.SUCCESS);
            assertThat(archives.list("fs/" + snapshot + "/")).contains("fs/" + snapshot + "/"
                    + BlobArchiveRepository.INFO).anyMatch(k -> k.contains("/files/indices/" + index + "/"));
            assertThat(p.internals().snapshotRepository().orElseThrow().get(snapshot))
                    .as("the archive is not kept in the data dir").isEmpty();
            backup = p.operations().backups().full(); // the metadata (archive records) to a second prefix
        }
        assertThat(before.get("* total")).isEqualTo(300L);
        loseDataDir();

        try (S3BlobStore archives = s3.store(prefix + "/archives"); S3BlobStore backups = s3.store(prefix + "/backups");
             LogPlatform p = platform(archives, backups)) {
            p.operations().backups().restore(backup.id());
            assertThat(p.internals().store().listIndices("*")).as("the index itself is gone").isEmpty();

            RestoreJob job = p.operations().restores().start(SET, DAY, DAY, NOW.plus(Duration.ofDays(7)));
            await().atMost(Duration.ofSeconds(60)).until(() ->
                    p.internals().metadata().restoreJobs().getById(job.id()).done());

            RestoreJob done = p.internals().metadata().restoreJobs().getById(job.id());
            assertThat(done.error()).isNullOrEmpty();
            assertThat(done.completeDocCount()).isEqualTo(300L);
            assertThat(observe(p)).isEqualTo(before);
            assertThat(p.internals().snapshotRepository().orElseThrow().get(snapshot))
                    .as("the downloaded copy is dropped after the restore").isEmpty();
            assertThat(Files.exists(dataDir.resolve("archive-staging").resolve(snapshot))).isFalse();

            assertThat(p.operations().lifecycle().expireRestores()).isEmpty(); // not expired yet
        }
    }

    private void loseDataDir() throws IOException {
        try (Stream<Path> s = Files.walk(dataDir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!f.equals(dataDir)) Files.delete(f);
            }
        }
    }
}
