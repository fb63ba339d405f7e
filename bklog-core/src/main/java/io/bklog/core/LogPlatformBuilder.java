package io.bklog.core;

import io.bklog.core.meta.MetadataConfig;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.search.SearchSyntax;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.TaskBroker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;

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
    // the options; package-private: read by the build steps (BackendResolution, MetadataBootstrap, PlatformWiring)
    private LogStore store;
    private SnapshotRepository snapshotRepository;
    private IngestBuffer ingestBuffer;
    private TaskBroker taskBroker;
    private DistributedLock lock;
    Path dataDir;
    Clock clock = Clock.systemUTC();
    MeterRegistry meterRegistry;
    private MetadataStore metadata;
    private MetadataConfig metadataConfig;
    private Boolean migrateOnStart;
    SearchSyntax searchSyntax;
    io.bklog.core.search.ExportJobConfig exportConfig = io.bklog.core.search.ExportJobConfig.defaults();
    io.bklog.core.search.ExportStore exportStore = io.bklog.core.search.ExportStore.local();
    io.bklog.core.patterns.PatternService.Settings patternSettings =
            io.bklog.core.patterns.PatternService.Settings.defaults();
    private String defaultCluster;
    private final List<BackendSelection> backends = new ArrayList<>();
    private final Map<String, BackendProvider> installed = new LinkedHashMap<>();
    private final List<HealthIndicator> extraHealth = new ArrayList<>();
    final List<io.bklog.spi.source.SourceFactory> collectorSources = new ArrayList<>();
    io.bklog.core.collect.CollectorConfinement collectorConfinement;
    io.bklog.core.schedule.SchedulerSettings schedulerSettings = io.bklog.core.schedule.SchedulerSettings.workersOnly();
    final List<io.bklog.core.schedule.TaskSpec> tasks = new ArrayList<>();
    final List<io.bklog.spi.alert.NotificationChannelFactory> alertChannels = new ArrayList<>();
    io.bklog.core.alert.Sleeper alertSleeper = io.bklog.core.alert.Sleeper.REAL;
    io.bklog.core.alert.AlertingConfig alerting = io.bklog.core.alert.AlertingConfig.defaults();
    java.time.Duration healthTimeout;
    final io.bklog.core.ops.Operations.Builder operations = io.bklog.core.ops.Operations.builder();

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
    /**
     * Log clustering: how often new patterns are written to the metadata database and what other instances mined is
     * read back (docs/patterns.md); default 1 s and 5 s.
     */
    public LogPlatformBuilder patterns(io.bklog.core.patterns.PatternService.Settings settings) {
        this.patternSettings = java.util.Objects.requireNonNull(settings, "settings");
        return this;
    }

    public LogPlatformBuilder exports(io.bklog.core.search.ExportJobConfig config) {
        this.exportConfig = Objects.requireNonNull(config, "config");
        return this;
    }

    /**
     * Where finished async export files are kept until they expire: a shared blob store (a directory every instance
     * mounts, an S3 bucket) so any instance serves a download; the expiry deletes them there. Default: the data dir
     * ({@link io.bklog.core.search.ExportStore#local()}). The platform does not close the store.
     */
    public LogPlatformBuilder exportStore(io.bklog.spi.BlobStore store) {
        this.exportStore = io.bklog.core.search.ExportStore.shared(store);
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

    /**
     * Adds a notification channel type for alerting (docs/alerting.md), besides the built-in {@code webhook} and
     * {@code email} and those found by {@link java.util.ServiceLoader}; a type already taken is refused at build.
     */
    public LogPlatformBuilder alertChannel(io.bklog.spi.alert.NotificationChannelFactory factory) {
        alertChannels.add(Objects.requireNonNull(factory, "factory"));
        return this;
    }

    /**
     * Alerting settings: retention of history and notifications, the internal webhook destinations allowed, the
     * longest message (default {@link io.bklog.core.alert.AlertingConfig#defaults()}).
     */
    public LogPlatformBuilder alerting(io.bklog.core.alert.AlertingConfig config) {
        this.alerting = Objects.requireNonNull(config, "config");
        return this;
    }

    /** How alert deliveries wait between retries (default: {@link Thread#sleep}); tests pass one that does not wait. */
    public LogPlatformBuilder alertSleeper(io.bklog.core.alert.Sleeper sleeper) {
        this.alertSleeper = Objects.requireNonNull(sleeper, "sleeper");
        return this;
    }

    /**
     * Options of {@link LogPlatform#operations()}: backup location, restore disk watermark. The dependencies
     * (metadata, topology, clock, data dir, scheduler) are the platform's, set by {@link #build()}.
     */
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
        return BackendResolution.providers(installed);
    }

    /**
     * Opens the selected backends and builds the services. Fails with {@link ErrorCode#UNKNOWN_BACKEND} naming the
     * providers found when a name is unknown, and {@link ErrorCode#BAD_BACKEND_CONFIG} when a backend refuses its
     * settings; backends opened before the failure are closed again (given components are left open).
     */
    public LogPlatform build() {
        List<AutoCloseable> owned = new ArrayList<>();
        for (AutoCloseable c : new AutoCloseable[] {metadata, store, snapshotRepository, ingestBuffer, taskBroker,
                lock}) {
            if (c != null) owned.add(c);
        }
        int given = owned.size();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            PlatformTasks.validate(schedulerSettings, tasks);
            BackendResolution.Resolved backends = new BackendResolution(providers(), dataDir, clock).resolve(
                    new BackendResolution.Given(store, snapshotRepository, ingestBuffer, taskBroker, lock), this.backends,
                    opened);
            MetadataStore meta = metadata != null ? metadata
                    : new MetadataBootstrap(metadataConfig, migrateOnStart, dataDir, clock).open(opened);
            List<io.bklog.spi.HealthIndicator> health = PlatformWiring.health(backends, extraHealth, meta);
            StorageTopology topology = BackendResolution.topology(backends, meta, defaultCluster, snapshotRepository);
            owned.addAll(opened);
            return PlatformWiring.wire(this, backends, meta, topology, health, owned);
        } catch (RuntimeException e) {
            // what wiring started (pipeline, exports, collectors, patterns, scheduler) and the backends opened here,
            // in reverse order; the given components are left open
            List<AutoCloseable> started = new ArrayList<>(opened);
            for (AutoCloseable c : owned.subList(given, owned.size())) {
                if (!started.contains(c)) started.add(c);
            }
            closeQuietly(started, e);
            throw e;
        }
    }

    /** The space index sets are created in until spaces are managed through the API. */
    public static final String DEFAULT_SPACE = "default";

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
