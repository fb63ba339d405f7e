package io.bklog.examples.jdbc;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import io.bklog.spi.DistributedLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcBackendProviderTest {

    @Test
    void isFoundByNameThroughTheServiceLoaderAndOffersALock(@TempDir Path dir) {
        BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("example-jdbc"))
                .findFirst().orElseThrow();
        try (Backend backend = provider.create(BackendConfig.of(
                Map.of("url", "jdbc:h2:mem:provider;DB_CLOSE_DELAY=-1"), dir))) {
            assertThat(backend.logStore()).isEmpty();
            DistributedLock lock = backend.distributedLock().orElseThrow();
            var lease = lock.tryAcquire("retention", "node-1", Duration.ofSeconds(30)).orElseThrow();
            assertThat(lock.isHeld(lease)).isTrue();
            assertThat(lock.tryAcquire("retention", "node-2", Duration.ofSeconds(30))).isEmpty();
        }
    }

    @Test
    void rejectsAMissingOrNonJdbcUrl(@TempDir Path dir) {
        JdbcBackendProvider provider = new JdbcBackendProvider();
        assertThatThrownBy(() -> provider.create(BackendConfig.of(Map.of(), dir)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("url");
        assertThatThrownBy(() -> provider.create(BackendConfig.of(Map.of("url", "h2:mem:x"), dir)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("JDBC URL");
    }
}
