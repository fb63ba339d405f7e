package io.bklog.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.LogPlatform;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.ArchiveStoreConfig;
import io.bklog.server.config.BackupConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.core.meta.MetadataConfig;
import io.bklog.server.config.ConfigException;
import io.bklog.server.config.EsCompatConfig;
import io.bklog.core.ingest.source.EsIndexMapping;
import io.bklog.server.http.EsCompatRoutes;
import io.bklog.server.config.MetadataSettings;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.ServerRoles;
import io.bklog.server.http.ApiRoutes;
import io.bklog.server.http.ErrorResponses;
import io.bklog.server.http.Json;
import io.bklog.server.http.JsonJettyErrors;
import io.bklog.server.http.RouteGroup;
import io.javalin.Javalin;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP server: a {@link LogPlatform} behind the REST API of {@link ApiRoutes}. {@link #close()} stops the
 * listener, then closes the platform.
 */
public final class BklogServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BklogServer.class);

    private final LogPlatform platform;
    private final Javalin app;
    private final String host;
    private final Drain drain;
    private final java.time.Duration shutdownTimeout;

    private BklogServer(LogPlatform platform, Javalin app, String host, Drain drain,
                        java.time.Duration shutdownTimeout) {
        this.platform = platform;
        this.app = app;
        this.host = host;
        this.drain = drain;
        this.shutdownTimeout = shutdownTimeout;
    }

    /**
     * Requests in flight, and the switch that refuses new ones while the server stops: 503 {@code
     * backend_unavailable} with {@code Retry-After} and {@code Connection: close}, so clients and load balancers go
     * to another instance. Event streams (tail) are not waited for.
     */
    static final class Drain {
        private final java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
        /** What each request in flight is ({@code GET /path}), for the log of a shutdown that abandons some. */
        private final java.util.Map<Object, String> requests = new java.util.concurrent.ConcurrentHashMap<>();
        private volatile boolean draining;
        private static final String COUNTED = "bklog.drain.counted";

        void register(Javalin app) {
            app.before(ctx -> {
                if (draining) {
                    ctx.header("Retry-After", "1").header("Connection", "close");
                    throw new io.bklog.core.BklogException(io.bklog.core.ErrorCode.BACKEND_UNAVAILABLE,
                            "this instance is shutting down; send the request to another instance", null,
                            java.util.Map.of("retryable", true), null);
                }
                String accept = ctx.header("Accept");
                if (accept != null && accept.contains("text/event-stream")) return;
                if (ctx.path().endsWith("/tail")) return; // an event stream whatever the client accepts
                ctx.attribute(COUNTED, Boolean.TRUE);
                inFlight.incrementAndGet();
                requests.put(ctx.req(), ctx.method() + " " + ctx.path());
            });
        }

        /** A request ended (answered, refused or failed): no longer in flight. */
        void finished(io.javalin.http.Context ctx) {
            if (ctx.attribute(COUNTED) != null) {
                ctx.attribute(COUNTED, null);
                inFlight.decrementAndGet();
                requests.remove(ctx.req());
            }
        }

        int inFlight() {
            return inFlight.get();
        }
    }

    /** Builds the platform the config describes and starts serving it. */
    public static BklogServer start(BklogConfig config) {
        return start(config, null);
    }

    /**
     * As {@link #start(BklogConfig)}, naming the YAML file the config came from: collectors never read its
     * directory (nor the data dir), whatever {@code collectors.file.allowed_paths} says.
     */
    public static BklogServer start(BklogConfig config, Path configFile) {
        ServerConfig server = config.server();
        ServerRoles roles = server.roleSet();
        StartupWait wait = StartupWait.of(config);
        if (!wait.namespaces().isEmpty() && !server.startupWaitDuration().isZero() && !wait.allAnswerNow()) {
            awaitDependencies(wait, server, roles);
        }
        io.bklog.core.schedule.SchedulerSettings s = config.scheduler().toSettings();
        s = s.withBeat(s.beat() && roles.has(ServerRoles.Role.BEAT))
                .withWorkers(roles.has(ServerRoles.Role.WORKER) ? s.workers() : 0);
        LogPlatform platform = platform(config, s, configFile, roles);
        log.info("bklog instance roles={} beat={} workers={} collect={} drain_buffer={}", roles, s.beat(),
                s.workers(), roles.has(ServerRoles.Role.COLLECT), roles.has(ServerRoles.Role.INGEST));
        return start(platform, server, config.auth(), config.esCompat(), List.of(new io.bklog.server.http.ConfigRoutes(
                io.bklog.server.config.ConfigLoader.redacted(config))));
    }

    /**
     * Serves only the probes on the configured port while {@code wait} waits for the dependencies: {@code /livez}
     * 200, {@code /healthz} and {@code /readyz} 503 naming the dependency and the attempt. The listener stops once
     * every dependency answers (or the wait gives up), before the real server takes the port.
     */
    private static void awaitDependencies(StartupWait wait, ServerConfig server, ServerRoles roles) {
        Javalin probes = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.jsonMapper(new JavalinJackson(Json.mapper(), false));
        });
        probes.get("/livez", ctx -> ctx.contentType("text/plain; charset=utf-8").result("ok\n"));
        probes.get("/healthz", ctx -> io.bklog.server.http.HealthRoutes.answerWaiting(ctx, wait.report(), roles.ids()));
        probes.get("/readyz", ctx -> io.bklog.server.http.HealthRoutes.answerWaiting(ctx, wait.report(), roles.ids()));
        try {
            probes.start(server.host(), server.port());
        } catch (RuntimeException e) {
            log.warn("event=startup_probes_not_served reason=\"{}\"", e.toString());
            probes = null;
        }
        try {
            wait.await(null);
        } finally {
            if (probes != null) probes.stop();
        }
    }

    /** Serves a platform built by the caller; the server owns it from now on and closes it on {@link #close()}. */
    public static BklogServer start(LogPlatform platform, ServerConfig server) {
        return start(platform, server, new AuthConfig(false));
    }

    /** As {@link #start(LogPlatform, ServerConfig)}, with token authentication of {@code /api/**} as configured. */
    public static BklogServer start(LogPlatform platform, ServerConfig server, AuthConfig auth) {
        return start(platform, server, auth, EsCompatConfig.defaults());
    }

    /** As {@link #start(LogPlatform, ServerConfig, AuthConfig)}, with the Elasticsearch-compatible endpoint as configured. */
    public static BklogServer start(LogPlatform platform, ServerConfig server, AuthConfig auth, EsCompatConfig es) {
        return start(platform, server, auth, es, List.of());
    }

    private static BklogServer start(LogPlatform platform, ServerConfig server, AuthConfig auth, EsCompatConfig es,
                                     List<RouteGroup> extra) {
        ObjectMapper json = Json.mapper();
        ServerRoles roles = server.roleSet();
        Drain drain = new Drain();
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = server.maxRequestBytes();
            cfg.jsonMapper(new JavalinJackson(json, false));
            JsonJettyErrors.install(cfg, json);
            cfg.requestLogger.http((ctx, ms) -> {
                drain.finished(ctx); // the request logger sees every request, also one a before-handler refused
                log.debug("http method={} path={} status={} took_ms={}", ctx.method(), ctx.path(), ctx.statusCode(),
                        Math.round(ms));
            });
        });
        drain.register(app);
        routes(app, ApiRoutes.forRoles(platform, json, roles));
        if (roles.has(ServerRoles.Role.API)) extra.forEach(g -> g.register(app));
        if (es.enabled() && roles.has(ServerRoles.Role.INGEST)) {
            EsCompatRoutes.of(platform, json, new EsIndexMapping(es.indexMapping(), es.defaultIndexSet(),
                    es.autoCreateIndexAnywhere()), es.clusterName(), es.version(), es::autoCreateIndexIn,
                    server.maxRequestBytes())
                    .register(app);
        }
        ApiRoutes.authFilter(platform, auth.enabled()).register(app);
        try {
            app.start(server.host(), server.port());
        } catch (RuntimeException e) {
            platform.close();
            throw e;
        }
        BklogServer s = new BklogServer(platform, app, server.host(), drain, server.shutdownTimeoutDuration());
        log.info("bklog server listening url={} store={} roles={}", s.uri(),
                platform.internals().store().backendName(), roles);
        return s;
    }

    private static void routes(Javalin app, List<RouteGroup> groups) {
        ErrorResponses.register(app);
        groups.forEach(g -> g.register(app));
    }

    /**
     * The platform a config describes (data dir, store backend or storage clusters and their settings, health
     * timeout), for the one-shot commands: its scheduler runs neither beat nor workers, whatever {@code scheduler.*}
     * says.
     */
    public static LogPlatform platform(BklogConfig config) {
        return platform(config, io.bklog.core.schedule.SchedulerSettings.apiOnly());
    }

    /** The platform a config describes, with the given scheduler roles. */
    public static LogPlatform platform(BklogConfig config, io.bklog.core.schedule.SchedulerSettings scheduler) {
        return platform(config, scheduler, null);
    }

    /** The platform a config (read from {@code configFile}, or null) describes, with the given scheduler roles. */
    public static LogPlatform platform(BklogConfig config, io.bklog.core.schedule.SchedulerSettings scheduler,
                                       Path configFile) {
        return platform(config, scheduler, configFile, ServerRoles.all());
    }

    /**
     * As above, for an instance with these roles: collectors' sources run only with {@code collect}, the ingest
     * buffer is drained only with {@code ingest} (the scheduler roles are in {@code scheduler}).
     */
    public static LogPlatform platform(BklogConfig config, io.bklog.core.schedule.SchedulerSettings scheduler,
                                       Path configFile, ServerRoles roles) {
        Path dataDir = dataDir(config);
        LogPlatformBuilder b = LogPlatform.builder().dataDir(dataDir)
                .collectorConfinement(config.collectors().toCore(dataDir, configFile)).meterRegistry(io.bklog.server.http.MetricsRoutes.registry())
                .scheduler(scheduler).healthTimeout(config.health().timeout())
                .runCollectors(roles.has(ServerRoles.Role.COLLECT)).drainBuffer(roles.has(ServerRoles.Role.INGEST));
        if (!config.store().backend().isEmpty()) {
            b.backend(config.store().backend(), config.store().settings());
        }
        config.store().clusters().forEach((name, c) -> b.backend(c.backend(), c.settingsOf(name)));
        if (!config.store().defaultCluster().isEmpty()) b.defaultCluster(config.store().defaultCluster());
        config.backends().forEach(b::backend);
        metadataConfig(config).ifPresent(b::metadataConfig);
        b.exports(config.export().toCore());
        if (!config.export().store().isEmpty()) {
            b.exportStore(blobStore("export", config.export().store(), config.export().resolvedSettings(), dataDir));
        }
        b.alerting(config.alerting().toCore());
        if (config.metadata().migrateOnStart() != null) b.migrateOnStart(config.metadata().migrateOnStart());
        BackupConfig backup = config.backup();
        b.operations(o -> {
            o.keepFull(backup.keepFull());
            if (!backup.location().isEmpty()) o.backupLocation(dataDir.resolve(backup.location()));
            if (!backup.store().isEmpty()) o.backupStore(backupStore(backup, dataDir));
            ArchiveStoreConfig archive = config.archive();
            if (!archive.store().isEmpty()) {
                o.archiveStore(blobStore("archive", archive.store(), archive.resolvedSettings(), dataDir));
            }
        });
        return b.build();
    }

    /** The blob store {@code backup.store} names, with its settings (secrets read from their files). */
    public static io.bklog.spi.BlobStore backupStore(BackupConfig backup, Path dataDir) {
        try {
            return io.bklog.core.ops.BlobStores.open(backup.store(), backup.resolvedSettings(), dataDir);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad backup config (backup.store '" + backup.store() + "'): " + e.getMessage(), e);
        }
    }

    /** The blob store {@code <section>.store} names, with its settings (secrets read from their files). */
    static io.bklog.spi.BlobStore blobStore(String section, String kind, java.util.Map<String, String> settings,
                                            Path dataDir) {
        try {
            return io.bklog.core.ops.BlobStores.open(kind, settings, dataDir);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad " + section + " config (" + section + ".store '" + kind + "'): "
                    + e.getMessage(), e);
        }
    }

    /** The data dir of a config, created when missing. */
    public static Path dataDir(BklogConfig config) {
        Path dataDir = Path.of(config.dataDir());
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new ConfigException("cannot create data_dir " + dataDir.toAbsolutePath() + ": " + e, e);
        }
        return dataDir;
    }

    /** The configured metadata database; empty = the embedded default. */
    public static Optional<MetadataConfig> metadataConfig(BklogConfig config) {
        MetadataSettings m = config.metadata();
        if (m.url().isEmpty()) {
            if (!m.replicaUrl().isEmpty()) {
                throw new ConfigException("bad metadata config: metadata.replica_url is set but metadata.url is not;"
                        + " a replica needs its MariaDB primary in metadata.url (docs/ha.md)");
            }
            return Optional.empty();
        }
        try {
            return Optional.of(MetadataConfig.builder().jdbcUrl(m.url()).user(m.user()).password(m.password())
                    .replicaJdbcUrl(m.replicaUrl()).build());
        } catch (IllegalArgumentException e) {
            throw new ConfigException("bad metadata config: " + e.getMessage(), e);
        }
    }

    public LogPlatform platform() {
        return platform;
    }

    /** The port actually bound (useful with port 0). */
    public int port() {
        return app.port();
    }

    public URI uri() {
        return URI.create("http://" + host + ":" + port());
    }

    /**
     * Stops serving: refuses new requests (503, {@code Retry-After}), waits for those in flight at most {@code
     * server.shutdown_timeout}, stops the listener, then closes the platform (which drains the sink into the store)
     * and returns once it is closed, however long that takes: a caller (an embedding application, a test) may then
     * remove the data dir. A SIGTERM uses {@link #shutdown()} instead, which abandons what is left at the deadline.
     */
    @Override
    public void close() {
        stop(false);
    }

    /**
     * As {@link #close()}, but everything, the platform's close included, within {@code server.shutdown_timeout}:
     * what is left at the end is logged and abandoned (the JVM is exiting; the write-ahead log keeps what the sink
     * had not stored).
     */
    public void shutdown() {
        stop(true);
    }

    private void stop(boolean bounded) {
        long deadline = System.nanoTime() + shutdownTimeout.toNanos();
        drain.draining = true;
        try {
            while (drain.inFlight() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20); // polling a counter the handlers decrement: nothing else to wait on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        int left = drain.inFlight();
        if (left > 0) log.warn("event=shutdown_requests_abandoned in_flight={} timeout_s={} requests=\"{}\"", left,
                shutdownTimeout.toSeconds(), String.join(", ", drain.requests.values()));
        try {
            app.stop();
        } finally {
            Thread closer = new Thread(platform::close, "bklog-platform-close");
            closer.start();
            try {
                closer.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer.isAlive()) {
                log.warn("event=shutdown_timeout what=\"platform close (sink drain)\" timeout_s={} waiting={}",
                        shutdownTimeout.toSeconds(), !bounded);
                if (!bounded) {
                    try {
                        closer.join();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            if (!closer.isAlive()) log.info("bklog server stopped");
        }
    }
}
