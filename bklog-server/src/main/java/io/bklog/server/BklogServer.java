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

    private BklogServer(LogPlatform platform, Javalin app, String host) {
        this.platform = platform;
        this.app = app;
        this.host = host;
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
        return start(platform(config, config.scheduler().toSettings(), configFile), config.server(), config.auth(),
                config.esCompat(), List.of(new io.bklog.server.http.ConfigRoutes(
                        io.bklog.server.config.ConfigLoader.redacted(config))));
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
        Javalin app = Javalin.create(cfg -> {
            cfg.showJavalinBanner = false;
            cfg.http.maxRequestSize = server.maxRequestBytes();
            cfg.jsonMapper(new JavalinJackson(json, false));
            JsonJettyErrors.install(cfg, json);
            cfg.requestLogger.http((ctx, ms) -> log.debug("http method={} path={} status={} took_ms={}",
                    ctx.method(), ctx.path(), ctx.statusCode(), Math.round(ms)));
        });
        routes(app, ApiRoutes.all(platform, json));
        extra.forEach(g -> g.register(app));
        if (es.enabled()) {
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
        BklogServer s = new BklogServer(platform, app, server.host());
        log.info("bklog server listening url={} store={}", s.uri(), platform.internals().store().backendName());
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
        Path dataDir = dataDir(config);
        LogPlatformBuilder b = LogPlatform.builder().dataDir(dataDir)
                .collectorConfinement(config.collectors().toCore(dataDir, configFile)).meterRegistry(io.bklog.server.http.MetricsRoutes.registry())
                .scheduler(scheduler).healthTimeout(config.health().timeout());
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

    @Override
    public void close() {
        try {
            app.stop();
        } finally {
            platform.close();
            log.info("bklog server stopped");
        }
    }
}
