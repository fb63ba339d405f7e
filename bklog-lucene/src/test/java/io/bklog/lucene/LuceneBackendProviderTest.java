package io.bklog.lucene;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LuceneBackendProviderTest {
    @TempDir
    Path dir;

    @Test
    void isFoundByNameAndOffersAStoreAndASnapshotRepository() {
        BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("lucene")).findFirst().orElseThrow();
        try (Backend backend = provider.create(BackendConfig.of(
                Map.of("repository.path", dir.resolve("repo").toString(), "refresh.interval", "200ms"), dir))) {
            assertThat(backend.name()).isEqualTo("lucene");
            assertThat(backend.logStore()).get().extracting(s -> s.backendName()).isEqualTo("lucene");
            assertThat(backend.snapshotRepository()).isPresent();
            backend.snapshotRepository().orElseThrow().verify();
            assertThat(((LuceneLogStore) backend.logStore().orElseThrow()).dataDir()).isEqualTo(dir.resolve("lucene"));
        }
    }

    @Test
    void usesThePathSettingOverThePlatformDataDir() {
        try (Backend backend = new LuceneBackendProvider().create(BackendConfig.of(
                Map.of("path", dir.resolve("custom").toString(), "commit.mode", "every_batch"), null))) {
            assertThat(((LuceneLogStore) backend.logStore().orElseThrow()).dataDir()).isEqualTo(dir.resolve("custom"));
        }
    }

    @Test
    void refusesAMissingDataDirAndABadCommitMode() {
        assertThatThrownBy(() -> new LuceneBackendProvider().create(BackendConfig.of(Map.of(), null)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("path");
        assertThatThrownBy(() -> new LuceneBackendProvider().create(BackendConfig.of(Map.of("commit.mode", "sometimes"), dir)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sometimes");
    }
}
