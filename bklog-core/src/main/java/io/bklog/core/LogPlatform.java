package io.bklog.core;

import io.bklog.core.health.HealthMetrics;
import io.bklog.core.health.HealthzMetricCollector;
import io.bklog.core.health.ServiceHealthIndicator;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.MetadataHealthIndicator;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.search.SearchService;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.IngestBuffer;
import io.bklog.spi.LogStore;
import io.bklog.spi.TaskBroker;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * The front door of the library: one configured set of backends and the services built on them. Build one with
 * {@link #builder()}; {@code LogPlatform.builder().build()} works with nothing running (embedded store).
 * {@link #close()} closes everything the platform owns, in reverse order of creation.
 *
 * <p>The public API is the services: {@link #indexSets()}, {@link #ingest()}, {@link #pipeline()},
 * {@link #search()}, {@link #masking()}, {@link #exports()}, {@link #collectors()}, {@link #deadLetters()}, {@link #operations()},
 * {@link #scheduler()}, {@link #health()}. Their methods throw {@link BklogException} with the {@link ErrorCode} the
 * server answers. The raw components are behind {@link #internals()}, not a stable API.
 *
 * <pre>{@code
 * try (LogPlatform bklog = LogPlatform.builder().dataDir(Path.of("data")).build()) {
 *     bklog.indexSets().put("app_logs", IndexSetSpec.defaults());
 *     bklog.ingest().ingest("app_logs", List.of(Map.of("log", "GET /health 200")));
 *     bklog.search().search("app_logs", SearchParams.of("log:health"));
 * }
 * }</pre>
 */
public final class LogPlatform implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LogPlatform.class);

    private final LogStore store;
    private final Clock clock;
    private final MeterRegistry meterRegistry;
    private final IndexSetService indexSets;
    private final DirectIngest ingest;
    private final SearchService search;
    /** In creation order; closed in reverse. */
    private final List<AutoCloseable> owned;
    private final HealthzMetricCollector health;
    private boolean closed;
    private final io.bklog.core.collect.IngestRuntime pipeline;
    private final io.bklog.core.ingest.DeadLetterService deadLetters;
    private final io.bklog.core.search.ExportJobService exports;
    private final io.bklog.core.collect.CollectorService collectors;
    private final io.bklog.core.schedule.Scheduler scheduler;
    private final io.bklog.core.ops.Operations operations;
    private final io.bklog.core.internal.PlatformInternals internals;
    private final io.bklog.core.mask.MaskingService masking;
    private final io.bklog.core.search.SearchHistoryService searchHistory;

    LogPlatform(MetadataStore metadata, StorageTopology topology, IngestBuffer ingestBuffer,
                TaskBroker taskBroker, DistributedLock lock, List<HealthIndicator> healthIndicators, Path dataDir,
                Clock clock, MeterRegistry meterRegistry, IndexSetService indexSets, DirectIngest ingest,
                SearchService search, List<AutoCloseable> owned, io.bklog.core.collect.IngestRuntime pipeline,
                io.bklog.core.schedule.Scheduler scheduler, io.bklog.core.ops.Operations operations,
                java.time.Duration healthTimeout, io.bklog.core.search.ExportJobService exports,
                io.bklog.core.collect.CollectorService collectors) {
        this.pipeline = pipeline;
        this.deadLetters = pipeline == null ? null
                : new io.bklog.core.ingest.DeadLetterService(topology.store(), pipeline, clock);
        this.collectors = collectors;
        this.scheduler = scheduler;
        this.exports = exports;
        this.store = topology.store();
        this.clock = clock;
        this.meterRegistry = meterRegistry;
        this.indexSets = indexSets;
        this.ingest = ingest;
        this.search = search;
        this.owned = List.copyOf(owned);
        this.health = healthCollector(healthIndicators, metadata, dataDir, meterRegistry, pipeline, deadLetters,
                healthTimeout);
        this.operations = operations;
        this.masking = new io.bklog.core.mask.MaskingService(metadata, indexSets);
        this.searchHistory = new io.bklog.core.search.SearchHistoryService(metadata, indexSets);
        this.internals = new io.bklog.core.internal.PlatformInternals(metadata, topology, ingestBuffer, taskBroker,
                lock, healthIndicators, dataDir);
    }

    /**
     * One collector over every namespace of this platform: the backends' indicators (redis, elasticsearch, kafka,
     * ...) and those given to {@link LogPlatformBuilder#healthIndicator}, the metadata database ({@code mysql}, also
     * for the embedded H2, with dimension {@code database=h2}) and {@code service} (free disk under the data dir,
     * heap, ingest queue fill, dead letters waiting in {@code bklog_dead_letter}, failing above 10,000). Its {@code bklog_health_status{namespace}} gauges are bound to {@link #meterRegistry()}.
     */
    private static HealthzMetricCollector healthCollector(List<HealthIndicator> backends, MetadataStore metadata,
                                                          Path dataDir, MeterRegistry meters,
                                                          io.bklog.core.collect.IngestRuntime pipeline,
                                                          io.bklog.core.ingest.DeadLetterService deadLetters,
                                                          java.time.Duration timeout) {
        HealthzMetricCollector.Builder b = HealthzMetricCollector.builder().indicators(backends);
        if (timeout != null) b.timeout(timeout);
        if (metadata != null && backends.stream().noneMatch(i -> i instanceof MetadataHealthIndicator)) {
            b.indicator(new MetadataHealthIndicator(metadata));
        }
        ServiceHealthIndicator.Builder service = ServiceHealthIndicator.builder().dataDir(dataDir);
        if (pipeline != null) {
            var sink = pipeline.sink();
            service.gauge(io.bklog.core.health.ServiceGauge.ingestQueueFill(
                    () -> (double) sink.queuedDocuments() / sink.config().queueCapacityDocs()));
        }
        if (deadLetters != null) {
            service.gauge(io.bklog.core.health.ServiceGauge.deadLetters(deadLetters::pendingCount,
                    DEAD_LETTERS_FAIL_ABOVE));
        }
        b.indicator(service.build());
        HealthzMetricCollector c = b.build();
        HealthMetrics.bind(meters, c);
        return c;
    }

    /** The dead-letter count above which the {@code service} namespace fails. */
    static final long DEAD_LETTERS_FAIL_ABOVE = 10_000;

    /** A builder with every default: embedded store and metadata, system UTC clock, a simple meter registry. */
    public static LogPlatformBuilder builder() {
        return new LogPlatformBuilder();
    }

    /** Create, update, list index sets. */
    public IndexSetService indexSets() { return indexSets; }

    /** Store batches of documents right away (validated, deterministic ids). */
    public DirectIngest ingest() { return ingest; }

    /** Collector configs (file, syslog, kafka... sources with their ETL) and their running sources. */
    public io.bklog.core.collect.CollectorService collectors() { return collectors; }

    /** The ingest pipeline: batching sink (bounded, 429 when full), buffer drainer, pipelines for line sources. */
    public io.bklog.core.collect.IngestRuntime pipeline() { return pipeline; }

    /** The dead letters per index set: list them with the reason and the document, replay them once fixed. */
    public io.bklog.core.ingest.DeadLetterService deadLetters() { return deadLetters; }

    private volatile io.bklog.core.patterns.PatternService patterns;

    void patterns(io.bklog.core.patterns.PatternService service) { this.patterns = service; }

    private volatile io.bklog.core.alert.AlertService alerts;

    void alerts(io.bklog.core.alert.AlertService service) { this.alerts = service; }

    /** Alerting: rules on searches and patterns, channels, silences, history (docs/alerting.md). */
    public io.bklog.core.alert.AlertService alerts() { return alerts; }

    /** Log clustering: patterns per index set, labels, re-mining (docs/patterns.md). */
    public io.bklog.core.patterns.PatternService patterns() { return patterns; }

    /**
     * The read-time masking rules (per space and index set) and the {@code Masker} a search applies:
     * {@code search().search(set, params, masking().masker(set))}.
     */
    public io.bklog.core.mask.MaskingService masking() { return masking; }

    /**
     * The users' search history: saved in batches off the search's path, written out on {@link #close()} before
     * the metadata database closes.
     */
    public io.bklog.core.search.SearchHistoryService searchHistory() { return searchHistory; }

    /** Search an index set. */
    public SearchService search() { return search; }

    /** Async exports to files under {@code {dataDir}/exports}; closed with the platform. */
    public io.bklog.core.search.ExportJobService exports() { return exports; }

    /**
     * <b>Not a stable API:</b> the raw components behind the services (store, metadata database, buffer, broker,
     * lock, storage topology), for the reference server, tests and benchmarks. An embedding host uses the services
     * above; see {@link io.bklog.core.internal}.
     */
    public io.bklog.core.internal.PlatformInternals internals() { return internals; }

    /** The clock of the platform (ingest times, relative search times, task schedules). */
    public Clock clock() { return clock; }

    /** Where the platform's metrics go (the registry given to the builder). */
    public MeterRegistry meterRegistry() { return meterRegistry; }

    /**
     * The scheduler of this platform: the periodic maintenance tasks ({@link io.bklog.core.ops.MaintenanceTasks}), the
     * ad-hoc tasks {@code backup}, {@code restore_backup}, {@code archive_restore} and those given to
     * {@link LogPlatformBuilder#task}, on the platform's task broker and lock. Its roles (beat, workers) are those of
     * {@link LogPlatformBuilder#scheduler}; task runs and statuses are kept in the metadata database.
     */
    public io.bklog.core.schedule.Scheduler scheduler() { return scheduler; }

    /** Index lifecycle, restores of archives and backups; long ones run as tasks on {@link #scheduler()}. */
    public io.bklog.core.ops.Operations operations() { return operations; }

    /** Health checks of every configured namespace, as bklog's {@code /healthz}; closed with the platform. */
    public HealthzMetricCollector health() { return health; }

    /**
     * Closes every component the platform owns (those given to the builder and those its backends opened), last
     * created first. A failure to close one is logged and the others are still closed; the first failure is
     * rethrown at the end.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        health.close();
        RuntimeException first = null;
        List<AutoCloseable> reversed = new ArrayList<>(owned);
        java.util.Collections.reverse(reversed);
        // the searches queued for the history are written once the pipeline has drained the log lines into the
        // store (they come first), and while the metadata database is still open
        boolean historyClosed = false;
        if (pipeline == null || !reversed.contains(pipeline)) {
            searchHistory.close();
            historyClosed = true;
        }
        for (AutoCloseable c : reversed) {
            try {
                c.close();
                if (!historyClosed && c == pipeline) {
                    historyClosed = true;
                    searchHistory.close();
                }
            } catch (Exception e) {
                log.warn("close failed component={} error={}", c.getClass().getName(), e.toString(), e);
                if (first == null) {
                    first = e instanceof RuntimeException r ? r : new IllegalStateException(e.getMessage(), e);
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        log.info("bklog platform closed store={}", store.backendName());
        if (first != null) throw first;
    }
}
