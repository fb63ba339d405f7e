package io.bklog.core;

import io.bklog.core.memory.InProcessLock;
import io.bklog.core.memory.InProcessTaskBroker;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.memory.MemorySnapshotRepository;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.store.StorageTopology;
import io.bklog.core.store.StoreCluster;
import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.TaskBroker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The first step of {@link LogPlatformBuilder#build()}: opens the selected backends by provider name and picks each
 * component (store, snapshot repository, buffer, broker, lock) from the explicit ones, else from the first backend
 * offering it, else the in-process default; every store backend becomes a storage cluster. {@link #topology} then
 * turns the clusters into the platform's {@link StorageTopology} once the metadata database is open.
 */
final class BackendResolution {
    private static final Logger log = LoggerFactory.getLogger(BackendResolution.class);

    /** What the builder was given explicitly; null fields are resolved from the backends. */
    record Given(LogStore store, SnapshotRepository snapshotRepository, IngestBuffer ingestBuffer,
                 TaskBroker taskBroker, DistributedLock lock) {}

    /** The resolved components; {@code opened} holds what was opened here, in order (to close on failure). */
    record Resolved(LogStore store, SnapshotRepository snapshotRepository, IngestBuffer ingestBuffer,
                    TaskBroker taskBroker, DistributedLock lock, List<HealthIndicator> health,
                    List<StoreCluster> clusters, String singleCluster, List<String> selected) {}

    private final Map<String, BackendProvider> providers;
    private final Path dataDir;
    private final Clock clock;

    BackendResolution(Map<String, BackendProvider> providers, Path dataDir, Clock clock) {
        this.providers = providers;
        this.dataDir = dataDir;
        this.clock = clock;
    }

    /** The providers to choose from: installed ones, then the classpath's, then the built-in {@code memory}. */
    static Map<String, BackendProvider> providers(Map<String, BackendProvider> installed) {
        Map<String, BackendProvider> all = new TreeMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, LogPlatformBuilder.class.getClassLoader())) {
            all.putIfAbsent(p.name(), p);
        }
        all.putIfAbsent(MemoryLogStore.BACKEND, new MemoryProvider());
        all.putAll(installed);
        return all;
    }

    /**
     * Opens the backends of {@code selections} (the default store backend when no store is given nor selected)
     * and resolves each component; what is opened is added to {@code opened}.
     */
    Resolved resolve(Given given, List<BackendSelection> selections, List<AutoCloseable> opened) {
        List<BackendSelection> selected = new ArrayList<>(selections);
        if (given.store() == null && selected.isEmpty()) selected.add(BackendSelection.of(defaultStoreBackend()));
        LogStore st = given.store();
        SnapshotRepository snapshots = given.snapshotRepository();
        IngestBuffer buffer = given.ingestBuffer();
        TaskBroker broker = given.taskBroker();
        DistributedLock lk = given.lock();
        List<HealthIndicator> health = new ArrayList<>();
        List<StoreCluster> clusters = new ArrayList<>();
        String singleCluster = IndexSet.DEFAULT_STORE;
        for (int i = 0; i < selected.size(); i++) {
            BackendSelection sel = selected.get(i);
            Backend backend = open(sel);
            opened.add(backend);
            if (given.store() == null && backend.logStore().isPresent()) {
                if (clusters.isEmpty()) singleCluster = sel.settings().getOrDefault("cluster", singleCluster);
                clusters.add(clusterOf(sel, backend, clusters));
            }
            if (st == null) st = backend.logStore().orElse(null);
            if (snapshots == null) snapshots = backend.snapshotRepository().orElse(null);
            if (buffer == null) buffer = backend.ingestBuffer().orElse(null);
            if (broker == null) broker = backend.taskBroker().orElse(null);
            if (lk == null) lk = backend.distributedLock().orElse(null);
            health.addAll(backend.healthIndicators());
            if (i == selected.size() - 1 && st == null && given.store() == null
                    && selected.stream().noneMatch(b -> b.name().equals(defaultStoreBackend()))) {
                // only non-store backends (redis, kafka) were selected: the default store joins them
                selected.add(BackendSelection.of(defaultStoreBackend()));
            }
        }
        if (st == null) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "no log store: none of the selected backends "
                    + selected.stream().map(BackendSelection::name).toList() + " offers one; select a store"
                    + " backend (" + String.join(", ", providers.keySet()) + ") or give .store(...)");
        }
        if (broker == null) {
            // longer than the longest built-in task (restore_backup, 6 h): a run is never handed out twice
            broker = InProcessTaskBroker.builder().clock(clock).visibilityTimeout(java.time.Duration.ofHours(7))
                    .build();
            opened.add(broker);
        }
        if (lk == null) {
            lk = new InProcessLock(clock);
            opened.add(lk);
        }
        return new Resolved(st, snapshots, buffer, broker, lk, health, clusters, singleCluster,
                selected.stream().map(BackendSelection::name).toList());
    }

    /**
     * The storage topology: several store backends = clusters routed by each index set's {@code storage_cluster}
     * (recorded in {@code meta}), default {@code defaultCluster} or the first; else the one store.
     * {@code explicitRepository} (given to the builder) wins over the default cluster's repository.
     */
    static StorageTopology topology(Resolved r, MetadataStore meta, String defaultCluster,
                                    SnapshotRepository explicitRepository) {
        if (r.clusters().size() > 1) {
            List<StoreCluster> clusters = r.clusters();
            String def = defaultCluster != null ? defaultCluster : clusters.get(0).name();
            if (clusters.stream().noneMatch(c -> c.name().equals(def))) {
                throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "default cluster '" + def + "' is not a"
                        + " configured storage cluster; configured: " + String.join(", ", clusters.stream()
                        .map(StoreCluster::name).toList()), "default_cluster");
            }
            SnapshotRepository platformRepo = explicitRepository != null ? explicitRepository
                    : clusters.stream().filter(c -> c.name().equals(def)).findFirst()
                    .flatMap(StoreCluster::snapshotRepository).orElse(r.snapshotRepository());
            var repo = meta.indexSets();
            StorageTopology t = StorageTopology.routed(clusters, def,
                    name -> repo.findByName(name).map(IndexSet::storageCluster), platformRepo);
            log.info("storage clusters={} default_cluster={}",
                    clusters.stream().map(StoreCluster::name).toList(), def);
            return t;
        }
        if (defaultCluster != null && !defaultCluster.equals(r.singleCluster())) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "default cluster '" + defaultCluster
                    + "' is not a configured storage cluster; configured: " + r.singleCluster(), "default_cluster");
        }
        return StorageTopology.single(r.store(), r.snapshotRepository(), r.singleCluster());
    }

    /** A store backend as a storage cluster, named by its {@code cluster} setting, else by the provider name. */
    private static StoreCluster clusterOf(BackendSelection sel, Backend backend, List<StoreCluster> before) {
        String name = sel.settings().getOrDefault("cluster", "").isBlank() ? sel.name() : sel.settings().get("cluster");
        for (StoreCluster c : before) {
            if (c.name().equals(name)) {
                throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "two store backends are both storage cluster '"
                        + name + "'; give each a different `cluster` setting", "cluster");
            }
        }
        try {
            return new StoreCluster(name, backend.logStore().orElseThrow(), backend.snapshotRepository().orElse(null));
        } catch (IllegalArgumentException e) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, e.getMessage(), "cluster");
        }
    }

    /** {@code lucene} in the data dir when there is one and Lucene is on the classpath, else {@code memory}. */
    private String defaultStoreBackend() {
        return dataDir != null && providers.containsKey("lucene") ? "lucene" : "memory";
    }

    private Backend open(BackendSelection sel) {
        BackendProvider provider = providers.get(sel.name());
        if (provider == null) {
            throw new BklogException(ErrorCode.UNKNOWN_BACKEND, "no backend named '" + sel.name()
                    + "'; on the classpath: " + (providers.isEmpty() ? "none" : String.join(", ", providers.keySet())),
                    "backend", Map.of("known", List.copyOf(providers.keySet())), null);
        }
        try {
            return provider.create(BackendConfig.of(sel.settings(), dataDir));
        } catch (IllegalArgumentException e) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "backend '" + sel.name() + "' refused its settings: "
                    + e.getMessage(), "settings", Map.of(), e);
        }
    }

    /** The built-in {@code memory} backend: {@link MemoryLogStore} and a {@link MemorySnapshotRepository}. */
    private static final class MemoryProvider implements BackendProvider {
        @Override
        public String name() {
            return MemoryLogStore.BACKEND;
        }

        @Override
        public Backend create(BackendConfig config) {
            MemoryLogStore store = new MemoryLogStore();
            MemorySnapshotRepository snapshots = new MemorySnapshotRepository(MemoryLogStore.BACKEND, store);
            return new Backend() {
                @Override
                public String name() {
                    return MemoryLogStore.BACKEND;
                }

                @Override
                public Optional<LogStore> logStore() {
                    return Optional.of(store);
                }

                @Override
                public Optional<SnapshotRepository> snapshotRepository() {
                    return Optional.of(snapshots);
                }

                @Override
                public void close() {
                    snapshots.close();
                    store.close();
                }
            };
        }
    }
}
