package io.bklog.server.health;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.LogPlatform;
import io.bklog.redis.RedisHealthIndicator;
import io.bklog.server.BklogServer;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.http.MetricsRoutes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** A Redis backend configured at a port nothing listens on: only the redis namespace fails, fast. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnreachableRedisHealthTest {
    @TempDir
    static Path dataDir;

    private BklogServer server;
    private RedisHealthIndicator redis;

    /**
     * The redis backend refuses to start without Redis, so the indicator is added on its own: the state of a
     * platform whose Redis went away after start.
     */
    @BeforeAll
    void start() {
        redis = RedisHealthIndicator.builder().uri("redis://127.0.0.1:" + Http.freePort()).build();
        LogPlatform platform = LogPlatform.builder().dataDir(dataDir).meterRegistry(MetricsRoutes.registry())
                .healthIndicator(redis).build();
        server = BklogServer.start(platform, new ServerConfig("127.0.0.1", 0, 1024 * 1024));
    }

    @AfterAll
    void stop() {
        server.close();
        redis.close();
    }

    @Test
    void aRedisThatAcceptsButNeverAnswersFailsAtTheTimeoutNotLater(@TempDir Path otherDir) throws Exception {
        ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        RedisHealthIndicator hung = RedisHealthIndicator.builder().uri("redis://127.0.0.1:" + silent.getLocalPort())
                .build();
        BklogServer s = BklogServer.start(LogPlatform.builder().dataDir(otherDir).healthIndicator(hung).build(),
                new ServerConfig("127.0.0.1", 0, 1024 * 1024));
        try {
            Http.get(s.uri(), "/livez"); // the server's first request warms it up; what is timed is the health check
            Http.Answer a = Http.get(s.uri(), "/healthz?format=text");
            assertThat(a.took()).isLessThan(Duration.ofSeconds(3));
            assertThat(a.status()).isEqualTo(503);
            assertThat(a.body()).contains("[-]redis failed: RedisHealthIndicator").contains("[+]mysql ok");
        } finally {
            silent.close();
            s.close();
            hung.close();
        }
    }

    @Test
    void redisFailsWithinTheTimeoutWithMessageAndSuggestionWhileTheOthersStayGreen() {
        Http.get(server.uri(), "/livez"); // warm-up, as above
        Http.Answer a = Http.get(server.uri(), "/healthz");
        assertThat(a.took()).isLessThan(Duration.ofSeconds(3));
        assertThat(a.status()).isEqualTo(503);
        JsonNode body = a.json();
        assertThat(body.get("message").asText()).isEqualTo("health check failed, please check these namespace: redis");
        for (JsonNode ns : body.get("data")) {
            String name = ns.get("namespace").asText();
            if (name.equals("redis")) {
                assertThat(ns.get("status").asBoolean()).isFalse();
                JsonNode ping = ns.get("data").get(0);
                assertThat(ping.get("metric_name").asText()).isEqualTo("ping");
                assertThat(ping.get("message").asText()).startsWith("redis is unreachable");
                assertThat(ping.get("suggestion").asText()).contains("check that Redis is running");
            } else {
                assertThat(ns.get("status").asBoolean()).as(name + ": " + ns).isTrue();
            }
        }
    }

    @Test
    void textFormatNamesTheFailedNamespaceAndItsReason() {
        Http.Answer a = Http.get(server.uri(), "/healthz?format=text");
        assertThat(a.status()).isEqualTo(503);
        assertThat(a.body()).contains("[-]redis failed: ping: redis is unreachable")
                .contains("[+]mysql ok").contains("[+]service ok")
                .contains("(suggestion: check that Redis is running");
    }

    @Test
    void excludingRedisMakesTheRestPass() {
        assertThat(Http.get(server.uri(), "/healthz?exclude=redis").status()).isEqualTo(200);
    }

    @Test
    void readinessDoesNotDependOnRedis() {
        assertThat(Http.get(server.uri(), "/readyz").status()).isEqualTo(200);
    }

    @Test
    void healthStatusGaugeReportsRedisDown() {
        Http.get(server.uri(), "/healthz");
        String metrics = Http.get(server.uri(), "/metrics").body();
        assertThat(metrics).contains("bklog_health_status{namespace=\"redis\"} 0.0")
                .contains("bklog_health_status{namespace=\"service\"} 1.0");
    }
}
