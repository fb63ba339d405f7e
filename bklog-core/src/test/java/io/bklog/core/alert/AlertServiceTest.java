package io.bklog.core.alert;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatform;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.core.mask.FieldMaskConfig;
import io.bklog.core.meta.Token;
import io.bklog.core.patterns.PatternConfig;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.alert.AlertNotification;
import io.bklog.spi.alert.NotificationChannel;
import io.bklog.spi.alert.NotificationChannelFactory;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One platform for the class (building one takes a second): each test has its own index set; rules are deleted after it. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertServiceTest {
    private static final java.util.concurrent.atomic.AtomicInteger SETS = new java.util.concurrent.atomic.AtomicInteger();
    static final String SPACE = LogPlatformBuilder.DEFAULT_SPACE;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    static final ObjectMapper JSON = new ObjectMapper();
    static final String PHONE = "13234345678";

    final MutableClock clock = new MutableClock(T0);
    final List<Duration> sleeps = new ArrayList<>();
    /** A third party's channel type: keeps what it is sent. */
    final List<AlertNotification> memo = new java.util.concurrent.CopyOnWriteArrayList<>();
    final NotificationChannelFactory memoType = new NotificationChannelFactory() {
        @Override
        public String type() {
            return "memo";
        }

        @Override
        public NotificationChannel create(Map<String, String> settings) {
            if (!settings.containsKey("pad")) throw new IllegalArgumentException("settings.pad is missing");
            return memo::add;
        }
    };
    /** The receivers are on loopback, which webhooks may reach only when allowed explicitly. */
    static final AlertingConfig LOOPBACK = AlertingConfig.defaults().withWebhookAllowedDestinations(List.of("127.0.0.1"));
    final LogPlatform platform = LogPlatform.builder().clock(clock).alertSleeper(sleeps::add).alertChannel(memoType)
            .alerting(LOOPBACK).build();
    final AlertService alerts = platform.alerts();
    final AlertCaller admin = AlertCaller.library(SPACE);
    WebhookReceiver hooks;
    String set;

    @BeforeEach
    void start() throws Exception {
        hooks = new WebhookReceiver();
        set = "app" + SETS.incrementAndGet();
        clock.set(T0);
        sleeps.clear();
    }

    @AfterEach
    void cleanUp() {
        hooks.close();
        for (AlertRule r : alerts.rules(SPACE)) alerts.deleteRule(SPACE, r.id());
        // every silence, ended ones too: the next test turns the clock back
        for (Silence x : new AlertStore(platform.internals().metadata().jdbi()).silences(SPACE, null)) {
            alerts.deleteSilence(SPACE, x.id());
        }
        for (AlertChannelConfig c : alerts.channels(SPACE)) alerts.deleteChannel(SPACE, c.name());
    }

    @AfterAll
    void close() {
        platform.close();
    }

    double counter(String name, String... tags) {
        var c = platform.meterRegistry().find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    void ingest(String set, Instant at, String... lines) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String l : lines) docs.add(Map.of("log", l, "dtEventTimeStamp", at.toEpochMilli()));
        platform.ingest().ingest(set, docs, true);
    }

    void webhook(String name, String secret) {
        Map<String, String> s = new java.util.HashMap<>(Map.of("url", hooks.url("/" + name)));
        if (secret != null) s.put("secret", secret);
        alerts.putChannel(SPACE, name, "webhook", s);
    }

    AlertRule rule(String name, AlertCondition c, String channel) {
        return new AlertRule(null, null, name, set, null, null, c, Duration.ofMinutes(1), Duration.ofMinutes(5),
                null, null, "critical", Map.of("team", "pay"), null, 2, null, null, List.of(channel), null, null,
                null, null, null, null);
    }

    static AlertRule withQuery(AlertRule r, String query) {
        return new AlertRule(null, null, r.name(), r.indexSet(), query, null, r.condition(), r.every(), r.window(),
                r.forDuration(), r.repeatInterval(), r.severity(), r.labels(), null, r.samples(), null, null,
                r.channels(), null, null, null, null, null, null);
    }

    /** Evaluates the period starting at {@code period} (a little after it started) and delivers. */
    void evaluateAt(Instant period) {
        clock.set(period.plusSeconds(1));
        alerts.evaluateDue(clock.instant());
        alerts.deliverPending();
    }

    static JsonNode body(WebhookReceiver.Received r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void firesOnceWithASignedWebhookThenResolves() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", "s3cret");
        double firings = counter("bklog.alert.firings", "severity", "critical");
        double delivered = counter("bklog.alert.deliveries", "channel", "webhook", "outcome", "delivered");
        AlertRule r = alerts.createRule(admin, withQuery(rule("errors", AlertCondition.countAbove(2), "ops"), "error"));
        ingest(set, T0.plusSeconds(60), "error 1", "error 2", "error 3");
        ingest(set, T0.plus(Duration.ofMinutes(6)), "info all good");

        Instant p1 = T0.plus(Duration.ofMinutes(5));
        evaluateAt(p1);
        evaluateAt(p1.plusSeconds(20)); // the same period again: nothing new
        assertThat(hooks.at("/ops")).hasSize(1);
        WebhookReceiver.Received got = hooks.at("/ops").get(0);
        assertThat(got.header("X-Bklog-Signature")).isEqualTo(WebhookChannel.signature("s3cret",
                got.body().getBytes(StandardCharsets.UTF_8)));
        assertThat(got.header("X-Bklog-Event")).isEqualTo("firing");
        JsonNode b = body(got);
        assertThat(b.path("version").asText()).isEqualTo("1");
        assertThat(b.path("id").asText()).isEqualTo(got.header("X-Bklog-Notification-Id"));
        assertThat(b.path("status").asText()).isEqualTo("firing");
        assertThat(b.path("rule").path("id").asLong()).isEqualTo(r.id());
        assertThat(b.path("rule").path("name").asText()).isEqualTo("errors");
        assertThat(b.path("rule").path("index_set").asText()).isEqualTo(set);
        assertThat(b.path("severity").asText()).isEqualTo("critical");
        assertThat(b.path("labels").path("team").asText()).isEqualTo("pay");
        assertThat(b.path("value").asDouble()).isEqualTo(3);
        assertThat(b.path("threshold").asDouble()).isEqualTo(2);
        assertThat(b.path("window").path("start").asText()).isEqualTo(T0.toString());
        assertThat(b.path("window").path("end").asText()).isEqualTo(p1.toString());
        assertThat(b.path("samples")).hasSize(2);
        assertThat(b.path("samples").get(0).path("log").asText()).startsWith("error ");
        assertThat(b.path("message").asText())
                .isEqualTo("[critical] errors: 3 (threshold 2) in the 5m before " + p1 + " on " + set);
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);

        // the error lines leave the window (another line is there): resolved, notified once
        evaluateAt(p1.plus(Duration.ofMinutes(5)));
        evaluateAt(p1.plus(Duration.ofMinutes(6)));
        assertThat(hooks.at("/ops")).hasSize(2);
        assertThat(body(hooks.at("/ops").get(1)).path("status").asText()).isEqualTo("resolved");
        assertThat(body(hooks.at("/ops").get(1)).path("samples")).isEmpty();
        assertThat(alerts.history(SPACE, r.id(), 10)).extracting(AlertHistoryEntry::toState)
                .containsExactly("ok", "resolved", "firing");
        assertThat(counter("bklog.alert.firings", "severity", "critical") - firings).isEqualTo(1);
        assertThat(counter("bklog.alert.deliveries", "channel", "webhook", "outcome", "delivered") - delivered)
                .isEqualTo(2);
    }

    @Test
    void retriesAfterA500WithBackoffAndDeadLettersAfterTheAttempts() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        double deadBefore = counter("bklog.alert.deliveries", "channel", "webhook", "outcome", "dead");
        long failedBefore = failedDeliveries();
        webhook("flaky", null);
        alerts.putChannel(SPACE, "down", "webhook", Map.of("url", hooks.url("/down"), "max_attempts", "3"));
        AlertRule flakyRule = alerts.createRule(admin, rule("flaky rule", AlertCondition.countAbove(0), "flaky"));
        AlertRule downRule = alerts.createRule(admin, rule("down rule", AlertCondition.countAbove(0), "down"));
        ingest(set, T0, "boom");
        evaluateDueOnly(T0.plus(Duration.ofMinutes(1)));
        // the outbox is delivered oldest first: /flaky answers 500 then 200, /down always 503
        hooks.answerAlways(503);
        hooks.answer(500, 200);
        alerts.deliverPending();

        List<WebhookReceiver.Received> flaky = hooks.at("/flaky");
        assertThat(flaky).hasSize(2);
        assertThat(flaky.get(0).body()).isEqualTo(flaky.get(1).body());
        assertThat(hooks.at("/down")).hasSize(3);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(2));
        assertThat(deliveries("delivered", flakyRule, downRule)).extracting(AlertDeliveryRecord::channel)
                .containsExactly("flaky");
        AlertDeliveryRecord dead = deliveries("dead", flakyRule, downRule).get(0);
        assertThat(dead.channel()).isEqualTo("down");
        assertThat(dead.attempts()).isEqualTo(3);
        assertThat(dead.lastError()).contains("503");
        // a dead letter is not retried
        alerts.deliverPending();
        assertThat(hooks.at("/down")).hasSize(3);
        assertThat(failedDeliveries() - failedBefore).isEqualTo(1);
        assertThat(counter("bklog.alert.deliveries", "channel", "webhook", "outcome", "dead") - deadBefore)
                .isEqualTo(1);
    }

    long failedDeliveries() {
        return (Long) alerts.healthIndicator().check().stream()
                .filter(m -> m.metricName().equals("failed_deliveries_last_hour")).findFirst().orElseThrow()
                .metricValue();
    }

    List<AlertDeliveryRecord> deliveries(String status, AlertRule... rules) {
        List<Long> ids = java.util.Arrays.stream(rules).map(AlertRule::id).toList();
        return alerts.deliveries(SPACE, status, 1000).stream().filter(d -> ids.contains(d.ruleId())).toList();
    }

    void evaluateDueOnly(Instant period) {
        clock.set(period.plusSeconds(1));
        alerts.evaluateDue(clock.instant());
    }

    @Test
    void aNotFoundAnswerIsNotRetried() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("gone", null);
        AlertRule r = alerts.createRule(admin, rule("r", AlertCondition.countAbove(0), "gone"));
        ingest(set, T0, "x");
        hooks.answer(404);
        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        assertThat(hooks.at("/gone")).hasSize(1);
        assertThat(deliveries("dead", r)).singleElement()
                .satisfies(d -> assertThat(d.lastError()).contains("404"));
    }

    @Test
    void aMaskedValueNeverAppearsInANotificationOfAMaskedRule() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        platform.ingest().ingest(set, List.of(Map.of("log", "payment failed for " + PHONE, "phone", PHONE,
                "dtEventTimeStamp", T0.toEpochMilli())), true);
        JsonNode shield = JSON.readTree("{\"preserve_head\":3,\"preserve_tail\":2}");
        platform.masking().configure(set, List.of(FieldMaskConfig.inline("phone", "mask_shield", shield, null, 0),
                FieldMaskConfig.inline("log", "mask_shield", shield, "1\\d{10}", 1)), List.of("log"));
        webhook("masked", null);
        webhook("raw", null);
        String template = "{{rule}}: {{count}} lines{{samples}}";
        AlertRule masked = new AlertRule(null, null, "masked", set, "payment", null, AlertCondition.countAbove(0),
                null, null, null, null, null, null, template, 5, false, null, List.of("masked"), null, null, null,
                null, null, null);
        alerts.createRule(admin, masked);
        // a token without unmasked may not ask for raw samples
        AlertCaller viewer = new AlertCaller(SPACE, "viewer-token", 7L, false);
        AlertRule raw = new AlertRule(null, null, "raw", set, "payment", null, AlertCondition.countAbove(0), null,
                null, null, null, null, null, template, 5, true, null, List.of("raw"), null, null, null, null, null,
                null);
        assertThatThrownBy(() -> alerts.createRule(viewer, raw)).isInstanceOfSatisfying(BklogException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ALERT);
            assertThat(e.field()).contains("unmasked");
        });
        // an owner holding unmasked may, while it holds it
        Token owner = platform.internals().metadata().tokens().create(Token.of("owner", "owner-secret-1", SPACE,
                List.of("viewer", "unmasked"), null));
        alerts.createRule(new AlertCaller(SPACE, "owner", owner.id(), true), raw);

        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        String maskedBody = hooks.at("/masked").get(0).body();
        assertThat(maskedBody).doesNotContain(PHONE).contains("132******78");
        assertThat(hooks.at("/raw").get(0).body()).contains(PHONE);

        // the owner loses unmasked: the next firing's samples are masked again
        platform.internals().metadata().tokens().update(owner.withRoles(List.of("viewer")));
        evaluateAt(T0.plus(Duration.ofMinutes(7))); // resolved (nothing in the window)
        ingest(set, T0.plus(Duration.ofMinutes(7)), "payment failed for " + PHONE);
        evaluateAt(T0.plus(Duration.ofMinutes(8)));
        List<WebhookReceiver.Received> rawHooks = hooks.at("/raw");
        assertThat(body(rawHooks.get(rawHooks.size() - 1)).path("status").asText()).isEqualTo("firing");
        assertThat(rawHooks.get(rawHooks.size() - 1).body()).doesNotContain(PHONE);
        assertThat(hooks.received).filteredOn(h -> h.path().equals("/masked"))
                .allSatisfy(h -> assertThat(h.body()).doesNotContain(PHONE));
    }

    @Test
    void forKeepsARulePendingAndRepeatIntervalNotifiesAgain() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule r = alerts.createRule(admin, new AlertRule(null, null, "slow", set, null, null,
                AlertCondition.countAbove(0), Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofMinutes(2),
                Duration.ofMinutes(3), null, null, null, 0, null, null, List.of("ops"), null, null, null, null, null,
                null));
        ingest(set, T0, "x");
        Instant p = T0.plus(Duration.ofMinutes(1));
        evaluateAt(p);
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.PENDING);
        evaluateAt(p.plus(Duration.ofMinutes(1)));
        assertThat(hooks.received).isEmpty();
        evaluateAt(p.plus(Duration.ofMinutes(2)));
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);
        assertThat(hooks.received).hasSize(1);
        evaluateAt(p.plus(Duration.ofMinutes(4)));
        assertThat(hooks.received).hasSize(1);
        evaluateAt(p.plus(Duration.ofMinutes(5))); // 3 min after the first notification
        assertThat(hooks.received).hasSize(2);
        assertThat(body(hooks.received.get(1)).path("status").asText()).isEqualTo("firing");
        assertThat(body(hooks.received.get(1)).path("fired_at").asText())
                .isEqualTo(p.plus(Duration.ofMinutes(2)).toString());
    }

    @Test
    void silencesAndMaintenanceWindowsHoldNotificationsBack() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule r = alerts.createRule(admin, rule("r", AlertCondition.countAbove(0), "ops"));
        Instant p = T0.plus(Duration.ofMinutes(1));
        alerts.addSilence(admin, new Silence(null, null, null, null, Map.of("team", "pay"), T0,
                p.plus(Duration.ofMinutes(2)), "deploy", null, null));
        ingest(set, T0, "x");
        evaluateAt(p);
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);
        assertThat(hooks.received).isEmpty();
        evaluateAt(p.plus(Duration.ofMinutes(2))); // silence over, still firing: notified now
        assertThat(hooks.received).hasSize(1);
        alerts.addSilence(admin, new Silence(null, null, "maintenance", null, null, p.plus(Duration.ofMinutes(2)),
                p.plus(Duration.ofMinutes(30)), "db upgrade", null, null));
        evaluateAt(p.plus(Duration.ofMinutes(10))); // resolved inside the window: not sent
        assertThat(hooks.received).hasSize(1);
        assertThat(alerts.silences(SPACE)).hasSize(1);
        assertThatThrownBy(() -> alerts.addSilence(admin, new Silence(null, null, null, null, null, T0, T0, null,
                null, null))).isInstanceOfSatisfying(BklogException.class,
                e -> assertThat(e.field()).contains("ends_at"));
    }

    @Test
    void conditionsOnCountsChangesAbsenceAndDistinctValues() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        Instant p = T0.plus(Duration.ofMinutes(10));
        Instant prev = T0.plus(Duration.ofMinutes(1)); // in the window before [T0+5m, T0+10m)
        ingest(set, prev, "a");
        platform.ingest().ingest(set, List.of(
                Map.of("log", "login", "user", "u1", "dtEventTimeStamp", T0.plus(Duration.ofMinutes(6)).toEpochMilli()),
                Map.of("log", "login", "user", "u2", "dtEventTimeStamp", T0.plus(Duration.ofMinutes(6)).toEpochMilli()),
                Map.of("log", "login", "user", "u3", "dtEventTimeStamp", T0.plus(Duration.ofMinutes(7)).toEpochMilli())),
                true);
        AlertRule below = alerts.createRule(admin, rule("below", new AlertCondition("count_below", 5d, null, null), "ops"));
        AlertRule rise = alerts.createRule(admin, rule("rise", new AlertCondition("change_percent", 100d, null, null), "ops"));
        AlertRule fall = alerts.createRule(admin, rule("fall", new AlertCondition("change_percent", -50d, null, null), "ops"));
        AlertRule absent = alerts.createRule(admin, new AlertRule(null, null, "absent", set, "nothing_like_this",
                null, new AlertCondition("absence", null, null, null), null, Duration.ofMinutes(5), null, null, null,
                null, null, 0, null, null, List.of("ops"), null, null, null, null, null, null));
        AlertRule distinct = alerts.createRule(admin, rule("distinct", new AlertCondition("distinct_above", 2d, "user", null), "ops"));
        AlertRule many = alerts.createRule(admin, rule("many", new AlertCondition("distinct_above", 5d, "user", null), "ops"));
        AlertRule grouped = alerts.createRule(admin, new AlertRule(null, null, "grouped", set, "login", null,
                AlertCondition.countAbove(0), null, Duration.ofMinutes(5), null, null, null, null, null, 0, null,
                "user", List.of("ops"), null, null, null, null, null, null));
        evaluateAt(p);
        assertThat(state(below)).isEqualTo(AlertState.FIRING);
        assertThat(state(rise)).isEqualTo(AlertState.FIRING);   // 1 → 3 = +200 %
        assertThat(state(fall)).isEqualTo(AlertState.OK);
        assertThat(alerts.status(SPACE, rise.id()).state().lastValue()).isEqualTo(200.0);
        assertThat(state(absent)).isEqualTo(AlertState.FIRING);
        assertThat(state(distinct)).isEqualTo(AlertState.FIRING);
        assertThat(state(many)).isEqualTo(AlertState.OK);
        assertThat(state(grouped)).isEqualTo(AlertState.FIRING);
        JsonNode groups = hooks.received.stream().map(h -> {
            try {
                return body(h);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }).filter(b -> b.path("rule").path("name").asText().equals("grouped")).findFirst().orElseThrow()
                .path("groups");
        assertThat(groups.size()).isEqualTo(3);
        assertThat(groups.path("u1").asDouble()).isEqualTo(1);

        // an index set with no line at all in the window: no data, not ok, for a rule that needs lines
        evaluateAt(p.plus(Duration.ofMinutes(20)));
        assertThat(state(distinct)).isEqualTo(AlertState.NO_DATA);
        assertThat(state(absent)).isEqualTo(AlertState.FIRING);
    }

    AlertState state(AlertRule r) {
        return alerts.status(SPACE, r.id()).state().state();
    }

    @Test
    void aNewPatternAndAGrownPatternFire() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults().withPatterns(PatternConfig.Spec.on()));
        webhook("ops", null);
        Instant p = T0.plus(Duration.ofMinutes(10));
        // before the window: 2 lines of "GET /a took N ms"; in it: 30 of them and a new kind of line
        for (int i = 0; i < 2; i++) ingest(set, T0.plus(Duration.ofMinutes(2)), "GET /a took " + i + " ms");
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 30; i++) many.add("GET /a took " + (i + 10) + " ms");
        ingest(set, T0.plus(Duration.ofMinutes(6)), many.toArray(String[]::new));
        ingest(set, T0.plus(Duration.ofMinutes(7)), "disk full on volume data");
        platform.patterns().flush();
        AlertRule fresh = alerts.createRule(admin, rule("fresh", new AlertCondition("new_pattern", null, null, null), "ops"));
        AlertRule grew = alerts.createRule(admin, rule("grew", new AlertCondition("pattern_grew", 5d, null, 10L), "ops"));
        evaluateAt(p);
        assertThat(state(fresh)).isEqualTo(AlertState.FIRING);
        assertThat(state(grew)).isEqualTo(AlertState.FIRING);
        JsonNode freshBody = hooks.received.stream().map(h -> h.body()).filter(b -> b.contains("\"fresh\""))
                .map(b -> {
                    try {
                        return JSON.readTree(b);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }).findFirst().orElseThrow();
        assertThat(freshBody.path("groups").fieldNames().next()).contains("disk full");
        // patterns need clustering
        platform.indexSets().create(set + "plain", IndexSetSpec.defaults());
        AlertRule onPlain = new AlertRule(null, null, "p", set + "plain", null, null,
                new AlertCondition("new_pattern", null, null, null), null, null, null, null, null, null, null, null,
                null, null, List.of("ops"), null, null, null, null, null, null);
        assertThatThrownBy(() -> alerts.createRule(admin, onPlain)).isInstanceOfSatisfying(BklogException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.PATTERNS_OFF));
    }

    @Test
    void aStalledWorkerCannotCommitAPeriodAfterItsLeasePassed() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule r = alerts.createRule(admin, rule("r", AlertCondition.countAbove(0), "ops"));
        ingest(set, T0, "x");
        Instant p = T0.plus(Duration.ofMinutes(1));
        clock.set(p.plusSeconds(1));
        // worker A takes the rule's lease and fences the rule, then stalls mid-evaluation
        DistributedLock lock = platform.internals().lock().orElseThrow();
        DistributedLock.LockLease a = lock.tryAcquire("alert.rule." + r.id(), "worker-a", AlertService.LEASE).orElseThrow();
        AlertStore store = new AlertStore(platform.internals().metadata().jdbi());
        assertThat(store.fence(r.id(), a.fencingToken(), clock.instant(), clock.instant().minus(AlertService.LEASE)))
                .isTrue();
        RuleState seenByA = store.state(r.id()).orElseThrow();
        // while A's lease runs, nobody else evaluates the rule
        assertThat(alerts.evaluateDue(clock.instant())).isZero();
        // A's lease passes: B evaluates the period, once
        clock.set(p.plus(AlertService.LEASE).plusSeconds(5));
        assertThat(alerts.evaluateDue(p.plusSeconds(30))).isEqualTo(1);
        // A wakes up and tries to commit the same period with its old token: refused
        assertThat(alerts.evaluateHeld(r, seenByA, p, a.fencingToken(), List.of())).isFalse();
        alerts.deliverPending();
        assertThat(hooks.received).hasSize(1);
        assertThat(alerts.history(SPACE, r.id(), 10)).hasSize(1);
    }

    @Test
    void aRestartedInstanceWhoseLockCountsAgainFromOneStillEvaluatesAndFires() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule r = alerts.createRule(admin, rule("r", AlertCondition.countAbove(0), "ops"));
        ingest(set, T0.plus(Duration.ofMinutes(9)), "x");
        // the first incarnation evaluates the rule many times: the rule's fence is its lock's latest token
        for (int m = 1; m <= 6; m++) evaluateAt(T0.plus(Duration.ofMinutes(m)));
        assertThat(new AlertStore(platform.internals().metadata().jdbi()).state(r.id()).orElseThrow().fence())
                .isGreaterThan(1);
        // restart: a new service over the same metadata database, whose in-process lock starts again at token 1
        AlertService restarted = new AlertService(platform.internals().metadata(), platform.indexSets(),
                platform.search(), platform.patterns(), new io.bklog.core.memory.InProcessLock(clock), clock,
                io.bklog.core.metrics.MicrometerMeters.of(platform.meterRegistry()), List.of(), sleeps::add, LOOPBACK);
        double refused = counter("bklog.alert.fence_refused");
        // within the lease of the old incarnation's last evaluation its fence still holds (a live holder may act)
        clock.set(T0.plus(Duration.ofMinutes(7)).plusSeconds(1));
        assertThat(restarted.evaluateDue(clock.instant())).isZero();
        assertThat(counter("bklog.alert.fence_refused") - refused).isEqualTo(1);
        // once it is older than the lease, the new incarnation takes the rule over, evaluates and fires
        clock.set(T0.plus(Duration.ofMinutes(10)).plusSeconds(1));
        assertThat(restarted.evaluateDue(clock.instant())).isEqualTo(1);
        restarted.deliverPending();
        assertThat(hooks.at("/ops")).singleElement().satisfies(h -> assertThat(h.header("X-Bklog-Event"))
                .isEqualTo("firing"));
        assertThat(restarted.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);
        // and keeps evaluating the next periods with its own tokens
        clock.set(T0.plus(Duration.ofMinutes(11)).plusSeconds(1));
        assertThat(restarted.evaluateDue(clock.instant())).isEqualTo(1);
    }

    @Test
    void aChannelWithA128CharacterNameIsNotifiedWithAnIdOfAtMost64Characters() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        String name = "c".repeat(128);
        webhook(name, null);
        AlertRule r = alerts.createRule(admin, rule("long channel", AlertCondition.countAbove(0), name));
        ingest(set, T0, "x");
        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        assertThat(hooks.at("/" + name)).singleElement().satisfies(h -> {
            String id = body(h).path("id").asText();
            assertThat(id).startsWith(r.id() + "-" + T0.plus(Duration.ofMinutes(1)).toEpochMilli() + "-firing-")
                    .hasSizeLessThanOrEqualTo(64).isEqualTo(h.header("X-Bklog-Notification-Id"));
        });
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);
        assertThat(AlertService.notificationId(Long.MAX_VALUE, Instant.parse("2286-11-20T17:46:39Z"), "resolved", name))
                .hasSizeLessThanOrEqualTo(64)
                .isNotEqualTo(AlertService.notificationId(Long.MAX_VALUE, Instant.parse("2286-11-20T17:46:39Z"),
                        "resolved", "c".repeat(127) + "d"));
    }

    @Test
    void groupValuesAreMaskedByAMaskingRuleAddedAfterTheAlertRule() throws Exception {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        platform.ingest().ingest(set, List.of(Map.of("log", "login", "phone", PHONE,
                "dtEventTimeStamp", T0.toEpochMilli())), true);
        AlertRule grouped = alerts.createRule(admin, new AlertRule(null, null, "grouped", set, "login", null,
                AlertCondition.countAbove(0), null, Duration.ofMinutes(5), null, null, null, null,
                "{{rule}}: {{groups}}", 0, null, "phone", List.of("ops"), null, null, null, null, null, null));
        JsonNode shield = JSON.readTree("{\"preserve_head\":3,\"preserve_tail\":2}");
        platform.masking().configure(set, List.of(FieldMaskConfig.inline("phone", "mask_shield", shield, null, 0)),
                List.of("log"));
        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        assertThat(state(grouped)).isEqualTo(AlertState.FIRING);
        String got = hooks.at("/ops").get(0).body();
        assertThat(got).doesNotContain(PHONE);
        assertThat(body(hooks.at("/ops").get(0)).path("groups").path("132******78").asDouble()).isEqualTo(1);
        assertThat(alerts.history(SPACE, grouped.id(), 1).get(0).message()).doesNotContain(PHONE);
    }

    @Test
    void aStoredSecretIsKeptOnlyWhileTheDestinationStaysTheSame() {
        webhook("ops", "s3cret");
        AlertStore store = new AlertStore(platform.internals().metadata().jdbi());
        // same url, another timeout, secret left empty: kept
        alerts.putChannel(SPACE, "ops", "webhook", Map.of("url", hooks.url("/ops"), "secret", "",
                "timeout_seconds", "5"));
        assertThat(store.channel(SPACE, "ops").orElseThrow().settings()).containsEntry("secret", "s3cret");
        // another url without the secret: refused, nothing changed
        assertThatThrownBy(() -> alerts.putChannel(SPACE, "ops", "webhook", Map.of("url", "https://evil.example/x")))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ALERT);
                    assertThat(e.field()).contains("settings.secret");
                    assertThat(e.getMessage()).contains("send the secret again");
                });
        assertThat(store.channel(SPACE, "ops").orElseThrow().settings()).containsEntry("url", hooks.url("/ops"));
        // another url with a secret: saved
        alerts.putChannel(SPACE, "ops", "webhook", Map.of("url", "https://other.example/x", "secret", "new"));
        assertThat(store.channel(SPACE, "ops").orElseThrow().settings()).containsEntry("secret", "new");

        Map<String, String> mail = Map.of("host", "smtp.example.org", "from", "bklog@example.org",
                "to", "ops@example.org", "username", "bklog", "password", "pw");
        alerts.putChannel(SPACE, "mail", "email", mail);
        java.util.Map<String, String> sameServer = new java.util.HashMap<>(mail);
        sameServer.put("password", "");
        sameServer.put("to", "oncall@example.org");
        alerts.putChannel(SPACE, "mail", "email", sameServer);
        assertThat(store.channel(SPACE, "mail").orElseThrow().settings()).containsEntry("password", "pw");
        for (String[] change : List.of(new String[] {"host", "smtp.evil.example"}, new String[] {"port", "2525"},
                new String[] {"tls", "none"}, new String[] {"username", "me"})) {
            java.util.Map<String, String> moved = new java.util.HashMap<>(sameServer);
            moved.put(change[0], change[1]);
            assertThatThrownBy(() -> alerts.putChannel(SPACE, "mail", "email", moved))
                    .as(change[0]).isInstanceOfSatisfying(BklogException.class,
                            e -> assertThat(e.field()).contains("settings.password"));
        }
    }

    @Test
    void missedPeriodsAreCaughtUpOnceNotOnceEach() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule r = alerts.createRule(admin, rule("r", AlertCondition.countAbove(0), "ops"));
        ingest(set, T0.plus(Duration.ofMinutes(58)), "x");
        // down for an hour: the next evaluation judges the latest window once
        Instant late = T0.plus(Duration.ofMinutes(60));
        clock.set(late.plusSeconds(1));
        HealthzMetric lag = alerts.healthIndicator().check().get(0);
        assertThat(lag.metricName()).isEqualTo("evaluation_lag_seconds");
        assertThat(lag.status()).isFalse();
        assertThat(alerts.evaluateDue(clock.instant())).isEqualTo(1);
        assertThat(alerts.evaluateDue(clock.instant())).isZero();
        alerts.deliverPending();
        assertThat(hooks.received).hasSize(1);
        assertThat(alerts.history(SPACE, r.id(), 10)).singleElement()
                .satisfies(h -> assertThat(h.at()).isEqualTo(late));
        assertThat(alerts.healthIndicator().check().get(0).status()).isTrue();
    }

    @Test
    void aThirdPartyChannelTypeIsInstalledAndGetsTheNotifications() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        assertThat(alerts.channelTypes()).containsExactly("email", "memo", "webhook");
        assertThatThrownBy(() -> alerts.putChannel(SPACE, "m", "memo", Map.of()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.getMessage()).contains("settings.pad"));
        alerts.putChannel(SPACE, "m", "memo", Map.of("pad", "1"));
        AlertRule r = alerts.createRule(admin, rule("to memo", AlertCondition.countAbove(0), "m"));
        memo.clear();
        ingest(set, T0, "x");
        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        assertThat(memo).singleElement().satisfies(n -> {
            assertThat(n.ruleId()).isEqualTo(r.id());
            assertThat(n.status()).isEqualTo("firing");
            assertThat(n.samples()).hasSize(1);
        });
        // a type that is taken is refused
        NotificationChannelFactory fake = new WebhookChannel.Factory();
        assertThatThrownBy(() -> AlertService.factories(List.of(fake))).hasMessageContaining("'webhook' is taken");
    }

    @Test
    void anUpdateKeepsTheStateAndRefusesAStaleVersionOrATakenName() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule r = alerts.createRule(admin, rule("r1", AlertCondition.countAbove(0), "ops"));
        alerts.createRule(admin, rule("r2", AlertCondition.countAbove(0), "ops"));
        ingest(set, T0, "x");
        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        AlertRule changed = alerts.updateRule(admin, r.id(), rule("r1", AlertCondition.countAbove(5), "ops"));
        assertThat(changed.version()).isEqualTo(2);
        assertThat(changed.condition().threshold()).isEqualTo(5);
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);
        AlertRule stale = new AlertRule(null, null, "r1", set, null, null, AlertCondition.countAbove(1), null, null,
                null, null, null, null, null, null, null, null, List.of("ops"), null, null, null, 1L, null, null);
        assertThatThrownBy(() -> alerts.updateRule(admin, r.id(), stale)).isInstanceOfSatisfying(BklogException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CONFLICT));
        assertThatThrownBy(() -> alerts.updateRule(admin, r.id(), rule("r2", AlertCondition.countAbove(0), "ops")))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALERT_EXISTS));
        // the next evaluation judges the new threshold: 1 line is not above 5
        evaluateAt(T0.plus(Duration.ofMinutes(2)));
        assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.RESOLVED);
    }

    @Test
    void aSilenceOfOneRuleMutesThatRuleOnly() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", null);
        AlertRule muted = alerts.createRule(admin, rule("muted", AlertCondition.countAbove(0), "ops"));
        alerts.createRule(admin, rule("loud", AlertCondition.countAbove(0), "ops"));
        alerts.addSilence(admin, new Silence(null, null, null, muted.id(), null, null, T0.plus(Duration.ofHours(1)),
                null, null, null));
        ingest(set, T0, "x");
        evaluateAt(T0.plus(Duration.ofMinutes(1)));
        assertThat(hooks.received).singleElement().satisfies(h -> assertThat(h.body()).contains("\"loud\""));
    }

    @Test
    void rulesAndChannelsAreValidatedNamingTheField() {
        platform.indexSets().create(set, IndexSetSpec.defaults());
        webhook("ops", "top-secret");
        assertThat(alerts.channel(SPACE, "ops").settings().get("secret")).isEqualTo("******");
        assertThatThrownBy(() -> alerts.createRule(admin, rule("r", AlertCondition.countAbove(1), "nope")))
                .isInstanceOfSatisfying(BklogException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ALERT);
                    assertThat(e.field()).contains("channels");
                });
        assertThatThrownBy(() -> new AlertCondition("count_sideways", 1d, null, null))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.getMessage())
                        .contains("count_above", "pattern_grew"));
        assertThatThrownBy(() -> new AlertRule(null, null, "r", set, null, null, AlertCondition.countAbove(1),
                Duration.ofSeconds(1), null, null, null, null, null, null, null, null, null, List.of("ops"), null,
                null, null, null, null, null)).isInstanceOfSatisfying(BklogException.class,
                e -> assertThat(e.field()).contains("every"));
        assertThatThrownBy(() -> alerts.createRule(admin, new AlertRule(null, null, "r", set, "log:(", null,
                AlertCondition.countAbove(1), null, null, null, null, null, null, null, null, null, null,
                List.of("ops"), null, null, null, null, null, null))).isInstanceOfSatisfying(BklogException.class,
                e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_QUERY);
                    assertThat(e.field()).contains("query");
                });
        assertThatThrownBy(() -> alerts.putChannel(SPACE, "bad", "webhook", Map.of("url", "file:///etc/passwd")))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.field()).contains("settings"));
        assertThatThrownBy(() -> alerts.putChannel(SPACE, "bad", "pager", Map.of()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.getMessage()).contains("email",
                        "webhook"));
        alerts.createRule(admin, rule("r", AlertCondition.countAbove(1), "ops"));
        assertThatThrownBy(() -> alerts.createRule(admin, rule("r", AlertCondition.countAbove(1), "ops")))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALERT_EXISTS));
        assertThatThrownBy(() -> alerts.deleteChannel(SPACE, "ops"))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALERT_EXISTS));
        assertThatThrownBy(() -> alerts.rule("other_space", alerts.rules(SPACE).get(0).id()))
                .isInstanceOfSatisfying(BklogException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ALERT_NOT_FOUND));
    }
}
