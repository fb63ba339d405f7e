package io.bklog.core.store;

import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where index sets are stored, built once by the platform: the storage clusters, the default one, the
 * {@link LogStore} every service writes to and reads from (a {@link RoutingLogStore} over the clusters when there
 * are several, else the one store) and which snapshot repository serves an index set. The services that care about
 * clusters (index sets, archive, restore, backup) take a topology instead of asking a store what it is.
 *
 * <p>Single-cluster topology ({@link #single}): one store, one cluster name (the {@code cluster} setting of the one
 * store backend, else {@code default}), the platform's snapshot repository for every index set. Routed topology
 * ({@link #routed}): each index set lives in its {@code storage_cluster} and is archived to that cluster's own
 * repository (a cluster can only snapshot its own indices).
 */
public final class StorageTopology {
    private final LogStore store;
    private final RoutingLogStore router;
    private final String singleCluster;
    private final SnapshotRepository repository;

    private StorageTopology(LogStore store, RoutingLogStore router, String singleCluster,
                            SnapshotRepository repository) {
        this.store = Objects.requireNonNull(store, "store");
        this.router = router;
        this.singleCluster = singleCluster;
        this.repository = repository;
    }

    /**
     * One store named {@code cluster}; {@code repository} (may be null) serves every index set.
     */
    public static StorageTopology single(LogStore store, SnapshotRepository repository, String cluster) {
        return new StorageTopology(store, null, Objects.requireNonNull(cluster, "cluster"), repository);
    }

    /** One store in the cluster {@code default}. */
    public static StorageTopology single(LogStore store, SnapshotRepository repository) {
        return single(store, repository, io.bklog.core.meta.IndexSet.DEFAULT_STORE);
    }

    /**
     * Several clusters behind a {@link RoutingLogStore}; {@code resolver} gives the recorded cluster of an index set
     * by name (its {@code storage_cluster} in the metadata database). The platform's repository is the default
     * cluster's, unless {@code repository} is given (non-null).
     */
    public static StorageTopology routed(List<StoreCluster> clusters, String defaultCluster,
                                         Function<String, Optional<String>> resolver, SnapshotRepository repository) {
        RoutingLogStore router = new RoutingLogStore(clusters, defaultCluster, resolver);
        SnapshotRepository platformRepo = repository != null ? repository
                : router.cluster(defaultCluster).flatMap(StoreCluster::snapshotRepository).orElse(null);
        return new StorageTopology(router, router, null, platformRepo);
    }

    /** The store of every index set (routing to its cluster when there are several). */
    public LogStore store() {
        return store;
    }

    /** Whether index sets are routed to several storage clusters. */
    public boolean isRouted() {
        return router != null;
    }

    /** The platform's snapshot repository (the default cluster's when routed); empty when there is none. */
    public Optional<SnapshotRepository> repository() {
        return Optional.ofNullable(repository);
    }

    /**
     * The snapshot repository that serves an index set: its cluster's own when routed (empty when that cluster has
     * none), else the platform's.
     */
    public Optional<SnapshotRepository> repositoryOf(String indexSet) {
        if (router == null) return repository();
        return router.clusterOf(indexSet).snapshotRepository();
    }

    /** The default storage cluster: where index sets without a {@code storage_cluster} go. */
    public String defaultCluster() {
        return router != null ? router.defaultCluster() : singleCluster;
    }

    /** The storage cluster names, the default first. */
    public List<String> clusterNames() {
        if (router == null) return List.of(singleCluster);
        List<String> out = new ArrayList<>();
        out.add(router.defaultCluster());
        router.clusterNames().stream().filter(c -> !c.equals(router.defaultCluster())).forEach(out::add);
        return out;
    }

    /** Whether a cluster of this name is configured. */
    public boolean hasCluster(String name) {
        return router != null ? router.cluster(name).isPresent() : singleCluster.equals(name);
    }

    /** The cluster an index set lives in (routed topologies only; a single store answers its one cluster). */
    public StoreCluster clusterOf(String indexSet) {
        if (router == null) return new StoreCluster(singleCluster, store, repository);
        return router.clusterOf(indexSet);
    }

    /** The configured clusters, in configuration order. */
    public List<StoreCluster> clusters() {
        if (router == null) return List.of(new StoreCluster(singleCluster, store, repository));
        return List.copyOf(router.clusters().values());
    }

    /** The store of the named cluster. */
    public Optional<LogStore> storeOf(String cluster) {
        if (router == null) return singleCluster.equals(cluster) ? Optional.of(store) : Optional.empty();
        return router.cluster(cluster).map(StoreCluster::store);
    }

    /**
     * Routes an index set to a cluster from now on (null = the default); no-op for a single store. Throws
     * {@link IllegalArgumentException} for an unknown cluster.
     */
    public void assign(String indexSet, String cluster) {
        if (router != null) router.assign(indexSet, cluster);
    }

    /** Forgets an index set's assignment; no-op for a single store. */
    public void unassign(String indexSet) {
        if (router != null) router.unassign(indexSet);
    }
}
