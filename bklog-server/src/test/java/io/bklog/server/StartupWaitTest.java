package io.bklog.server;

import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ConfigException;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code server.startup_wait}: a dependency that never answers stops the start, naming it and the attempts. */
class StartupWaitTest {
    @Test
    void aDependencyThatNeverAnswersStopsTheStartNamingItAndTheAttempts(@TempDir Path dataDir) throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort(); // free again once closed: nothing listens there
        }
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20).withStartupWait("1s"),
                dataDir.toString(), StoreConfig.defaults()).withAuth(new AuthConfig(false))
                .withBackends(Map.of("redis", Map.of("uri", "redis://127.0.0.1:" + closed)));
        StartupWait wait = StartupWait.of(config);
        assertThat(wait.namespaces()).containsExactly("redis");
        List<String> attempts = new ArrayList<>();
        assertThatThrownBy(() -> wait.await(attempts::add)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("redis (127.0.0.1:" + closed + ") did not answer within server.startup_wait = 1 s")
                .hasMessageContaining("raise server.startup_wait");
        assertThat(attempts).hasSizeGreaterThanOrEqualTo(2);
        assertThat(attempts.get(1)).startsWith("waiting for redis (127.0.0.1:" + closed + "), attempt 2: cannot connect");
        assertThat(wait.report().status()).isFalse();
        assertThat(wait.report().data().get(0).message()).contains("waiting for redis").contains("attempt");
    }

    @Test
    void theDependenciesOfAConfigAreWaitedForInStartUpOrder() {
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", 0, 1 << 20), "d",
                new StoreConfig("elasticsearch", Map.of("hosts", "http://es1:9200,https://es2")))
                .withBackends(Map.of("kafka", Map.of("bootstrap.servers", "k1:9092,k2:9093"),
                        "redis", Map.of("uri", "redis://r:6380")));
        config = new BklogConfig(config.server(), config.dataDir(), config.store(),
                new io.bklog.server.config.MetadataSettings("jdbc:mariadb://db:3306/bklog", "u", "p", true),
                config.auth(), config.scheduler(), config.health(), config.esCompat(), config.export(),
                config.collectors(), config.backends(), config.backup());
        assertThat(StartupWait.of(config).namespaces())
                .containsExactly("mysql", "elasticsearch", "elasticsearch", "redis", "kafka");
        // the embedded default waits for nothing
        assertThat(StartupWait.of(BklogConfig.defaults()).namespaces()).isEmpty();
    }
}
