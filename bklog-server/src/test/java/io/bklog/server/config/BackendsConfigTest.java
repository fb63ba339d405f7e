package io.bklog.server.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.bklog.core.BklogException;
import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code backends.*}: the Redis broker and lock chosen from the YAML file (real Redis at 127.0.0.1:6379; start it
 * with {@code redis-server --daemonize yes --port 6379} when this fails to connect).
 */
class BackendsConfigTest {
    @TempDir
    Path dir;

    @Test
    void redisFromTheConfigFileBecomesTheSchedulersBrokerAndAHealthNamespace() throws Exception {
        String prefix = "bklog-cfg-" + UUID.randomUUID().toString().substring(0, 8);
        Path f = Files.writeString(dir.resolve("bklog.yaml"), """
                data_dir: %s
                server:
                  port: 0
                backends:
                  redis:
                    uri: redis://127.0.0.1:6379
                    prefix: %s
                """.formatted(dir.resolve("data"), prefix));
        BklogConfig c = ConfigLoader.load(f, Map.of(), Map.of());
        assertThat(c.backends()).containsKey("redis");
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        try (BklogServer server = BklogServer.start(c.withAuth(new AuthConfig(false)))) {
            root.detachAppender(logs);
            assertThat(logs.list).as("a default configuration starts without warnings")
                    .filteredOn(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                    .extracting(ILoggingEvent::getFormattedMessage).isEmpty();
            LogPlatform p = server.platform();
            assertThat(p.internals().taskBroker()).get().extracting(b -> b.getClass().getSimpleName()).isEqualTo("RedisTaskBroker");
            assertThat(p.internals().lock()).get().extracting(l -> l.getClass().getSimpleName()).isEqualTo("RedisLock");
            assertThat(p.health().namespaces()).contains("redis");
        }
    }

    @Test
    void anUnknownBackendStopsStartUpWithTheNamesFound() throws Exception {
        Path f = Files.writeString(dir.resolve("bad.yaml"), "data_dir: " + dir.resolve("d2")
                + "\nserver:\n  port: 0\nbackends:\n  rabbit:\n    uri: amqp://127.0.0.1\n");
        BklogConfig c = ConfigLoader.load(f, Map.of(), Map.of());
        assertThatThrownBy(() -> BklogServer.start(c.withAuth(new AuthConfig(false))))
                .isInstanceOf(BklogException.class).hasMessageContaining("no backend named 'rabbit'")
                .hasMessageContaining("redis");
    }
}
