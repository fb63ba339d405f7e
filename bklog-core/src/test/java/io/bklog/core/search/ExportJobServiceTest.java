package io.bklog.core.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.MaskRules;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.ExportJob;
import io.bklog.core.ops.DirectoryBlobStore;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ExportJobServiceTest {
    private static final String SPACE = LogPlatformBuilder.DEFAULT_SPACE;

    @TempDir
    Path dataDir;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-10T00:00:00Z"));
    private LogPlatform platform;
    private final Masker phones = new Masker(Map.of("log", List.of(MaskRules.compile("phone", "mask_shield",
            new ObjectMapper().createObjectNode().put("preserve_head", 3).put("preserve_tail", 2), "1[3-9]\\d{9}",
            0))), Set.of());

    @AfterEach
    void close() {
        if (platform != null) platform.close();
    }

    private void start(ExportJobConfig config, int docs) {
        platform = LogPlatform.builder().dataDir(dataDir).clock(clock).exports(config).build();
        platform.indexSets().create("app", IndexSetSpec.defaults());
        Random rnd = new Random(3);
        List<Map<String, Object>> batch = new ArrayList<>();
        for (int i = 0; i < docs; i++) {
            batch.add(Map.of("log", "user 138" + String.format("%08d", i) + " token " + Long.toString(rnd.nextLong(), 36),
                    "serverIp", "10.0.0.1", "dtEventTimeStamp", 1_700_000_000_000L + i, "gseIndex", i));
        }
        platform.ingest().ingest("app", batch, true);
    }

    private ExportJob awaitDone(String id) {
        ExportJobService exports = platform.exports();
        await().atMost(Duration.ofSeconds(60)).until(() ->
                !ExportJob.DOWNLOAD_LOG.equals(exports.get(SPACE, id, false).status()));
        return exports.get(SPACE, id, false);
    }

    @Test
    void exportsEveryMatchMaskedIntoAGzipFileThatExpires() throws Exception {
        start(ExportJobConfig.defaults().withExpiry(Duration.ofHours(2)), 3000);
        ExportJobService exports = platform.exports();
        ExportJob job = exports.submit(SPACE, "app", SearchParams.of("user"), ExportService.Format.JSONL, phones,
                true, "test");
        ExportJob done = awaitDone(job.id());
        assertThat(done.status()).as(String.valueOf(done.error())).isEqualTo(ExportJob.SUCCESS);
        ExportJobService.View view = exports.view(done);
        assertThat(view.rowsWritten()).isEqualTo(3000);
        assertThat(view.total()).isEqualTo(3000);
        assertThat(view.progress()).isEqualTo(1.0);
        assertThat(view.expiresAt()).isEqualTo(clock.instant().plus(Duration.ofHours(2)));
        assertThat(view.downloadUrl()).isEqualTo("/api/v1/exports/" + job.id() + "/download");

        Path file = Path.of(exports.get(SPACE, job.id(), true).filePath());
        assertThat(file.getParent()).isEqualTo(dataDir.resolve("exports"));
        assertThat(view.sizeBytes()).isEqualTo(Files.size(file));
        List<String> lines = download(exports, job.id(), view.sizeBytes());
        assertThat(lines).hasSize(3000);
        assertThat(lines).noneMatch(l -> l.matches(".*138\\d{8}.*"));
        assertThat(lines.get(0)).contains("138******");

        assertThatThrownBy(() -> exports.get("other_space", job.id(), true))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPORT_NOT_FOUND));
        assertThat(exports.list("other_space", true, 0)).isEmpty();
        assertThat(exports.list(SPACE, true, 0)).extracting(ExportJob::id).containsExactly(job.id());

        assertThat(exports.cleanExpired()).isZero();
        clock.advance(Duration.ofHours(3));
        exports.cleanupTask().run();
        assertThat(file).doesNotExist();
        assertThat(exports.get(SPACE, job.id(), true).status()).isEqualTo(ExportJob.DOWNLOAD_EXPIRED);
        assertThatThrownBy(() -> exports.download(SPACE, job.id(), true))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPORT_EXPIRED));
        assertThat(exports.cleanExpired()).isZero();
    }

    @Test
    void aRunningJobOfAnotherInstanceIsLeftAloneUntilItsInstanceFallsSilent() {
        start(ExportJobConfig.defaults(), 10);
        var repo = platform.internals().metadata().exportJobs();
        long setId = platform.indexSets().get("app").id();
        // a job another instance (sharing this metadata database) is running: it is not this instance's to fail
        ExportJob other = repo.create(ExportJob.started("exp_other_instance", SPACE, setId,
                new ObjectMapper().createObjectNode().put("index_set", "app")));
        ExportJobService exports = platform.exports();
        exports.cleanExpired();
        assertThat(repo.getById(other.id()).status()).isEqualTo(ExportJob.DOWNLOAD_LOG);
        clock.advance(ExportJobService.SILENCE.minusSeconds(1));
        exports.cleanExpired();
        assertThat(repo.getById(other.id()).status()).as("its instance marked it alive lately")
                .isEqualTo(ExportJob.DOWNLOAD_LOG);
        clock.advance(Duration.ofSeconds(2));
        exports.cleanExpired();
        ExportJob failed = repo.getById(other.id());
        assertThat(failed.status()).as("nobody marked it alive for " + ExportJobService.SILENCE)
                .isEqualTo(ExportJob.FAILED);
        assertThat(failed.error()).contains("stopped while the export ran");
    }

    private static List<String> download(ExportJobService exports, String id, long size) throws Exception {
        try (ExportStore.Download d = exports.download(SPACE, id, true);
             BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(d.content()),
                     StandardCharsets.UTF_8))) {
            assertThat(d.sizeBytes()).isEqualTo(size);
            return r.lines().toList();
        }
    }

    @Test
    void withASharedStoreTheFileIsKeptThereDownloadedFromThereAndDeletedThereOnExpiry(@TempDir Path shared)
            throws Exception {
        DirectoryBlobStore blobs = new DirectoryBlobStore(shared);
        platform = LogPlatform.builder().dataDir(dataDir).clock(clock).exportStore(blobs)
                .exports(ExportJobConfig.defaults().withExpiry(Duration.ofHours(1))).build();
        platform.indexSets().create("app", IndexSetSpec.defaults());
        platform.ingest().ingest("app", List.of(Map.of("log", "user 13800000001 logged in", "dtEventTimeStamp", 1_700_000_000_000L, "gseIndex", 1),
                Map.of("log", "user 13800000002 logged out", "dtEventTimeStamp", 1_700_000_000_001L, "gseIndex", 2)),
                true);
        ExportJobService exports = platform.exports();
        ExportJob job = exports.submit(SPACE, "app", SearchParams.of("user"), ExportService.Format.JSONL, phones,
                true, "test");
        ExportJob done = awaitDone(job.id());
        assertThat(done.status()).as(String.valueOf(done.error())).isEqualTo(ExportJob.SUCCESS);

        assertThat(blobs.list("")).containsExactly(done.filePath());
        try (var local = Files.list(dataDir.resolve("exports"))) {
            assertThat(local.toList()).as("no copy left in the data dir").isEmpty();
        }
        assertThat(download(exports, job.id(), done.sizeBytes())).hasSize(2)
                .allMatch(l -> l.contains("138******"));
        assertThat(ExportJobService.fileName(done)).isEqualTo("bk_log_search_app_" + job.id() + ".jsonl.gz");

        clock.advance(Duration.ofHours(2));
        // an instance on the same metadata without export.store cannot delete the shared file: it leaves the job to
        // one that can, instead of marking it expired with the file left in the store
        ExportJobService withoutStore = new ExportJobService(platform.internals().metadata().exportJobs(),
                platform.indexSets(), platform.search(), new ExportService(platform.indexSets(), platform.search(),
                platform.internals().store()), platform.internals().store(), dataDir,
                ExportJobConfig.defaults(), clock, ExportStore.local());
        try {
            assertThat(withoutStore.cleanExpired()).isZero();
            assertThat(blobs.list("")).containsExactly(done.filePath());
        } finally {
            withoutStore.close();
        }
        assertThat(exports.cleanExpired()).isEqualTo(1);
        assertThat(blobs.list("")).as("the expiry deletes the shared file").isEmpty();
        assertThatThrownBy(() -> exports.download(SPACE, job.id(), true))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPORT_EXPIRED));
    }

    @Test
    void anExportPassingTheSizeLimitFailsNamingItAndLeavesNoFile() throws Exception {
        start(ExportJobConfig.defaults().withMaxBytes(20_000), 3000);
        ExportJobService exports = platform.exports();
        ExportJob job = exports.submit(SPACE, "app", SearchParams.of("*"), ExportService.Format.CSV, Masker.none(),
                false, "test");
        ExportJob done = awaitDone(job.id());
        assertThat(done.status()).isEqualTo(ExportJob.FAILED);
        assertThat(done.error()).contains("size limit of 20000 bytes").contains("export.max_bytes");
        assertThat(done.rowCount()).isPositive().isLessThan(3000);
        try (var files = Files.list(dataDir.resolve("exports"))) {
            assertThat(files.toList()).isEmpty();
        }
        assertThatThrownBy(() -> exports.download(SPACE, job.id(), false))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPORT_NOT_READY));
    }

    @Test
    void anUnmaskedExportIsHiddenFromMaskedCallersAndBadSearchesFailAtSubmit() {
        start(ExportJobConfig.defaults(), 10);
        ExportJobService exports = platform.exports();
        ExportJob raw = exports.submit(SPACE, "app", SearchParams.of("*"), ExportService.Format.CSV, Masker.none(),
                false, "root");
        assertThat(awaitDone(raw.id()).status()).isEqualTo(ExportJob.SUCCESS);
        assertThatThrownBy(() -> exports.download(SPACE, raw.id(), true))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.EXPORT_NOT_FOUND));
        assertThat(exports.list(SPACE, true, 0)).isEmpty();
        assertThat(exports.list(SPACE, false, 0)).hasSize(1);

        assertThatThrownBy(() -> exports.submit(SPACE, "app", new SearchParams("nope:1", null, null, null, null, null,
                null, null, null, null), ExportService.Format.CSV, phones, true, "x"))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_FIELD));
    }
}
