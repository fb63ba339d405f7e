package io.bklog.core;

import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.memory.InProcessLock;
import io.bklog.core.memory.InProcessTaskBroker;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.memory.MemorySnapshotRepository;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataHealthIndicator;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.Space;
import io.bklog.core.search.BklogSearchSyntax;
import io.bklog.core.search.SearchService;
import io.bklog.core.search.SearchSyntax;
import io.bklog.core.store.RoutingLogStore;
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
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Builds a {@link LogPlatform}. Components are given explicitly ({@link #store}, {@link #taskBroker}, ...) or chosen
 * by backend name ({@link #backend(String, Map)}), found among the {@linkplain #installProvider installed} providers
 * and those on the classpath ({@link ServiceLoader} of {@link BackendProvider}). An explicit component wins over a
 * backend's; among backends, the first selected that offers a component provides it.
 *
 * <p>Defaults: no store given and no selected backend offering one (only {@code redis} or {@code kafka}, say) = the {@code lucene} backend in {@link #dataDir} when a data dir is set and
 * the Lucene provider is on the classpath, otherwise the {@code memory} backend (always available, built in); an
 * in-process task broker and lock; metadata in an embedded H2 database under {@code {dataDir}/meta} (in memory
 * without a data dir), migrated at start; {@link Clock#systemUTC()}; a {@link SimpleMeterRegistry}.
 *
 * <p>The platform owns what it is given: {@link LogPlatform#close()} closes the components and backends, last
 * created first.
 */
public final class LogPlatformBuilder {
    private static final Logger log = LoggerFactory.getLogger(LogPlatformBuilder.class);

    private LogStore store;
    private SnapshotRepository snapshotRepository;
    private IngestBuffer ingestBuffer;
    private TaskBroker taskBroker;
    private DistributedLock lock;
    private Path dataDir;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private MetadataStore metadata;
    private MetadataConfig metadataConfig;
    private Boolean migrateOnStart;
    private SearchSyntax searchSyntax;
    private io.bklog.core.search.ExportJobConfig exportConfig = io.bklog.core.search.ExportJobConfig.defaults();
    private String defaultCluster;
    private final List<BackendSelection> backends = new ArrayList<>();
    private final Map<String, BackendProvider> installed = new LinkedHashMap<>();
    private final List<HealthIndicator> extraHealth = new ArrayList<>();
    private final List<io.bklog.spi.source.SourceFactory> collectorSources = new ArrayList<>();
    private io.bklog.core.collect.CollectorConfinement collectorConfinement;
    private io.bklog.core.schedule.SchedulerSettings schedulerSettings =
            io.bklog.core.schedule.SchedulerSettings.workersOnly();
    private final List<io.bklog.core.schedule.TaskSpec> tasks = new ArrayList<>();
    private java.time.Duration healthTimeout;
    private final io.bklog.core.ops.Operations.Builder operations = io.bklog.core.ops.Operations.Builder.detached();

    LogPlatformBuilder() {
    }

    /**
     * Installs a collector source type (the source SPI, e.g. one of a module not found by
     * {@link java.util.ServiceLoader}); it wins over a ServiceLoader or built-in ({@code file}, {@code syslog})
     * factory of the same type.
     */
    public LogPlatformBuilder collectorSource(io.bklog.spi.source.SourceFactory factory) {
        this.collectorSources.add(Objects.requireNonNull(factory, "factory"));
        return this;
    }

    /**
     * The host resources the built-in {@code file} and {@code syslog} collectors may use (allowed paths, forbidden
     * directories, allowed ports). Default: any path and port except under the data dir (the embedding host is
     * trusted); the server sets {@code collectors.*} (docs/security.md).
     */
    public LogPlatformBuilder collectorConfinement(io.bklog.core.collect.CollectorConfinement confinement) {
        this.collectorConfinement = Objects.requireNonNull(confinement, "confinement");
        return this;
    }

    /** The store of documents. Default: see the class comment. */
    public LogPlatformBuilder store(LogStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return this;
    }

    /** Where archives and backups go. Default: the selected backends', else none. */
    public LogPlatformBuilder snapshotRepository(SnapshotRepository repository) {
        this.snapshotRepository = Objects.requireNonNull(repository, "repository");
        return this;
    }

    /** The buffer between ingest and the store. Default: the selected backends', else none. */
    public LogPlatformBuilder ingestBuffer(IngestBuffer buffer) {
        this.ingestBuffer = Objects.requireNonNull(buffer, "buffer");
        return this;
    }

    /** The broker of scheduled tasks. Default: the selected backends', else none. */
    public LogPlatformBuilder taskBroker(TaskBroker broker) {
        this.taskBroker = Objects.requireNonNull(broker, "broker");
        return this;
    }

    /** The lock that makes a periodic task run once per period. Default: the selected backends', else none. */
    public LogPlatformBuilder lock(DistributedLock lock) {
        this.lock = Objects.requireNonNull(lock, "lock");
        return this;
    }

    /** Directory for embedded data (Lucene indices, H2). Default: none, so everything is kept in memory. */
    public LogPlatformBuilder dataDir(Path dataDir) {
        this.dataDir = Objects.requireNonNull(dataDir, "dataDir");
        return this;
    }

    /** The clock for ingest times and relative search times. Default: {@link Clock#systemUTC()}. */
    public LogPlatformBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /** Async export settings (size limit, expiry, threads). Default {@link io.bklog.core.search.ExportJobConfig#defaults()}. */
    public LogPlatformBuilder exports(io.bklog.core.search.ExportJobConfig config) {
        this.exportConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /** Where metrics go. Default: a {@link SimpleMeterRegistry}. */
    public LogPlatformBuilder meterRegistry(MeterRegistry registry) {
        this.meterRegistry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /** An open metadata database (index sets, spaces, ...). Default: see {@link #metadataConfig}. */
    public LogPlatformBuilder metadata(MetadataStore metadata) {
        this.metadata = Objects.requireNonNull(metadata, "metadata");
        return this;
    }

    /**
     * Where the metadata database is, e.g. MariaDB. Default: embedded H2 in {@code {dataDir}/meta}, or in memory
     * without a data dir.
     */
    public LogPlatformBuilder metadataConfig(MetadataConfig config) {
        this.metadataConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /**
     * Whether {@link #build()} migrates the metadata schema. Default: true for the embedded H2 database, false for
     * a configured one, where a schema older than this code fails the build with "run bklog migrate".
     */
    public LogPlatformBuilder migrateOnStart(boolean migrate) {
        this.migrateOnStart = migrate;
        return this;
    }

    /** The query language of searches. Default: bklog's query string, filters and time expressions. */
    public LogPlatformBuilder searchSyntax(SearchSyntax syntax) {
        this.searchSyntax = Objects.requireNonNull(syntax, "syntax");
        return this;
    }

    /** Adds a health check (e.g. a scheduler's) to {@link LogPlatform#health()}; none by default. */
    public LogPlatformBuilder healthIndicator(HealthIndicator indicator) {
        extraHealth.add(Objects.requireNonNull(indicator, "indicator"));
        return this;
    }

    /**
     * The roles and pace of the platform's scheduler ({@link LogPlatform#scheduler()}). Default:
     * {@link io.bklog.core.schedule.SchedulerSettings#workersOnly()} (2 workers, no beat, so an embedded platform
     * never deletes indices on its own); {@code bklog serve} runs the beat too.
     */
    public LogPlatformBuilder scheduler(io.bklog.core.schedule.SchedulerSettings settings) {
        this.schedulerSettings = Objects.requireNonNull(settings, "settings");
        return this;
    }

    /** Registers one more task (periodic or async) on the platform's scheduler, e.g. an export task. */
    public LogPlatformBuilder task(io.bklog.core.schedule.TaskSpec task) {
        tasks.add(Objects.requireNonNull(task, "task"));
        return this;
    }

    /** Options of {@link LogPlatform#operations()}: backup location, restore disk watermark. */
    public LogPlatformBuilder operations(java.util.function.Consumer<io.bklog.core.ops.Operations.Builder> options) {
        options.accept(operations);
        return this;
    }

    /** How long each health check may take before {@link LogPlatform#health()} reports it timed out. Default 2 s. */
    public LogPlatformBuilder healthTimeout(java.time.Duration timeout) {
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("health timeout must be positive, got " + timeout);
        }
        this.healthTimeout = timeout;
        return this;
    }

    /**
     * The storage cluster index sets without a {@code storage_cluster} go to, when several store backends are
     * selected. Default: the first selected store backend's cluster.
     */
    public LogPlatformBuilder defaultCluster(String cluster) {
        this.defaultCluster = Objects.requireNonNull(cluster, "cluster");
        return this;
    }

    /**
     * Selects a backend by provider name, with its settings. Several store backends may be selected (two
     * {@code elasticsearch} backends with different {@code cluster} settings, or {@code lucene} and
     * {@code elasticsearch}): each becomes a storage cluster, named by its {@code cluster} setting or else by the
     * provider name, and index sets are routed to the cluster they name ({@link io.bklog.core.store.RoutingLogStore}).
     */
    public LogPlatformBuilder backend(String name, Map<String, String> settings) {
        return backend(new BackendSelection(name, settings));
    }

    public LogPlatformBuilder backend(BackendSelection selection) {
        backends.add(Objects.requireNonNull(selection, "selection"));
        return this;
    }

    /** Makes a provider available by its name, ahead of a classpath provider of the same name. */
    public LogPlatformBuilder installProvider(BackendProvider provider) {
        installed.put(Objects.requireNonNull(provider, "provider").name(), provider);
        return this;
    }

    /** The providers {@link #build()} chooses from: installed ones, then the classpath's, by name. */
    public Map<String, BackendProvider> providers() {
        Map<String, BackendProvider> all = new TreeMap<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, LogPlatformBuilder.class.getClassLoader())) {
            all.putIfAbsent(p.name(), p);
        }
        all.putIfAbsent(MemoryLogStore.BACKEND, new MemoryProvider());
        all.putAll(installed);
        return all;
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

    /**
     * Opens the selected backends and builds the services. Fails with {@link ErrorCode#UNKNOWN_BACKEND} naming the
     * providers found when a name is unknown, and {@link ErrorCode#BAD_BACKEND_CONFIG} when a backend refuses its
     * settings; backends opened before the failure are closed again (given components are left open).
     */
    public LogPlatform build() {
        Map<String, BackendProvider> providers = providers();
        List<BackendSelection> selected = new ArrayList<>(backends);
        if (store == null && selected.isEmpty()) {
            selected.add(BackendSelection.of(defaultStoreBackend(providers)));
        }
        List<AutoCloseable> owned = new ArrayList<>();
        for (AutoCloseable c : new AutoCloseable[] {metadata, store, snapshotRepository, ingestBuffer, taskBroker,
                lock}) {
            if (c != null) owned.add(c);
        }
        LogStore st = store;
        SnapshotRepository snapshots = snapshotRepository;
        IngestBuffer buffer = ingestBuffer;
        TaskBroker broker = taskBroker;
        DistributedLock lk = lock;
        List<HealthIndicator> health = new ArrayList<>();
        List<AutoCloseable> opened = new ArrayList<>();
        List<StoreCluster> clusters = new ArrayList<>();
        String singleCluster = io.bklog.core.meta.IndexSet.DEFAULT_STORE;
        try {
            PlatformTasks.validate(schedulerSettings, tasks);
            for (int i = 0; i < selected.size(); i++) {
                BackendSelection sel = selected.get(i);
                Backend backend = open(providers, sel);
                opened.add(backend);
                if (store == null && backend.logStore().isPresent()) {
                    if (clusters.isEmpty()) singleCluster = sel.settings().getOrDefault("cluster", singleCluster);
                    clusters.add(clusterOf(sel, backend, clusters));
                }
                if (st == null) st = backend.logStore().orElse(null);
                if (snapshots == null) snapshots = backend.snapshotRepository().orElse(null);
                if (buffer == null) buffer = backend.ingestBuffer().orElse(null);
                if (broker == null) broker = backend.taskBroker().orElse(null);
                if (lk == null) lk = backend.distributedLock().orElse(null);
                health.addAll(backend.healthIndicators());
                if (i == selected.size() - 1 && st == null && store == null
                        && selected.stream().noneMatch(b -> b.name().equals(defaultStoreBackend(providers)))) {
                    // only non-store backends (redis, kafka) were selected: the default store joins them
                    selected.add(BackendSelection.of(defaultStoreBackend(providers)));
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
            health.addAll(extraHealth);
            MetadataStore meta = metadata != null ? metadata : openMetadata(opened);
            health.add(new MetadataHealthIndicator(meta));
            if (clusters.size() > 1) {
                RoutingLogStore router = router(clusters, meta);
                st = router;
                if (snapshotRepository == null) {
                    snapshots = router.cluster(router.defaultCluster()).flatMap(StoreCluster::snapshotRepository)
                            .orElse(snapshots);
                }
            } else if (defaultCluster != null && !defaultCluster.equals(singleCluster)) {
                throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "default cluster '" + defaultCluster
                        + "' is not a configured storage cluster; configured: " + singleCluster, "default_cluster");
            }
            MeterRegistry meters = meterRegistry != null ? meterRegistry : new SimpleMeterRegistry();
            // a buffer with its own meters (kafka: bklog_kafka_consumer_lag{group,topic})
            if (buffer != null) buffer.bindMeters(io.bklog.core.metrics.MicrometerMeters.of(meters));
            IndexSetService indexSets = new IndexSetService(meta.indexSets(), st, DEFAULT_SPACE, singleCluster);
            indexSets.syncStore();
            DirectIngest ingest = new DirectIngest(indexSets, st, clock, meters);
            SearchService search = new SearchService(indexSets, st, syntax(), clock, meters);
            log.info("bklog platform started store={} data_dir={} backends={}", st.backendName(), dataDir,
                    selected.stream().map(BackendSelection::name).toList());
            owned.addAll(opened);
            io.bklog.core.ingest.IngestMetrics ingestMetrics = new io.bklog.core.ingest.IngestMetrics(meters);
            io.bklog.core.collect.IngestRuntime pipeline = io.bklog.core.collect.IngestRuntime.start(ingest, st, buffer, clock,
                    io.bklog.core.ingest.BatchingSink.builder(st).linger(java.time.Duration.ofMillis(50)).clock(clock)
                            .name("platform").metrics(ingestMetrics));
            owned.add(pipeline); // closed before the store: drains into it
            io.bklog.core.search.ExportJobService exports = new io.bklog.core.search.ExportJobService(
                    meta.exportJobs(), indexSets, search, new io.bklog.core.search.ExportService(indexSets, search, st),
                    st, dataDir, exportConfig, clock);
            owned.add(exports); // closed before the pipeline and the metadata its jobs write to
            io.bklog.core.collect.CollectorService collectors = io.bklog.core.collect.CollectorService.start(meta,
                    indexSets, pipeline, dataDir, ingestMetrics, clock, collectorSources, collectorConfinement);
            owned.add(collectors); // closed before the ingest runtime: sources stop, their pipelines hand on
            io.bklog.core.schedule.Scheduler scheduler = PlatformTasks.scheduler(schedulerSettings, broker, lk, clock,
                    meta, meters);
            health.add(scheduler.healthIndicator());
            owned.add(scheduler); // closed first: no task runs on closed components
            LogPlatform platform = new LogPlatform(meta, st, snapshots, buffer, broker, lk, health, dataDir, clock,
                    meters, indexSets, ingest, search, owned, pipeline, scheduler, operations, healthTimeout, exports,
                    collectors);
            PlatformTasks.register(scheduler, platform.operations(), exports, tasks, schedulerSettings);
            io.bklog.core.schedule.Scheduler sched = scheduler;
            indexSets.onFieldsAdded(name -> sched.submit(PlatformTasks.REINDEX_TASK, Map.of("index_set", name)));
            platform.operations().restores().useScheduler(scheduler);
            scheduler.start();
            log.info("bklog scheduler started beat={} workers={} tasks={}", schedulerSettings.beat(),
                    schedulerSettings.workers(), scheduler.registry().names());
            return platform;
        } catch (RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
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

    /** The router over several store backends; index sets' clusters are looked up in the metadata database. */
    private RoutingLogStore router(List<StoreCluster> clusters, MetadataStore meta) {
        String def = defaultCluster != null ? defaultCluster : clusters.get(0).name();
        if (clusters.stream().noneMatch(c -> c.name().equals(def))) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "default cluster '" + def + "' is not a configured"
                    + " storage cluster; configured: " + String.join(", ", clusters.stream().map(StoreCluster::name)
                    .toList()), "default_cluster");
        }
        var repo = meta.indexSets();
        RoutingLogStore router = new RoutingLogStore(clusters, def,
                name -> repo.findByName(name).map(io.bklog.core.meta.IndexSet::storageCluster));
        log.info("storage clusters={} default_cluster={}", router.clusterNames(), def);
        return router;
    }

    /** {@code lucene} in the data dir when there is one and Lucene is on the classpath, else {@code memory}. */
    private String defaultStoreBackend(Map<String, BackendProvider> providers) {
        return dataDir != null && providers.containsKey("lucene") ? "lucene" : "memory";
    }

    private SearchSyntax syntax() {
        return searchSyntax != null ? searchSyntax : new BklogSearchSyntax();
    }

    /** The space index sets are created in until spaces are managed through the API. */
    public static final String DEFAULT_SPACE = "default";

    private MetadataStore openMetadata(List<AutoCloseable> opened) {
        MetadataConfig cfg = metadataConfig;
        boolean embedded = cfg == null;
        if (cfg == null) {
            cfg = dataDir != null ? MetadataConfig.embedded(dataDir) : MetadataConfig.builder()
                    .jdbcUrl("jdbc:h2:mem:bklog_" + UUID.randomUUID().toString().replace("-", "")
                            + ";MODE=MySQL;DATABASE_TO_LOWER=TRUE;CASE_INSENSITIVE_IDENTIFIERS=TRUE"
                            + ";DEFAULT_NULL_ORDERING=HIGH")
                    .user("sa").maxPoolSize(2).build();
        }
        if (cfg.jdbcUrl().startsWith("jdbc:h2:mem:")) {
            // an in-memory H2 database lives while a connection is open: hold one until the platform closes
            try {
                opened.add(java.sql.DriverManager.getConnection(cfg.jdbcUrl(), cfg.user(), cfg.password()));
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot open the in-memory metadata database: " + e.getMessage(), e);
            }
        }
        MetadataStore meta = MetadataStore.open(cfg, clock);
        opened.add(meta);
        if (migrateOnStart != null ? migrateOnStart : embedded) {
            meta.migrate();
        } else if (!meta.isSchemaCurrent()) {
            throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "the metadata schema of " + cfg.jdbcUrl()
                    + " is at version " + meta.schemaVersion().orElse("none") + " but this bklog needs "
                    + meta.expectedSchemaVersion() + "; run `bklog migrate` first");
        }
        if (meta.spaces().findByUid(DEFAULT_SPACE).isEmpty()) {
            meta.spaces().create(Space.of(DEFAULT_SPACE, "Default space"));
        }
        return meta;
    }

    private Backend open(Map<String, BackendProvider> providers, BackendSelection sel) {
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

    private static void closeQuietly(List<AutoCloseable> owned, RuntimeException failure) {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }
}
