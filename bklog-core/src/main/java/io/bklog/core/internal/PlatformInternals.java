package io.bklog.core.internal;

import io.bklog.core.meta.MetadataStore;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.TaskBroker;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * <b>Internal: not a stable API.</b> The raw components of one platform, for the reference server, tests and
 * benchmarks: the store (bypassing index-set validation, masking and metrics), the metadata database, the buffer,
 * broker and lock, the storage topology. Writing through them skips what the services guarantee; an embedding host
 * uses {@link io.bklog.core.LogPlatform}'s services.
 */
public final class PlatformInternals {
    private final MetadataStore metadata;
    private final StorageTopology topology;
    private final IngestBuffer ingestBuffer;
    private final TaskBroker taskBroker;
    private final DistributedLock lock;
    private final List<HealthIndicator> healthIndicators;
    private final Path dataDir;

    /** Made by the platform's builder. */
    public PlatformInternals(MetadataStore metadata, StorageTopology topology, IngestBuffer ingestBuffer,
                             TaskBroker taskBroker, DistributedLock lock, List<HealthIndicator> healthIndicators,
                             Path dataDir) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.ingestBuffer = ingestBuffer;
        this.taskBroker = taskBroker;
        this.lock = lock;
        this.healthIndicators = List.copyOf(healthIndicators);
        this.dataDir = dataDir;
    }

    /** The store of every index set (a router over the storage clusters when there are several). */
    public LogStore store() { return topology.store(); }

    /** The metadata database: index sets, spaces, tokens, archive and restore records. */
    public MetadataStore metadata() { return metadata; }

    /** The storage clusters and which store and snapshot repository serve each index set. */
    public StorageTopology topology() { return topology; }

    /** The platform's snapshot repository (the default cluster's when there are several). */
    public Optional<SnapshotRepository> snapshotRepository() { return topology.repository(); }

    /** The snapshot repository of the storage cluster holding an index set. */
    public Optional<SnapshotRepository> snapshotRepositoryOf(String indexSet) { return topology.repositoryOf(indexSet); }

    public Optional<IngestBuffer> ingestBuffer() { return Optional.ofNullable(ingestBuffer); }

    public Optional<TaskBroker> taskBroker() { return Optional.ofNullable(taskBroker); }

    public Optional<DistributedLock> lock() { return Optional.ofNullable(lock); }

    /** Health indicators of the configured backends, the metadata database ({@code mysql}) and the scheduler. */
    public List<HealthIndicator> healthIndicators() { return healthIndicators; }

    public Optional<Path> dataDir() { return Optional.ofNullable(dataDir); }
}
