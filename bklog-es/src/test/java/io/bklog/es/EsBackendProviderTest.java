package io.bklog.es;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EsBackendProviderTest {

    @Test
    void isFoundByNameAndBuildsOneBackendPerConfiguredCluster() {
        BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("elasticsearch")).findFirst().orElseThrow();
        try (Backend main = provider.create(BackendConfig.of(Map.of("hosts", "http://127.0.0.1:9200"), Path.of(".")));
             Backend archive = provider.create(BackendConfig.of(Map.of("hosts", "http://127.0.0.1:9201",
                     "cluster", "archive", "repository.name", "cold", "repository.location", "/srv/repo"),
                     Path.of(".")))) {
            assertThat(main.name()).isEqualTo("elasticsearch");
            assertThat(main.logStore()).get().extracting(s -> s.backendName()).isEqualTo("elasticsearch");
            assertThat(main.snapshotRepository()).isEmpty();
            assertThat(archive.name()).isEqualTo("elasticsearch:archive");
            assertThat(archive.snapshotRepository()).get().extracting(r -> r.name()).isEqualTo("cold");
            assertThat(archive.healthIndicators()).hasSize(1);
        }
    }

    @Test
    void namesABadSetting() {
        BackendProvider provider = new EsBackendProvider();
        assertThatThrownBy(() -> provider.create(BackendConfig.of(Map.of("bulk.max.retries", "many"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bulk.max.retries");
        assertThatThrownBy(() -> provider.create(BackendConfig.of(Map.of("repository.name", "r"), Path.of("."))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("location");
    }
}
