package io.bklog.lucene;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code lucene} backend: a {@link LuceneLogStore} and a {@link DirectorySnapshotRepository}.
 *
 * <p>Settings: {@code path} (default: the platform data dir + {@code /lucene}), {@code refresh.interval}
 * (default 500ms), {@code commit.mode} ({@code wal} default, or {@code every_batch}), {@code commit.interval}
 * (default 30s), {@code ram_buffer_mb} (default 32), {@code repository.path} (default {@code {path}/snapshots}),
 * {@code repository.name} (default {@code fs}).
 */
public final class LuceneBackendProvider implements BackendProvider {

    /** Every setting this backend reads; any other is refused (docs/config.md). */
    static final java.util.Set<String> SETTINGS = java.util.Set.of("path", "refresh.interval", "commit.mode", "commit.interval", "ram_buffer_mb", "repository.path", "repository.name",
            "index.idle.after", "index.max.open", "indexing.threads");

    @Override
    public String name() {
        return LuceneLogStore.BACKEND;
    }

    @Override
    public Backend create(BackendConfig config) {
        config.refuseUnknownKeys(name(), SETTINGS);
        Path dir = config.get("path").map(Path::of)
                .orElseGet(() -> config.dataDir() == null ? null : config.dataDir().resolve("lucene"));
        if (dir == null) {
            throw new IllegalArgumentException("lucene backend needs setting 'path' or a platform data dir");
        }
        Duration refresh = config.getDuration("refresh.interval", LuceneLogStore.DEFAULT_REFRESH_INTERVAL);
        Duration commitInterval = config.getDuration("commit.interval", CommitPolicy.DEFAULT_COMMIT_INTERVAL);
        CommitPolicy commitPolicy = BackendConfig.named("commit.mode",
                () -> CommitPolicy.parse(config.get("commit.mode", "wal"), commitInterval));
        int ramBufferMb = config.getInt("ram_buffer_mb", (int) LuceneLogStore.DEFAULT_RAM_BUFFER_MB);
        LuceneLogStore.Builder builder = LuceneLogStore.builder().dataDir(dir).commitPolicy(commitPolicy);
        BackendConfig.named("refresh.interval", () -> builder.refreshInterval(refresh).checkRefreshInterval());
        BackendConfig.named("ram_buffer_mb", () -> builder.ramBufferMb(ramBufferMb).checkRamBuffer());
        Duration idleAfter = config.getDuration("index.idle.after", LuceneLogStore.DEFAULT_INDEX_IDLE_AFTER);
        int maxOpen = config.getInt("index.max.open", LuceneLogStore.DEFAULT_MAX_OPEN_INDICES);
        BackendConfig.named("index.idle.after", () -> builder.indexIdleAfter(idleAfter).checkOpenIndices());
        BackendConfig.named("index.max.open", () -> builder.maxOpenIndices(maxOpen).checkOpenIndices());
        int indexingThreads = config.getInt("indexing.threads", LuceneLogStore.DEFAULT_INDEXING_THREADS);
        BackendConfig.named("indexing.threads", () -> builder.indexingThreads(indexingThreads).checkIndexingThreads());
        LuceneLogStore store = builder.build();
        DirectorySnapshotRepository repository;
        try {
            repository = DirectorySnapshotRepository.builder()
                    .name(config.get("repository.name", "fs"))
                    .path(config.get("repository.path").map(Path::of).orElseGet(() -> dir.resolve("snapshots")))
                    .store(store)
                    .build();
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return new LuceneBackend(store, repository);
    }

    /** The store and repository of one configured lucene backend. */
    record LuceneBackend(LuceneLogStore store, DirectorySnapshotRepository repository) implements Backend {
        @Override
        public String name() {
            return LuceneLogStore.BACKEND;
        }

        @Override
        public Optional<LogStore> logStore() {
            return Optional.of(store);
        }

        @Override
        public Optional<SnapshotRepository> snapshotRepository() {
            return Optional.of(repository);
        }

        @Override
        public void close() {
            repository.close();
            store.close();
        }
    }
}
