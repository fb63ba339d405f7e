package io.bklog.core;

import io.bklog.core.collect.CollectorService;
import io.bklog.core.collect.IngestRuntime;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.ingest.BatchingSink;
import io.bklog.core.ingest.IngestMetrics;
import io.bklog.core.meta.MetadataHealthIndicator;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.ops.Operations;
import io.bklog.core.patterns.PatternService;
import io.bklog.core.schedule.Scheduler;
import io.bklog.core.search.BklogSearchSyntax;
import io.bklog.core.search.ExportJobService;
import io.bklog.core.search.ExportService;
import io.bklog.core.search.SearchService;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.LogStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The last step of {@link LogPlatformBuilder#build()}: builds the services on the resolved backends, the metadata
 * database and the storage topology, each given its dependencies, in the order they are closed in reverse
 * (scheduler first, then collectors, exports, the ingest runtime, then the backends).
 */
final class PlatformWiring {
    private static final Logger log = LoggerFactory.getLogger(PlatformWiring.class);

    private PlatformWiring() {}

    /**
     * @param owned what the platform closes: the given components and the backends opened so far; the services
     *              started here are appended
     */
    static LogPlatform wire(LogPlatformBuilder options, BackendResolution.Resolved backends, MetadataStore meta,
                            StorageTopology topology, List<HealthIndicator> health, List<AutoCloseable> owned) {
        var clock = options.clock;
        LogStore st = topology.store();
        MeterRegistry meters = options.meterRegistry != null ? options.meterRegistry : new SimpleMeterRegistry();
        // a buffer with its own meters (kafka: bklog_kafka_consumer_lag{group,topic})
        if (backends.ingestBuffer() != null) {
            backends.ingestBuffer().bindMeters(io.bklog.core.metrics.MicrometerMeters.of(meters));
        }
        IndexSetService indexSets = new IndexSetService(meta.indexSets(), topology, LogPlatformBuilder.DEFAULT_SPACE);
        indexSets.syncStore();
        DirectIngest ingest = new DirectIngest(indexSets, st, clock, meters);
        // log clustering (docs/patterns.md): closed after the pipeline (its documents are enriched) and before
        // the metadata database (its last batch is written there)
        PatternService patterns = new PatternService(indexSets, st, meta.patterns(), clock, options.patternSettings);
        owned.add(patterns);
        ingest.enrichWith(patterns::enrich);
        SearchService search = new SearchService(indexSets, st, patterns.searchSyntax(
                options.searchSyntax != null ? options.searchSyntax : new BklogSearchSyntax()), clock, meters);
        patterns.useSearch(search);
        log.info("bklog platform started store={} data_dir={} backends={}", st.backendName(), options.dataDir,
                backends.selected());
        IngestMetrics ingestMetrics = new IngestMetrics(meters);
        IngestRuntime pipeline = IngestRuntime.start(ingest, st, backends.ingestBuffer(), clock,
                BatchingSink.builder(st).linger(Duration.ofMillis(50)).writers(st.concurrentWrites()).clock(clock)
                        .name("platform")
                        .metrics(ingestMetrics));
        owned.add(pipeline); // closed before the store: drains into it
        ExportJobService exports = new ExportJobService(meta.exportJobs(), indexSets, search,
                new ExportService(indexSets, search, st), st, options.dataDir, options.exportConfig, clock,
                options.exportStore);
        owned.add(exports); // closed before the pipeline and the metadata its jobs write to
        CollectorService collectors = CollectorService.start(meta, indexSets, pipeline, options.dataDir,
                ingestMetrics, clock, options.collectorSources, options.collectorConfinement);
        owned.add(collectors); // closed before the ingest runtime: sources stop, their pipelines hand on
        Scheduler scheduler = PlatformTasks.scheduler(options.schedulerSettings, backends.taskBroker(),
                backends.lock(), clock, meta, meters);
        List<HealthIndicator> indicators = new ArrayList<>(health);
        indicators.add(scheduler.healthIndicator());
        // alerting (docs/alerting.md): one periodic task evaluates the due rules and delivers the outbox
        io.bklog.core.alert.AlertService alerts = new io.bklog.core.alert.AlertService(meta, indexSets, search,
                patterns, backends.lock(), clock, io.bklog.core.metrics.MicrometerMeters.of(meters),
                options.alertChannels, options.alertSleeper, options.alerting);
        indicators.add(alerts.healthIndicator());
        owned.add(scheduler); // closed first: no task runs on closed components
        Operations operations = options.operations.metadata(meta).topology(topology).clock(clock)
                .dataDir(options.dataDir).scheduler(scheduler).build();
        PlatformTasks.register(scheduler, operations, st, exports, options.tasks, options.schedulerSettings);
        indexSets.onFieldsAdded(name -> scheduler.submit(PlatformTasks.REINDEX_TASK, Map.of("index_set", name)));
        LogPlatform platform = new LogPlatform(meta, topology, backends.ingestBuffer(), backends.taskBroker(),
                backends.lock(), indicators, options.dataDir, clock, meters, indexSets, ingest, search, owned,
                pipeline, scheduler, operations, options.healthTimeout, exports, collectors);
        scheduler.registry().register(patterns.remineTask());
        patterns.useScheduler(scheduler);
        platform.patterns(patterns);
        PlatformTasks.registerWithOverride(scheduler, alerts.task(), options.schedulerSettings);
        PlatformTasks.registerWithOverride(scheduler, alerts.deliverTask(), options.schedulerSettings);
        PlatformTasks.registerWithOverride(scheduler, alerts.retentionTask(), options.schedulerSettings);
        // deliveries run in their own task, queued as soon as an evaluation wrote notifications
        alerts.onOutboxWritten(() -> scheduler.submit(io.bklog.core.alert.AlertService.DELIVER_TASK, Map.of()));
        platform.alerts(alerts);
        scheduler.start();
        log.info("bklog scheduler started beat={} workers={} tasks={}", options.schedulerSettings.beat(),
                options.schedulerSettings.workers(), scheduler.registry().names());
        return platform;
    }

    /** The health indicators of the backends, the builder's own and the metadata database's, in that order. */
    static List<HealthIndicator> health(BackendResolution.Resolved backends, List<HealthIndicator> extra,
                                        MetadataStore meta) {
        List<HealthIndicator> health = new ArrayList<>(backends.health());
        health.addAll(extra);
        health.add(new MetadataHealthIndicator(meta));
        return health;
    }
}
