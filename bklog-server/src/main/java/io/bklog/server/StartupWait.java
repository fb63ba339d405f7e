package io.bklog.server;

import io.bklog.core.health.HealthReport;
import io.bklog.spi.HealthzMetric;
import io.bklog.core.health.NamespaceData;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigException;
import io.bklog.server.config.StoreConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Start-up order without a supervisor: before the platform is built, waits for each configured dependency (the
 * metadata database, Elasticsearch, Redis, Kafka) to accept connections, one after the other, retrying with
 * exponential backoff (250 ms doubling to at most {@link #MAX_BACKOFF}) for at most {@code server.startup_wait}
 * each. While it waits, {@link #report()} says which dependency and which attempt (shown by {@code /healthz} and
 * {@code /readyz} as 503 {@code waiting for X, attempt N: reason}). A dependency still unreachable at the end stops
 * the start with a {@link ConfigException} naming it.
 */
public final class StartupWait {
    private static final Logger log = LoggerFactory.getLogger(StartupWait.class);
    static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(5);
    static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);

    /** One dependency: its health namespace, what is probed (for messages) and the probe (null = reachable). */
    record Dependency(String namespace, String target, Probe probe) {
    }

    @FunctionalInterface
    interface Probe {
        /** Null when the dependency answers, else why not. */
        String check();
    }

    private final List<Dependency> dependencies;
    private final Duration atMost;
    private final AtomicReference<HealthReport> report = new AtomicReference<>();

    StartupWait(List<Dependency> dependencies, Duration atMost) {
        this.dependencies = List.copyOf(dependencies);
        this.atMost = atMost;
        report.set(waiting(dependencies.isEmpty() ? "nothing" : dependencies.get(0).namespace(), 0, "not tried yet"));
    }

    /** The dependencies a config names, in start-up order: metadata, store, Redis, Kafka. */
    public static StartupWait of(BklogConfig config) {
        List<Dependency> deps = new ArrayList<>();
        String meta = config.metadata().url();
        if (!meta.isEmpty() && !meta.startsWith("jdbc:h2:")) {
            deps.add(new Dependency("mysql", redactUrl(meta), () -> jdbc(meta, config.metadata().user(),
                    config.metadata().password())));
        }
        List<StoreConfig.ClusterConfig> stores = new ArrayList<>(config.store().clusters().values());
        if (!config.store().backend().isEmpty()) {
            stores.add(new StoreConfig.ClusterConfig(config.store().backend(), config.store().settings()));
        }
        for (StoreConfig.ClusterConfig c : stores) {
            if (!c.backend().equals("elasticsearch")) continue;
            for (String host : c.settings().getOrDefault("hosts", "http://127.0.0.1:9200").split(",")) {
                if (host.isBlank()) continue;
                URI u = URI.create(host.strip());
                int port = u.getPort() > 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 9200;
                deps.add(tcp("elasticsearch", u.getHost(), port));
            }
        }
        Map<String, Map<String, String>> backends = config.backends();
        if (backends.containsKey("redis")) {
            URI u = URI.create(backends.get("redis").getOrDefault("uri", "redis://127.0.0.1:6379"));
            deps.add(tcp("redis", u.getHost(), u.getPort() > 0 ? u.getPort() : 6379));
        }
        if (backends.containsKey("kafka")) {
            String servers = backends.get("kafka").getOrDefault("bootstrap.servers", "");
            List<Dependency> any = new ArrayList<>();
            for (String s : servers.split(",")) {
                if (s.isBlank()) continue;
                String hp = s.strip().replaceFirst("^[A-Za-z_]+://", "");
                int colon = hp.lastIndexOf(':');
                any.add(tcp("kafka", hp.substring(0, colon), Integer.parseInt(hp.substring(colon + 1))));
            }
            if (!any.isEmpty()) {
                deps.add(new Dependency("kafka", servers, () -> { // one broker answering is enough to start
                    List<String> reasons = new ArrayList<>();
                    for (Dependency d : any) {
                        String r = d.probe().check();
                        if (r == null) return null;
                        reasons.add(r);
                    }
                    return String.join("; ", reasons);
                }));
            }
        }
        return new StartupWait(deps, config.server().startupWaitDuration());
    }

    static Dependency tcp(String namespace, String host, int port) {
        String target = host + ":" + port;
        return new Dependency(namespace, target, () -> {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(host, port), (int) PROBE_TIMEOUT.toMillis());
                return null;
            } catch (IOException e) {
                return "cannot connect to " + target + ": " + e.getMessage();
            }
        });
    }

    private static String jdbc(String url, String user, String password) {
        DriverManager.setLoginTimeout((int) PROBE_TIMEOUT.toSeconds());
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return c.isValid((int) PROBE_TIMEOUT.toSeconds()) ? null : "the connection is not valid";
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            return m.lines().findFirst().orElse(m);
        }
    }

    private static String redactUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    /** What the probes answer meanwhile: 503, naming the dependency waited for and the attempt. */
    public HealthReport report() {
        return report.get();
    }

    /** Whether every dependency answers at the first try (then there is nothing to wait for nor to show). */
    public boolean allAnswerNow() {
        return dependencies.stream().allMatch(d -> d.probe().check() == null);
    }

    /** The namespaces waited for, in order. */
    public List<String> namespaces() {
        return dependencies.stream().map(Dependency::namespace).toList();
    }

    /**
     * Waits for every dependency in turn. {@code onAttempt} sees each failed attempt (for logs and tests).
     *
     * @throws ConfigException naming the first dependency still unreachable after {@code server.startup_wait}
     */
    public void await(Consumer<String> onAttempt) {
        for (Dependency d : dependencies) {
            long deadline = System.nanoTime() + atMost.toNanos();
            Duration backoff = FIRST_BACKOFF;
            for (int attempt = 1; ; attempt++) {
                String reason = d.probe().check();
                if (reason == null) {
                    if (attempt > 1) log.info("event=startup_dependency_up namespace={} target={} attempts={}",
                            d.namespace(), d.target(), attempt);
                    break;
                }
                String line = "waiting for " + d.namespace() + " (" + d.target() + "), attempt " + attempt + ": "
                        + reason;
                report.set(waiting(d.namespace(), attempt, line));
                log.warn("event=startup_waiting namespace={} target={} attempt={} reason=\"{}\"", d.namespace(),
                        d.target(), attempt, reason);
                if (onAttempt != null) onAttempt.accept(line);
                if (System.nanoTime() + backoff.toNanos() > deadline) {
                    throw new ConfigException(d.namespace() + " (" + d.target() + ") did not answer within "
                            + "server.startup_wait = " + atMost.toSeconds() + " s (" + attempt + " attempts; last: "
                            + reason + "); start it, or raise server.startup_wait");
                }
                try {
                    Thread.sleep(backoff.toMillis()); // the backoff between attempts: nothing to wait on but time
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new ConfigException("interrupted while waiting for " + d.namespace(), e);
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        report.set(waiting("platform", 0, "dependencies answer; starting the platform"));
    }

    private static HealthReport waiting(String namespace, int attempt, String message) {
        Map<String, String> dims = new LinkedHashMap<>();
        dims.put("attempt", String.valueOf(attempt));
        HealthzMetric m = HealthzMetric.failed("startup", null, message, "bklog waits for its dependencies at"
                + " start (server.startup_wait); start " + namespace + " or check its address in the config");
        m = new HealthzMetric(m.status(), m.metricName(), m.metricValue(), dims, m.message(), m.suggestion());
        return HealthReport.of(List.of(NamespaceData.of(namespace, List.of(m))));
    }
}
