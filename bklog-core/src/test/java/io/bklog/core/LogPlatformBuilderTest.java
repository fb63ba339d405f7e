package io.bklog.core;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import io.bklog.core.memory.MemoryLogStore;
import io.bklog.spi.LogStore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LogPlatformBuilderTest {

    /** A provider whose backend needs a {@code hosts} setting. */
    private static final BackendProvider NEEDS_HOSTS = new BackendProvider() {
        @Override
        public String name() {
            return "needs_hosts";
        }

        @Override
        public Backend create(BackendConfig config) {
            config.require("hosts");
            return () -> "needs_hosts";
        }
    };

    /** A provider named {@code name} whose backend offers a memory store and records when it is closed. */
    private static BackendProvider recording(String name, List<String> closed) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Backend create(BackendConfig config) {
                MemoryLogStore store = new MemoryLogStore();
                return new Backend() {
                    @Override
                    public String name() {
                        return name;
                    }

                    @Override
                    public Optional<LogStore> logStore() {
                        return Optional.of(store);
                    }

                    @Override
                    public void close() {
                        closed.add(name);
                    }
                };
            }
        };
    }

    @Test
    void buildWithNothingSetWorksOnTheMemoryBackendAndListsItAmongTheProviders() {
        try (LogPlatform p = LogPlatform.builder().build()) {
            assertThat(p.internals().store().backendName()).isEqualTo("memory");
            assertThat(p.internals().taskBroker()).isPresent();
            assertThat(p.internals().lock()).isPresent();
            assertThat(p.internals().snapshotRepository()).isPresent();
            assertThat(p.internals().healthIndicators()).extracting(h -> h.namespace()).contains("mysql");
        }
        assertThat(LogPlatform.builder().providers()).containsKey("memory");
    }

    @Test
    void closesWhatItOwnsInReverseOrderOfCreationAndOnlyOnce() {
        List<String> closed = new ArrayList<>();
        LogPlatform p = LogPlatform.builder()
                .installProvider(recording("first", closed)).installProvider(recording("second", closed))
                .backend("first", Map.of()).backend("second", Map.of()).build();
        assertThat(p.internals().store()).isNotNull();
        p.close();
        p.close();
        assertThat(closed).containsExactly("second", "first");
    }

    @Test
    void aFailedBuildClosesTheBackendsItOpened() {
        List<String> closed = new ArrayList<>();
        assertThatThrownBy(() -> LogPlatform.builder().installProvider(recording("first", closed))
                .backend("first", Map.of()).backend("missing", Map.of()).build())
                .hasMessageContaining("no backend named 'missing'");
        assertThat(closed).containsExactly("first");
    }

    @Test
    void unknownBackendNameFailsAtBuildListingTheProvidersFound() {
        assertThatThrownBy(() -> LogPlatform.builder().installProvider(NEEDS_HOSTS).backend("elastic", Map.of()).build())
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_BACKEND))
                .hasMessageStartingWith("no backend named 'elastic'; on the classpath: ")
                .hasMessageContaining("needs_hosts");
    }

    @Test
    void installedProviderIsFoundByNameAndItsSettingErrorsAreNamed() {
        assertThat(LogPlatform.builder().installProvider(NEEDS_HOSTS).providers()).containsKey("needs_hosts");
        assertThatThrownBy(() -> LogPlatform.builder().installProvider(NEEDS_HOSTS)
                .backend("needs_hosts", Map.of()).build())
                .isInstanceOfSatisfying(BklogException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_BACKEND_CONFIG))
                .hasMessageContaining("backend 'needs_hosts' refused its settings: missing setting 'hosts'");
    }

    @Test
    void aBackendWithoutAStoreGetsTheDefaultStoreBesideIt() {
        try (LogPlatform p = LogPlatform.builder().installProvider(NEEDS_HOSTS)
                .backend("needs_hosts", Map.of("hosts", "h:1")).build()) {
            assertThat(p.internals().store().backendName()).isEqualTo("memory");
        }
    }
}
