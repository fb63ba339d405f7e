package io.bklog.redis;

import com.sun.net.httpserver.HttpServer;
import io.bklog.core.LogPlatform;
import io.bklog.core.alert.AlertCaller;
import io.bklog.core.alert.AlertCondition;
import io.bklog.core.alert.AlertRule;
import io.bklog.core.alert.AlertService;
import io.bklog.core.alert.AlertingConfig;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.memory.MemoryLogStore;
import io.bklog.core.schedule.Beat;
import io.bklog.core.schedule.SchedulerSettings;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Alerting on two full instances of one deployment — each with its own scheduler (beat and workers) running
 * {@code alerts.evaluate} and {@code alerts.deliver}, one MariaDB metadata database, Redis as broker and lock — and
 * a real HTTP receiver: each firing and each resolve is received exactly once, also after one instance stopped, after
 * downtime (caught up once), when an evaluation stalls mid-way (the other instance takes the rule over once its
 * lease passed and the stalled one's late commit is refused), and while a delivery is in flight (the other instance
 * does not send it again). Time is a {@link MutableClock} the test moves; each instance has its own in-memory store
 * holding the same lines (what a shared Elasticsearch would give both).
 */
class RedisAlertingSchedulersIT {
    /** Each test has its own day, so that the runs it schedules (named by their period) are its own. */
    private static final Instant DAY1 = Instant.parse("2026-03-01T10:00:00Z");
    private static final Duration RULE_LEASE = Duration.ofSeconds(2);
    private static RedisFixture redis;
    private static MariaDbDatabase database;
    private static HttpServer receiver;
    /** What the receiver got: notification id and event, in arrival order. */
    private static final List<String> received = new CopyOnWriteArrayList<>();
    /** While set, requests to /slow wait for it. */
    private static volatile CountDownLatch slowGate;
    private static final CountDownLatch slowEntered = new CountDownLatch(1);

    @BeforeAll
    static void start() throws Exception {
        redis = new RedisFixture("alert-schedulers");
        database = new MariaDbDatabase();
        receiver = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        receiver.createContext("/", ex -> {
            byte[] body = ex.getRequestBody().readAllBytes();
            String id = ex.getRequestHeaders().getFirst("X-Bklog-Notification-Id");
            if (ex.getRequestURI().getPath().equals("/slow") && slowGate != null) {
                slowEntered.countDown();
                try {
                    slowGate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            received.add(ex.getRequestURI().getPath() + " " + id + " "
                    + ex.getRequestHeaders().getFirst("X-Bklog-Event") + " " + body.length);
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        receiver.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        receiver.start();
    }

    /** Each test leaves no alerting rows to the next (the database, and its first migration's cost, is the class's). */
    @org.junit.jupiter.api.AfterEach
    void clearAlerting() throws Exception {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(MariaDbDatabase.MARIADB + database.name,
                "root", "")) {
            for (String t : List.of("alert_notifications", "alert_history", "alert_state", "alert_rules",
                    "alert_channels", "alert_silences")) {
                c.createStatement().execute("DELETE FROM " + t);
            }
        }
    }

    @AfterAll
    static void stop() {
        if (slowGate != null) slowGate.countDown();
        if (receiver != null) receiver.stop(0);
        if (database != null) database.close();
        if (redis != null) redis.close();
    }

    /** A memory store whose searches of index set {@code stall} wait, while armed, until released. */
    static final class StallingStore implements LogStore {
        final MemoryLogStore inner = new MemoryLogStore();
        volatile CountDownLatch gate;
        final CountDownLatch entered = new CountDownLatch(1);

        @Override public String backendName() { return inner.backendName(); }
        @Override public void ensureIndexSet(IndexSetSchema schema) { inner.ensureIndexSet(schema); }
        @Override public Set<String> indexSets() { return inner.indexSets(); }
        @Override public BulkResult index(String set, List<LogDocument> docs) { return inner.index(set, docs); }
        @Override public void refresh(String set) { inner.refresh(set); }
        @Override public List<IndexInfo> listIndices(String p) { return inner.listIndices(p); }
        @Override public void addAlias(String index, String alias) { inner.addAlias(index, alias); }
        @Override public void removeAlias(String index, String alias) { inner.removeAlias(index, alias); }
        @Override public void deleteIndices(Collection<String> indices) { inner.deleteIndices(indices); }
        @Override public void close() { inner.close(); }

        @Override
        public SearchResult search(SearchRequest request) {
            CountDownLatch g = gate;
            if (g != null && request.indexSets().stream().anyMatch(s -> s.startsWith("stall"))) {
                entered.countDown();
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return inner.search(request);
        }
    }

    private static LogPlatform instance(MutableClock clock, SchedulerSettings scheduler, LogStore store) {
        return LogPlatform.builder().store(store)
                .backend("redis", Map.of("uri", RedisFixture.URI, "prefix", redis.prefix))
                .metadataConfig(database.config()).migrateOnStart(true).clock(clock).alertSleeper(d -> { })
                .alerting(AlertingConfig.defaults().withWebhookAllowedDestinations(List.of("127.0.0.1"))
                        .withRuleLease(RULE_LEASE))
                .scheduler(scheduler).build();
    }

    /** Beat and workers, ticking fast on the test's clock. */
    private static SchedulerSettings running() {
        return SchedulerSettings.defaults().withTickInterval(Duration.ofMillis(50)).withPollWait(Duration.ofMillis(100));
    }

    private static void ingest(LogPlatform p, String set, Instant at, String... lines) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String l : lines) docs.add(Map.of("log", l, "dtEventTimeStamp", at.toEpochMilli()));
        p.ingest().ingest(set, docs, true);
    }

    private static AlertRule errorsRule(String name, String set, String channel) {
        return new AlertRule(null, null, name, set, "error", null, AlertCondition.countAbove(1),
                Duration.ofMinutes(1), Duration.ofMinutes(2), null, null, null, null, null, 1, null, null,
                List.of(channel), null, null, null, null, null, null);
    }

    private static String hook(String path) {
        return "http://127.0.0.1:" + receiver.getAddress().getPort() + path;
    }

    private static List<String> at(String path) {
        return received.stream().filter(r -> r.startsWith(path + " ")).toList();
    }

    /** Moves the clock to {@code t} and waits until some worker ran the evaluation of that tick's period. */
    private static void tickTo(MutableClock clock, Instant t, LogPlatform... instances) {
        clock.set(t);
        Instant period = Instant.ofEpochSecond(t.getEpochSecond() / 10 * 10);
        String run = Beat.runId(AlertService.TASK, period);
        await().atMost(Duration.ofSeconds(10)).until(() -> java.util.Arrays.stream(instances)
                .anyMatch(p -> p.scheduler().recorder().succeeded(run)));
    }

    @Test
    void twoSchedulingInstancesSendEachFiringOnceAlsoAfterOneStoppedAndAfterDowntime() {
        Instant T0 = DAY1;
        MutableClock clock = new MutableClock(T0);
        LogPlatform a = instance(clock, running(), new MemoryLogStore());
        try (LogPlatform b = instance(clock, running(), new MemoryLogStore())) {
            for (LogPlatform p : List.of(a, b)) {
                p.indexSets().put("app", IndexSetSpec.defaults());
                ingest(p, "app", T0.plusSeconds(10), "error 1", "error 2");
                ingest(p, "app", T0.plusSeconds(150), "info ok");
            }
            a.alerts().putChannel("default", "hook", "webhook", Map.of("url", hook("/hook")));
            AlertRule rule = a.alerts().createRule(AlertCaller.library("default"), errorsRule("errors", "app", "hook"));
            // 10:01 fires; a tick every 20 s until 10:02:40 runs alerts.evaluate on one instance or the other
            for (int s = 60; s < 180; s += 20) tickTo(clock, T0.plusSeconds(s + 1), a, b);
            await().atMost(Duration.ofSeconds(10)).until(() -> at("/hook").size() == 1);
            assertThat(at("/hook").get(0)).contains(" firing ");
            // one instance stops; the other resolves at 10:03 (the errors left the window)
            a.close();
            tickTo(clock, T0.plusSeconds(181), b);
            await().atMost(Duration.ofSeconds(10)).until(() -> at("/hook").size() == 2);
            assertThat(at("/hook").get(1)).contains(" resolved ");
            // downtime: nothing runs from 10:03:10 to 10:30; new errors at 10:29; the catch-up judges once and fires
            ingest(b, "app", T0.plus(Duration.ofMinutes(29)), "error 3", "error 4");
            tickTo(clock, T0.plus(Duration.ofMinutes(30)).plusSeconds(1), b);
            tickTo(clock, T0.plus(Duration.ofMinutes(30)).plusSeconds(11), b);
            await().atMost(Duration.ofSeconds(10)).until(() -> at("/hook").size() == 3);
            assertThat(at("/hook").get(2)).contains(" firing ");
            await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(5))
                    .until(() -> at("/hook").size() == 3);
            assertThat(at("/hook").stream().map(r -> r.split(" ")[1]).distinct()).hasSize(3);
            assertThat(b.alerts().history("default", rule.id(), 10)).extracting(h -> h.toState())
                    .containsExactly("firing", "resolved", "firing");
            assertThat(b.alerts().deliveries("default", "pending", 10)).isEmpty();
        } finally {
            a.close();
        }
    }

    @Test
    void anEvaluationStalledMidWayIsTakenOverOnceItsLeasePassedAndItsLateCommitIsRefused() throws Exception {
        Instant T0 = DAY1.plus(Duration.ofDays(1));
        MutableClock clock = new MutableClock(T0);
        StallingStore stalling = new StallingStore();
        // a: a worker whose evaluation the test runs and stalls; b: a full instance with its scheduler running
        try (LogPlatform a = instance(clock, SchedulerSettings.apiOnly(), stalling);
             LogPlatform b = instance(clock, running(), new MemoryLogStore())) {
            for (LogPlatform p : List.of(a, b)) {
                p.indexSets().put("stall", IndexSetSpec.defaults());
                ingest(p, "stall", T0.plusSeconds(10), "error 1", "error 2");
            }
            a.alerts().putChannel("default", "stalled-hook", "webhook", Map.of("url", hook("/stalled")));
            AlertRule rule = a.alerts().createRule(AlertCaller.library("default"),
                    errorsRule("stalls", "stall", "stalled-hook"));
            stalling.gate = new CountDownLatch(1);
            clock.set(T0.plusSeconds(61)); // period 10:01; b's beat publishes 10:01:00, a starts too
            CompletableFuture<Integer> stalled = CompletableFuture.supplyAsync(() -> a.alerts().evaluateDue(
                    T0.plusSeconds(61))); // the only rule of this test
            assertThat(stalling.entered.await(10, TimeUnit.SECONDS)).isTrue();
            // b's runs find the rule locked until a's lease passes (a renews only after its searches), then take it
            long started = System.nanoTime();
            Instant lastOfPeriod = T0.plusSeconds(115); // stay in the rule's period 10:01 (10:03 would resolve)
            await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).until(() -> {
                // a second per poll: a new 10 s period of alerts.evaluate every 2 s or so, in the same rule period
                if (clock.instant().isBefore(lastOfPeriod)) clock.advance(Duration.ofSeconds(1));
                return at("/stalled").size() == 1;
            });
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(RULE_LEASE.minusMillis(200));
            stalling.gate.countDown(); // a wakes up: its lease is gone, it commits nothing
            assertThat(stalled.get(10, TimeUnit.SECONDS)).isZero();
            a.alerts().deliverPending();
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> at("/stalled").size() == 1);
            assertThat(at("/stalled").get(0)).contains(" firing ");
            assertThat(b.alerts().history("default", rule.id(), 10)).extracting(h -> h.toState())
                    .containsExactly("firing");
        }
    }

    @Test
    void aDeliveryInFlightIsNotSentAgainByTheOtherInstance() throws Exception {
        Instant T0 = DAY1.plus(Duration.ofDays(2));
        MutableClock clock = new MutableClock(T0);
        try (LogPlatform a = instance(clock, SchedulerSettings.apiOnly(), new MemoryLogStore());
             LogPlatform b = instance(clock, SchedulerSettings.apiOnly(), new MemoryLogStore())) {
            for (LogPlatform p : List.of(a, b)) {
                p.indexSets().put("slow", IndexSetSpec.defaults());
                ingest(p, "slow", T0.plusSeconds(10), "error 1", "error 2");
            }
            // the receiver holds the request while the test works: the channel waits longer than that
            a.alerts().putChannel("default", "slow-hook", "webhook", Map.of("url", hook("/slow"),
                    "timeout_seconds", "60"));
            a.alerts().createRule(AlertCaller.library("default"), errorsRule("slow", "slow", "slow-hook"));
            clock.set(T0.plusSeconds(61));
            assertThat(a.alerts().evaluateDue(clock.instant())).isEqualTo(1);
            slowGate = new CountDownLatch(1);
            CompletableFuture<Integer> inFlight = CompletableFuture.supplyAsync(() -> a.alerts().deliverPending());
            assertThat(slowEntered.await(10, TimeUnit.SECONDS)).isTrue();
            // b finds it claimed, now and 4 minutes later (a renews its claim before each attempt)
            assertThat(b.alerts().deliverPending()).isZero();
            clock.advance(Duration.ofMinutes(4));
            assertThat(b.alerts().deliverPending()).isZero();
            slowGate.countDown();
            assertThat(inFlight.get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(b.alerts().deliverPending()).isZero();
            assertThat(at("/slow")).hasSize(1);
            assertThat(b.alerts().deliveries("default", "delivered", 100)).filteredOn(d -> d.channel()
                    .equals("slow-hook")).extracting(d -> d.attempts()).containsExactly(1);
        } finally {
            slowGate = null;
        }
    }
}
