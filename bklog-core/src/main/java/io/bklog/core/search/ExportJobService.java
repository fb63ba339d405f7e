package io.bklog.core.search;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.common.io.CountingOutputStream;
import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.ExportJob;
import io.bklog.core.meta.ExportJobRepository;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * Async export (bklog's async export, without its 2 M row cap): every match of a search, masked as the caller
 * requires, streamed page by page ({@code search_after}) into a gzip-compressed CSV or JSON-lines file under
 * {@code {data_dir}/exports}. Jobs are kept in the metadata ({@link ExportJobRepository}), run on a small executor
 * owned by this service ({@link #close()} stops it), report their progress (lines written of the total), fail when
 * the file passes {@link ExportJobConfig#maxBytes()} and can be downloaded until they expire; {@link #cleanExpired()}
 * (also as {@link #cleanupTask()}, for a periodic task) deletes expired files and marks their jobs
 * {@link ExportJob#DOWNLOAD_EXPIRED}.
 *
 * <p>Jobs belong to a space: every look-up takes the caller's space and answers {@link ErrorCode#EXPORT_NOT_FOUND}
 * for a job of another space. A job made without masking (an {@code unmasked} caller) is only visible to callers
 * that may see unmasked values.
 */
public final class ExportJobService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ExportJobService.class);
    /** Sub-directory of the data dir that holds the files. */
    public static final String DIRECTORY = "exports";

    private final ExportJobRepository jobs;
    private final IndexSetService indexSets;
    private final SearchService search;
    private final ExportService export;
    private final LogStore store;
    private final Path directory;
    private final ExportStore files;
    private final ExportJobConfig config;
    private final Clock clock;
    private final ThreadPoolExecutor executor;
    /** Jobs of this instance, queued or running, with the lines written so far. */
    private final Map<String, Long> progress = new ConcurrentHashMap<>();
    /** How often this instance marks its jobs alive. */
    static final Duration HEARTBEAT = Duration.ofSeconds(30);
    /** A running job nobody marked alive for this long belongs to an instance that stopped. */
    static final Duration SILENCE = Duration.ofMinutes(3);
    /** How long an expired export kept in a shared store waits for an instance that can delete it. */
    static final Duration SHARED_GRACE = Duration.ofDays(1);
    private final java.util.concurrent.ScheduledExecutorService heartbeat;
    private final ObjectMapper json = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    /**
     * @param dataDir the platform's data dir (files go to {@code {dataDir}/exports}); null = no async export (a
     *                submit fails naming the missing data dir)
     */
    public ExportJobService(ExportJobRepository jobs, IndexSetService indexSets, SearchService search,
                            ExportService export, LogStore store, Path dataDir, ExportJobConfig config,
                            Clock clock) {
        this(jobs, indexSets, search, export, store, dataDir, config, clock, ExportStore.local());
    }

    /**
     * @param dataDir the platform's data dir: files are written under {@code {dataDir}/exports} (a temporary
     *                directory without one, when {@code files} is shared)
     * @param files   where finished files are kept until they expire: {@link ExportStore#local()} (the data dir) or
     *                a shared store any instance can serve the download from
     */
    public ExportJobService(ExportJobRepository jobs, IndexSetService indexSets, SearchService search,
                            ExportService export, LogStore store, Path dataDir, ExportJobConfig config,
                            Clock clock, ExportStore files) {
        this.files = Objects.requireNonNull(files, "files");
        this.jobs = Objects.requireNonNull(jobs, "jobs");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.search = Objects.requireNonNull(search, "search");
        this.export = Objects.requireNonNull(export, "export");
        this.store = Objects.requireNonNull(store, "store");
        this.directory = dataDir != null ? dataDir.resolve(DIRECTORY) : files == ExportStore.local() ? null
                : Path.of(System.getProperty("java.io.tmpdir"), "bklog-" + DIRECTORY);
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.executor = new ThreadPoolExecutor(config.threads(), config.threads(), 0, TimeUnit.MILLISECONDS,
                new LinkedBlockingQueue<>(256),
                new ThreadFactoryBuilder().setNameFormat("bklog-export-%d").setDaemon(true).build());
        failInterrupted();
        this.heartbeat = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                new ThreadFactoryBuilder().setNameFormat("bklog-export-heartbeat").setDaemon(true).build());
        heartbeat.scheduleWithFixedDelay(this::beat, HEARTBEAT.toMillis(), HEARTBEAT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** What the API shows of a job. */
    public record View(String id, String indexSet, String format, String status, long rowsWritten, long total,
                       double progress, long sizeBytes, Instant expiresAt, String error, Instant createdAt,
                       String downloadUrl) {}

    /** The settings in use. */
    public ExportJobConfig config() {
        return config;
    }

    /**
     * Validates the search and starts an export of all its matches; returns the job, running.
     *
     * @param spaceUid  the caller's space; the job belongs to it
     * @param masker    what the caller may see ({@link Masker#none()} for an {@code unmasked} caller)
     * @param masked    false when the caller sees raw values: the job is then hidden from masked callers
     * @param createdBy who asked (for the record)
     */
    public ExportJob submit(String spaceUid, String indexSet, SearchParams params, ExportService.Format format,
                            Masker masker, boolean masked, String createdBy) {
        if (directory == null) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "async export writes files under {data_dir}/exports, and"
                    + " this platform has no data dir; configure data_dir", "data_dir");
        }
        IndexSet set = indexSets.get(indexSet);
        SearchRequest count = search.request(indexSet, params.withPage(0, 0, null).withAggs(null), masker);
        long total = store.search(count).total();
        ObjectNode request = json.createObjectNode();
        request.put("index_set", set.name());
        request.put("format", format.name().toLowerCase(java.util.Locale.ROOT));
        request.put("masked", masked);
        request.put("total", total);
        request.put("created_by", createdBy);
        request.set("params", json.valueToTree(params.withPage(null, null, null).withAggs(null)));
        String id = "exp_" + UUID.randomUUID().toString().replace("-", "").substring(0, 20);
        ExportJob job = jobs.create(ExportJob.started(id, spaceUid, set.id(), request));
        progress.put(id, 0L);
        log.info("export submitted id={} space={} index_set={} format={} total={} masked={}", id, spaceUid,
                set.name(), format, total, masked);
        try {
            executor.execute(() -> run(job, set.name(), params, format, masker));
        } catch (RejectedExecutionException e) {
            progress.remove(id);
            return jobs.update(job.failed("too many exports are waiting (or the server is stopping); try again later"));
        }
        return job;
    }

    /** The job of this space, or {@link ErrorCode#EXPORT_NOT_FOUND}. */
    public ExportJob get(String spaceUid, String id, boolean callerMasked) {
        return find(spaceUid, id, callerMasked).orElseThrow(() -> new BklogException(ErrorCode.EXPORT_NOT_FOUND,
                "no export '" + id + "' in space '" + spaceUid + "'", "id"));
    }

    /** The exports of the space the caller may see, newest first. */
    public List<ExportJob> list(String spaceUid, boolean callerMasked, int limit) {
        return jobs.listBySpace(spaceUid, 0).stream().filter(j -> visible(j, callerMasked))
                .limit(limit <= 0 ? Long.MAX_VALUE : limit).toList();
    }

    /** Where finished files are kept. */
    public ExportStore files() {
        return files;
    }

    /**
     * The file of a finished, unexpired job of the space (what a download sends), from wherever it is kept: the
     * caller closes it. {@link ErrorCode#EXPORT_EXPIRED} when it expired or is gone, {@link ErrorCode#EXPORT_NOT_READY}
     * while it runs or when it failed.
     */
    public ExportStore.Download download(String spaceUid, String id, boolean callerMasked) {
        ExportJob job = get(spaceUid, id, callerMasked);
        if (ExportJob.DOWNLOAD_EXPIRED.equals(job.status())
                || job.expiresAt() != null && !job.expiresAt().isAfter(clock.instant())) {
            throw new BklogException(ErrorCode.EXPORT_EXPIRED, "export '" + id + "' expired at " + job.expiresAt()
                    + " and its file was deleted; start the export again", "id");
        }
        if (!ExportJob.SUCCESS.equals(job.status())) {
            throw new BklogException(ErrorCode.EXPORT_NOT_READY, "export '" + id + "' is " + job.status()
                    + (job.error() == null ? "; wait until its status is success" : ": " + job.error()), "id");
        }
        return files.open(job.filePath()).orElseThrow(() -> new BklogException(ErrorCode.EXPORT_EXPIRED,
                "the file of export '" + id + "' is gone (deleted from " + files.location() + "); start the export"
                        + " again", "id"));
    }

    /** The file name a download should carry: {@code bk_log_search_{index_set}_{id}.csv.gz}. */
    public static String fileName(ExportJob job) {
        return job.filePath() == null ? job.id() : Path.of(job.filePath()).getFileName().toString();
    }

    /** The API view of a job: live progress while running, the download path once done. */
    public View view(ExportJob job) {
        JsonNode r = job.request();
        long total = r.path("total").asLong();
        long rows = ExportJob.SUCCESS.equals(job.status()) || ExportJob.DOWNLOAD_EXPIRED.equals(job.status())
                ? job.rowCount() : progress.getOrDefault(job.id(), job.rowCount());
        double share = total == 0 ? (ExportJob.SUCCESS.equals(job.status()) ? 1.0 : 0.0)
                : Math.min(1.0, (double) rows / total);
        return new View(job.id(), r.path("index_set").asText(null), r.path("format").asText(null), job.status(), rows,
                total, share, job.sizeBytes(), job.expiresAt(), job.error(), job.createdAt(),
                ExportJob.SUCCESS.equals(job.status()) ? "/api/v1/exports/" + job.id() + "/download" : null);
    }

    /**
     * Deletes the files of successful exports whose expiry passed and marks them {@link ExportJob#DOWNLOAD_EXPIRED};
     * returns how many it expired. Safe to run at any time, from any thread.
     */
    public synchronized int cleanExpired() {
        failInterrupted();
        Instant now = clock.instant();
        int n = 0;
        for (ExportJob job : jobs.listExpired(now)) {
            try {
                if (job.filePath() != null && !files.holds(job.filePath())) {
                    // kept in a shared store this instance is not set up for: an instance that has it deletes the
                    // file; after a day's grace (no such instance left) the job is marked expired anyway
                    if (job.expiresAt() != null && now.isBefore(job.expiresAt().plus(SHARED_GRACE))) continue;
                    log.warn("export expired id={} file={} is in a shared export store this instance is not set up"
                            + " for and no instance with it deleted it within {}; it may remain there", job.id(),
                            job.filePath(), SHARED_GRACE);
                } else if (job.filePath() != null) {
                    files.delete(job.filePath());
                }
                jobs.update(job.withStatus(ExportJob.DOWNLOAD_EXPIRED));
                n++;
                log.info("export expired id={} space={} expires_at={} file={}", job.id(), job.spaceUid(),
                        job.expiresAt(), job.filePath());
            } catch (RuntimeException e) {
                log.warn("export cleanup failed id={} file={} error=\"{}\"", job.id(), job.filePath(), e.toString());
            }
        }
        return n;
    }

    /** {@link #cleanExpired()} as a task for a periodic scheduler. */
    public Runnable cleanupTask() {
        return this::cleanExpired;
    }

    /** Stops the executor; running jobs are interrupted and marked failed. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
                log.warn("export jobs did not stop within 10s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Optional<ExportJob> find(String spaceUid, String id, boolean callerMasked) {
        if (id == null || id.length() > 64) return Optional.empty();
        return jobs.findById(id).filter(j -> Objects.equals(j.spaceUid(), spaceUid) && visible(j, callerMasked));
    }

    private static boolean visible(ExportJob job, boolean callerMasked) {
        return !callerMasked || job.request().path("masked").asBoolean(true);
    }

    /**
     * Marks this instance's jobs (queued or running) alive, then fails the running jobs no instance marked alive for
     * {@link #SILENCE}: a stopped or killed instance's jobs can never finish. Jobs of another live instance (several
     * instances share the metadata) are left alone. Runs at start and with every {@link #cleanExpired()}.
     */
    private void failInterrupted() {
        try {
            jobs.touchRunning(progress.keySet());
            for (ExportJob j : jobs.listRunningSilentSince(clock.instant().minus(SILENCE))) {
                if (progress.containsKey(j.id())) continue;
                jobs.update(j.failed("the server stopped while the export ran; start it again"));
                log.warn("export failed id={} reason=\"its instance stopped while it ran\" last_seen={}", j.id(),
                        j.updatedAt());
            }
        } catch (RuntimeException e) {
            log.warn("could not mark interrupted exports failed error=\"{}\"", e.toString());
        }
    }

    /** Marks this instance's jobs alive (the heartbeat thread). */
    void beat() {
        try {
            jobs.touchRunning(progress.keySet());
        } catch (RuntimeException e) {
            log.warn("export heartbeat failed jobs={} error=\"{}\"", progress.size(), e.toString());
        }
    }

    /** Thrown from the progress callback to stop a job. */
    private static final class Stop extends RuntimeException {
        Stop(String message) {
            super(message, null, false, false);
        }
    }

    private void run(ExportJob job, String indexSet, SearchParams params, ExportService.Format format, Masker masker) {
        String ext = format == ExportService.Format.CSV ? "csv" : "jsonl";
        Path file = directory.resolve("bk_log_search_" + indexSet + "_" + job.id() + "." + ext + ".gz");
        long started = System.nanoTime();
        try {
            Files.createDirectories(directory);
            long rows;
            try (OutputStream raw = Files.newOutputStream(file);
                 CountingOutputStream counted = new CountingOutputStream(new BufferedOutputStream(raw, 1 << 16));
                 GZIPOutputStream gzip = new GZIPOutputStream(counted, 1 << 16)) {
                rows = export.write(indexSet, params, format, masker, gzip, Long.MAX_VALUE, n -> {
                    progress.put(job.id(), n);
                    if (Thread.currentThread().isInterrupted()) {
                        throw new Stop("the server stopped while the export ran; start it again");
                    }
                    if (counted.getCount() > config.maxBytes()) {
                        throw new Stop("the export file passed the size limit of " + config.maxBytes() + " bytes"
                                + " (export.max_bytes) after " + n + " lines; narrow the query or the time range,"
                                + " or raise the limit");
                    }
                });
                gzip.finish();
                if (counted.getCount() > config.maxBytes()) {
                    throw new Stop("the export file passed the size limit of " + config.maxBytes() + " bytes"
                            + " (export.max_bytes) after " + rows + " lines; narrow the query or the time range,"
                            + " or raise the limit");
                }
            }
            long size = Files.size(file);
            String ref = files.keep(file.getFileName().toString(), file);
            Instant expires = clock.instant().plus(config.expiry());
            jobs.update(job.succeeded(ref, size, rows, expires));
            log.info("export done id={} rows={} bytes={} took_ms={} expires_at={}", job.id(), rows, size,
                    (System.nanoTime() - started) / 1_000_000, expires);
        } catch (Stop e) {
            fail(job, file, e.getMessage());
        } catch (IOException | UncheckedIOException e) {
            fail(job, file, "writing " + file + " failed: " + e.getMessage());
        } catch (io.bklog.core.meta.MetadataException e) {
            log.error("export failed id={}", job.id(), e);
            fail(job, file, "internal error: " + e);
        } catch (BklogException e) {
            fail(job, file, e.getMessage());
        } catch (io.bklog.spi.BackendException e) {
            fail(job, file, "keeping the file in " + files.location() + " failed: " + e.getMessage());
        } catch (RuntimeException e) {
            log.error("export failed id={}", job.id(), e);
            fail(job, file, "internal error: " + e);
        } finally {
            progress.remove(job.id());
        }
    }

    private void fail(ExportJob job, Path file, String reason) {
        long rows = progress.getOrDefault(job.id(), 0L);
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            log.warn("export could not delete partial file={} error=\"{}\"", file, e.toString());
        }
        try {
            jobs.update(new ExportJob(job.id(), job.spaceUid(), job.indexSetId(), job.request(), ExportJob.FAILED,
                    null, 0, rows, reason, null, job.version(), job.createdAt(), job.updatedAt()));
        } catch (RuntimeException e) {
            log.warn("export could not record failure id={} error=\"{}\"", job.id(), e.toString());
        }
        log.warn("export failed id={} rows={} reason=\"{}\"", job.id(), rows, reason);
    }
}
