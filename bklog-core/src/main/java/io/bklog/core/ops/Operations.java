package io.bklog.core.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.meta.BackupRecord;
import io.bklog.core.schedule.AsyncTask;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskContext;
import io.bklog.core.schedule.TaskStatus;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.TaskBroker;
import io.bklog.core.schedule.TaskRegistry;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Objects;

/**
 * The operations of one {@link LogPlatform}: index lifecycle, restore of archives, backups. Built from a platform;
 * owns no thread (the periodic work runs on a {@link Scheduler} after {@link #register(TaskRegistry)}).
 *
 * <pre>{@code
 * Operations ops = Operations.builder(platform).build();
 * BackupManifest full = ops.backups().full();
 * ops.register(registry);           // lifecycle tasks + the restore task
 * }</pre>
 */
public final class Operations {
    /** The async task that takes a backup; arg {@code kind} = {@code full} (default) or {@code incremental}. */
    public static final String BACKUP_TASK = "backup";
    /** The async task that restores a backup (and its chain) into this platform; arg {@code id} = backup id. */
    public static final String RESTORE_BACKUP_TASK = "restore_backup";
    /** The async task that restores archived data of an index set ({@link RestoreService#TASK}). */
    public static final String ARCHIVE_RESTORE_TASK = RestoreService.TASK;

    private final LogPlatform platform;
    private final IndexLifecycle lifecycle;
    private final RestoreService restores;
    private final BackupService backups;

    private Operations(Builder b) {
        this.platform = b.platform;
        var repo = platform.snapshotRepository().orElse(null);
        this.lifecycle = new IndexLifecycle(platform.metadata(), platform.store(), repo, platform.clock());
        Path diskDir = platform.dataDir().orElse(Path.of(System.getProperty("java.io.tmpdir")));
        this.restores = new RestoreService(platform.metadata(), platform.store(), repo, platform.clock(),
                b.diskSpace != null ? b.diskSpace : DiskSpace.of(diskDir), b.watermarkRatio);
        Path location = b.backupLocation != null ? b.backupLocation
                : platform.dataDir().map(d -> d.resolve("backups"))
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "bklog-backups"));
        this.backups = new BackupService(platform.metadata(), platform.store(), repo, location, platform.clock());
    }

    public static Builder builder(LogPlatform platform) {
        return new Builder(platform);
    }

    public LogPlatform platform() {
        return platform;
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
        throw new IllegalArgumentException("backup kind must be 'full' or 'incremental', got '" + kind + "'");
    }

    /**
     * Queues a backup on the platform's scheduler; returns the task id whose status shows progress and, once done,
     * the backup id as its result.
     */
    public String submitBackup(String kind) {
        parseKind(kind);
        return platform.scheduler().submit(BACKUP_TASK, java.util.Map.of("kind", kind.toLowerCase(java.util.Locale.ROOT)));
    }

    /** Queues the restore of backup {@code id} (with its chain) into this platform; returns the task id. */
    public String submitBackupRestore(String id) {
        backups.get(id); // fails now when the backup does not exist
        return platform.scheduler().submit(RESTORE_BACKUP_TASK, java.util.Map.of("id", id));
    }

    /**
     * Starts restoring archived data of {@code indexSet} for {@code start..end}, kept until {@code expiresAt}, as a
     * task on the platform's scheduler; see {@link RestoreService#start}.
     */
    public RestoreService.Started startRestore(String indexSet, Instant start, Instant end, Instant expiresAt) {
        return restores.startTask(indexSet, start, end, expiresAt);
    }

    /** The status of a task queued by one of these methods (or any ad-hoc task). */
    public Optional<TaskStatus> taskStatus(String taskId) {
        return platform.scheduler().status(taskId);
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
     * disk of the data dir for the restore watermark, watermark ratio {@value RestoreService#DEFAULT_WATERMARK_RATIO}.
     */
    public static final class Builder {
        private final LogPlatform platform;
        private Path backupLocation;
        private DiskSpace diskSpace;
        private double watermarkRatio = RestoreService.DEFAULT_WATERMARK_RATIO;

        private Builder(LogPlatform platform) {
            this.platform = Objects.requireNonNull(platform, "platform");
        }

        /** Options for the operations of a platform not built yet ({@link LogPlatformBuilder#operations}). */
        public static Builder detached() {
            return new Builder();
        }

        private Builder() {
            this.platform = null;
        }

        public Builder backupLocation(Path dir) {
            this.backupLocation = Objects.requireNonNull(dir, "backupLocation");
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

        public Operations build() {
            if (platform == null) throw new IllegalStateException("these options are for a platform's builder");
            return new Operations(this);
        }

        /** Builds the operations of a platform still being built (its constructor passes itself). */
        public Operations build(LogPlatform forPlatform) {
            Builder b = new Builder(forPlatform);
            b.backupLocation = backupLocation;
            b.diskSpace = diskSpace;
            b.watermarkRatio = watermarkRatio;
            return new Operations(b);
        }
    }
}
