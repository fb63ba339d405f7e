package io.bklog.core.ops;

import io.bklog.core.LogPlatform;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.schedule.TaskRegistry;

import java.nio.file.Path;
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

    /** Registers the lifecycle tasks ({@link MaintenanceTasks}) and the restore task ({@link RestoreService#TASK}). */
    public void register(TaskRegistry registry) {
        MaintenanceTasks.register(registry, lifecycle);
        restores.register(registry);
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
            return new Operations(this);
        }
    }
}
