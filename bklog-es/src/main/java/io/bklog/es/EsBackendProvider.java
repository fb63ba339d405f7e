package io.bklog.es;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@code elasticsearch} backend from config. Settings (all optional):
 * <ul>
 *   <li>{@code hosts}: comma-separated {@code http://host:port} (default {@code http://127.0.0.1:9200})</li>
 *   <li>{@code cluster}: a name for this cluster (default {@code default}); configure the provider once per cluster
 *       with different names to use several clusters; the backend is then named {@code elasticsearch:{cluster}}</li>
 *   <li>{@code connect.timeout} (5s), {@code request.timeout} (60s)</li>
 *   <li>{@code bulk.max.retries} (3), {@code bulk.initial.backoff} (100ms), {@code bulk.max.backoff} (5s)</li>
 *   <li>{@code index.prefix}: prefix of the index template names (default {@code bklog_})</li>
 *   <li>{@code repository.name}: a snapshot repository to register (none by default); {@code repository.type}
 *       ({@code fs}); {@code repository.location} (fs: a directory below the nodes' {@code path.repo});
 *       {@code repository.settings.*} passed to Elasticsearch as is (s3 {@code bucket}, hdfs {@code uri}, ...)</li>
 *   <li>{@code health.heap.max.percent} (90), {@code health.pending.tasks.max} (100)</li>
 * </ul>
 */
public final class EsBackendProvider implements BackendProvider {
    public static final String NAME = "elasticsearch";

    /** Every setting this backend reads; any other is refused (docs/config.md). */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("hosts", "connect.timeout", "request.timeout", "bulk.max.retries", "bulk.initial.backoff", "bulk.max.backoff", "bulk.concurrent", "index.prefix", "repository.name", "repository.type", "repository.location", "health.heap.max.percent", "health.pending.tasks.max");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Backend create(BackendConfig config) {
        config.refuseUnknownKeys(name(), SETTINGS, "repository.settings.");
        List<String> hosts = Arrays.stream(config.get("hosts", "http://127.0.0.1:9200").split(","))
                .map(String::trim).filter(h -> !h.isEmpty()).toList();
        String cluster = config.get("cluster", "default");
        BulkRetryPolicy retry = new BulkRetryPolicy(config.getInt("bulk.max.retries", 3),
                config.getDuration("bulk.initial.backoff", Duration.ofMillis(100)),
                config.getDuration("bulk.max.backoff", Duration.ofSeconds(5)));
        EsLogStore.Builder storeBuilder = BackendConfig.named("index.prefix",
                () -> EsLogStore.builder().indexPrefix(config.get("index.prefix", "bklog_")));
        EsConnection connection = EsConnection.connect(hosts, config.getDuration("connect.timeout", Duration.ofSeconds(5)),
                config.getDuration("request.timeout", Duration.ofSeconds(60)));
        try {
            EsLogStore store = storeBuilder.connection(connection).bulkRetry(retry)
                    .concurrentBulks(config.getInt("bulk.concurrent", EsLogStore.DEFAULT_CONCURRENT_BULKS)).build();
            EsSnapshotRepository repository = null;
            Optional<String> repoName = config.get("repository.name");
            if (repoName.isPresent()) {
                EsSnapshotRepository.Builder rb = EsSnapshotRepository.builder().connection(connection)
                        .name(repoName.get()).type(config.get("repository.type", "fs"));
                config.get("repository.location").ifPresent(rb::location);
                String prefix = "repository.settings.";
                for (Map.Entry<String, String> e : config.settings().entrySet()) {
                    if (e.getKey().startsWith(prefix)) rb.setting(e.getKey().substring(prefix.length()), e.getValue());
                }
                repository = rb.build();
            }
            EsHealthIndicator.Builder hb = EsHealthIndicator.builder(connection).cluster(cluster);
            if (repository != null) hb.repository(repository);
            EsHealthIndicator health = hb
                    .maxHeapPercent(config.getInt("health.heap.max.percent", 90))
                    .maxPendingTasks(config.getInt("health.pending.tasks.max", 100)).build();
            return new EsBackend(cluster.equals("default") ? NAME : NAME + ":" + cluster, connection, store,
                    repository, health);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /** One configured cluster: its store, optional snapshot repository and health, over one connection. */
    static final class EsBackend implements Backend {
        private final String name;
        private final EsConnection connection;
        private final EsLogStore store;
        private final EsSnapshotRepository repository;
        private final EsHealthIndicator health;

        EsBackend(String name, EsConnection connection, EsLogStore store, EsSnapshotRepository repository,
                  EsHealthIndicator health) {
            this.name = name;
            this.connection = connection;
            this.store = store;
            this.repository = repository;
            this.health = health;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public Optional<LogStore> logStore() {
            return Optional.of(store);
        }

        @Override
        public Optional<SnapshotRepository> snapshotRepository() {
            return Optional.ofNullable(repository);
        }

        @Override
        public List<HealthIndicator> healthIndicators() {
            return List.of(health);
        }

        @Override
        public void close() {
            health.close();
            connection.close();
        }
    }
}
