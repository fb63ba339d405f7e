package io.bklog.core.ops;

import com.google.common.util.concurrent.Striped;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.ArchivedSnapshot;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.RestoreJob;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskRegistry;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.Lock;
import java.util.Set;

/**
 * Restores archived data of an index set for a time range into {@code restore_*} indices, which the stores search
 * together with the index set (bklog {@code RestoreConfig}). {@link #start} checks the range and the disk, records a
 * restore job and submits the async task {@value #TASK}; the task restores snapshot by snapshot and records
 * progress in the job. Expired restores are dropped by {@link IndexLifecycle#expireRestores()}.
 *
 * <p>Disk check: the restore is refused when its estimated size (the snapshots' sizes) exceeds
 * {@code watermarkRatio} of the free space of the data disk.
 */
public final class RestoreService {
    /** The async task that runs a restore; args {@code job} = restore job id. */
    public static final String TASK = "archive_restore";
    /** Default share of the free disk space a restore may use. */
    public static final double DEFAULT_WATERMARK_RATIO = 0.85;

    private static final Logger log = LoggerFactory.getLogger(RestoreService.class);

    private final MetadataStore meta;
    private final LogStore store;
    private final StorageTopology topology;
    private final Clock clock;
    private final DiskSpace disk;
    private final double watermarkRatio;
    private final Scheduler scheduler;
    private final java.util.function.UnaryOperator<SnapshotRepository> archives;

    /** Restores that run synchronously in {@link #start}, from {@code repository} (may be null). */
    public RestoreService(MetadataStore meta, LogStore store, SnapshotRepository repository, Clock clock,
                          DiskSpace disk, double watermarkRatio) {
        this(meta, StorageTopology.single(store, repository), clock, disk, watermarkRatio, null);
    }

    /**
     * @param topology  the store and which snapshot repository serves each index set
     * @param scheduler where {@link #start} and {@link #startTask} submit restores (the task {@value #TASK}, to be
     *                  {@linkplain #register registered} on it); null = {@link #start} runs the restore before
     *                  returning and {@link #startTask} is refused
     */
    public RestoreService(MetadataStore meta, StorageTopology topology, Clock clock, DiskSpace disk,
                          double watermarkRatio, Scheduler scheduler) {
        this(meta, topology, clock, disk, watermarkRatio, scheduler, java.util.function.UnaryOperator.identity());
    }

    /**
     * @param archives gives the repository archive snapshots are kept in for a cluster's repository: itself, or a
     *                 {@link BlobArchiveRepository} (restores then download from the blob store)
     */
    public RestoreService(MetadataStore meta, StorageTopology topology, Clock clock, DiskSpace disk,
                          double watermarkRatio, Scheduler scheduler,
                          java.util.function.UnaryOperator<SnapshotRepository> archives) {
        this.archives = Objects.requireNonNull(archives, "archives");
        this.meta = Objects.requireNonNull(meta, "meta");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.store = topology.store();
        this.scheduler = scheduler;
        this.clock = Objects.requireNonNull(clock, "clock");
        this.disk = Objects.requireNonNull(disk, "disk");
        if (!(watermarkRatio > 0 && watermarkRatio <= 1)) {
            throw new IllegalArgumentException("restore watermarkRatio must be within (0, 1], got " + watermarkRatio);
        }
        this.watermarkRatio = watermarkRatio;
    }

    /** Registers the restore task (on the registry of the scheduler given to the constructor). */
    public void register(TaskRegistry registry) {
        registry.register(AsyncTask.of(TASK, ctx -> {
            String id = ctx.args().get("job");
            if (id == null) throw new IllegalArgumentException("task " + TASK + " needs the arg 'job'");
            RestoreJob job = run(Long.parseLong(id), ctx::progress);
            if (job.error() != null && !job.error().isEmpty()) {
                throw new OpsException("restore job " + id + " failed: " + job.error());
            }
            return "restored " + job.completeDocCount() + " docs";
        }).withTimeout(java.time.Duration.ofHours(2)));
    }

    /** A restore started as a task: its job (progress in the metadata) and the id of the task that runs it. */
    public record Started(RestoreJob job, String taskId) {}

    /**
     * As {@link #start}, but always on the scheduler given to the constructor: returns at once with the job and
     * the task id whose status shows the progress.
     */
    public Started startTask(String indexSet, Instant start, Instant end, Instant expiresAt) {
        Scheduler s = scheduler;
        if (s == null) throw new IllegalStateException("restores run synchronously: no scheduler was given");
        RestoreJob job = prepare(indexSet, start, end, expiresAt);
        String taskId = s.submit(TASK, Map.of("job", Long.toString(job.id())));
        return new Started(job, taskId);
    }

    /**
     * Drops a restore now: deletes its {@code restore_*} indices and marks it expired (as its expiry would). Returns
     * the indices deleted. Throws {@link ErrorCode#OPERATION_NOT_FOUND} for an unknown id.
     */
    public List<String> delete(long jobId) {
        RestoreJob job;
        try {
            job = meta.restoreJobs().getById(jobId);
        } catch (io.bklog.core.meta.MetadataNotFoundException e) {
            throw new OpsException(ErrorCode.OPERATION_NOT_FOUND, e.getMessage(), "id");
        }
        Instant now = clock.instant();
        List<String> indices = ownTargets(meta, job, now);
        deleteShared(store, indices);
        RestoreJob expired = job.expiredTime().isAfter(now) ? job.withExpiredTime(now) : job;
        meta.restoreJobs().update(expired.withProgress(RestoreJob.EXPIRED, job.totalDocCount(), job.completeDocCount(),
                job.totalStoreSize()));
        log.info("restore deleted job={} indices={}", jobId, indices);
        return indices;
    }

    /** Every restore job recorded, as the metadata database lists them. */
    public List<RestoreJob> list() {
        return meta.restoreJobs().list();
    }

    /** One index to restore from one snapshot. */
    record Item(String snapshot, String index) {}

    /**
     * Starts restoring the archived indices of {@code indexSet} whose days fall in {@code start..end} (UTC days),
     * kept until {@code expiresAt}. Throws {@link OpsException} when the index set has no archive, nothing was
     * archived for the range, or the disk would pass its watermark (the message gives the figures).
     */
    public RestoreJob start(String indexSet, Instant start, Instant end, Instant expiresAt) {
        RestoreJob job = prepare(indexSet, start, end, expiresAt);
        Scheduler s = scheduler;
        if (s != null) {
            s.submit(TASK, Map.of("job", Long.toString(job.id())));
            return job;
        }
        return run(job.id(), SnapshotRepository.ProgressListener.NONE);
    }

    private RestoreJob prepare(String indexSet, Instant start, Instant end, Instant expiresAt) {
        IndexSet set = meta.indexSets().findByName(indexSet).orElseThrow(() -> new OpsException(
                ErrorCode.INDEX_SET_NOT_FOUND, "no index set named '" + indexSet + "'", "index_set"));
        if (end.isBefore(start)) {
            throw new OpsException(ErrorCode.BAD_REQUEST, "restore of '" + indexSet + "': end " + end
                    + " is before start " + start, "end_time");
        }
        if (!expiresAt.isAfter(clock.instant())) {
            throw new OpsException(ErrorCode.BAD_REQUEST, "restore of '" + indexSet + "': expiresAt " + expiresAt
                    + " is not in the future", "expires_at");
        }
        List<ArchiveConfig> archives = meta.archiveConfigs().listByIndexSet(set.id());
        if (archives.isEmpty()) {
            throw new OpsException("index set '" + indexSet + "' has no archive config: nothing to restore");
        }
        ArchiveConfig archive = archives.get(0);
        SnapshotRepository repo = this.archives.apply(Repositories.byName(Repositories.ofIndexSet(topology,
                set.name()), archive.repository()));
        List<Item> plan = plan(meta, archive.id(), IndexNames.dayOf(start), IndexNames.dayOf(end), true);
        if (plan.isEmpty()) {
            throw new OpsException("index set '" + indexSet + "' has no archived data between " + start + " and "
                    + end);
        }
        long bytes = 0;
        long docs = 0;
        for (Item item : plan) {
            SnapshotRepository.SnapshotInfo info = repo.get(item.snapshot()).orElseThrow(() -> new OpsException(
                    "archived snapshot '" + item.snapshot() + "' is missing from repository '" + repo.name() + "'"));
            bytes += info.sizeBytes();
            docs += info.docCounts().getOrDefault(item.index(), 0L);
        }
        long free = disk.freeBytes();
        long allowed = (long) (free * watermarkRatio);
        if (bytes > allowed) {
            throw new OpsException(String.format(
                    "restore of '%s' refused: it needs about %d bytes but the disk has %d bytes free and restores may "
                            + "use at most %.0f%% of it (%d bytes); free space or shorten the range",
                    indexSet, bytes, free, watermarkRatio * 100, allowed));
        }
        RestoreJob job = meta.restoreJobs().create(RestoreJob.of(archive.id(), "[回溯]" + set.name(), start, end,
                expiresAt));
        job = meta.restoreJobs().update(job.withIndexSet(set.id()).withProgress(RestoreJob.PENDING, docs, 0, bytes));
        log.info("restore started job={} index_set={} snapshots={} bytes={} docs={}", job.id(), indexSet, plan.size(),
                bytes, docs);
        return job;
    }

    /** Runs (or resumes) a restore job: restores each planned index not restored yet, recording progress. */
    public RestoreJob run(long jobId, SnapshotRepository.ProgressListener progress) {
        RestoreJob job = meta.restoreJobs().getById(jobId);
        if (job.done()) return job;
        long began = clock.millis();
        ArchiveConfig archive = meta.archiveConfigs().getById(job.archiveConfigId());
        SnapshotRepository repo = archives.apply(Repositories.byName(Repositories.ofIndexSet(topology, meta,
                archive.indexSetId()), archive.repository()));
        List<Item> plan = plan(meta, archive.id(), IndexNames.dayOf(job.startTime()), IndexNames.dayOf(job.endTime()),
                true);
        job = meta.restoreJobs().update(job.withProgress(RestoreJob.RUNNING, job.totalDocCount(), 0,
                job.totalStoreSize()));
        long complete = 0;
        int n = 0;
        try {
            for (Item item : plan) {
                String target = IndexNames.RESTORE_PREFIX + item.index();
                long docs = repo.get(item.snapshot()).map(i -> i.docCounts().getOrDefault(item.index(), 0L))
                        .orElse(0L);
                restoreOnce(repo, item, target, docs);
                complete += docs;
                n++;
                job = meta.restoreJobs().update(job.withProgress(RestoreJob.RUNNING, job.totalDocCount(), complete,
                        job.totalStoreSize()));
                progress.onProgress((double) n / plan.size(), "restored " + target);
            }
            job = meta.restoreJobs().update(job.finished(clock.millis() - began, null));
            log.info("restore done job={} indices={} docs={}", jobId, plan.size(), complete);
            return job;
        } catch (RuntimeException e) {
            meta.restoreJobs().update(job.finished(clock.millis() - began, e.getMessage()));
            log.warn("restore failed job={} error={}", jobId, e.toString());
            throw e;
        }
    }

    /**
     * Restores one archived index unless it is there already. Restores of overlapping days share their
     * {@code restore_*} indices: one index is restored by one of them at a time, and dropped by one only under the
     * same lock ({@link #deleteShared}), in this process. When another instance restored it meanwhile (the repository
     * then refuses this one), it counts as restored only once it holds all its {@code docs}: a partial index (an
     * Elasticsearch restore still running or failed) fails this job instead.
     */
    private void restoreOnce(SnapshotRepository repo, Item item, String target, long docs) {
        Lock lock = TARGET_LOCKS.get(target);
        lock.lock();
        try {
            if (exists(target)) return;
            try {
                repo.restore(item.snapshot(), List.of(item.index()), IndexNames.RESTORE_PREFIX,
                        SnapshotRepository.ProgressListener.NONE);
            } catch (RuntimeException e) {
                long have = docCount(target);
                if (have < 0 || have < docs) throw e;
                log.info("restore of {} made by another restore meanwhile; counted as restored", target);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes {@code restore_*} indices, each under the lock a restore of it takes. */
    static void deleteShared(LogStore store, List<String> indices) {
        for (String index : indices) {
            Lock lock = TARGET_LOCKS.get(index);
            lock.lock();
            try {
                store.deleteIndices(List.of(index));
            } finally {
                lock.unlock();
            }
        }
    }

    private boolean exists(String index) {
        return docCount(index) >= 0;
    }

    /** The documents of a physical index, or -1 when there is none of that name. */
    private long docCount(String index) {
        return store.listIndices(index).stream().filter(i -> i.name().equals(index)).mapToLong(IndexInfo::docCount)
                .findFirst().orElse(-1);
    }

    /** Locks by index name: a fixed set, so names restored over the years do not pile up. */
    private static final Striped<Lock> TARGET_LOCKS = Striped.lock(64);

    /** The archived indices of an archive config whose day is within {@code from..to}, oldest first. */
    static List<Item> plan(MetadataStore meta, long archiveConfigId, LocalDate from, LocalDate to,
                           boolean successfulOnly) {
        List<Item> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (ArchivedSnapshot s : meta.archivedSnapshots().listByArchiveConfig(archiveConfigId)) {
            if (successfulOnly && !ArchivedSnapshot.SUCCESS.equals(s.state())) continue;
            for (String index : s.indices()) {
                boolean inRange = IndexNames.parse(index)
                        .filter(p -> !p.day().isBefore(from) && !p.day().isAfter(to)).isPresent();
                if (inRange && seen.add(index)) out.add(new Item(s.snapshotName(), index));
            }
        }
        out.sort((a, b) -> a.index().compareTo(b.index()));
        return out;
    }

    /**
     * The {@code restore_*} indices of {@code job} that no other live restore (not expired, expiry after
     * {@code now}) also covers: two restores of overlapping days share their indices, and dropping or expiring one
     * must not take the other's days away.
     */
    static List<String> ownTargets(MetadataStore meta, RestoreJob job, Instant now) {
        List<String> mine = new ArrayList<>(targets(meta, job));
        for (RestoreJob other : meta.restoreJobs().listByArchiveConfig(job.archiveConfigId())) {
            if (other.id() == job.id() || RestoreJob.EXPIRED.equals(other.status())
                    || !other.expiredTime().isAfter(now)) {
                continue;
            }
            mine.removeAll(targets(meta, other));
            if (mine.isEmpty()) break;
        }
        return mine;
    }

    /** The {@code restore_*} indices a restore job made (or would make). */
    static List<String> targets(MetadataStore meta, RestoreJob job) {
        return plan(meta, job.archiveConfigId(), IndexNames.dayOf(job.startTime()), IndexNames.dayOf(job.endTime()),
                false).stream().map(i -> IndexNames.RESTORE_PREFIX + i.index()).toList();
    }
}
