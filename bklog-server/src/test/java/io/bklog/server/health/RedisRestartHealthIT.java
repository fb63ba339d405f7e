package io.bklog.server.health;

import io.bklog.core.LogPlatform;
import io.bklog.server.BklogServer;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.http.MetricsRoutes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real Redis started by the test on a private port (so the shared one on 6379 is never touched), used as the
 * platform's redis backend: stopping it turns the redis namespace red, starting it again turns it green.
 * Needs {@code redis-server} on the PATH ({@code apt-get install redis-server}).
 */
class RedisRestartHealthIT {
    @TempDir
    Path dataDir;

    private Process redis;
    private BklogServer server;

    private Process startRedis(int port) throws IOException {
        Process p;
        try {
            p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no", "--daemonize", "no")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run redis-server; install it (apt-get install redis-server): " + e, e);
        }
        await("redis-server listening on " + port).atMost(Duration.ofSeconds(10)).until(() -> listening(port));
        return p;
    }

    private static boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void stopRedis() throws InterruptedException {
        redis.destroy();
        assertThat(redis.waitFor(10, TimeUnit.SECONDS)).as("redis-server stopped").isTrue();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        if (server != null) server.close();
        if (redis != null && redis.isAlive()) stopRedis();
    }

    @Test
    void redisNamespaceFailsWhenRedisStopsAndRecoversWhenItIsBack() throws Exception {
        int port = Http.freePort();
        redis = startRedis(port);
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).meterRegistry(MetricsRoutes.registry())
                .backend("lucene", Map.of())
                .backend("redis", Map.of("uri", "redis://127.0.0.1:" + port))
                .build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 1024 * 1024));

        Http.Answer green = Http.get(server.uri(), "/healthz?format=text");
        assertThat(green.status()).as(green.body()).isEqualTo(200);
        assertThat(green.body()).contains("[+]redis ok").contains("[+]redis/ping ");

        stopRedis();
        Http.Answer red = Http.get(server.uri(), "/healthz?format=text");
        assertThat(red.took()).isLessThan(Duration.ofSeconds(3));
        assertThat(red.status()).isEqualTo(503);
        assertThat(red.body()).contains("[-]redis failed").contains("[+]mysql ok").contains("[+]service ok");
        assertThat(Http.get(server.uri(), "/metrics").body()).contains("bklog_health_status{namespace=\"redis\"} 0.0");

        redis = startRedis(port);
        await("redis namespace green again").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .until(() -> Http.get(server.uri(), "/healthz?include=redis").status() == 200);
        assertThat(Http.get(server.uri(), "/metrics").body()).contains("bklog_health_status{namespace=\"redis\"} 1.0");
    }
}
