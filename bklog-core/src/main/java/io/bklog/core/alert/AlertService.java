package io.bklog.core.alert;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.Token;
import io.bklog.core.patterns.PatternQuery;
import io.bklog.core.patterns.PatternService;
import io.bklog.core.patterns.PatternsResponse;
import io.bklog.core.schedule.PeriodicTask;
import io.bklog.core.schedule.Schedule;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchService;
import io.bklog.spi.DistributedLock;
import io.bklog.spi.HealthIndicator;
import io.bklog.spi.HealthzMetric;
import io.bklog.spi.Meters;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.alert.AlertNotification;
import io.bklog.spi.alert.DeliveryException;
import io.bklog.spi.alert.NotificationChannel;
import io.bklog.spi.alert.NotificationChannelFactory;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Alerting (docs/alerting.md): rules per space on saved searches and patterns, evaluated by the scheduler's
 * periodic task {@value #TASK}, with state and history in the metadata database, and notifications delivered to
 * channels (webhook, e-mail, or a third party's {@link NotificationChannelFactory}) through an outbox.
 *
 * <p>Once per period across instances: each rule's period is committed at most once (the state row's
 * {@code last_period} only moves forward, in the transaction that also writes the history and the outbox rows),
 * while holding the rule's lock, whose fencing token is recorded on the row first so a holder whose lease passed
 * (a worker that stalled or died mid-evaluation) cannot commit after a newer one. A missed period is not replayed:
 * the next evaluation judges the latest window once. Outbox rows are claimed by one instance and delivered with
 * retries and backoff; after the channel's attempts they are dead-lettered ({@code dead}).
 */
public final class AlertService {
    private static final Logger log = LoggerFactory.getLogger(AlertService.class);
    /** The periodic task that evaluates the due rules (and writes their notifications to the outbox). */
    public static final String TASK = "alerts.evaluate";
    /** The periodic task that delivers the outbox's pending notifications; also queued after an evaluation wrote some. */
    public static final String DELIVER_TASK = "alerts.deliver";
    /** The periodic task that deletes old history, finished notifications and ended silences. */
    public static final String RETENTION_TASK = "alerts.retention";
    /** How often {@value #TASK} runs by default (the shortest rule period). */
    public static final Duration TICK = AlertRule.MIN_EVERY;
    static final Duration LEASE = Duration.ofMinutes(2);
    /** How long a delivery's claim on a notification lasts; renewed before each attempt. */
    static final Duration CLAIM = Duration.ofMinutes(5);
    /** A delivery run claims no new notification after this long (the next run goes on). */
    static final Duration DELIVERY_RUN = Duration.ofMinutes(2);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final MetadataStore meta;
    private final AlertStore store;
    private final IndexSetService indexSets;
    private final SearchService search;
    private final MaskingService masking;
    private final PatternService patterns;
    private final DistributedLock lock;
    private final Clock clock;
    private final Meters meters;
    private final Map<String, NotificationChannelFactory> factories;
    private final Sleeper sleeper;
    private final String instance = "alerts-" + UUID.randomUUID();
    private final AlertingConfig config;
    private volatile Runnable outboxWritten = () -> { };

    public AlertService(MetadataStore meta, IndexSetService indexSets, SearchService search, PatternService patterns,
                        DistributedLock lock, Clock clock, Meters meters, List<NotificationChannelFactory> channels,
                        Sleeper sleeper) {
        this(meta, indexSets, search, patterns, lock, clock, meters, channels, sleeper, AlertingConfig.defaults());
    }

    public AlertService(MetadataStore meta, IndexSetService indexSets, SearchService search, PatternService patterns,
                        DistributedLock lock, Clock clock, Meters meters, List<NotificationChannelFactory> channels,
                        Sleeper sleeper, AlertingConfig config) {
        this.config = config == null ? AlertingConfig.defaults() : config;
        this.meta = Objects.requireNonNull(meta, "meta");
        this.store = new AlertStore(meta.jdbi());
        this.indexSets = indexSets;
        this.search = search;
        this.masking = new MaskingService(meta, indexSets);
        this.patterns = patterns;
        this.lock = lock;
        this.clock = clock;
        this.meters = meters == null ? Meters.noop() : meters;
        this.sleeper = sleeper == null ? Sleeper.REAL : sleeper;
        this.factories = factories(channels, Destinations.parse(this.config.webhookAllowedDestinations()));
    }

    /** What to do when an evaluation wrote notifications to the outbox (the platform queues {@value #DELIVER_TASK}). */
    public void onOutboxWritten(Runnable r) {
        this.outboxWritten = Objects.requireNonNull(r, "r");
    }

    /** The settings this service runs with. */
    public AlertingConfig config() {
        return config;
    }

    /** The built-in channel types, those given, then those found by {@link ServiceLoader}; a taken type is refused. */
    static Map<String, NotificationChannelFactory> factories(List<NotificationChannelFactory> given) {
        return factories(given, Destinations.parse(List.of()));
    }

    static Map<String, NotificationChannelFactory> factories(List<NotificationChannelFactory> given,
                                                            Destinations webhookDestinations) {
        Map<String, NotificationChannelFactory> out = new TreeMap<>();
        out.put(WebhookChannel.TYPE, new WebhookChannel.Factory(webhookDestinations));
        out.put(EmailChannel.TYPE, new EmailChannel.Factory());
        List<NotificationChannelFactory> extra = new ArrayList<>(given == null ? List.of() : given);
        for (NotificationChannelFactory f : ServiceLoader.load(NotificationChannelFactory.class)) {
            if (extra.stream().noneMatch(e -> e.type().equals(f.type()))) extra.add(f);
        }
        for (NotificationChannelFactory f : extra) {
            if (out.containsKey(f.type())) {
                throw new IllegalArgumentException("notification channel type '" + f.type() + "' is taken; types: "
                        + out.keySet());
            }
            out.put(f.type(), f);
        }
        return out;
    }

    /** The channel types this platform knows. */
    public List<String> channelTypes() {
        return List.copyOf(factories.keySet());
    }

    // ---- rules ----

    /** A rule and its current state. */
    public record RuleStatus(AlertRule rule, RuleState state) {}

    public AlertRule createRule(AlertCaller caller, AlertRule rule) {
        AlertRule r = checked(caller, rule).withIdentity(null, caller.space(), caller.name(), caller.tokenId(), null,
                null, null);
        if (store.findRule(caller.space(), r.name()).isPresent()) throw AlertStore.exists("rule", r.name());
        AlertRule saved = store.insertRule(r, now());
        log.info("event=alert_rule_created space={} id={} name={} condition={}", saved.space(), saved.id(),
                saved.name(), saved.condition().type());
        return saved;
    }

    /**
     * Replaces a rule (its state is kept). With {@code rule.version()} set, the update applies only if the stored
     * rule still has that version ({@code conflict} otherwise). The caller becomes the owner.
     */
    public AlertRule updateRule(AlertCaller caller, long id, AlertRule rule) {
        AlertRule old = rule(caller.space(), id);
        AlertRule r = checked(caller, rule).withIdentity(id, caller.space(), caller.name(), caller.tokenId(), null,
                null, null);
        long expected = rule.version() != null ? rule.version() : old.version();
        return store.updateRule(r, expected, now());
    }

    public void deleteRule(String space, long id) {
        rule(space, id);
        store.deleteRule(id);
        log.info("event=alert_rule_deleted space={} id={}", space, id);
    }

    public AlertRule rule(String space, long id) {
        return store.findRule(id).filter(r -> r.space().equals(space)).orElseThrow(() -> notFound("rule", "" + id));
    }

    public List<AlertRule> rules(String space) {
        return store.rules(space);
    }

    /** The rules of a space with their states (every space with null). */
    public List<RuleStatus> statuses(String space) {
        Map<Long, RuleState> states = new LinkedHashMap<>();
        for (RuleState s : store.states()) states.put(s.ruleId(), s);
        return store.rules(space).stream().map(r -> new RuleStatus(r, states.get(r.id()))).toList();
    }

    public RuleStatus status(String space, long id) {
        AlertRule r = rule(space, id);
        return new RuleStatus(r, store.state(id).orElse(null));
    }

    private AlertRule checked(AlertCaller caller, AlertRule rule) {
        Objects.requireNonNull(rule, "rule");
        IndexSet set = indexSets.find(rule.indexSet(), caller.space())
                .orElseThrow(() -> indexSets.notFoundIn(rule.indexSet(), caller.space()));
        if (rule.unmasked() && !caller.unmasked()) {
            throw AlertCondition.invalid("unmasked: only a token holding the unmasked role may make a rule that sends"
                    + " raw samples", "unmasked");
        }
        Masker masker = caller.unmasked() ? Masker.none() : masking.masker(set);
        try {
            search.request(set.name(), params(rule, Instant.EPOCH, Instant.EPOCH.plusSeconds(1), 0), masker);
        } catch (BklogException e) {
            throw new BklogException(e.code(), e.getMessage(), e.field().map(f -> f.equals("keyword") ? "query"
                    : f.equals("addition") ? "filters" : f).orElse("query"), e.details(), e);
        }
        if (rule.condition().kind() == AlertCondition.Type.DISTINCT_ABOVE) {
            String f = rule.condition().field();
            if (set.fields().stream().noneMatch(x -> x.name().equals(f))) {
                throw AlertCondition.invalid("condition.field '" + f + "' is not a field of index set '" + set.name()
                        + "'", "condition.field");
            }
            if (!caller.unmasked() && masker.masks(f)) {
                throw new BklogException(ErrorCode.MASKED_FIELD, "condition.field '" + f + "' is masked; counting"
                        + " its distinct values needs the unmasked role", "condition.field");
            }
        }
        if (rule.groupBy() != null && set.fields().stream().noneMatch(x -> x.name().equals(rule.groupBy()))) {
            throw AlertCondition.invalid("group_by '" + rule.groupBy() + "' is not a field of index set '"
                    + set.name() + "'", "group_by");
        }
        if (rule.groupBy() != null && !caller.unmasked() && masker.masks(rule.groupBy())) {
            throw new BklogException(ErrorCode.MASKED_FIELD, "group_by '" + rule.groupBy() + "' is masked; grouping"
                    + " by it needs the unmasked role", "group_by");
        }
        if (rule.condition().onPatterns() && (set.patterns() == null || !set.patterns().enabled())) {
            throw new BklogException(ErrorCode.PATTERNS_OFF, "condition " + rule.condition().type() + " needs log"
                    + " clustering on index set '" + set.name() + "' (docs/patterns.md)", "condition.type");
        }
        for (String c : rule.channels()) {
            if (store.channel(caller.space(), c).isEmpty()) {
                throw AlertCondition.invalid("channel '" + c + "' does not exist in this space; channels: "
                        + store.channels(caller.space()).stream().map(AlertChannelConfig::name).toList(), "channels");
            }
        }
        return rule;
    }

    // ---- channels ----

    /**
     * Creates or replaces a channel after checking its settings; a secret setting left empty keeps the stored one if
     * the destination (webhook url; e-mail host, port, tls, username) is unchanged, else the update is refused.
     */
    public AlertChannelConfig putChannel(String space, String name, String type, Map<String, String> settings) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]{1,128}")) {
            throw AlertCondition.invalid("channel name must be 1..128 of [A-Za-z0-9_.-], got '" + name + "'", "name");
        }
        NotificationChannelFactory f = type == null ? null : factories.get(type);
        if (f == null) throw AlertCondition.invalid("unknown channel type '" + type + "'; types: " + factories.keySet(),
                "type");
        Map<String, String> s = new TreeMap<>();
        if (settings != null) settings.forEach((k, v) -> {
            if (k != null && v != null) s.put(k, v);
        });
        store.channel(space, name).filter(old -> old.type().equals(type)).ifPresent(old -> {
            // a URL sent back as the API showed it (scheme://host/…) means the stored one
            if (type.equals(WebhookChannel.TYPE) && s.get("url") != null && old.settings().get("url") != null
                    && !s.get("url").equals(old.settings().get("url"))
                    && s.get("url").trim().equals(WebhookChannel.redactUrl(old.settings().get("url")))) {
                s.put("url", old.settings().get("url"));
            }
            for (String secret : f.secretSettings()) {
                if ((s.get(secret) == null || s.get(secret).isEmpty()) && old.settings().containsKey(secret)) {
                    if (!f.sameDestination(old.settings(), s)) { // the stored secret must not follow a new destination
                        throw AlertCondition.invalid("settings." + secret + ": the channel's destination changed;"
                                + " send the " + secret + " again", "settings." + secret);
                    }
                    s.put(secret, old.settings().get(secret));
                }
            }
        });
        try {
            f.create(s);
        } catch (IllegalArgumentException e) {
            throw AlertCondition.invalid(e.getMessage(), "settings");
        }
        AlertChannelConfig saved = store.putChannel(new AlertChannelConfig(null, space, name, type, s, null, null),
                now());
        log.info("event=alert_channel_saved space={} name={} type={}", space, name, type);
        return redacted(saved);
    }

    public List<AlertChannelConfig> channels(String space) {
        return store.channels(space).stream().map(this::redacted).toList();
    }

    public AlertChannelConfig channel(String space, String name) {
        return store.channel(space, name).map(this::redacted).orElseThrow(() -> notFound("channel", name));
    }

    public void deleteChannel(String space, String name) {
        List<String> users = store.rules(space).stream().filter(r -> r.channels().contains(name))
                .map(AlertRule::name).toList();
        if (!users.isEmpty()) {
            throw new BklogException(ErrorCode.ALERT_EXISTS, "channel '" + name + "' is used by the rules " + users
                    + "; remove it from them first", "name");
        }
        if (!store.deleteChannel(space, name)) throw notFound("channel", name);
    }

    private AlertChannelConfig redacted(AlertChannelConfig c) {
        NotificationChannelFactory f = factories.get(c.type());
        if (f == null) return c;
        Map<String, String> s = new TreeMap<>(c.settings());
        for (String k : f.secretSettings()) if (s.containsKey(k)) s.put(k, "******");
        if (c.type().equals(WebhookChannel.TYPE) && s.containsKey("url")) s.put("url", WebhookChannel.redactUrl(s.get("url")));
        return new AlertChannelConfig(c.id(), c.space(), c.name(), c.type(), s, c.createdAt(), c.updatedAt());
    }

    // ---- silences and maintenance windows ----

    public Silence addSilence(AlertCaller caller, Silence s) {
        Objects.requireNonNull(s, "silence");
        String kind = s.kind() == null ? Silence.SILENCE : s.kind();
        if (!kind.equals(Silence.SILENCE) && !kind.equals(Silence.MAINTENANCE)) {
            throw AlertCondition.invalid("kind must be silence or maintenance, got '" + kind + "'", "kind");
        }
        Instant start = s.startsAt() == null ? now() : s.startsAt();
        if (s.endsAt() == null || !s.endsAt().isAfter(start)) {
            throw AlertCondition.invalid("ends_at must be after starts_at (" + start + ")", "ends_at");
        }
        if (kind.equals(Silence.SILENCE) && s.ruleId() == null && s.matchers().isEmpty()) {
            throw AlertCondition.invalid("a silence needs rule_id or matchers (label: value); to mute a whole space use"
                    + " kind maintenance", "matchers");
        }
        if (s.ruleId() != null) rule(caller.space(), s.ruleId());
        Silence saved = store.insertSilence(new Silence(null, caller.space(), kind, s.ruleId(), s.matchers(), start,
                s.endsAt(), s.comment(), caller.name(), null), now());
        log.info("event=alert_silence_added space={} id={} kind={} until={}", caller.space(), saved.id(), kind,
                saved.endsAt());
        return saved;
    }

    /** The silences and maintenance windows of a space that have not ended. */
    public List<Silence> silences(String space) {
        return store.silences(space, now());
    }

    public void deleteSilence(String space, long id) {
        if (!store.deleteSilence(space, id)) throw notFound("silence", "" + id);
    }

    // ---- history ----

    public List<AlertHistoryEntry> history(String space, Long ruleId, int limit) {
        if (ruleId != null) rule(space, ruleId);
        return store.history(space, ruleId, Math.max(1, Math.min(limit, 1000)));
    }

    /** The notifications of a space, newest first; {@code status} pending, delivered, dead or null for all. */
    public List<AlertDeliveryRecord> deliveries(String space, String status, int limit) {
        if (status != null && !List.of("pending", "delivered", "dead").contains(status)) {
            throw AlertCondition.invalid("status must be pending, delivered or dead, got '" + status + "'", "status");
        }
        return store.deliveries(space, status, Math.max(1, Math.min(limit, 1000)));
    }

    // ---- evaluation ----

    /**
     * The periodic task {@value #TASK}: evaluates the due rules; when notifications were written it calls the
     * {@link #onOutboxWritten} hook (the platform queues {@value #DELIVER_TASK}). It never delivers itself, so a slow
     * receiver does not hold up evaluations. Not once per period: each rule is guarded by its own lock and fence, so
     * runs may overlap (a run stalled on one rule does not hold up the others on another worker).
     */
    public PeriodicTask task() {
        return PeriodicTask.builder(TASK, Schedule.every(TICK), ctx -> {
            long before = outboxWrites.get();
            int n = evaluateDue(now());
            if (outboxWrites.get() != before) {
                try {
                    outboxWritten.run();
                } catch (RuntimeException e) { // the periodic delivery picks them up
                    log.warn("event=alert_delivery_queue_failed error={}", e.toString());
                }
            }
            return "evaluated " + n + " rules";
        }).oncePerPeriod(false).timeout(Duration.ofMinutes(10)).maxRetries(0).build();
    }

    /**
     * The periodic task {@value #DELIVER_TASK}: delivers the pending notifications. Not once per period: runs may
     * overlap (on several workers or instances) since each notification is claimed by one delivery.
     */
    public PeriodicTask deliverTask() {
        return PeriodicTask.builder(DELIVER_TASK, Schedule.every(TICK), ctx -> "delivered " + deliverPending()
                + " notifications").oncePerPeriod(false).timeout(DELIVERY_RUN.plus(CLAIM)).maxRetries(0).build();
    }

    /** The periodic task {@value #RETENTION_TASK} (hourly): {@link #prune}. */
    public PeriodicTask retentionTask() {
        return PeriodicTask.builder(RETENTION_TASK, Schedule.every(Duration.ofHours(1)), ctx -> {
            AlertStore.Pruned p = prune(now());
            return "deleted " + p.history() + " history entries, " + p.notifications() + " notifications, "
                    + p.silences() + " silences";
        }).timeout(Duration.ofMinutes(10)).build();
    }

    /**
     * Deletes what is older than {@code alerting.retention_days} before {@code now}: history entries, delivered and
     * dead notifications (by their last update; pending ones are kept) and silences that ended.
     */
    AlertStore.Pruned prune(Instant now) {
        AlertStore.Pruned p = store.prune(now.minus(Duration.ofDays(config.retentionDays())));
        if (p.history() + p.notifications() + p.silences() > 0) {
            log.info("event=alert_retention history={} notifications={} silences={} days={}", p.history(),
                    p.notifications(), p.silences(), config.retentionDays());
        }
        return p;
    }

    /** Counts commits that wrote outbox rows (read by {@link #task()}). */
    private final java.util.concurrent.atomic.AtomicLong outboxWrites = new java.util.concurrent.atomic.AtomicLong();

    /** Evaluates every enabled rule whose current period was not evaluated yet; returns how many this call did. */
    public int evaluateDue(Instant now) {
        int n = 0;
        List<Silence> silences = store.silences(null, now);
        for (AlertRule r : store.rules(null)) {
            if (!r.enabled()) continue;
            try {
                if (evaluate(r, now, silences)) n++;
            } catch (RuntimeException e) {
                meters.counter("bklog.alert.evaluations", "alert rule evaluations by outcome", "outcome", "error")
                        .increment();
                log.warn("event=alert_evaluation_failed space={} rule={} error={}", r.space(), r.id(), e.toString());
            }
        }
        return n;
    }

    /**
     * Evaluates one rule for the period containing {@code now} unless that period is done; true when this call
     * committed it.
     */
    boolean evaluate(AlertRule rule, Instant now, List<Silence> silences) {
        Instant period = rule.periodOf(now);
        Optional<RuleState> before = store.state(rule.id());
        if (before.isEmpty() || done(before.get(), period)) return false;
        Duration leaseTtl = config.ruleLease();
        Optional<DistributedLock.LockLease> lease = lock.tryAcquire("alert.rule." + rule.id(), instance, leaseTtl);
        if (lease.isEmpty()) return false;
        try {
            long token = lease.get().fencingToken();
            Instant at = now();
            if (!store.fence(rule.id(), token, at, at.minus(leaseTtl))) {
                log.warn("event=alert_fence_refused space={} rule={} token={}", rule.space(), rule.id(), token);
                meters.counter("bklog.alert.fence_refused", "rule evaluations refused by a newer holder's fence")
                        .increment();
                return false;
            }
            RuleState s = store.state(rule.id()).orElseThrow();
            if (done(s, period)) return false;
            // a long evaluation renews its lease after the observation and after the samples; one that stalls in a search
            // loses it to another instance, and its late commit is then refused by the fence
            return evaluateHeld(rule, s, period, token, silences, () -> lock.renew(lease.get(), leaseTtl)
                    && store.touchFence(rule.id(), token, now()));
        } finally {
            lock.release(lease.get());
        }
    }

    private static boolean done(RuleState s, Instant period) {
        return s.lastPeriod() != null && !s.lastPeriod().isBefore(period);
    }

    /** The evaluation proper, while holding the rule's lease whose fencing token is {@code token}. */
    boolean evaluateHeld(AlertRule rule, RuleState s, Instant period, long token, List<Silence> silences) {
        return evaluateHeld(rule, s, period, token, silences, () -> true);
    }

    /**
     * The evaluation proper; {@code renew} extends the lease after the observation and after the samples search and says whether it is still held
     * (false: another holder took the rule over; nothing is committed).
     */
    boolean evaluateHeld(AlertRule rule, RuleState s, Instant period, long token, List<Silence> silences,
                         java.util.function.BooleanSupplier renew) {
        Instant start = period.minus(rule.window());
        Masker masker = samplesMasker(rule);
        Observation o = observe(rule, start, period, masker);
        if (!renew.getAsBoolean()) return leaseLost(rule, token);
        boolean muted = silences.stream().anyMatch(x -> x.activeAt(period) && x.mutes(rule));
        AlertTransition.Result t = AlertTransition.next(s, rule, period, o.value(), o.held(), o.noData(), muted);
        List<AlertDeliveryRecord> outbox = new ArrayList<>();
        String message = null;
        if (t.send() != AlertTransition.Notify.NONE || t.changed()) {
            boolean firing = t.send() == AlertTransition.Notify.FIRING;
            List<Map<String, Object>> samples = firing && rule.samples() > 0
                    ? samples(rule, start, period, masker) : List.of();
            if (!samples.isEmpty() && !renew.getAsBoolean()) return leaseLost(rule, token);
            String status = t.send() == AlertTransition.Notify.RESOLVED || t.next().state() == AlertState.RESOLVED
                    ? "resolved" : t.next().state() == AlertState.FIRING ? "firing" : t.next().state().wireName();
            message = AlertTemplate.cap(message(rule, status, o, start, period, samples), config.maxMessageChars());
            if (t.send() != AlertTransition.Notify.NONE) {
                Instant firedAt = t.next().state() == AlertState.FIRING ? t.next().since() : s.since();
                AlertNotification base = new AlertNotification("-", status, rule.id(), rule.name(), rule.space(),
                        rule.indexSet(), rule.severity(), rule.labels(), message, o.value(),
                        rule.condition().threshold(), start, period, o.groups(), samples, firedAt, period);
                for (String channel : rule.channels()) {
                    String id = notificationId(rule.id(), period, status, channel);
                    AlertNotification n = NotificationJson.withId(base, id);
                    outbox.add(new AlertDeliveryRecord(id, rule.id(), rule.space(), channel, status, "pending", 0,
                            null, NotificationJson.write(n), null, null));
                }
            }
        }
        AlertHistoryEntry h = t.changed() ? new AlertHistoryEntry(0, rule.id(), rule.space(), period,
                s.state().wireName(), t.next().state().wireName(), o.value(), message) : null;
        boolean committed = store.commit(t.next(), token, h, outbox, now());
        meters.counter("bklog.alert.evaluations", "alert rule evaluations by outcome", "outcome",
                committed ? "ok" : "superseded").increment();
        if (!committed) return false;
        if (!outbox.isEmpty()) outboxWrites.incrementAndGet();
        if (t.changed()) {
            log.info("event=alert_state space={} rule={} from={} to={} value={} period={}", rule.space(), rule.id(),
                    s.state().wireName(), t.next().state().wireName(), o.value(), period);
        }
        if (t.changed() && t.next().state() == AlertState.FIRING) {
            meters.counter("bklog.alert.firings", "rules that started firing", "severity", rule.severity()).increment();
        }
        return true;
    }

    private boolean leaseLost(AlertRule rule, long token) {
        log.warn("event=alert_lease_lost space={} rule={} token={}", rule.space(), rule.id(), token);
        meters.counter("bklog.alert.evaluations", "alert rule evaluations by outcome", "outcome", "superseded")
                .increment();
        return false;
    }

    /**
     * The id of a notification: {@code ruleId-periodMillis-status-h}, {@code h} the first 12 hex digits of the
     * SHA-256 of the channel name, so that the id fits the 64 characters of its column whatever the channel's name.
     */
    static String notificationId(long ruleId, Instant period, String status, String channel) {
        byte[] d;
        try {
            d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(channel.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return ruleId + "-" + period.toEpochMilli() + "-" + status + "-"
                + java.util.HexFormat.of().formatHex(d, 0, 6);
    }

    /** The masker of a rule's samples: none only if the rule asks for raw values and its owner still holds them. */
    Masker samplesMasker(AlertRule rule) {
        IndexSet set = indexSets.get(rule.indexSet());
        if (rule.unmasked() && ownerHoldsUnmasked(rule)) return Masker.none();
        return masking.masker(set);
    }

    private boolean ownerHoldsUnmasked(AlertRule rule) {
        if (rule.ownerTokenId() == null) return true; // made by the host application through the library
        Optional<Token> t = meta.tokens().findById(rule.ownerTokenId());
        return t.isPresent() && t.get().hasRole("unmasked") && !t.get().isExpired(now())
                && rule.space().equals(t.get().spaceUid());
    }

    private static SearchParams params(AlertRule r, Instant start, Instant end, int size) {
        return new SearchParams(r.query(), r.filters(), start.toString(), end.toString(), 0, size, null, null, null,
                null, null);
    }

    Observation observe(AlertRule rule, Instant start, Instant end, Masker masker) {
        AlertCondition c = rule.condition();
        SearchRequest base = search.request(rule.indexSet(), params(rule, start, end, 0));
        return switch (c.kind()) {
            case COUNT_ABOVE, COUNT_BELOW, ABSENCE -> {
                if (rule.groupBy() != null) {
                    SearchResult r = search.execute(base.toBuilder().size(0)
                            .aggregation("groups", new Aggregation.Terms(rule.groupBy(), 100)).build());
                    Map<String, Double> groups = new LinkedHashMap<>();
                    double worst = c.kind() == AlertCondition.Type.COUNT_BELOW ? Double.MAX_VALUE : 0;
                    if (r.aggregations().get("groups") instanceof AggregationResult.TermsResult t) {
                        for (AggregationResult.Bucket b : t.buckets()) {
                            if (c.holds(b.count())) { // masked now, even if the masking rule came after the rule
                                groups.merge(masker.mask(rule.groupBy(), b.key()), (double) b.count(), Double::sum);
                            }
                            worst = c.kind() == AlertCondition.Type.COUNT_BELOW ? Math.min(worst, b.count())
                                    : Math.max(worst, b.count());
                        }
                    }
                    if (worst == Double.MAX_VALUE) worst = 0;
                    boolean noData = r.total() == 0 && !c.firesOnNothing() && emptyIndexSet(rule, start, end);
                    yield new Observation(worst, !noData && !groups.isEmpty(), noData, groups);
                }
                long count = search.execute(base.toBuilder().size(0).build()).total();
                boolean noData = count == 0 && !c.firesOnNothing() && emptyIndexSet(rule, start, end);
                yield new Observation(count, !noData && c.holds(count), noData, Map.of());
            }
            case CHANGE_PERCENT -> {
                long now = search.execute(base.toBuilder().size(0).build()).total();
                long before = search.execute(search.request(rule.indexSet(),
                        params(rule, start.minus(rule.window()), start, 0)).toBuilder().size(0).build()).total();
                double pct = 100.0 * (now - before) / Math.max(before, 1);
                yield new Observation(pct, c.holds(pct), false, Map.of());
            }
            case DISTINCT_ABOVE -> {
                SearchResult r = search.execute(base.toBuilder().size(0)
                        .aggregation("distinct", new Aggregation.Cardinality(c.field())).build());
                long v = r.aggregations().get("distinct") instanceof AggregationResult.CardinalityResult cr
                        ? cr.value() : 0;
                boolean noData = r.total() == 0 && emptyIndexSet(rule, start, end);
                yield new Observation(v, !noData && c.holds(v), noData, Map.of());
            }
            case NEW_PATTERN, PATTERN_GREW -> patternObservation(rule, start, end, masker);
        };
    }

    private Observation patternObservation(AlertRule rule, Instant start, Instant end, Masker masker) {
        AlertCondition c = rule.condition();
        Instant before = start.minus(rule.window());
        PatternsResponse p = patterns.patterns(rule.indexSet(), new PatternQuery(rule.query(), rule.filters(),
                start.toString(), end.toString(), new PatternQuery.Range(before.toString(), start.toString()),
                c.kind() == AlertCondition.Type.PATTERN_GREW ? "growth" : "count", PatternQuery.MAX_SIZE, null),
                masker);
        Map<String, Double> groups = new LinkedHashMap<>();
        for (PatternsResponse.Item i : p.items()) {
            boolean qualifies = c.kind() == AlertCondition.Type.NEW_PATTERN
                    ? i.fresh() && i.count() >= c.threshold()
                    : i.grew() != null && i.grew() >= c.threshold() && i.count() >= c.minCount();
            if (qualifies) {
                groups.put(i.id() + " " + i.template(), c.kind() == AlertCondition.Type.NEW_PATTERN
                        ? (double) i.count() : i.grew());
            }
        }
        boolean noData = p.total() == 0 && emptyIndexSet(rule, start, end);
        return new Observation(groups.size(), !noData && c.holds(groups.size()), noData, groups);
    }

    /** Whether the index set has no line at all in the window (whatever the rule's query). */
    private boolean emptyIndexSet(AlertRule rule, Instant start, Instant end) {
        SearchParams all = new SearchParams(null, null, start.toString(), end.toString(), 0, 0, null, null, null,
                null, null);
        return search.execute(search.request(rule.indexSet(), all).toBuilder().size(0).build()).total() == 0;
    }

    private List<Map<String, Object>> samples(AlertRule rule, Instant start, Instant end, Masker masker) {
        SearchResult r = search.execute(search.request(rule.indexSet(), params(rule, start, end, rule.samples())));
        List<Map<String, Object>> out = new ArrayList<>();
        for (SearchResult.Hit h : r.hits()) out.add(masker.maskHit(h).source());
        return out;
    }

    private static String message(AlertRule rule, String status, Observation o, Instant start, Instant end,
                                  List<Map<String, Object>> samples) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("rule", rule.name());
        v.put("state", status);
        v.put("severity", rule.severity());
        v.put("index_set", rule.indexSet());
        v.put("value", Values.number(o.value()));
        v.put("count", Values.number(o.value()));
        v.put("threshold", Values.number(rule.condition().threshold()));
        v.put("window", human(rule.window()));
        v.put("window_start", start.toString());
        v.put("window_end", end.toString());
        StringBuilder g = new StringBuilder();
        o.groups().forEach((k, x) -> g.append(g.length() == 0 ? "" : ", ").append(k).append(": ")
                .append(Values.number(x)));
        v.put("groups", g.toString());
        StringBuilder s = new StringBuilder();
        for (Map<String, Object> m : samples) s.append('\n').append(Values.sampleLine(m));
        v.put("samples", s.toString());
        rule.labels().forEach((k, x) -> v.put("labels." + k, x));
        return AlertTemplate.render(rule.template(), v);
    }

    static String human(Duration d) {
        long s = d.toSeconds();
        if (s % 86400 == 0) return s / 86400 + "d";
        if (s % 3600 == 0) return s / 3600 + "h";
        if (s % 60 == 0) return s / 60 + "m";
        return s + "s";
    }

    // ---- delivery ----

    /**
     * Delivers the pending notifications not claimed by another delivery; returns how many were delivered. Each is
     * claimed ({@link #CLAIM}, renewed before every attempt, so a second instance never sends one in flight) and
     * tried up to its channel's attempts with backoff. The run claims no new notification after
     * {@link #DELIVERY_RUN}: the next run goes on with them.
     */
    public int deliverPending() {
        int delivered = 0;
        Instant started = now();
        for (AlertDeliveryRecord d : store.pending(started, 100)) {
            Instant now = now();
            if (Duration.between(started, now).compareTo(DELIVERY_RUN) > 0) break;
            String token = UUID.randomUUID().toString();
            if (!store.claim(d.id(), token, now, now.plus(CLAIM))) continue;
            if (deliver(d, token)) delivered++;
        }
        return delivered;
    }

    private boolean deliver(AlertDeliveryRecord d, String token) {
        Optional<AlertChannelConfig> cfg = store.channel(d.space(), d.channel());
        if (cfg.isEmpty() || !factories.containsKey(cfg.get().type())) {
            finish(d, token, "dead", d.attempts(), "channel '" + d.channel() + "' no longer exists");
            count(cfg.map(AlertChannelConfig::type).orElse("unknown"), "dead");
            return false;
        }
        String type = cfg.get().type();
        NotificationChannel channel;
        try {
            channel = factories.get(type).create(cfg.get().settings());
        } catch (RuntimeException e) {
            finish(d, token, "dead", d.attempts(), "channel settings are invalid: " + e.getMessage());
            count(type, "dead");
            log.warn("event=alert_dead_letter id={} channel={} attempts={} error={}", d.id(), d.channel(),
                    d.attempts(), e.getMessage());
            return false;
        }
        AlertNotification n = NotificationJson.read(d.payload());
        int attempts = d.attempts();
        Duration backoff = FIRST_BACKOFF;
        String error = null;
        while (attempts < channel.maxAttempts()) {
            if (!store.renewClaim(d.id(), token, now().plus(CLAIM))) { // never send what another delivery holds
                log.warn("event=alert_claim_lost id={} channel={} attempts={}", d.id(), d.channel(), attempts);
                count(type, "claim_lost");
                return false;
            }
            attempts++;
            try {
                channel.send(n);
                if (finish(d, token, "delivered", attempts, null)) {
                    count(type, "delivered");
                    log.info("event=alert_delivered id={} channel={} type={} attempts={}", d.id(), d.channel(), type,
                            attempts);
                }
                return true;
            } catch (DeliveryException e) {
                error = e.getMessage();
                log.warn("event=alert_delivery_failed id={} channel={} attempt={} retryable={} error={}", d.id(),
                        d.channel(), attempts, e.retryable(), e.getMessage());
                if (!e.retryable()) break;
                if (attempts < channel.maxAttempts()) {
                    count(type, "retry");
                    if (!store.renewClaim(d.id(), token, now().plus(CLAIM))) {
                        log.warn("event=alert_claim_lost id={} channel={} attempts={}", d.id(), d.channel(), attempts);
                        count(type, "claim_lost");
                        return false;
                    }
                    try {
                        sleeper.sleep(backoff);
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        finish(d, token, "pending", attempts, error);
                        return false;
                    }
                    backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                }
            } catch (RuntimeException e) {
                error = e.toString();
                log.warn("event=alert_delivery_failed id={} channel={} attempt={} error={}", d.id(), d.channel(),
                        attempts, e.toString());
                break;
            }
        }
        if (finish(d, token, "dead", attempts, error)) {
            count(type, "dead");
            log.warn("event=alert_dead_letter id={} channel={} attempts={} error={}", d.id(), d.channel(), attempts,
                    error);
        }
        return false;
    }

    /** Records a delivery's outcome if its claim is still its own (else logs that another delivery has it). */
    private boolean finish(AlertDeliveryRecord d, String token, String status, int attempts, String error) {
        boolean ok = store.finish(d.id(), token, status, attempts, error, now());
        if (!ok) {
            log.warn("event=alert_claim_lost id={} channel={} status={} attempts={}", d.id(), d.channel(), status,
                    attempts);
        }
        return ok;
    }

    private void count(String type, String outcome) {
        meters.counter("bklog.alert.deliveries", "alert notifications by channel type and outcome", "channel", type,
                "outcome", outcome).increment();
    }

    // ---- health ----

    /**
     * The {@code alerting} namespace of {@code /healthz}: {@code evaluation_lag_seconds} (how far the most behind
     * enabled rule is from its current period; fails above two periods plus a minute), {@code rules_firing},
     * {@code pending_deliveries} and {@code failed_deliveries_last_hour} (dead-lettered; reported, does not fail).
     */
    public HealthIndicator healthIndicator() {
        return new HealthIndicator() {
            @Override
            public String namespace() {
                return "alerting";
            }

            @Override
            public List<HealthzMetric> check() {
                Instant now = now();
                Map<Long, RuleState> states = new LinkedHashMap<>();
                for (RuleState s : store.states()) states.put(s.ruleId(), s);
                long lag = 0;
                AlertRule worst = null;
                boolean late = false;
                int firing = 0;
                for (AlertRule r : store.rules(null)) {
                    RuleState s = states.get(r.id());
                    if (s != null && s.state() == AlertState.FIRING) firing++;
                    if (!r.enabled() || s == null) continue;
                    Instant since = s.lastPeriod() != null ? s.lastPeriod() : r.createdAt();
                    long l = Math.max(0, Duration.between(since, r.periodOf(now)).toSeconds());
                    if (l > lag) {
                        lag = l;
                        worst = r;
                    }
                    if (l > r.every().multipliedBy(2).plusMinutes(1).toSeconds()) late = true;
                }
                List<HealthzMetric> out = new ArrayList<>();
                out.add(late ? HealthzMetric.failed("evaluation_lag_seconds", lag, "rule '" + worst.name()
                        + "' of space " + worst.space() + " was last evaluated " + lag + " s ago", "check that an"
                        + " instance runs the scheduler's beat and workers (scheduler namespace) and that task "
                        + TASK + " succeeds") : HealthzMetric.ok("evaluation_lag_seconds", lag));
                out.add(HealthzMetric.ok("rules_firing", firing));
                out.add(HealthzMetric.ok("pending_deliveries", store.count("pending", Instant.EPOCH)));
                out.add(HealthzMetric.ok("failed_deliveries_last_hour", store.count("dead", now.minus(Duration.ofHours(1)))));
                return out;
            }
        };
    }

    private Instant now() {
        return clock.instant().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
    }

    static BklogException notFound(String what, String id) {
        return new BklogException(ErrorCode.ALERT_NOT_FOUND, "alert " + what + " '" + id + "' does not exist in"
                + " this space", "id");
    }
}
