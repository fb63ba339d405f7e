package io.bklog.server.config;

import java.util.Objects;

/**
 * The whole server configuration (YAML keys in snake_case mirror these components). See {@code docs/config.md}.
 *
 * @param dataDir directory of embedded data (Lucene indices); created when missing
 */
public record BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                          AuthConfig auth, SchedulerConfig scheduler, HealthConfig health) {
    public static final String DEFAULT_DATA_DIR = "bklog-data";

    public BklogConfig {
        server = server == null ? ServerConfig.defaults() : server;
        dataDir = dataDir == null || dataDir.isBlank() ? DEFAULT_DATA_DIR : dataDir;
        store = store == null ? StoreConfig.defaults() : store;
        metadata = metadata == null ? MetadataSettings.defaults() : metadata;
        auth = auth == null ? AuthConfig.defaults() : auth;
        scheduler = scheduler == null ? SchedulerConfig.defaults() : scheduler;
        health = health == null ? HealthConfig.defaults() : health;
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata,
                       AuthConfig auth) {
        this(server, dataDir, store, metadata, auth, null, null);
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store, MetadataSettings metadata) {
        this(server, dataDir, store, metadata, AuthConfig.defaults());
    }

    public BklogConfig(ServerConfig server, String dataDir, StoreConfig store) {
        this(server, dataDir, store, MetadataSettings.defaults());
    }

    public static BklogConfig defaults() {
        return new BklogConfig(ServerConfig.defaults(), DEFAULT_DATA_DIR, StoreConfig.defaults(), MetadataSettings.defaults(),
                AuthConfig.defaults(), SchedulerConfig.defaults(), HealthConfig.defaults());
    }

    public BklogConfig withAuth(AuthConfig a) {
        return new BklogConfig(server, dataDir, store, metadata, Objects.requireNonNull(a), scheduler, health);
    }

    public BklogConfig withScheduler(SchedulerConfig s) {
        return new BklogConfig(server, dataDir, store, metadata, auth, Objects.requireNonNull(s), health);
    }

    public BklogConfig withHealth(HealthConfig h) {
        return new BklogConfig(server, dataDir, store, metadata, auth, scheduler, Objects.requireNonNull(h));
    }
}
