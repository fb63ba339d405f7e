package io.bklog.core.health;

import com.google.common.util.concurrent.ThreadFactoryBuilder;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs {@link HealthIndicator}s and gathers their metrics into a {@link HealthReport}, as bklog's
 * {@code HealthzMetricCollector(include_namespaces, exclude_namespaces)}.
 *
 * <p>Every check of a collection runs in parallel on the collector's own threads ({@code bklog-health-N},
 * daemon, at most {@link Builder#maxThreads(int)}), each with the same per-check timeout, so {@link #collect}
 * returns within the timeout plus a small margin even when a check never returns. A check that times out or
 * throws becomes a failed metric named after its indicator. A timed-out check is interrupted; if it ignores the
 * interrupt, later collections report it as still running instead of starting it again, so a hung dependency
 * never piles up threads. Concurrent collections (liveness, readiness and a scrape at once) share a check that
 * is already running.
 */
public final class HealthzMetricCollector implements AutoCloseable {
    /** Default time one check may take. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);
    /** Default cap on concurrently running checks. */
    public static final int DEFAULT_MAX_THREADS = 16;

    private static final Logger log = LoggerFactory.getLogger(HealthzMetricCollector.class);

    private final List<Registered> indicators;
    private final Set<String> namespaces;
    private final Duration timeout;
    private final int maxThreads;
    private final ThreadPoolExecutor executor;
    private final Map<Registered, Running> running = new ConcurrentHashMap<>();
    private final AtomicReference<HealthReport> last = new AtomicReference<>();

    private HealthzMetricCollector(Builder b) {
        this.indicators = List.copyOf(b.indicators);
        Set<String> ns = new LinkedHashSet<>();
        for (Registered r : indicators) ns.add(r.indicator().namespace());
        this.namespaces = java.util.Collections.unmodifiableSet(ns);
        this.timeout = b.timeout;
        this.maxThreads = b.maxThreads;
        this.executor = new ThreadPoolExecutor(0, maxThreads, 30, TimeUnit.SECONDS, new SynchronousQueue<>(),
                new ThreadFactoryBuilder().setNameFormat("bklog-health-%d").setDaemon(true).build());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A collector over these indicators with the default timeout (2 s) and thread cap. */
    public static HealthzMetricCollector of(List<? extends HealthIndicator> indicators) {
        return builder().indicators(indicators).build();
    }

    /** The namespaces of the registered indicators, in registration order. */
    public Set<String> namespaces() {
        return namespaces;
    }

    public Duration timeout() {
        return timeout;
    }

    /** The report of the last {@link #collect} call, if any. */
    public Optional<HealthReport> lastReport() {
        return Optional.ofNullable(last.get());
    }

    /** Checks every namespace. */
    public HealthReport collect() {
        return collect(Set.of(), Set.of());
    }

    /**
     * Checks the selected namespaces. When {@code include} is not empty it selects exactly those namespaces
     * (and {@code exclude} is ignored); an included namespace no indicator has yields a failed
     * {@link NamespaceData} {@code unsupported namespace X; known: ...}. Otherwise every namespace except those in
     * {@code exclude} is checked. Namespaces are reported in registration order, unknown ones last.
     */
    public HealthReport collect(Set<String> include, Set<String> exclude) {
        if (executor.isShutdown()) throw new IllegalStateException("health collector is closed");
        include = names(include);
        exclude = names(exclude);
        List<String> selected = new ArrayList<>();
        List<String> unknown = new ArrayList<>();
        if (!include.isEmpty()) {
            for (String ns : namespaces) if (include.contains(ns)) selected.add(ns);
            include.stream().filter(ns -> !namespaces.contains(ns)).sorted().forEach(unknown::add);
        } else {
            for (String ns : namespaces) if (!exclude.contains(ns)) selected.add(ns);
        }

        long deadline = System.nanoTime() + timeout.toNanos();
        Map<Registered, CompletableFuture<List<HealthzMetric>>> started = new LinkedHashMap<>();
        for (Registered r : indicators) {
            if (selected.contains(r.indicator().namespace())) started.put(r, start(r));
        }
        Map<String, List<HealthzMetric>> byNamespace = new LinkedHashMap<>();
        for (String ns : selected) byNamespace.put(ns, new ArrayList<>());
        for (Map.Entry<Registered, CompletableFuture<List<HealthzMetric>>> e : started.entrySet()) {
            byNamespace.get(e.getKey().indicator().namespace()).addAll(await(e.getKey(), e.getValue(), deadline));
        }
        List<NamespaceData> data = new ArrayList<>();
        byNamespace.forEach((ns, metrics) -> data.add(NamespaceData.of(ns, metrics)));
        for (String ns : unknown) {
            data.add(NamespaceData.failed(ns, "unsupported namespace " + ns + "; known: " + String.join(", ", namespaces)));
        }
        HealthReport report = HealthReport.of(data);
        last.set(report);
        return report;
    }

    /** The non-blank, trimmed names of a set, so {@code ?include=} or {@code a,,b} select nothing extra. */
    private static Set<String> names(Set<String> raw) {
        Set<String> out = new LinkedHashSet<>();
        if (raw != null) {
            for (String n : raw) if (n != null && !n.isBlank()) out.add(n.trim());
        }
        return out;
    }

    private CompletableFuture<List<HealthzMetric>> start(Registered r) {
        Running run = new Running(System.nanoTime());
        Running previous = running.putIfAbsent(r, run);
        if (previous != null) {
            long elapsed = System.nanoTime() - previous.startedNanos;
            if (elapsed < timeout.toNanos()) {
                return previous.future; // a concurrent collect started it moments ago: share its answer
            }
            return CompletableFuture.completedFuture(List.of(failure(r, "previous check is still running after "
                    + TimeUnit.NANOSECONDS.toMillis(elapsed) + " ms; not started again", "the "
                    + r.indicator().namespace() + " dependency hangs: check that it is reachable and responsive "
                    + "from this host")));
        }
        try {
            executor.execute(() -> {
                run.begin(Thread.currentThread());
                List<HealthzMetric> metrics = null;
                Throwable failed = null;
                try {
                    metrics = r.indicator().check();
                } catch (Throwable t) {
                    failed = t;
                } finally {
                    run.end();
                    // no longer shared before its answer is out: a collect right after this one checks anew
                    running.remove(r, run);
                }
                if (failed != null) run.future.completeExceptionally(failed);
                else run.future.complete(metrics);
            });
        } catch (RejectedExecutionException e) {
            running.remove(r, run);
            return CompletableFuture.completedFuture(List.of(failure(r, "not started: all " + maxThreads
                    + " health-check threads are busy", "some checks hang; look for earlier timeouts in this report "
                    + "and in the log, or raise maxThreads")));
        }
        return run.future;
    }

    private List<HealthzMetric> await(Registered r, CompletableFuture<List<HealthzMetric>> future, long deadline) {
        String ns = r.indicator().namespace();
        try {
            List<HealthzMetric> metrics = future.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (metrics == null) {
                return List.of(failure(r, "check returned no result", "fix the indicator " + r.name()
                        + ": check() must return a list of metrics"));
            }
            List<HealthzMetric> out = new ArrayList<>(metrics.size());
            for (HealthzMetric m : metrics) if (m != null) out.add(m);
            return out;
        } catch (TimeoutException e) {
            Running run = running.get(r);
            if (run != null) run.interrupt();
            log.warn("health check timed out namespace={} indicator={} timeoutMs={}", ns, r.name(), timeout.toMillis());
            return List.of(failure(r, "check timed out after " + timeout.toMillis() + " ms",
                    "check that the " + ns + " dependency is reachable and responsive from this host"
                            + "; if it is only slow, raise the health timeout"));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            log.warn("health check failed namespace={} indicator={} error={}", ns, r.name(), cause.toString(), cause);
            return List.of(failure(r, "check failed: " + describe(cause), "check the " + ns
                    + " dependency's address, credentials and connectivity; the log has the stack trace of "
                    + r.name()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of(failure(r, "health collection was interrupted", "retry the health check"));
        }
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null || m.isEmpty() ? "" : ": " + m);
    }

    private static HealthzMetric failure(Registered r, String message, String suggestion) {
        return new HealthzMetric(false, r.name(), null, Map.of("indicator", r.name()), message, suggestion);
    }

    /** Stops the health threads, interrupting checks still running. */
    @Override
    public void close() {
        executor.shutdownNow();
    }

    private record Registered(String name, HealthIndicator indicator) {}

    private static final class Running {
        final long startedNanos;
        final CompletableFuture<List<HealthzMetric>> future = new CompletableFuture<>();
        private Thread thread;

        Running(long startedNanos) {
            this.startedNanos = startedNanos;
        }

        synchronized void begin(Thread t) {
            thread = t;
        }

        synchronized void end() {
            thread = null;
        }

        /** Interrupts the check only while it still runs, so a pool thread's next task is never hit. */
        synchronized void interrupt() {
            if (thread != null) thread.interrupt();
        }
    }

    public static final class Builder {
        private final List<Registered> indicators = new ArrayList<>();
        private final Map<String, Integer> perNamespace = new LinkedHashMap<>();
        private Duration timeout = DEFAULT_TIMEOUT;
        private int maxThreads = DEFAULT_MAX_THREADS;

        /** Adds an indicator named after its class (or {@code namespace#n} for a lambda or anonymous class). */
        public Builder indicator(HealthIndicator indicator) {
            Objects.requireNonNull(indicator, "indicator");
            String simple = indicator.getClass().getSimpleName();
            int n = perNamespace.merge(indicator.namespace(), 1, Integer::sum);
            String name = simple.isEmpty() || simple.contains("$$Lambda") || simple.contains("$Lambda")
                    ? indicator.namespace() + "#" + n : simple;
            indicators.add(new Registered(name, indicator));
            return this;
        }

        /** Adds an indicator under a given name, used for the metric that reports its timeout or failure. */
        public Builder indicator(String name, HealthIndicator indicator) {
            Objects.requireNonNull(indicator, "indicator");
            if (name == null || name.isBlank()) throw new IllegalArgumentException("indicator name must not be blank");
            perNamespace.merge(indicator.namespace(), 1, Integer::sum);
            indicators.add(new Registered(name, indicator));
            return this;
        }

        public Builder indicators(Collection<? extends HealthIndicator> all) {
            all.forEach(this::indicator);
            return this;
        }

        /** Time one check may take; default {@link #DEFAULT_TIMEOUT} (2 s). */
        public Builder timeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("health check timeout must be positive, got " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Most checks running at once; default {@link #DEFAULT_MAX_THREADS}. */
        public Builder maxThreads(int maxThreads) {
            if (maxThreads < 1) throw new IllegalArgumentException("maxThreads must be >= 1, got " + maxThreads);
            this.maxThreads = maxThreads;
            return this;
        }

        public HealthzMetricCollector build() {
            for (Registered r : indicators) {
                String ns = r.indicator().namespace();
                if (ns == null || ns.isBlank()) {
                    throw new IllegalArgumentException("indicator " + r.name() + " has a blank namespace");
                }
            }
            return new HealthzMetricCollector(this);
        }
    }
}
