package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.javalin.Javalin;

import java.time.Duration;
import java.util.Optional;

/**
 * {@code GET /metrics}: the platform's meters and the JVM's in the Prometheus text format (0.0.4; OpenMetrics when
 * the scraper asks for it), unauthenticated like the probes. The platform's registry must be a
 * {@link PrometheusMeterRegistry} (or a composite holding one): {@link #registry()} builds the one the server uses.
 */
public final class MetricsRoutes implements RouteGroup {
    /** Meters whose timers get Prometheus histogram buckets ({@code bklog_search_seconds_bucket{le=...}}). */
    public static final String SEARCH_TIMER = "bklog.search";

    private final Optional<PrometheusMeterRegistry> prometheus;

    public MetricsRoutes(MeterRegistry registry) {
        this.prometheus = find(registry);
    }

    /**
     * A Prometheus registry for a platform: search timers publish histogram buckets (1 ms .. 30 s) so
     * {@code histogram_quantile} works across instances.
     */
    public static PrometheusMeterRegistry registry() {
        PrometheusMeterRegistry r = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        r.config().meterFilter(new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                if (id.getType() == Meter.Type.TIMER && id.getName().startsWith(SEARCH_TIMER)) {
                    return DistributionStatisticConfig.builder().percentilesHistogram(true)
                            .minimumExpectedValue((double) Duration.ofMillis(1).toNanos())
                            .maximumExpectedValue((double) Duration.ofSeconds(30).toNanos())
                            .build().merge(config);
                }
                return config;
            }
        });
        return r;
    }

    private static Optional<PrometheusMeterRegistry> find(MeterRegistry registry) {
        if (registry instanceof PrometheusMeterRegistry p) return Optional.of(p);
        if (registry instanceof CompositeMeterRegistry c) {
            for (MeterRegistry r : c.getRegistries()) {
                Optional<PrometheusMeterRegistry> p = find(r);
                if (p.isPresent()) return p;
            }
        }
        return Optional.empty();
    }

    @Override
    public void register(Javalin app) {
        prometheus.ifPresent(p -> {
            new JvmMemoryMetrics().bindTo(p);
            JvmGcMetrics gc = new JvmGcMetrics();
            gc.bindTo(p);
            new JvmThreadMetrics().bindTo(p);
            new ClassLoaderMetrics().bindTo(p);
            new ProcessorMetrics().bindTo(p);
            new UptimeMetrics().bindTo(p);
            new FileDescriptorMetrics().bindTo(p);
            app.events(e -> e.serverStopped(gc::close));
        });
        app.get("/metrics", ctx -> {
            PrometheusMeterRegistry p = prometheus.orElseThrow(() -> new BklogException(ErrorCode.UNSUPPORTED_FEATURE,
                    "/metrics needs the platform's meter registry to be a PrometheusMeterRegistry; build the "
                            + "platform with .meterRegistry(MetricsRoutes.registry())"));
            String accept = ctx.header("Accept");
            String type = accept != null && accept.contains("application/openmetrics-text")
                    ? "application/openmetrics-text; version=1.0.0; charset=utf-8"
                    : "text/plain; version=0.0.4; charset=utf-8";
            ctx.header("Cache-Control", "no-store");
            ctx.contentType(type).result(p.scrape(type));
        });
    }
}
