package io.bklog.redis;

import com.sun.net.httpserver.HttpServer;
import io.bklog.core.LogPlatform;
import io.bklog.core.alert.AlertCaller;
import io.bklog.core.alert.AlertCondition;
import io.bklog.core.alert.AlertRule;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.schedule.SchedulerSettings;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Alerting on two instances of one deployment (Redis lock, one MariaDB metadata database): both evaluate the same
 * periods at the same moment and both deliver the outbox, and the webhook receives exactly one notification per
 * firing and one per resolve. Each instance has its own in-memory store holding the same lines (what a shared
 * Elasticsearch would give both).
 */
class RedisAlertingTwoInstancesIT {
    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static RedisFixture redis;
    private static MariaDbDatabase database;
    private static HttpServer receiver;
    private static final List<String> received = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        redis = new RedisFixture("alerting");
        database = new MariaDbDatabase();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", ex -> {
            received.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        receiver.start();
    }

    @AfterAll
    static void stop() {
        if (receiver != null) receiver.stop(0);
        if (database != null) database.close();
        if (redis != null) redis.close();
    }

    private static LogPlatform instance(MutableClock clock) {
        return LogPlatform.builder().backend("memory", Map.of())
                .backend("redis", Map.of("uri", RedisFixture.URI, "prefix", redis.prefix))
                .metadataConfig(database.config())
                .migrateOnStart(true).clock(clock).alertSleeper(d -> { })
                .alerting(io.bklog.core.alert.AlertingConfig.defaults()
                        .withWebhookAllowedDestinations(List.of("127.0.0.1"))) // the receiver is on loopback
                .scheduler(SchedulerSettings.workersOnly().withPollWait(Duration.ofMillis(200)))
                .build();
    }

    private static void ingest(LogPlatform p, Instant at, String... lines) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String l : lines) docs.add(Map.of("log", l, "dtEventTimeStamp", at.toEpochMilli()));
        p.ingest().ingest("app", docs, true);
    }

    /** Runs {@code step} on both instances at the same moment and waits for both. */
    private static void together(LogPlatform a, LogPlatform b, java.util.function.Consumer<LogPlatform> step)
            throws Exception {
        CyclicBarrier go = new CyclicBarrier(2);
        List<CompletableFuture<Void>> both = new ArrayList<>();
        for (LogPlatform p : List.of(a, b)) {
            both.add(CompletableFuture.runAsync(() -> {
                try {
                    go.await(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                step.accept(p);
            }));
        }
        CompletableFuture.allOf(both.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @Test
    void twoInstancesEvaluatingAndDeliveringTogetherSendOneNotificationPerFiring() throws Exception {
        MutableClock clock = new MutableClock(T0);
        try (LogPlatform a = instance(clock); LogPlatform b = instance(clock)) {
            assertThat(a.internals().lock()).get().isInstanceOf(RedisLock.class);
            a.indexSets().put("app", IndexSetSpec.defaults());
            b.indexSets().put("app", IndexSetSpec.defaults());
            for (LogPlatform p : List.of(a, b)) ingest(p, T0.plusSeconds(10), "error 1", "error 2");
            for (LogPlatform p : List.of(a, b)) ingest(p, T0.plus(Duration.ofSeconds(150)), "info ok");
            a.alerts().putChannel("default", "hook", "webhook", Map.of("url", "http://127.0.0.1:"
                    + receiver.getAddress().getPort() + "/hook"));
            AlertRule rule = a.alerts().createRule(AlertCaller.library("default"), new AlertRule(null, null,
                    "errors", "app", "error", null, AlertCondition.countAbove(1), Duration.ofMinutes(1),
                    Duration.ofMinutes(2), null, null, null, null, null, 1, null, null, List.of("hook"), null, null,
                    null, null, null, null));
            // periods: 10:01 and 10:02 fire (errors in the window), 10:03 resolves, 10:04 stays ok
            for (int minute = 1; minute <= 4; minute++) {
                clock.set(T0.plus(Duration.ofMinutes(minute)).plusSeconds(1));
                together(a, b, p -> p.alerts().evaluateDue(clock.instant()));
                together(a, b, p -> p.alerts().deliverPending());
            }
            assertThat(received).hasSize(2);
            assertThat(received.get(0)).contains("\"status\":\"firing\"");
            assertThat(received.get(1)).contains("\"status\":\"resolved\"");
            assertThat(b.alerts().history("default", rule.id(), 10)).extracting(h -> h.toState())
                    .containsExactly("ok", "resolved", "firing");
        }
    }
}
