package io.bklog.core.ops;

import io.bklog.core.meta.BackupRecord;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.store.StorageTopology;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskContext;
import io.bklog.core.schedule.TaskStatus;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.TaskBroker;
import io.bklog.core.schedule.TaskRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Objects;

/**
 * The operations of one platform: index lifecycle, restore of archives, backups. Takes its dependencies explicitly
 * (the metadata database, the {@link StorageTopology}, the clock, the scheduler long operations run on) and owns no
 * thread: the periodic work runs on the {@link Scheduler} after {@link #register(TaskRegistry)}.
 * {@link io.bklog.core.LogPlatform#operations()} is the one of a platform.
 *
 * <pre>{@code
 * Operations ops = Operations.builder().metadata(meta).topology(topology).clock(clock).scheduler(scheduler).build();
 * ops.register(scheduler.registry());   // lifecycle tasks + the restore and backup tasks
 * BackupManifest full = ops.backups().full();
 * }</pre>
 */
public final class Operations {
    /** The async task that takes a backup; arg {@code kind} = {@code full} (default) or {@code incremental}. */
    public static final String BACKUP_TASK = "backup";
    /** The async task that restores a backup (and its chain) into this platform; arg {@code id} = backup id. */
    public static final String RESTORE_BACKUP_TASK = "restore_backup";
    /** The async task that restores archived data of an index set ({@link RestoreService#TASK}). */
    public static final String ARCHIVE_RESTORE_TASK = RestoreService.TASK;

    private final Builder config;
    private final Clock clock;
    private final Scheduler scheduler;
    private final IndexLifecycle lifecycle;
    private final RestoreService restores;
    private final BackupService backups;
    private final int keepFull;

    private Operations(Builder b) {
        this.keepFull = b.keepFull;
        this.config = b.copy();
        this.clock = b.clock;
        this.scheduler = b.scheduler;
        java.util.function.UnaryOperator<SnapshotRepository> archives = archiveRepositories(b);
        this.lifecycle = new IndexLifecycle(b.metadata, b.topology, b.clock, archives);
        Path diskDir = b.dataDir != null ? b.dataDir : Path.of(System.getProperty("java.io.tmpdir"));
        this.restores = new RestoreService(b.metadata, b.topology, b.clock,
                b.diskSpace != null ? b.diskSpace : DiskSpace.of(diskDir), b.watermarkRatio, b.scheduler, archives);
        if (b.backupStore != null) {
            Path staging = b.dataDir != null ? b.dataDir.resolve("backup-staging")
                    : Path.of(System.getProperty("java.io.tmpdir"), "bklog-backup-staging");
            this.backups = new BackupService(b.metadata, b.topology, b.backupStore, staging, b.clock);
        } else {
            Path location = b.backupLocation != null ? b.backupLocation
                    : b.dataDir != null ? b.dataDir.resolve("backups")
                    : Path.of(System.getProperty("java.io.tmpdir"), "bklog-backups");
            this.backups = new BackupService(b.metadata, b.topology, location, b.clock);
        }
    }

    /**
     * Where archive snapshots go for a cluster's repository: itself, or (with {@link Builder#archiveStore}) one
     * {@link BlobArchiveRepository} per repository, downloading into {@code {dataDir}/archive-staging}.
     */
    private static java.util.function.UnaryOperator<SnapshotRepository> archiveRepositories(Builder b) {
        if (b.archiveStore == null) return java.util.function.UnaryOperator.identity();
        io.bklog.spi.BlobStore blobs = b.archiveStore;
        Path staging = b.dataDir != null ? b.dataDir.resolve("archive-staging")
                : Path.of(System.getProperty("java.io.tmpdir"), "bklog-archive-staging");
        java.util.Map<SnapshotRepository, SnapshotRepository> wrapped =
                java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());
        return repo -> repo == null ? null
                : wrapped.computeIfAbsent(repo, r -> new BlobArchiveRepository(r, blobs, staging));
    }

    /** A builder; {@link Builder#metadata}, {@link Builder#topology} and {@link Builder#clock} are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** These operations with backups in {@code dir} instead (e.g. {@code bklog backup --dir}). */
    public Operations withBackupLocation(Path dir) {
        return config.copy().backupLocation(dir).build();
    }

    /** These operations with backups in {@code store} instead (e.g. an S3 bucket); staged in the data dir. */
    public Operations withBackupStore(io.bklog.spi.BlobStore store) {
        return config.copy().backupStore(store).build();
    }

    /** The clock of the operations (restore expiries, backup ids). */
    public Clock clock() {
        return clock;
    }

    public IndexLifecycle lifecycle() {
        return lifecycle;
    }

    public RestoreService restores() {
        return restores;
    }

    public BackupService backups() {
        return backups;
    }

    /**
     * Registers the lifecycle tasks ({@link MaintenanceTasks}), the archive restore task ({@link RestoreService#TASK})
     * and the backup tasks ({@value #BACKUP_TASK}, {@value #RESTORE_BACKUP_TASK}).
     */
    public void register(TaskRegistry registry) {
        MaintenanceTasks.register(registry, lifecycle);
        restores.register(registry);
        registry.register(new AsyncTask(BACKUP_TASK, TaskBroker.QUEUE_DEFAULT, Duration.ofHours(2), 1, ctx -> {
            String kind = ctx.args().getOrDefault("kind", "full");
            ThrottledProgress progress = new ThrottledProgress(ctx);
            BackupManifest m = switch (parseKind(kind)) {
                case FULL -> backups.full(progress);
                case INCREMENTAL -> backups.incremental(progress);
            };
            if (keepFull > 0) backups.prune(keepFull);
            return m.id();
        }));
        registry.register(new AsyncTask(RESTORE_BACKUP_TASK, TaskBroker.QUEUE_DEFAULT, Duration.ofHours(6), 0, ctx -> {
            String id = ctx.args().get("id");
            if (id == null) throw new IllegalArgumentException("task " + RESTORE_BACKUP_TASK + " needs the arg 'id'");
            // no status write while the metadata is imported (it needs an empty async_tasks table): progress is
            // reported from the index restore on
            ThrottledProgress indices = new ThrottledProgress(ctx);
            BackupService.RestoreResult r = backups.restore(id, (f, msg) -> {
                if (f >= 0.1) indices.onProgress(f, msg);
            });
            return "restored backup " + r.id() + ": " + r.indices().size() + " indices, " + r.metadataRows()
                    + " metadata rows";
        }));
    }

    /** {@code full} or {@code incremental}; anything else is refused naming both. */
    public static BackupRecord.Kind parseKind(String kind) {
        if ("full".equalsIgnoreCase(kind)) return BackupRecord.Kind.FULL;
        if ("incremental".equalsIgnoreCase(kind)) return BackupRecord.Kind.INCREMENTAL;
        throw new OpsException(io.bklog.core.ErrorCode.BAD_REQUEST, "backup kind must be 'full' or 'incremental', got '"
                + kind + "'", "kind");
    }

    /**
     * Queues a backup on the platform's scheduler; returns the task id whose status shows progress and, once done,
     * the backup id as its result.
     */
    public String submitBackup(String kind) {
        parseKind(kind);
        return scheduler().submit(BACKUP_TASK, java.util.Map.of("kind", kind.toLowerCase(java.util.Locale.ROOT)));
    }

    /** Queues the restore of backup {@code id} (with its chain) into this platform; returns the task id. */
    public String submitBackupRestore(String id) {
        backups.get(id); // fails now when the backup does not exist
        return scheduler().submit(RESTORE_BACKUP_TASK, java.util.Map.of("id", id));
    }

    /**
     * Starts restoring archived data of {@code indexSet} for {@code start..end}, kept until {@code expiresAt}, as a
     * task on the platform's scheduler; see {@link RestoreService#start}.
     */
    public RestoreService.Started startRestore(String indexSet, Instant start, Instant end, Instant expiresAt) {
        return restores.startTask(indexSet, start, end, expiresAt);
    }

    private Scheduler scheduler() {
        if (scheduler == null) {
            throw new IllegalStateException("these operations have no scheduler to run tasks on; give one to the builder");
        }
        return scheduler;
    }

    /** The status of a task queued by one of these methods (or any ad-hoc task). */
    public Optional<TaskStatus> taskStatus(String taskId) {
        return scheduler().status(taskId);
    }

    /**
     * Reports progress to a task at most every 250 ms (and always the last step), so a snapshot reporting per file
     * does not write the shared status row thousands of times.
     */
    private static final class ThrottledProgress implements SnapshotRepository.ProgressListener {
        private final TaskContext ctx;
        private long lastAt;
        private double last = -1;

        ThrottledProgress(TaskContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public synchronized void onProgress(double fraction, String message) {
            long now = System.nanoTime();
            if (fraction >= 1.0 || last < 0 || now - lastAt >= 250_000_000L) {
                ctx.progress(fraction, message);
                lastAt = now;
                last = fraction;
            }
        }
    }

    /**
     * Builder; defaults: backups in {@code {dataDir}/backups} ({@code {tmp}/bklog-backups} without a data dir), the
     * disk of the data dir for the restore watermark, watermark ratio {@value RestoreService#DEFAULT_WATERMARK_RATIO},
     * no scheduler (restores run synchronously, task submission is refused).
     */
    public static final class Builder {
        private MetadataStore metadata;
        private StorageTopology topology;
        private Clock clock;
        private Path dataDir;
        private Scheduler scheduler;
        private Path backupLocation;
        private io.bklog.spi.BlobStore backupStore;
        private io.bklog.spi.BlobStore archiveStore;
        private DiskSpace diskSpace;
        private double watermarkRatio = RestoreService.DEFAULT_WATERMARK_RATIO;
        private int keepFull;

        private Builder() {
        }

        /**
         * Retention: after each backup task, keep the newest {@code n} full backups (with their incremental ones) and
         * delete the older ones ({@link BackupService#prune}); 0 (the default) keeps all.
         */
        public Builder keepFull(int n) {
            if (n < 0) throw new IllegalArgumentException("'keep_full' must be 0 (keep all) or more, got " + n);
            this.keepFull = n;
            return this;
        }

        public Builder metadata(MetadataStore metadata) {
            this.metadata = Objects.requireNonNull(metadata, "metadata");
            return this;
        }

        /** The store and which snapshot repository serves each index set. */
        public Builder topology(StorageTopology topology) {
            this.topology = Objects.requireNonNull(topology, "topology");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The data dir: default backup location and restore disk; null = none (the temp dir is used). */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Where backups and restores run as tasks (their tasks registered by {@link Operations#register}). */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        public Builder backupLocation(Path dir) {
            this.backupLocation = Objects.requireNonNull(dir, "backupLocation");
            this.backupStore = null;
            return this;
        }

        /**
         * Where backups are kept when not in a local directory (an S3 bucket); they are staged in
         * {@code {dataDir}/backup-staging} before their upload. Replaces {@link #backupLocation}.
         */
        public Builder backupStore(io.bklog.spi.BlobStore store) {
            this.backupStore = Objects.requireNonNull(store, "backupStore");
            this.backupLocation = null;
            return this;
        }

        /**
         * Where archive snapshots (retention's archive-before-delete) are kept instead of the data dir: a directory
         * or an S3 bucket ({@link BlobArchiveRepository}); restores of archived ranges download from it. Default
         * none: they stay in the cluster's snapshot repository.
         */
        public Builder archiveStore(io.bklog.spi.BlobStore store) {
            this.archiveStore = Objects.requireNonNull(store, "archiveStore");
            return this;
        }

        public Builder diskSpace(DiskSpace disk) {
            this.diskSpace = Objects.requireNonNull(disk, "diskSpace");
            return this;
        }

        /** Share (0..1] of the free disk space a restore may fill. */
        public Builder watermarkRatio(double ratio) {
            this.watermarkRatio = ratio;
            return this;
        }

        private Builder copy() {
            Builder b = new Builder();
            b.metadata = metadata;
            b.topology = topology;
            b.clock = clock;
            b.dataDir = dataDir;
            b.scheduler = scheduler;
            b.backupLocation = backupLocation;
            b.backupStore = backupStore;
            b.archiveStore = archiveStore;
            b.diskSpace = diskSpace;
            b.watermarkRatio = watermarkRatio;
            b.keepFull = keepFull;
            return b;
        }

        public Operations build() {
            Objects.requireNonNull(metadata, "metadata");
            Objects.requireNonNull(topology, "topology");
            Objects.requireNonNull(clock, "clock");
            return new Operations(this);
        }
    }
}
