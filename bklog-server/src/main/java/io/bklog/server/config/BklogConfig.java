package io.bklog.server.config;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The whole server configuration (YAML keys in snake_case mirror these components). See {@code docs/config.md}.
 *
 * @param dataDir  directory of embedded data (Lucene indices); created when missing
 * @param esCompat the Elasticsearch-compatible {@code _bulk} endpoint for shippers
 * @param export   limits of async exports
 * @param collectors what host resources (files, ports) collectors may use
 * @param backup   where backups go (a directory or an S3 bucket) and how many are kept
 * @param archive  where archive snapshots are kept (default: the store's snapshot repository in the data dir)
 * @param alerting retention of alert history, webhook destinations allowed, longest message
 * @param backends more backends by provider name with their settings, e.g. {@code redis} (task broker and lock of
 *                 several instances) or {@code kafka} (ingest buffer); the store is chosen by {@code store}
 */
public record BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                          AuthConfig auth, SchedulerConfig scheduler, HealthConfig health, EsCompatConfig esCompat,
                          ExportSettings export, CollectorsConfig collectors,
                          Map<String, Map<String, String>> backends, BackupConfig backup,
                          ArchiveStoreConfig archive, AlertingSettings alerting) {
    public static final String DEFAULT_DATA_DIR = "bklog-data";

    public BklogConfig {
        server = server == null ? ServerConfig.defaults() : server;
        dataDir = dataDir == null || dataDir.isBlank() ? DEFAULT_DATA_DIR : dataDir;
        store = store == null ? StoreConfig.defaults() : store;
        metadata = metadata == null ? MetadataSettings.defaults() : metadata;
        auth = auth == null ? AuthConfig.defaults() : auth;
        scheduler = scheduler == null ? SchedulerConfig.defaults() : scheduler;
        health = health == null ? HealthConfig.defaults() : health;
        esCompat = esCompat == null ? EsCompatConfig.defaults() : esCompat;
        export = export == null ? ExportSettings.defaults() : export;
        collectors = collectors == null ? CollectorsConfig.defaults() : collectors;
        Map<String, Map<String, String>> b = new LinkedHashMap<>();
        if (backends != null) {
            backends.forEach((name, settings) -> b.put(name, settings == null ? Map.of() : Map.copyOf(settings)));
        }
        backends = java.util.Collections.unmodifiableMap(b);
        backup = backup == null ? BackupConfig.defaults() : backup;
        archive = archive == null ? ArchiveStoreConfig.defaults() : archive;
        alerting = alerting == null ? AlertingSettings.defaults() : alerting;
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                       AuthConfig auth, SchedulerConfig scheduler, HealthConfig health, EsCompatConfig esCompat,
                       ExportSettings export, CollectorsConfig collectors,
                       Map<String, Map<String, String>> backends, BackupConfig backup) {
        this(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export, collectors, backends, backup,
                null, null);
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                       AuthConfig auth, SchedulerConfig scheduler, HealthConfig health, EsCompatConfig esCompat,
                       ExportSettings export, CollectorsConfig collectors,
                       Map<String, Map<String, String>> backends) {
        this(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export, collectors, backends, null);
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                       AuthConfig auth, SchedulerConfig scheduler, HealthConfig health) {
        this(server, dataDir, store, metadata, auth, scheduler, health, null, null, null, null, null);
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                       AuthConfig auth, EsCompatConfig esCompat) {
        this(server, dataDir, store, metadata, auth, null, null, esCompat, null, null, null, null);
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                       AuthConfig auth) {
        this(server, dataDir, store, metadata, auth, null, null, null, null, null, null, null);
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata) {
        this(server, dataDir, store, metadata, AuthConfig.defaults());
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store) {
        this(server, dataDir, store, MetadataSettings.defaults());
    }

    public static BklogConfig defaults() {
        return new BklogConfig(ServerConfig.defaults(), DEFAULT_DATA_DIR, StoreConfig.defaults(),
                MetadataSettings.defaults(), AuthConfig.defaults(), SchedulerConfig.defaults(), HealthConfig.defaults(),
                EsCompatConfig.defaults(), ExportSettings.defaults(), CollectorsConfig.defaults(), Map.of(),
                BackupConfig.defaults(), ArchiveStoreConfig.defaults(), AlertingSettings.defaults());
    }

    public BklogConfig withAuth(AuthConfig a) {
        return new BklogConfig(server, dataDir, store, metadata, Objects.requireNonNull(a), scheduler, health, esCompat,
                export, collectors, backends, backup, archive, alerting);
    }

    public BklogConfig withScheduler(SchedulerConfig s) {
        return new BklogConfig(server, dataDir, store, metadata, auth, Objects.requireNonNull(s), health, esCompat,
                export, collectors, backends, backup, archive, alerting);
    }

    public BklogConfig withHealth(HealthConfig h) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, Objects.requireNonNull(h), esCompat,
                export, collectors, backends, backup, archive, alerting);
    }

    public BklogConfig withExport(ExportSettings e) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, health, esCompat,
                Objects.requireNonNull(e), collectors, backends, backup, archive, alerting);
    }

    public BklogConfig withCollectors(CollectorsConfig c) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export,
                Objects.requireNonNull(c), backends, backup, archive, alerting);
    }

    public BklogConfig withBackup(BackupConfig k) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export,
                collectors, backends, Objects.requireNonNull(k), archive, alerting);
    }

    public BklogConfig withArchive(ArchiveStoreConfig a) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export,
                collectors, backends, backup, Objects.requireNonNull(a), alerting);
    }

    public BklogConfig withBackends(Map<String, Map<String, String>> b) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export,
                collectors, Objects.requireNonNull(b), backup, archive, alerting);
    }

    public BklogConfig withAlerting(AlertingSettings a) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, health, esCompat, export,
                collectors, backends, backup, archive, Objects.requireNonNull(a));
    }
}
