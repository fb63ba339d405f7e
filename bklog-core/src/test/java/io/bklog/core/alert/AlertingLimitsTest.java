package io.bklog.core.alert;

import io.bklog.core.BklogException;
import io.bklog.core.LogPlatform;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.indexset.IndexSetSpec;
import io.bklog.testkit.MutableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Alerting's limits: retention, the message cap, webhook destinations and URL redaction. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertingLimitsTest {
    static final String SPACE = LogPlatformBuilder.DEFAULT_SPACE;
    static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

    final MutableClock clock = new MutableClock(T0);
    /** What the channel type {@code stepped} was sent, and what it does on each send (the test sets it). */
    final List<String> stepped = new java.util.concurrent.CopyOnWriteArrayList<>();
    interface Step {
        void on(int sends) throws io.bklog.spi.alert.DeliveryException;
    }

    volatile Step onStep = n -> { };
    final io.bklog.spi.alert.NotificationChannelFactory steppedType = new io.bklog.spi.alert.NotificationChannelFactory() {
        @Override
        public String type() {
            return "stepped";
        }

        @Override
        public io.bklog.spi.alert.NotificationChannel create(Map<String, String> settings) {
            return n -> {
                stepped.add(n.id());
                onStep.on(stepped.size());
            };
        }
    };
    final LogPlatform platform = LogPlatform.builder().clock(clock).alertSleeper(d -> { }).alertChannel(steppedType)
            .alerting(AlertingConfig.defaults().withRetentionDays(7).withMaxMessageChars(300)
                    .withWebhookAllowedDestinations(List.of("127.0.0.1")))
            .build();
    final AlertService alerts = platform.alerts();

    @AfterEach
    void cleanUp() {
        for (AlertRule r : alerts.rules(SPACE)) alerts.deleteRule(SPACE, r.id());
        for (AlertChannelConfig c : alerts.channels(SPACE)) alerts.deleteChannel(SPACE, c.name());
        clock.set(T0);
    }

    @AfterAll
    void close() {
        platform.close();
    }

    void ingest(String set, Instant at, String... lines) {
        List<Map<String, Object>> docs = new ArrayList<>();
        for (String l : lines) docs.add(Map.of("log", l, "dtEventTimeStamp", at.toEpochMilli()));
        platform.ingest().ingest(set, docs, true);
    }

    AlertRule rule(String name, String set, String template, int samples, String channel) {
        return new AlertRule(null, null, name, set, null, null, AlertCondition.countAbove(0), Duration.ofMinutes(1),
                Duration.ofMinutes(5), null, null, "critical", Map.of(), template, samples, null, null,
                List.of(channel), null, null, null, null, null, null);
    }

    // ---- retention ----

    @Test
    void retentionDeletesOldHistoryAndFinishedNotificationsButKeepsPendingOnesAndRecentOnes() throws Exception {
        platform.indexSets().create("ret", IndexSetSpec.defaults());
        try (WebhookReceiver hooks = new WebhookReceiver()) {
            alerts.putChannel(SPACE, "ok", "webhook", Map.of("url", hooks.url("/ok")));
            alerts.putChannel(SPACE, "gone", "webhook", Map.of("url", "http://127.0.0.1:1/never", "max_attempts", "1"));
            AlertRule r = alerts.createRule(AlertCaller.library(SPACE), rule("r", "ret", null, 0, "ok"));
            ingest("ret", T0.plusSeconds(10), "x");
            clock.set(T0.plus(Duration.ofMinutes(1)).plusSeconds(1));
            alerts.evaluateDue(clock.instant()); // fires
            alerts.deliverPending();
            assertThat(alerts.history(SPACE, r.id(), 10)).hasSize(1);
            assertThat(alerts.deliveries(SPACE, "delivered", 100)).filteredOn(d -> d.ruleId() == r.id()).hasSize(1);
            // a notification still pending is never deleted, however old
            AlertRule p = alerts.createRule(AlertCaller.library(SPACE), rule("p", "ret", null, 0, "gone"));
            alerts.evaluateDue(clock.instant());
            assertThat(alerts.deliveries(SPACE, "pending", 100)).extracting(AlertDeliveryRecord::ruleId)
                    .contains(p.id());
            // 6 days later: kept
            assertThat(alerts.prune(T0.plus(Duration.ofDays(6)))).isEqualTo(new AlertStore.Pruned(0, 0, 0));
            assertThat(alerts.history(SPACE, r.id(), 10)).hasSize(1);
            // 7 days and a bit after: the history entries and the delivered notification go, the pending one stays
            AlertStore.Pruned pruned = alerts.prune(T0.plus(Duration.ofDays(7)).plus(Duration.ofHours(1)));
            assertThat(pruned.history()).isGreaterThanOrEqualTo(2);
            assertThat(pruned.notifications()).isGreaterThanOrEqualTo(1);
            assertThat(alerts.history(SPACE, null, 100)).isEmpty();
            assertThat(alerts.deliveries(SPACE, null, 100)).extracting(AlertDeliveryRecord::status)
                    .containsOnly("pending");
            assertThat(alerts.deliveries(SPACE, null, 100)).extracting(AlertDeliveryRecord::ruleId).contains(p.id());
            // the rules and their states are untouched
            assertThat(alerts.status(SPACE, r.id()).state().state()).isEqualTo(AlertState.FIRING);
        }
    }

    @Test
    void retentionIsATaskOfThePlatformAndItsDaysAreChecked() {
        assertThat(platform.scheduler().registry().names()).contains(AlertService.RETENTION_TASK,
                AlertService.DELIVER_TASK, AlertService.TASK);
        assertThat(AlertingConfig.defaults().retentionDays()).isEqualTo(30);
        assertThatThrownBy(() -> AlertingConfig.defaults().withRetentionDays(0))
                .hasMessageContaining("alerting.retention_days must be 1..3650");
    }

    // ---- delivery claims ----

    @Test
    void aDeliveryWhoseClaimPassedWhileItWasSendingStopsAndLeavesTheNotificationToItsNewHolder() {
        platform.indexSets().create("claim", IndexSetSpec.defaults());
        alerts.putChannel(SPACE, "st", "stepped", Map.of());
        alerts.createRule(AlertCaller.library(SPACE), rule("c", "claim", null, 0, "st"));
        ingest("claim", T0.plusSeconds(10), "x");
        clock.set(T0.plus(Duration.ofMinutes(1)).plusSeconds(1));
        alerts.evaluateDue(clock.instant());
        // another instance over the same metadata
        AlertService other = new AlertService(platform.internals().metadata(), platform.indexSets(),
                platform.search(), platform.patterns(), platform.internals().lock().orElseThrow(), clock, null,
                List.of(steppedType), d -> { }, alerts.config());
        int[] otherDelivered = {-1};
        onStep = n -> {
            if (n != 1) return;
            // the first attempt hangs past the 5-minute claim; meanwhile the other instance takes it and sends it
            clock.advance(AlertService.CLAIM.plusMinutes(1));
            otherDelivered[0] = other.deliverPending();
            throw new io.bklog.spi.alert.DeliveryException("receiver timed out", true);
        };
        try {
            assertThat(alerts.deliverPending()).isZero();
        } finally {
            onStep = n -> { };
        }
        assertThat(otherDelivered[0]).isEqualTo(1);
        assertThat(platform.meterRegistry().find("bklog.alert.deliveries").tags("channel", "stepped", "outcome",
                "claim_lost").counter()).isNotNull().satisfies(c -> assertThat(c.count()).isEqualTo(1));
        // sent twice (at least once: the receiver dedupes by id), never a third time by the first delivery's retry
        assertThat(stepped).hasSize(2).containsOnly(stepped.get(0));
        // the outcome is the new holder's: delivered at its first attempt, not the first delivery's failure
        assertThat(alerts.deliveries(SPACE, null, 100)).filteredOn(d -> d.channel().equals("st")).singleElement()
                .satisfies(d -> {
                    assertThat(d.status()).isEqualTo("delivered");
                    assertThat(d.attempts()).isEqualTo(1);
                    assertThat(d.lastError()).isNull();
                });
    }

    // ---- message cap ----

    @Test
    void aLongMessageIsCutWithAMarkerSayingHowMuchWasCut() {
        String text = "a".repeat(1000);
        String capped = AlertTemplate.cap(text, 300);
        assertThat(capped).hasSizeLessThanOrEqualTo(300).startsWith("aaaa")
                .endsWith("\n\u2026 [truncated: " + (1000 - capped.indexOf('\n')) + " more characters]");
        assertThat(AlertTemplate.cap("short", 300)).isEqualTo("short");
        // a surrogate pair is never split
        String emoji = "\uD83D\uDE00".repeat(500);
        String cut = AlertTemplate.cap(emoji, 300);
        String head = cut.substring(0, cut.indexOf('\n'));
        assertThat(head.length() % 2).isZero();
        assertThat(head.codePoints()).allMatch(c -> c == 0x1F600);
    }

    @Test
    void aRuleWhoseTemplateRendersTooMuchSendsTheCappedMessage() throws Exception {
        platform.indexSets().create("cap", IndexSetSpec.defaults());
        try (WebhookReceiver hooks = new WebhookReceiver()) {
            alerts.putChannel(SPACE, "ops", "webhook", Map.of("url", hooks.url("/ops")));
            AlertRule r = alerts.createRule(AlertCaller.library(SPACE), rule("big", "cap",
                    "{{rule}} fired:{{samples}}", 20, "ops"));
            for (int i = 0; i < 20; i++) ingest("cap", T0.plusSeconds(10 + i), "line " + i + " " + "z".repeat(200));
            clock.set(T0.plus(Duration.ofMinutes(1)).plusSeconds(1));
            alerts.evaluateDue(clock.instant());
            alerts.deliverPending();
            String message = AlertServiceTest.JSON.readTree(hooks.at("/ops").get(0).body()).get("message").asText();
            assertThat(message).hasSizeLessThanOrEqualTo(300).startsWith("big fired:")
                    .containsPattern("\u2026 \\[truncated: \\d+ more characters]$");
            assertThat(alerts.history(SPACE, r.id(), 1).get(0).message()).isEqualTo(message);
        }
    }

    // ---- webhook destinations ----

    static Destinations.Resolver fake(Map<String, String> dns) {
        return host -> {
            String ip = dns.get(host);
            if (ip == null) throw new UnknownHostException(host);
            List<InetAddress> out = new ArrayList<>();
            for (String x : ip.split(",")) out.add(InetAddress.getByName(x));
            return out.toArray(InetAddress[]::new);
        };
    }

    @Test
    void internalDestinationsAreRefusedNamingTheAddressAndWhy() {
        Destinations none = Destinations.parse(List.of(), fake(Map.of("hooks.example.org", "93.184.216.34",
                "evil.example.org", "93.184.216.34,169.254.169.254", "intranet.example.org", "10.1.2.3",
                "metadata.google.internal", "169.254.169.254", "localhost", "127.0.0.1,::1")));
        none.check(URI.create("https://hooks.example.org/x")); // public: fine
        none.check(URI.create("https://unresolvable.example.org/x")); // checked again at delivery
        assertThatThrownBy(() -> none.check(URI.create("https://unresolvable.example.org/x"), true))
                .as("at delivery a host that does not resolve is retried, never sent to blindly")
                .isInstanceOf(Destinations.Unresolved.class);
        assertThatThrownBy(() -> none.check(URI.create("http://intranet.example.org/")))
                .as("the resolved address of a name is logged, not answered")
                .hasMessageNotContaining("10.1.2.3");
        for (String[] c : new String[][]{
                {"http://127.0.0.1:8080/x", "a loopback address"},
                {"http://localhost/x", "a loopback address"},
                {"http://[::1]/x", "a loopback address"},
                {"http://0.0.0.0/x", "unspecified"},
                {"http://169.254.169.254/latest/meta-data", "link-local"},
                {"http://metadata.google.internal/", "link-local"},
                {"http://evil.example.org/", "link-local"}, // every address is checked
                {"http://intranet.example.org/", "a private address"},
                {"http://192.168.1.1/", "a private address"},
                {"http://172.20.0.1/", "a private address"},
                {"http://100.100.100.200/", "carrier-grade NAT"},
                {"http://[::ffff:127.0.0.1]/", "a loopback address"},
                {"http://[::ffff:10.0.0.1]/", "a private address"},
                {"http://[fd00:ec2::254]/", "unique local"},
                {"http://[fe80::1]/", "link-local"},
                {"http://[64:ff9b::a9fe:a9fe]/", "link-local"},
                {"http://[64:ff9b:1::a00:1]/", "local-use NAT64"},
                {"http://[64:ff9b:1:7f00:0:1:808:808]/", "local-use NAT64"}, // RFC 6052 /48 layout: 127.0.0.1
                {"http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "a loopback address"}, // Teredo, client 127.0.0.1
                {"http://[2002:a9fe:a9fe::1]/", "link-local"}}) { // 6to4
            assertThatThrownBy(() -> none.check(URI.create(c[0]))).as(c[0])
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(c[1]).hasMessageContaining("alerting.webhook_allowed_destinations");
        }
    }

    @Test
    void theAllowListLetsNamedAddressesRangesAndHostsThrough() {
        Destinations allowed = Destinations.parse(List.of("127.0.0.1", "10.1.0.0/16", "intranet.example.org",
                "fd00::/8"), fake(Map.of("intranet.example.org", "10.9.9.9", "other.example.org", "10.1.5.5")));
        allowed.check(URI.create("http://127.0.0.1:9000/hook"));
        allowed.check(URI.create("http://10.1.200.3/hook"));
        allowed.check(URI.create("http://other.example.org/hook")); // resolves into an allowed range
        allowed.check(URI.create("http://intranet.example.org/hook")); // allowed by name
        allowed.check(URI.create("http://[fd00::5]/hook"));
        assertThatThrownBy(() -> allowed.check(URI.create("http://10.2.0.1/hook"))).hasMessageContaining("10.2.0.1");
        assertThatThrownBy(() -> allowed.check(URI.create("http://127.0.0.2/hook"))).hasMessageContaining("loopback");
        Destinations.parse(List.of("*")).check(URI.create("http://169.254.169.254/"));
        assertThatThrownBy(() -> Destinations.parse(List.of("10.0.0.0/40")))
                .hasMessageContaining("'10.0.0.0/40' is not an IP address or CIDR range");
        assertThatThrownBy(() -> AlertingConfig.defaults().withWebhookAllowedDestinations(List.of("not a host!")))
                .hasMessageContaining("alerting.webhook_allowed_destinations: 'not a host!'");
    }

    @Test
    void aWebhookChannelToAnInternalAddressIsRefusedAt400NamingWhy() {
        LogPlatform strict = LogPlatform.builder().clock(clock).build(); // the default: no internal destination
        try (strict) {
            assertThatThrownBy(() -> strict.alerts().putChannel(SPACE, "meta", "webhook",
                    Map.of("url", "http://169.254.169.254/latest/meta-data/iam")))
                    .isInstanceOfSatisfying(BklogException.class, e -> {
                        assertThat(e.code().code()).isEqualTo("invalid_alert");
                        assertThat(e.getMessage()).contains("169.254.169.254").contains("link-local");
                        assertThat(e.field()).contains("settings");
                    });
            assertThatThrownBy(() -> strict.alerts().putChannel(SPACE, "local", "webhook",
                    Map.of("url", "http://127.0.0.1:9280/api/v1/tokens")))
                    .hasMessageContaining("loopback");
            assertThat(strict.alerts().channels(SPACE)).isEmpty();
        }
    }

    @Test
    void aChannelWhoseHostNowResolvesInsideIsDeadLetteredAtDelivery() throws Exception {
        // the channel was saved while allowed; the deployment then dropped the allowance (or DNS now points inside)
        platform.indexSets().create("rebind", IndexSetSpec.defaults());
        try (WebhookReceiver hooks = new WebhookReceiver()) {
            alerts.putChannel(SPACE, "hook", "webhook", Map.of("url", hooks.url("/hook")));
            alerts.createRule(AlertCaller.library(SPACE), rule("rb", "rebind", null, 0, "hook"));
            ingest("rebind", T0.plusSeconds(10), "x");
            clock.set(T0.plus(Duration.ofMinutes(1)).plusSeconds(1));
            alerts.evaluateDue(clock.instant());
            AlertService strict = new AlertService(platform.internals().metadata(), platform.indexSets(),
                    platform.search(), platform.patterns(), platform.internals().lock().orElseThrow(), clock, null, List.of(),
                    d -> { }, AlertingConfig.defaults());
            assertThat(strict.deliverPending()).isZero();
            assertThat(hooks.at("/hook")).isEmpty();
            assertThat(alerts.deliveries(SPACE, "dead", 100)).filteredOn(d -> d.channel().equals("hook")).singleElement()
                    .satisfies(d -> assertThat(d.lastError()).contains("loopback"));
        }
    }

    // ---- redaction ----

    @Test
    void webhookUrlsAreShownWithoutPathAndQueryAndSendingThemBackKeepsTheStoredOne() throws Exception {
        assertThat(WebhookChannel.redactUrl("https://hooks.slack.com/services/T000/B000/XXXX"))
                .isEqualTo("https://hooks.slack.com/\u2026");
        assertThat(WebhookChannel.redactUrl("https://u:p@h.example.org:8443/?token=s")).isEqualTo("https://h.example.org:8443/\u2026");
        assertThat(WebhookChannel.redactUrl("https://h.example.org/")).isEqualTo("https://h.example.org/");
        try (WebhookReceiver hooks = new WebhookReceiver()) {
            String url = hooks.url("/secret-path?token=abc");
            AlertChannelConfig saved = alerts.putChannel(SPACE, "r", "webhook", Map.of("url", url, "secret", "s3"));
            String shown = saved.settings().get("url");
            assertThat(shown).doesNotContain("secret-path").doesNotContain("abc").endsWith("/\u2026");
            assertThat(alerts.channel(SPACE, "r").settings()).containsEntry("url", shown)
                    .containsEntry("secret", "******");
            // an edit that sends back what it was shown (url and secret) keeps both, and may change the rest
            alerts.putChannel(SPACE, "r", "webhook", Map.of("url", shown, "secret", "", "max_attempts", "2"));
            AlertStore store = new AlertStore(platform.internals().metadata().jdbi());
            assertThat(store.channel(SPACE, "r").orElseThrow().settings()).containsEntry("url", url)
                    .containsEntry("secret", "s3").containsEntry("max_attempts", "2");
        }
    }
}
