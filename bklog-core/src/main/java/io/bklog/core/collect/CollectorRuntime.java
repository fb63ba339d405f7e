package io.bklog.core.collect;

import io.bklog.core.ingest.IngestMetrics;
import io.bklog.core.ingest.IngestPipeline;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.metrics.MicrometerMeters;
import io.bklog.spi.Meters;
import io.bklog.spi.source.Source;
import io.bklog.spi.source.SourceFactory;
import io.bklog.spi.source.SourceStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs the sources of active collectors: for each, a pipeline from {@link IngestRuntime#pipeline} with the
 * collector's filters, multi-line and ETL, and the source of its {@code source_type} created by a
 * {@link SourceFactory} (the source SPI) feeding it through a {@link PipelineLineSink}, with a
 * {@link CollectorSourceContext} carrying the clock and the platform's meters. {@link #apply} (re)starts or stops one collector after a change;
 * a source that fails to start (a port in use, a broker down) is kept as {@code failed} with the reason
 * ({@link #status}) and started again after a back-off (2 s, doubling up to 5 min) until it runs or the collector
 * changes. {@link #close()} stops
 * every source and then closes its pipeline, which hands on the lines it holds (the ingest runtime, closed after,
 * drains them into the store).
 */
public final class CollectorRuntime implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CollectorRuntime.class);

    private record Started(CollectorConfig config, IngestPipeline pipeline, Source source) {
    }

    /** Makes the pipeline builder of a collector's lines into its index set. */
    @FunctionalInterface
    public interface Pipelines {
        IngestPipeline.Builder pipeline(CollectorConfig collector, String indexSet);
    }

    private final Pipelines pipelines;
    private final Map<String, SourceFactory> factories;
    private final LongFunction<IndexSet> indexSets;
    private final IngestMetrics metrics;
    private final Meters meters;
    private final Clock clock;
    private final Map<Long, Started> running = new HashMap<>();
    private final Map<Long, CollectorStatus> statuses = new HashMap<>();
    private final Map<Long, ScheduledFuture<?>> retries = new HashMap<>();
    private final Map<Long, Integer> attempts = new HashMap<>();
    private final ScheduledExecutorService retrier = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "bklog-collector-retry");
        t.setDaemon(true);
        return t;
    });
    private boolean closed;

    /** First wait before starting a failed source again; doubles per attempt up to {@link #MAX_RETRY}. */
    static final Duration FIRST_RETRY = Duration.ofSeconds(2);
    static final Duration MAX_RETRY = Duration.ofMinutes(5);

    /**
     * @param factories by source type
     * @param indexSets an index set by id
     */
    public CollectorRuntime(IngestRuntime ingest, Map<String, SourceFactory> factories,
                            LongFunction<IndexSet> indexSets, IngestMetrics metrics, Clock clock) {
        this(pipelinesOf(Objects.requireNonNull(ingest, "ingest")), factories, indexSets, metrics, clock);
    }

    private static Pipelines pipelinesOf(IngestRuntime ingest) {
        return (collector, indexSet) -> ingest.pipeline(indexSet);
    }

    /**
     * With pipelines of the caller's making instead of the platform's front door: {@code bklog agent} delivers each
     * collector's documents into its disk buffer.
     */
    public CollectorRuntime(Pipelines pipelines, Map<String, SourceFactory> factories,
                            LongFunction<IndexSet> indexSets, IngestMetrics metrics, Clock clock) {
        this.pipelines = Objects.requireNonNull(pipelines, "pipelines");
        this.factories = Map.copyOf(factories);
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.metrics = metrics == null ? IngestMetrics.noop() : metrics;
        this.meters = metrics == null ? Meters.noop() : MicrometerMeters.of(metrics.registry());
        this.clock = clock == null ? Clock.systemUTC() : clock;
    }

    /** Stops what runs for this collector, then starts it again when it is active. */
    public synchronized CollectorStatus apply(CollectorConfig config) {
        cancelRetry(config.id());
        attempts.remove(config.id());
        return start(config);
    }

    private synchronized void retry(CollectorConfig config) {
        if (closed || retries.remove(config.id()) == null) return; // changed or removed meanwhile
        log.info("event=collector_retry collector={} id={} attempt={}", config.name(), config.id(),
                attempts.getOrDefault(config.id(), 0) + 1);
        start(config);
    }

    private void cancelRetry(long id) {
        ScheduledFuture<?> f = retries.remove(id);
        if (f != null) f.cancel(false);
    }

    private CollectorStatus start(CollectorConfig config) {
        stopQuietly(config.id());
        if (closed || !config.active()) {
            statuses.put(config.id(), CollectorStatus.stopped(clock.instant()));
            return statuses.get(config.id());
        }
        SourceFactory factory = factories.get(config.sourceType());
        if (factory == null) return failed(config, "no source of type '" + config.sourceType() + "'; known: "
                + String.join(", ", factories.keySet().stream().sorted().toList()));
        CollectorSettings settings = CollectorSettings.of(config);
        if (!settings.ok()) return failed(config, "invalid config: " + settings.errors());
        IngestPipeline pipeline;
        String indexSet;
        String space;
        try {
            IndexSet set = indexSets.apply(config.indexSetId());
            indexSet = set.name();
            space = set.spaceUid();
            pipeline = pipelines.pipeline(config, indexSet).etl(settings.etl()).multiline(settings.multiline())
                    .filter(settings.filter()).metrics(metrics).build();
        } catch (RuntimeException e) {
            return failed(config, "cannot build its pipeline: " + e.getMessage());
        }
        try {
            Map<String, Object> sourceSettings = SourceSettings.toMap(config.sourceParams());
            if (sourceSettings == null) throw new IllegalArgumentException("source_params: expected a JSON object");
            factory.checkHostAccess(sourceSettings);
            Source source = factory.create(sourceSettings, new CollectorSourceContext(config.name(), space, indexSet, clock,
                    meters, new PipelineLineSink(pipeline)));
            try {
                source.start();
            } catch (Exception e) {
                closeQuietly(config, source);
                throw e;
            }
            running.put(config.id(), new Started(config, pipeline, source));
            attempts.remove(config.id());
            statuses.put(config.id(), new CollectorStatus(CollectorStatus.RUNNING, null, null, clock.instant()));
            log.info("event=collector_started collector={} id={} source_type={} index_set={}", config.name(),
                    config.id(), config.sourceType(), indexSet);
            return statuses.get(config.id());
        } catch (Exception e) {
            pipeline.close(Duration.ofSeconds(5));
            String reason = e.getMessage() == null ? e.toString() : e.getMessage();
            int attempt = attempts.merge(config.id(), 1, Integer::sum);
            long delayMs = Math.min(MAX_RETRY.toMillis(), FIRST_RETRY.toMillis() << Math.min(attempt - 1, 20));
            retries.put(config.id(), retrier.schedule(() -> retry(config), delayMs, TimeUnit.MILLISECONDS));
            return failed(config, reason + " (start attempt " + attempt + "; trying again in "
                    + Math.max(1, delayMs / 1000) + " s)");
        }
    }

    private CollectorStatus failed(CollectorConfig config, String reason) {
        log.warn("event=collector_failed collector={} id={} source_type={} reason=\"{}\"", config.name(), config.id(),
                config.sourceType(), reason);
        CollectorStatus s = new CollectorStatus(CollectorStatus.FAILED, reason, null, clock.instant());
        statuses.put(config.id(), s);
        return s;
    }

    /** Stops the collector's source (if running) and forgets its status. */
    public synchronized void remove(long id) {
        cancelRetry(id);
        attempts.remove(id);
        stopQuietly(id);
        statuses.remove(id);
    }

    /** The collector's state; {@code stopped} when this runtime never started it. */
    public synchronized CollectorStatus status(long id) {
        CollectorStatus s = statuses.getOrDefault(id, CollectorStatus.stopped(null));
        Started st = running.get(id);
        if (st != null && s.state().equals(CollectorStatus.RUNNING)) {
            String detail;
            try {
                SourceStatus ss = st.source().status();
                detail = ss.state() == SourceStatus.State.RUNNING ? ss.detail()
                        : ss.state().name().toLowerCase(java.util.Locale.ROOT) + ": " + ss.detail();
            } catch (RuntimeException e) {
                detail = "running (" + e.getMessage() + ")";
            }
            return new CollectorStatus(s.state(), null, detail, s.since());
        }
        return s;
    }

    /** Statuses by collector id, of every collector this runtime knows. */
    public synchronized Map<Long, CollectorStatus> statuses() {
        Map<Long, CollectorStatus> out = new LinkedHashMap<>();
        for (Long id : statuses.keySet()) out.put(id, status(id));
        return out;
    }

    private void stopQuietly(long id) {
        Started s = running.remove(id);
        if (s == null) return;
        closeQuietly(s.config(), s.source());
        s.pipeline().close(Duration.ofSeconds(30));
        log.info("event=collector_stopped collector={} id={}", s.config().name(), id);
    }

    private static void closeQuietly(CollectorConfig config, Source source) {
        try {
            source.close();
        } catch (RuntimeException e) {
            log.warn("event=collector_stop_failed collector={} reason=\"{}\"", config.name(), e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        retrier.shutdownNow();
        retries.clear();
        for (Long id : running.keySet().stream().toList()) stopQuietly(id);
    }
}
