package io.bklog.core;

import io.bklog.core.indexset.InMemoryIndexSetRepository;
import io.bklog.core.indexset.IndexSetRepository;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.search.SearchService;
import io.bklog.core.search.SearchSyntax;
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
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Builds a {@link LogPlatform}. Components are given explicitly ({@link #store}, {@link #taskBroker}, ...) or chosen
 * by backend name ({@link #backend(String, Map)}), found among the {@linkplain #installProvider installed} providers
 * and those on the classpath ({@link ServiceLoader} of {@link BackendProvider}). An explicit component wins over a
 * backend's; among backends, the first selected that offers a component provides it.
 *
 * <p>Defaults: no store given or selected = the {@code lucene} backend in {@link #dataDir} when a data dir is set and
 * the Lucene provider is on the classpath, otherwise the {@code memory} backend; {@link Clock#systemUTC()}; a
 * {@link SimpleMeterRegistry}; index sets kept in memory.
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
    private IndexSetRepository indexSetRepository;
    private SearchSyntax searchSyntax;
    private final List<BackendSelection> backends = new ArrayList<>();
    private final Map<String, BackendProvider> installed = new LinkedHashMap<>();

    LogPlatformBuilder() {
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

    /** Where metrics go. Default: a {@link SimpleMeterRegistry}. */
    public LogPlatformBuilder meterRegistry(MeterRegistry registry) {
        this.meterRegistry = Objects.requireNonNull(registry, "registry");
        return this;
    }

    /** Where index set definitions are kept. Default: in memory. */
    public LogPlatformBuilder indexSetRepository(IndexSetRepository repository) {
        this.indexSetRepository = Objects.requireNonNull(repository, "repository");
        return this;
    }

    /** The query language of searches. Default: bklog's query string, filters and time expressions. */
    public LogPlatformBuilder searchSyntax(SearchSyntax syntax) {
        this.searchSyntax = Objects.requireNonNull(syntax, "syntax");
        return this;
    }

    /** Selects a backend by provider name, with its settings; may be called once per backend. */
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
        all.putAll(installed);
        return all;
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
            selected.add(BackendSelection.of(dataDir != null && providers.containsKey("lucene") ? "lucene" : "memory"));
        }
        List<AutoCloseable> owned = new ArrayList<>();
        for (AutoCloseable c : new AutoCloseable[] {store, snapshotRepository, ingestBuffer, taskBroker, lock}) {
            if (c != null) owned.add(c);
        }
        LogStore st = store;
        SnapshotRepository snapshots = snapshotRepository;
        IngestBuffer buffer = ingestBuffer;
        TaskBroker broker = taskBroker;
        DistributedLock lk = lock;
        List<HealthIndicator> health = new ArrayList<>();
        List<AutoCloseable> opened = new ArrayList<>();
        try {
            for (BackendSelection sel : selected) {
                Backend backend = open(providers, sel);
                opened.add(backend);
                if (st == null) st = backend.logStore().orElse(null);
                if (snapshots == null) snapshots = backend.snapshotRepository().orElse(null);
                if (buffer == null) buffer = backend.ingestBuffer().orElse(null);
                if (broker == null) broker = backend.taskBroker().orElse(null);
                if (lk == null) lk = backend.distributedLock().orElse(null);
                health.addAll(backend.healthIndicators());
            }
            if (st == null) {
                throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "no log store: none of the selected backends "
                        + selected.stream().map(BackendSelection::name).toList() + " offers one; select a store"
                        + " backend (" + String.join(", ", providers.keySet()) + ") or give .store(...)");
            }
            MeterRegistry meters = meterRegistry != null ? meterRegistry : new SimpleMeterRegistry();
            IndexSetService indexSets = new IndexSetService(
                    indexSetRepository != null ? indexSetRepository : new InMemoryIndexSetRepository(), st, clock);
            DirectIngest ingest = new DirectIngest(indexSets, st, clock, meters);
            SearchService search = new SearchService(indexSets, st, syntax(), clock, meters);
            log.info("bklog platform started store={} data_dir={} backends={}", st.backendName(), dataDir,
                    selected.stream().map(BackendSelection::name).toList());
            owned.addAll(opened);
            return new LogPlatform(st, snapshots, buffer, broker, lk, health, dataDir, clock, meters, indexSets,
                    ingest, search, owned);
        } catch (RuntimeException e) {
            closeQuietly(opened, e);
            throw e;
        }
    }

    private SearchSyntax syntax() {
        if (searchSyntax != null) return searchSyntax;
        throw new BklogException(ErrorCode.BAD_BACKEND_CONFIG, "no search syntax configured");
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
