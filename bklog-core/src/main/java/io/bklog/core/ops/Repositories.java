package io.bklog.core.ops;

import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.store.RoutingLogStore;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;

/** Finds the snapshot repository an archive config names. */
final class Repositories {
    private Repositories() {}

    /**
     * The snapshot repository of the storage cluster holding an index set: with a {@link RoutingLogStore} each
     * cluster snapshots only its own indices, so that cluster's repository (null when it has none); otherwise the
     * platform's one.
     */
    static SnapshotRepository ofIndexSet(LogStore store, SnapshotRepository configured, String indexSet) {
        if (store instanceof RoutingLogStore router) return router.clusterOf(indexSet).repository();
        return configured;
    }

    /** {@link #ofIndexSet} for the index set of an archive config, by its id. */
    static SnapshotRepository ofIndexSet(LogStore store, SnapshotRepository configured, MetadataStore meta,
                                         long indexSetId) {
        if (!(store instanceof RoutingLogStore)) return configured;
        return meta.indexSets().findById(indexSetId).map(IndexSet::name)
                .map(name -> ofIndexSet(store, configured, name)).orElse(configured);
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
