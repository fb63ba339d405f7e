package io.bklog.s3;

import io.bklog.core.LogPlatform;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.ops.BackupManifest;
import io.bklog.core.ops.BackupService;
import io.bklog.core.ops.OpsException;
import io.bklog.core.search.SearchParams;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Backups of the embedded default (Lucene store + H2 in a data dir) to an S3 bucket (s3proxy): back up, lose the whole
 * data dir, restore straight from the bucket; a server stopped mid-upload; wrong credentials; retention.
 */
class S3BackupDrillIT {
    private static final Instant BASE = Instant.now().truncatedTo(ChronoUnit.DAYS).minus(Duration.ofDays(2))
            .plus(Duration.ofHours(2));
    private static final String SET = "drill_s3";

    private final S3ProxyFixture s3 = S3ProxyFixture.get();
    private final String prefix = "drill-" + UUID.randomUUID();
    @TempDir
    Path dataDir;

    private LogPlatform platform(S3BlobStore store) {
        return LogPlatform.builder().dataDir(dataDir).operations(o -> o.backupStore(store)).build();
    }

    private static void ingest(LogPlatform p, int n) {
        p.indexSets().put(SET, IndexSetSpec.withFields(IndexSetService.DEFAULT_FIELDS));
        List<LogDocument> docs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            docs.add(new LogDocument("d-" + i, BASE.plusSeconds(29L * i), Map.of(
                    "log", (i % 7 == 0 ? "ERROR" : "INFO") + " request " + i + " path=/api/v" + (i % 4),
                    "serverIp", "10.0.0." + (i % 5), "gseIndex", (long) i)));
        }
        p.internals().store().index(SET, docs);
        p.internals().store().refresh(SET);
    }

    private static Map<String, Object> observe(LogPlatform p) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (String q : List.of("*", "ERROR", "serverIp:\"10.0.0.1\"")) {
            var r = p.search().search(SET, new SearchParams(q, null, "2000-01-01 00:00:00", "2100-01-01 00:00:00",
                    0, 30, List.of(List.of("gseIndex", "asc")), null, null, null));
            out.put(q + " total", r.total());
            out.put(q + " ids", r.hits().stream().map(SearchResult.Hit::id).toList());
        }
        return out;
    }

    private void loseDataDir() throws IOException {
        try (Stream<Path> s = Files.walk(dataDir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(dataDir)) Files.delete(p);
            }
        }
    }

    @Test
    void backupToTheBucketThenLoseTheDataDirAndRestoreStraightFromTheBucket() throws IOException {
        Map<String, Object> before;
        BackupManifest full;
        try (S3BlobStore store = s3.store(prefix); LogPlatform p = platform(store)) {
            ingest(p, 2000);
            full = p.operations().backups().full();
            before = observe(p);
        }
        loseDataDir();
        assertThat(before.get("* total")).isEqualTo(2000L);

        try (S3BlobStore store = s3.store(prefix); LogPlatform p = platform(store)) {
            BackupService backups = p.operations().backups();
            assertThat(backups.location()).startsWith("s3://" + S3ProxyFixture.BUCKET + "/" + prefix + "/");
            assertThat(backups.list()).extracting(BackupManifest::id).containsExactly(full.id());
            assertThat(backups.verify(full.id()).problems()).isEmpty();

            BackupService.RestoreResult r = backups.restore(full.id());

            assertThat(r.docCount()).isEqualTo(2000L);
            assertThat(observe(p)).isEqualTo(before);
        }
    }

    @Test
    void aServerStoppedMidUploadListsNoBackupAndTheUploadResumes() throws IOException {
        Map<String, Object> before;
        String id;
        try (S3BlobStore store = s3.store(prefix); LogPlatform p = platform(store)) {
            ingest(p, 500);
            before = observe(p);
            try {
                assertThatThrownBy(() -> p.operations().backups().full((f, message) -> {
                    if (message.startsWith("uploaded " + BackupService.SNAPSHOT_DIR)) s3.stop();
                })).isInstanceOf(OpsException.class).hasMessageContaining("bklog backup resume");
            } finally {
                s3.start();
            }
            BackupService backups = p.operations().backups();
            assertThat(backups.list()).as("a half-uploaded backup is never listed").isEmpty();
            assertThat(backups.unfinished()).hasSize(1);
            id = backups.unfinished().get(0);

            BackupManifest m = backups.resume(id, (f, msg) -> { });

            assertThat(m.id()).isEqualTo(id);
            assertThat(backups.unfinished()).isEmpty();
            assertThat(backups.list()).extracting(BackupManifest::id).containsExactly(id);
            assertThat(backups.verify(id).problems()).isEmpty();
        }
        loseDataDir();
        try (S3BlobStore store = s3.store(prefix); LogPlatform p = platform(store)) {
            p.operations().backups().restore(id);
            assertThat(observe(p)).isEqualTo(before);
        }
    }

    @Test
    void wrongCredentialsFailClearlyAndWriteNothing() {
        try (S3BlobStore wrong = s3.store(prefix, "wrong-secret"); LogPlatform p = platform(wrong)) {
            ingest(p, 20);
            assertThatThrownBy(() -> p.operations().backups().full()).isInstanceOf(OpsException.class)
                    .hasMessageContaining("nothing was written").hasMessageContaining("credentials were refused");
            assertThat(p.internals().snapshotRepository().orElseThrow().list()).as("no snapshot taken").isEmpty();
            assertThat(p.operations().backups().unfinished()).isEmpty();
        }
        try (S3BlobStore store = s3.store(prefix)) {
            assertThat(store.list("")).isEmpty();
        }
    }

    @Test
    void retentionKeepsTheNewestFullBackupsAndDeletesTheRestFromTheBucket() {
        try (S3BlobStore store = s3.store(prefix); LogPlatform p = platform(store)) {
            ingest(p, 30);
            BackupService backups = p.operations().backups();
            BackupManifest first = backups.full();
            ingest(p, 40);
            BackupManifest second = backups.full();

            assertThat(backups.prune(1)).containsExactly(first.id());

            assertThat(backups.list()).extracting(BackupManifest::id).containsExactly(second.id());
            assertThat(store.list("")).allMatch(k -> k.startsWith(second.id() + "/"));
            assertThat(p.internals().snapshotRepository().orElseThrow().get(first.snapshot())).isEmpty();
            assertThat(backups.verify(second.id()).problems()).isEmpty();
        }
    }
}
