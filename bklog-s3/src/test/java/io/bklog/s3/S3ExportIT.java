package io.bklog.s3;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.ExportJob;
import io.bklog.core.search.ExportJobConfig;
import io.bklog.core.search.ExportJobService;
import io.bklog.core.search.ExportService;
import io.bklog.core.search.ExportStore;
import io.bklog.core.search.SearchParams;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.GZIPInputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Async exports kept in an S3 bucket (s3proxy): one instance runs the export, another one (same metadata database in
 * MariaDB, its own data dir) serves the download from the bucket; the expiry deletes the object.
 */
class S3ExportIT {
    private static final String SPACE = LogPlatformBuilder.DEFAULT_SPACE;

    private final S3ProxyFixture s3 = S3ProxyFixture.get();
    private final String prefix = "exports-" + UUID.randomUUID();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-03-20T12:00:00Z"));
    @TempDir
    Path dirA;
    @TempDir
    Path dirB;

    private LogPlatform instance(Path dataDir, MariaDbDatabase db, S3BlobStore store) {
        return LogPlatform.builder().dataDir(dataDir).metadataConfig(db.config()).migrateOnStart(true).clock(clock).exportStore(store)
                .exports(ExportJobConfig.defaults().withExpiry(Duration.ofHours(1))).build();
    }

    @Test
    void anExportRunOnOneInstanceIsDownloadedFromTheBucketOnAnotherAndExpiresThere() throws IOException {
        try (MariaDbDatabase db = new MariaDbDatabase(); S3BlobStore store = s3.store(prefix)) {
            ExportJob done;
            try (LogPlatform a = instance(dirA, db, store)) {
                a.indexSets().create("app", IndexSetSpec.defaults());
                List<Map<String, Object>> batch = new ArrayList<>();
                for (int i = 0; i < 500; i++) {
                    batch.add(Map.of("log", "request " + i + " done", "dtEventTimeStamp", 1_773_000_000_000L + i,
                            "gseIndex", i));
                }
                a.ingest().ingest("app", batch, true);
                ExportJob job = a.exports().submit(SPACE, "app", SearchParams.of("request"),
                        ExportService.Format.JSONL, Masker.none(), false, "test");
                await().atMost(Duration.ofSeconds(60)).until(() ->
                        !ExportJob.DOWNLOAD_LOG.equals(a.exports().get(SPACE, job.id(), false).status()));
                done = a.exports().get(SPACE, job.id(), false);
                assertThat(done.status()).as(String.valueOf(done.error())).isEqualTo(ExportJob.SUCCESS);
                assertThat(store.list("")).containsExactly(done.filePath());
                try (var local = Files.list(dirA.resolve("exports"))) {
                    assertThat(local.toList()).as("nothing left in the data dir").isEmpty();
                }
            }

            try (LogPlatform b = instance(dirB, db, store)) {
                ExportJobService exports = b.exports();
                List<String> lines;
                try (ExportStore.Download d = exports.download(SPACE, done.id(), false);
                     BufferedReader r = new BufferedReader(new InputStreamReader(new GZIPInputStream(d.content()),
                             StandardCharsets.UTF_8))) {
                    assertThat(d.sizeBytes()).isEqualTo(done.sizeBytes());
                    lines = r.lines().toList();
                }
                assertThat(lines).hasSize(500).allMatch(l -> l.contains("request "));

                clock.advance(Duration.ofHours(2));
                assertThat(exports.cleanExpired()).isEqualTo(1);
                assertThat(store.list("")).as("the expiry deletes the object").isEmpty();
                assertThatThrownBy(() -> exports.download(SPACE, done.id(), false))
                        .isInstanceOfSatisfying(BklogException.class, e ->
                                assertThat(e.code()).isEqualTo(ErrorCode.EXPORT_EXPIRED));
            }
        }
    }
}
