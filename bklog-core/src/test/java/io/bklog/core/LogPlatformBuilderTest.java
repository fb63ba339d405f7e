package io.bklog.core;

import io.bklog.spi.Backend;
import io.bklog.spi.BackendConfig;
import io.bklog.spi.BackendProvider;
import org.junit.jupiter.api.Test;

import java.util.Map;

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
    void aBackendWithoutAStoreIsRefusedNamingTheStoreBackends() {
        assertThatThrownBy(() -> LogPlatform.builder().installProvider(NEEDS_HOSTS)
                .backend("needs_hosts", Map.of("hosts", "h:1")).build())
                .isInstanceOf(BklogException.class)
                .hasMessageContaining("no log store");
    }
}
