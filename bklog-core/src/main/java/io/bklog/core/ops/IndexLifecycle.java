package io.bklog.core.ops;

import io.bklog.core.meta.ArchiveConfig;
import io.bklog.core.meta.ArchivedSnapshot;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.IndexSetCapacity;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.RestoreJob;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The index lifecycle jobs of bklog: retention with archive-before-delete, expiry of archive snapshots, capacity
 * sync, expiry of restores and rotation. Each method does one pass and returns a short summary; they are run by
 * the periodic tasks of {@link MaintenanceTasks}, and are safe to run again after a failure (every step is
 * idempotent). Days are UTC days of {@code clock}.
 */
public final class IndexLifecycle {
    private static final Logger log = LoggerFactory.getLogger(IndexLifecycle.class);

    private final MetadataStore meta;
    private final LogStore store;
    private final StorageTopology topology;
    private final Clock clock;
    private final java.util.function.UnaryOperator<SnapshotRepository> archives;

    /**
     * @param repository the snapshot repository archive configs may name; null when there is none (index sets with an
     *                   archive config then keep their expired indices and each pass logs why)
     */
    public IndexLifecycle(MetadataStore meta, LogStore store, SnapshotRepository repository, Clock clock) {
        this(meta, StorageTopology.single(store, repository), clock);
    }

    /** @param topology the store and which snapshot repository serves each index set (its storage cluster's) */
    public IndexLifecycle(MetadataStore meta, StorageTopology topology, Clock clock) {
        this(meta, topology, clock, java.util.function.UnaryOperator.identity());
    }

    /**
     * @param archives gives the repository archive snapshots go to for a cluster's repository: itself, or a
     *                 {@link BlobArchiveRepository} keeping them in a blob store
     */
    public IndexLifecycle(MetadataStore meta, StorageTopology topology, Clock clock,
                          java.util.function.UnaryOperator<SnapshotRepository> archives) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.store = topology.store();
        this.clock = Objects.requireNonNull(clock, "clock");
        this.archives = Objects.requireNonNull(archives, "archives");
    }

    /** What a retention pass did. */
    public record RetentionResult(List<String> deleted, List<String> snapshotted, List<String> kept) {
        public RetentionResult {
            deleted = List.copyOf(deleted);
            snapshotted = List.copyOf(snapshotted);
            kept = List.copyOf(kept);
        }

        @Override
        public String toString() {
            return "deleted=" + deleted.size() + " snapshotted=" + snapshotted.size() + " kept=" + kept.size();
        }
    }

    /**
     * Deletes the indices older than their index set's {@code retentionDays} (0 = keep forever). When the index set
     * has archive configs, an expired index that holds documents is first snapshotted to each config's repository as
     * {@code {index}_snapshot_{yyyyMMdd}} (recorded in {@code archived_snapshots}) and deleted only once every one of
     * those snapshots has succeeded (bklog's {@code can_delete}); a failed snapshot keeps the index and is retried on
     * the next pass. Restored copies ({@code restore_*}) are left to {@link #expireRestores()}.
     */
    public RetentionResult retention() {
        LocalDate today = IndexNames.dayOf(clock.instant());
        List<String> deleted = new ArrayList<>();
        List<String> snapshotted = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        for (IndexSet set : meta.indexSets().list()) {
            if (set.retentionDays() == 0) continue;
            LocalDate oldestKept = today.minusDays(set.retentionDays());
            List<IndexInfo> expired = store.listIndices(set.name()).stream()
                    .filter(i -> IndexNames.parse(i.name())
                            .filter(p -> !p.restored() && p.indexSet().equals(set.name())
                                    && p.day().isBefore(oldestKept))
                            .isPresent())
                    .toList();
            if (expired.isEmpty()) continue;
            List<ArchiveConfig> archives = meta.archiveConfigs().listByIndexSet(set.id());
            List<String> deletable = new ArrayList<>();
            for (IndexInfo index : expired) {
                boolean canDelete = true;
                if (index.docCount() > 0) {
                    for (ArchiveConfig archive : archives) {
                        Optional<String> taken = archive(archive, index.name(), today);
                        if (taken.isEmpty()) {
                            canDelete = false;
                        } else if (!snapshotted.contains(taken.get())) {
                            snapshotted.add(taken.get());
                        }
                    }
                }
                if (canDelete) deletable.add(index.name()); else kept.add(index.name());
            }
            if (!deletable.isEmpty()) {
                store.deleteIndices(deletable);
                deleted.addAll(deletable);
                log.info("retention deleted index_set={} retention_days={} indices={}", set.name(),
                        set.retentionDays(), deletable);
            }
        }
        RetentionResult result = new RetentionResult(deleted, snapshotted, kept);
        if (!kept.isEmpty()) log.warn("retention kept expired indices (archive snapshot not done) indices={}", kept);
        return result;
    }

    /**
     * Makes sure a successful snapshot of {@code index} exists for {@code archive}: one taken earlier, or today's
     * {@code {index}_snapshot_{yyyyMMdd}}. Returns the snapshot name when it succeeded, empty when it did not.
     */
    private Optional<String> archive(ArchiveConfig archive, String index, LocalDate today) {
        for (ArchivedSnapshot s : meta.archivedSnapshots().listByArchiveConfig(archive.id())) {
            if (ArchivedSnapshot.SUCCESS.equals(s.state()) && s.indices().contains(index)) {
                return Optional.of(s.snapshotName());
            }
        }
        String name = IndexNames.snapshotName(index, today);
        SnapshotRepository repo;
        try {
            repo = archives.apply(Repositories.byName(Repositories.ofIndexSet(topology, meta,
                    archive.indexSetId()), archive.repository()));
        } catch (OpsException e) {
            log.warn("archive skipped index={} archive_config={} reason={}", index, archive.id(), e.getMessage());
            return Optional.empty();
        }
        ArchivedSnapshot record = meta.archivedSnapshots().findByName(archive.id(), name)
                .orElseGet(() -> meta.archivedSnapshots().create(
                        ArchivedSnapshot.of(archive.id(), name, List.of(index), ArchivedSnapshot.IN_PROGRESS)));
        try {
            if (repo.get(name).isPresent()) repo.delete(name);
            SnapshotRepository.SnapshotInfo info = repo.create(name, List.of(index),
                    SnapshotRepository.ProgressListener.NONE);
            boolean ok = info.state() == SnapshotRepository.State.SUCCESS;
            meta.archivedSnapshots().update(record.withState(ok ? ArchivedSnapshot.SUCCESS : ArchivedSnapshot.FAILED));
            log.info("archive snapshot index={} snapshot={} repository={} state={} docs={}", index, name, repo.name(),
                    info.state(), info.docCounts().getOrDefault(index, 0L));
            return ok ? Optional.of(name) : Optional.empty();
        } catch (RuntimeException e) {
            meta.archivedSnapshots().update(record.withState(ArchivedSnapshot.FAILED));
            log.warn("archive snapshot failed index={} snapshot={} error={}", index, name, e.toString());
            return Optional.empty();
        }
    }

    /**
     * Deletes archive snapshots older than their config's {@code snapshotDays} (0 = keep forever) from the repository
     * and marks them {@code deleted}. Returns the names deleted.
     */
    public List<String> expireSnapshots() {
        Instant now = clock.instant();
        List<String> deleted = new ArrayList<>();
        for (ArchiveConfig archive : meta.archiveConfigs().list()) {
            if (archive.keepsForever()) continue;
            Instant before = now.minus(Duration.ofDays(archive.snapshotDays()));
            for (ArchivedSnapshot s : meta.archivedSnapshots().listCreatedBefore(archive.id(), before)) {
                if (ArchivedSnapshot.DELETED.equals(s.state())) continue;
                try {
                    archives.apply(Repositories.byName(Repositories.ofIndexSet(topology, meta,
                            archive.indexSetId()), archive.repository())).delete(s.snapshotName());
                } catch (RuntimeException e) {
                    log.warn("snapshot expiry failed snapshot={} error={}", s.snapshotName(), e.toString());
                    continue;
                }
                meta.archivedSnapshots().update(s.withState(ArchivedSnapshot.DELETED));
                deleted.add(s.snapshotName());
            }
        }
        if (!deleted.isEmpty()) log.info("archive snapshots expired snapshots={}", deleted);
        return deleted;
    }

    /** The recorded capacity of an index set, synced first when none is recorded yet. */
    public IndexSetCapacity capacity(long indexSetId) {
        return meta.capacity().findByIndexSet(indexSetId).orElseGet(() -> {
            syncCapacity();
            return meta.capacity().findByIndexSet(indexSetId).orElseThrow();
        });
    }

    /** Records each index set's documents, bytes and index count (restored copies excluded) in index_set_capacity. */
    public List<IndexSetCapacity> syncCapacity() {
        Instant now = clock.instant();
        List<IndexSetCapacity> out = new ArrayList<>();
        for (IndexSet set : meta.indexSets().list()) {
            long docs = 0;
            long bytes = 0;
            int count = 0;
            for (IndexInfo i : store.listIndices(set.name())) {
                boolean own = IndexNames.parse(i.name())
                        .filter(p -> !p.restored() && p.indexSet().equals(set.name())).isPresent();
                if (!own) continue;
                docs += i.docCount();
                bytes += i.sizeBytes();
                count++;
            }
            out.add(meta.capacity().record(IndexSetCapacity.of(set.id(), docs, bytes, count, now)));
        }
        return out;
    }

    /** Deletes the {@code restore_*} indices of restores past their expiry and marks them expired. */
    public List<String> expireRestores() {
        List<String> deleted = new ArrayList<>();
        for (RestoreJob job : meta.restoreJobs().listExpired(clock.instant())) {
            List<String> indices = RestoreService.ownTargets(meta, job, clock.instant());
            RestoreService.deleteShared(store, indices);
            deleted.addAll(indices);
            meta.restoreJobs().update(job.withProgress(RestoreJob.EXPIRED, job.totalDocCount(),
                    job.completeDocCount(), job.totalStoreSize()));
            log.info("restore expired job={} indices={}", job.id(), indices);
        }
        return deleted;
    }

    /**
     * Drops task run records created more than {@code runs} ago and statuses of finished ad-hoc tasks last updated
     * more than {@code statuses} ago. Returns a summary.
     */
    public String cleanTaskHistory(Duration runs, Duration statuses) {
        Instant now = clock.instant();
        int r = meta.taskRuns().deleteCreatedBefore(now.minus(runs));
        int s = meta.asyncTasks().deleteFinishedBefore(now.minus(statuses));
        if (r + s > 0) log.info("task history cleaned task_runs={} async_tasks={}", r, s);
        return "task_runs=" + r + " async_tasks=" + s;
    }

    /**
     * Makes sure every index set's mapping, today's index and its aliases exist in the store (rotation by size is
     * done by the store on write). Returns the index sets touched.
     */
    public List<String> rotate() {
        List<String> done = new ArrayList<>();
        for (IndexSet set : meta.indexSets().list()) {
            store.ensureIndexSet(set.schema());
            done.add(set.name());
        }
        return done;
    }
}
