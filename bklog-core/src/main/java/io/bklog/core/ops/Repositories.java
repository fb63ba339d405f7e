package io.bklog.core.ops;

import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.SnapshotRepository;

/** Finds the snapshot repository an archive config names, in a {@link StorageTopology}. */
final class Repositories {
    private Repositories() {}

    /** The repository serving the index set of an archive config, by the index set's id; null when none. */
    static SnapshotRepository ofIndexSet(StorageTopology topology, MetadataStore meta, long indexSetId) {
        if (!topology.isRouted()) return topology.repository().orElse(null);
        return meta.indexSets().findById(indexSetId).map(IndexSet::name)
                .map(name -> topology.repositoryOf(name).orElse(null))
                .orElse(topology.repository().orElse(null));
    }

    /** The repository serving an index set; null when none. */
    static SnapshotRepository ofIndexSet(StorageTopology topology, String indexSet) {
        return topology.repositoryOf(indexSet).orElse(null);
    }

    static SnapshotRepository byName(SnapshotRepository configured, String name) {
        if (configured == null) {
            throw new OpsException("archive repository '" + name + "' is not available: this platform has no "
                    + "snapshot repository configured");
        }
        if (!configured.name().equals(name)) {
            throw new OpsException("archive repository '" + name + "' is not available; the configured snapshot "
                    + "repository is '" + configured.name() + "'");
        }
        return configured;
    }

    static SnapshotRepository required(SnapshotRepository configured, String what) {
        if (configured == null) {
            throw new OpsException(what + " needs a snapshot repository, and this platform has none configured");
        }
        return configured;
    }
}
