package io.bklog.server.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.server.BklogServer;
import io.bklog.server.config.AuthConfig;
import io.bklog.server.config.BklogConfig;
import io.bklog.server.config.ServerConfig;
import io.bklog.server.config.StoreConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Start-up order without a supervisor (issue 19): an instance configured with a Redis that is not running yet waits
 * for it, serving {@code /healthz} and {@code /readyz} as 503 "waiting for redis ..., attempt N" and {@code /livez}
 * 200 meanwhile; once Redis runs, the instance starts and {@code /readyz} answers 200.
 */
class StartupWaitIT {
    @TempDir
    Path dir;
    private PrivateRedis redis;
    private BklogServer server;

    @AfterEach
    void stop() {
        if (server != null) server.close();
        if (redis != null) redis.close();
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void anInstanceWaitsForRedisShowingTheWaitInItsProbesThenStarts() throws Exception {
        PrivateRedis.requireInstalled();
        redis = new PrivateRedis(dir);
        int port = Ports.free();
        BklogConfig config = new BklogConfig(new ServerConfig("127.0.0.1", port, 1 << 20).withStartupWait("60s")
                .withRoles("api,ingest"), dir.resolve("data").toString(), StoreConfig.defaults())
                .withAuth(new AuthConfig(false))
                .withBackends(Map.of("redis", Map.of("uri", redis.uri(), "prefix", "bklog-wait")));
        AtomicReference<BklogServer> started = new AtomicReference<>();
        CompletableFuture<Void> starting = CompletableFuture.runAsync(() -> started.set(BklogServer.start(config)));
        URI uri = URI.create("http://127.0.0.1:" + port);

        AtomicReference<JsonNode> waiting = new AtomicReference<>();
        await("/healthz to name the wait for redis and its attempt").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() -> {
                    HttpResponse<String> r = Stack.send(uri, "GET", "/healthz", null, null);
                    if (r.statusCode() != 503) return false;
                    JsonNode body = Stack.JSON.readTree(r.body());
                    waiting.set(body);
                    return body.toString().contains("waiting for redis") && body.toString().contains("attempt 2");
                });
        assertThat(waiting.get().get("roles").toString()).isEqualTo("[\"api\",\"ingest\"]");
        assertThat(waiting.get().at("/data/0/namespace").asText()).isEqualTo("redis");
        assertThat(waiting.get().at("/data/0/data/0/suggestion").asText()).contains("server.startup_wait");
        HttpResponse<String> ready = Stack.send(uri, "GET", "/readyz?format=text", null, null);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("waiting for redis (127.0.0.1:").endsWith("roles: api,ingest\n");
        assertThat(Stack.send(uri, "GET", "/livez", null, null).statusCode()).isEqualTo(200);
        assertThat(starting).isNotDone();

        redis.start();
        starting.get(60, TimeUnit.SECONDS);
        server = started.get();
        await("/readyz 200 once started").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .ignoreExceptions().until(() -> Stack.send(uri, "GET", "/readyz", null, null).statusCode() == 200);
        assertThat(Stack.call(uri, "GET", "/healthz?include=redis", null, null).path("status").asBoolean()).isTrue();
    }
}
