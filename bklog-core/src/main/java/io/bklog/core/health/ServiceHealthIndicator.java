package io.bklog.core.health;

import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Health of this bklog process itself (namespace {@code service}): free disk under the data dir, JVM heap use,
 * and any {@link ServiceGauge}s the host adds (ingest queue fill, dead letters).
 *
 * <p>Metrics: {@code disk_free_bytes} (dimension {@code path}; fails when free space is under
 * {@link Builder#minFreeBytes} <em>or</em> under {@link Builder#minFreeRatio} of the volume; 0 disables a limit),
 * {@code jvm_heap_used_ratio} (fails above {@link Builder#maxHeapUsedRatio}), then one metric per gauge.
 */
public final class ServiceHealthIndicator implements HealthIndicator {
    public static final String NAMESPACE = "service";
    public static final long DEFAULT_MIN_FREE_BYTES = 1L << 30;
    public static final double DEFAULT_MIN_FREE_RATIO = 0.05;
    public static final double DEFAULT_MAX_HEAP_USED_RATIO = 0.95;

    /** Space on the volume holding a path. */
    public record DiskUsage(long usableBytes, long totalBytes) {}

    /** Reads the space of the volume holding a path. */
    @FunctionalInterface
    public interface DiskProbe {
        DiskUsage probe(Path path) throws IOException;
    }

    private final Path dataDir;
    private final long minFreeBytes;
    private final double minFreeRatio;
    private final double maxHeapUsedRatio;
    private final DiskProbe diskProbe;
    private final Supplier<MemoryUsage> heap;
    private final List<ServiceGauge> gauges;

    private ServiceHealthIndicator(Builder b) {
        this.dataDir = b.dataDir;
        this.minFreeBytes = b.minFreeBytes;
        this.minFreeRatio = b.minFreeRatio;
        this.maxHeapUsedRatio = b.maxHeapUsedRatio;
        this.diskProbe = b.diskProbe;
        this.heap = b.heap;
        this.gauges = List.copyOf(b.gauges);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String namespace() {
        return NAMESPACE;
    }

    @Override
    public List<HealthzMetric> check() {
        List<HealthzMetric> out = new ArrayList<>();
        if (dataDir != null) out.add(disk());
        out.add(heap());
        for (ServiceGauge g : gauges) out.add(gauge(g));
        return out;
    }

    private HealthzMetric disk() {
        String name = "disk_free_bytes";
        Map<String, String> dims = Map.of("path", dataDir.toString());
        if (!Files.isDirectory(dataDir)) {
            return new HealthzMetric(false, name, null, dims, "data dir " + dataDir + " does not exist or is not a "
                    + "directory", "create it, or point the data dir setting at an existing directory");
        }
        DiskUsage usage;
        try {
            usage = diskProbe.probe(dataDir);
        } catch (IOException | RuntimeException e) {
            return new HealthzMetric(false, name, null, dims, "cannot read free space of " + dataDir + ": " + e,
                    "check that the process may read the data dir and its volume is mounted");
        }
        long free = usage.usableBytes();
        double ratio = usage.totalBytes() > 0 ? (double) free / usage.totalBytes() : 0;
        boolean underBytes = minFreeBytes > 0 && free < minFreeBytes;
        boolean underRatio = minFreeRatio > 0 && usage.totalBytes() > 0 && ratio < minFreeRatio;
        if (underBytes || underRatio) {
            return new HealthzMetric(false, name, free, dims, String.format(Locale.ROOT,
                    "data dir %s has %s free (%.1f%% of %s), under the minimum of %s or %.1f%%",
                    dataDir, bytes(free), ratio * 100, bytes(usage.totalBytes()), bytes(minFreeBytes), minFreeRatio * 100),
                    "free space on that volume (delete or archive old indices, shorten retention) or move the data "
                            + "dir to a larger volume; ingest fails once the disk is full");
        }
        return new HealthzMetric(true, name, free, dims, "", "");
    }

    private HealthzMetric heap() {
        String name = "jvm_heap_used_ratio";
        MemoryUsage u = heap.get();
        long max = u.getMax() > 0 ? u.getMax() : u.getCommitted();
        double ratio = max > 0 ? (double) u.getUsed() / max : 0;
        double rounded = Math.round(ratio * 10_000) / 10_000.0;
        if (ratio > maxHeapUsedRatio) {
            return HealthzMetric.failed(name, rounded, String.format(Locale.ROOT,
                    "JVM heap is %.1f%% used (%s of %s), above %.1f%%", ratio * 100, bytes(u.getUsed()), bytes(max),
                    maxHeapUsedRatio * 100),
                    "give the JVM more heap (-Xmx) or lower batch sizes and ingest concurrency; if it keeps "
                            + "growing, take a heap dump (jcmd <pid> GC.heap_dump) and look for a leak");
        }
        return HealthzMetric.ok(name, rounded);
    }

    private static HealthzMetric gauge(ServiceGauge g) {
        double v;
        try {
            v = g.value().getAsDouble();
        } catch (RuntimeException e) {
            return HealthzMetric.failed(g.name(), null, "cannot read " + g.what() + ": " + e,
                    "the component behind this gauge is broken; see the log");
        }
        if (v > g.failAbove()) {
            return HealthzMetric.failed(g.name(), v, g.what() + " is " + number(v) + ", above the limit "
                    + number(g.failAbove()), g.suggestion());
        }
        return HealthzMetric.ok(g.name(), v);
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3f", v);
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = b;
        int i = -1;
        while (v >= 1024 && i < units.length - 1) {
            v /= 1024;
            i++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }

    public static final class Builder {
        private Path dataDir;
        private long minFreeBytes = DEFAULT_MIN_FREE_BYTES;
        private double minFreeRatio = DEFAULT_MIN_FREE_RATIO;
        private double maxHeapUsedRatio = DEFAULT_MAX_HEAP_USED_RATIO;
        private DiskProbe diskProbe = path -> {
            FileStore store = Files.getFileStore(path);
            return new DiskUsage(store.getUsableSpace(), store.getTotalSpace());
        };
        private Supplier<MemoryUsage> heap = () -> ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        private final List<ServiceGauge> gauges = new ArrayList<>();

        /** The directory whose volume's free space is checked; none (no disk metric) by default. */
        public Builder dataDir(Path dataDir) {
            this.dataDir = dataDir;
            return this;
        }

        /** Fail under this many free bytes; default 1 GiB; 0 disables. */
        public Builder minFreeBytes(long bytes) {
            if (bytes < 0) throw new IllegalArgumentException("minFreeBytes must be >= 0, got " + bytes);
            this.minFreeBytes = bytes;
            return this;
        }

        /** Fail under this fraction of the volume free; default 0.05; 0 disables. */
        public Builder minFreeRatio(double ratio) {
            if (!(ratio >= 0 && ratio < 1)) throw new IllegalArgumentException("minFreeRatio must be in [0, 1), got " + ratio);
            this.minFreeRatio = ratio;
            return this;
        }

        /** Fail when more than this fraction of the max heap is used; default 0.95. */
        public Builder maxHeapUsedRatio(double ratio) {
            if (!(ratio > 0 && ratio <= 1)) {
                throw new IllegalArgumentException("maxHeapUsedRatio must be in (0, 1], got " + ratio);
            }
            this.maxHeapUsedRatio = ratio;
            return this;
        }

        /** How free space is read; default the path's {@link FileStore}. */
        public Builder diskProbe(DiskProbe probe) {
            this.diskProbe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /** How heap use is read; default the platform {@code MemoryMXBean}. */
        public Builder heapUsage(Supplier<MemoryUsage> heap) {
            this.heap = Objects.requireNonNull(heap, "heap");
            return this;
        }

        /** Adds a gauge, e.g. {@link ServiceGauge#ingestQueueFill} or {@link ServiceGauge#deadLetters}. */
        public Builder gauge(ServiceGauge gauge) {
            gauges.add(Objects.requireNonNull(gauge, "gauge"));
            return this;
        }

        public ServiceHealthIndicator build() {
            return new ServiceHealthIndicator(this);
        }
    }
}
