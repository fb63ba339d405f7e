package io.bklog.core.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.search.Addition;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlStatements;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The alerting tables of the metadata database (V8__alerting.sql): rules, state, history, outbox, channels, silences. */
final class AlertStore {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};
    private static final TypeReference<List<String>> STRING_LIST = new TypeReference<>() {};
    private static final TypeReference<List<Addition>> ADDITIONS = new TypeReference<>() {};

    /** Optional filters bind their parameter whether or not the statement uses it. */
    private static final java.util.function.Consumer<SqlStatements> LENIENT = c -> c.setUnusedBindingAllowed(true);

    private final Jdbi jdbi;

    AlertStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    // ---- rules ----

    AlertRule insertRule(AlertRule r, Instant now) {
        try {
            return jdbi.inTransaction(h -> {
                long id = bindRule(h.createUpdate("INSERT INTO alert_rules (space_uid, name, index_set, query, filters,"
                        + " rule_condition, every_seconds, window_seconds, for_seconds, repeat_seconds, severity, labels,"
                        + " template, samples, group_by, unmasked, owner, owner_token_id, channels, enabled, version,"
                        + " created_at, updated_at) VALUES (:space, :name, :index_set, :query, :filters, :cond, :every,"
                        + " :window, :for, :repeat, :severity, :labels, :template, :samples, :group_by, :unmasked,"
                        + " :owner, :owner_token_id, :channels, :enabled, 1, :now, :now)"), r)
                        .bind("space", r.space()).bind("now", ts(now))
                        .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one();
                h.createUpdate("INSERT INTO alert_state (rule_id, state, since, fence, updated_at) VALUES (:id, 'ok',"
                        + " :now, 0, :now)").bind("id", id).bind("now", ts(now)).execute();
                return r.withIdentity(id, r.space(), r.owner(), r.ownerTokenId(), 1L, now, now);
            });
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            if (findRule(r.space(), r.name()).isPresent()) throw exists("rule", r.name());
            throw e;
        }
    }

    /** Updates a rule if its version is still {@code expected}; the state is kept. */
    AlertRule updateRule(AlertRule r, long expected, Instant now) {
        int n;
        try {
            n = jdbi.withHandle(h -> bindRule(h.createUpdate("UPDATE alert_rules SET name = :name, index_set = :index_set,"
                    + " query = :query, filters = :filters, rule_condition = :cond, every_seconds = :every,"
                    + " window_seconds = :window, for_seconds = :for, repeat_seconds = :repeat, severity = :severity,"
                    + " labels = :labels, template = :template, samples = :samples, group_by = :group_by,"
                    + " unmasked = :unmasked, owner = :owner, owner_token_id = :owner_token_id, channels = :channels,"
                    + " enabled = :enabled, version = version + 1, updated_at = :now WHERE id = :id AND version = :v"), r)
                    .bind("id", r.id()).bind("v", expected).bind("now", ts(now)).execute());
        } catch (org.jdbi.v3.core.statement.UnableToExecuteStatementException e) {
            if (findRule(r.space(), r.name()).filter(o -> !o.id().equals(r.id())).isPresent()) {
                throw exists("rule", r.name());
            }
            throw e;
        }
        if (n == 0) {
            throw new BklogException(ErrorCode.CONFLICT, "rule " + r.id() + " was changed meanwhile; read it again"
                    + " and retry", "version");
        }
        return findRule(r.id()).orElseThrow();
    }

    private static org.jdbi.v3.core.statement.Update bindRule(org.jdbi.v3.core.statement.Update u, AlertRule r) {
        return u.bind("name", r.name()).bind("index_set", r.indexSet()).bind("query", r.query())
                .bind("filters", json(r.filters())).bind("cond", conditionJson(r.condition()))
                .bind("every", r.every().toSeconds()).bind("window", r.window().toSeconds())
                .bind("for", r.forDuration().toSeconds()).bind("repeat", r.repeatInterval().toSeconds())
                .bind("severity", r.severity()).bind("labels", json(r.labels())).bind("template", r.template())
                .bind("samples", r.samples()).bind("group_by", r.groupBy()).bind("unmasked", r.unmasked())
                .bind("owner", r.owner()).bind("owner_token_id", r.ownerTokenId()).bind("channels", json(r.channels()))
                .bind("enabled", r.enabled());
    }

    void deleteRule(long id) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM alert_state WHERE rule_id = :id").bind("id", id).execute();
            h.createUpdate("DELETE FROM alert_rules WHERE id = :id").bind("id", id).execute();
        });
    }

    Optional<AlertRule> findRule(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_rules WHERE id = :id").bind("id", id)
                .map((rs, c) -> rule(rs)).findOne());
    }

    Optional<AlertRule> findRule(String space, String name) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_rules WHERE space_uid = :s AND name = :n")
                .bind("s", space).bind("n", name).map((rs, c) -> rule(rs)).findOne());
    }

    /** The rules of a space, or of every space with null, by id. */
    List<AlertRule> rules(String space) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_rules" + (space == null ? ""
                        : " WHERE space_uid = :s") + " ORDER BY id").configure(SqlStatements.class, LENIENT)
                .bind("s", space)
                .map((rs, c) -> rule(rs)).list());
    }

    private static AlertRule rule(ResultSet rs) throws SQLException {
        long owner = rs.getLong("owner_token_id");
        Long ownerId = rs.wasNull() ? null : owner;
        return new AlertRule(rs.getLong("id"), rs.getString("space_uid"), rs.getString("name"),
                rs.getString("index_set"), rs.getString("query"), read(rs.getString("filters"), ADDITIONS),
                condition(rs.getString("rule_condition")), Duration.ofSeconds(rs.getLong("every_seconds")),
                Duration.ofSeconds(rs.getLong("window_seconds")), Duration.ofSeconds(rs.getLong("for_seconds")),
                Duration.ofSeconds(rs.getLong("repeat_seconds")), rs.getString("severity"),
                read(rs.getString("labels"), STRING_MAP), rs.getString("template"), rs.getInt("samples"),
                rs.getBoolean("unmasked"), rs.getString("group_by"), read(rs.getString("channels"), STRING_LIST),
                rs.getBoolean("enabled"), rs.getString("owner"), ownerId, rs.getLong("version"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    static String conditionJson(AlertCondition c) {
        ObjectNode n = JSON.createObjectNode().put("type", c.type());
        if (c.threshold() != null) n.put("threshold", c.threshold());
        if (c.field() != null) n.put("field", c.field());
        if (c.minCount() != null) n.put("min_count", c.minCount());
        return n.toString();
    }

    private static AlertCondition condition(String text) {
        try {
            JsonNode n = JSON.readTree(text);
            return new AlertCondition(n.path("type").asText(), n.has("threshold") ? n.get("threshold").asDouble() : null,
                    n.hasNonNull("field") ? n.get("field").asText() : null,
                    n.has("min_count") ? n.get("min_count").asLong() : null);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored alert condition is not JSON: " + e.getOriginalMessage(), e);
        }
    }

    // ---- state ----

    Optional<RuleState> state(long ruleId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_state WHERE rule_id = :id").bind("id", ruleId)
                .map((rs, c) -> state(rs)).findOne());
    }

    List<RuleState> states() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_state").map((rs, c) -> state(rs)).list());
    }

    private static RuleState state(ResultSet rs) throws SQLException {
        double v = rs.getDouble("last_value");
        Double value = rs.wasNull() ? null : v;
        return new RuleState(rs.getLong("rule_id"), AlertState.parse(rs.getString("state")), instant(rs, "since"),
                instant(rs, "pending_since"), instant(rs, "last_period"), value, instant(rs, "last_notified"),
                rs.getLong("fence"));
    }

    /**
     * Fences out older holders of the rule's lock: records {@code token} as the rule's fence if it is newer, or if the
     * stored fence was last taken or used before {@code staleBefore} (its holder's lease is over: the token may come
     * from a new lock incarnation whose counter restarted, e.g. after a restart). False when a live holder with a
     * newer token has fenced the rule.
     */
    boolean fence(long ruleId, long token, Instant now, Instant staleBefore) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE alert_state SET fence = :t, updated_at = :now"
                        + " WHERE rule_id = :id AND (fence <= :t OR updated_at < :stale)")
                .bind("t", token).bind("id", ruleId).bind("now", ts(now)).bind("stale", ts(staleBefore))
                .execute()) > 0;
    }

    /** Marks the fence of {@code token} as alive (a long evaluation renewed its lease); false when it was replaced. */
    boolean touchFence(long ruleId, long token, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE alert_state SET updated_at = :now WHERE rule_id = :id"
                + " AND fence = :t").bind("now", ts(now)).bind("id", ruleId).bind("t", token).execute()) > 0;
    }

    /**
     * Commits one evaluated period in one transaction: the new state (only if the period was not committed before
     * and {@code token} is still the rule's fence), a history entry when the state changed, and the outbox rows.
     * False (nothing written) when another evaluation committed this period, or a newer lock holder fenced it.
     */
    boolean commit(RuleState next, long token, AlertHistoryEntry history, List<AlertDeliveryRecord> outbox,
                   Instant now) {
        return jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE alert_state SET state = :state, since = :since, pending_since = :pending,"
                            + " last_period = :period, last_value = :value, last_notified = :notified, updated_at = :now"
                            + " WHERE rule_id = :id AND fence = :t AND (last_period IS NULL OR last_period < :period)")
                    .bind("state", next.state().wireName()).bind("since", ts(next.since()))
                    .bind("pending", ts(next.pendingSince())).bind("period", ts(next.lastPeriod()))
                    .bind("value", next.lastValue()).bind("notified", ts(next.lastNotified())).bind("now", ts(now))
                    .bind("id", next.ruleId()).bind("t", token).execute();
            if (n == 0) return false;
            if (history != null) {
                h.createUpdate("INSERT INTO alert_history (rule_id, space_uid, at, period, from_state, to_state,"
                                + " observed, message) VALUES (:rule, :space, :at, :at, :from, :to, :v, :m)")
                        .bind("rule", history.ruleId()).bind("space", history.space()).bind("at", ts(history.at()))
                        .bind("from", history.fromState()).bind("to", history.toState()).bind("v", history.value())
                        .bind("m", history.message()).execute();
            }
            for (AlertDeliveryRecord d : outbox) insertOutbox(h, d, now);
            return true;
        });
    }

    private static void insertOutbox(Handle h, AlertDeliveryRecord d, Instant now) {
        h.createUpdate("INSERT INTO alert_notifications (id, rule_id, space_uid, channel, kind, payload, status,"
                        + " attempts, created_at, updated_at) VALUES (:id, :rule, :space, :channel, :kind, :payload,"
                        + " :status, 0, :now, :now)")
                .bind("id", d.id()).bind("rule", d.ruleId()).bind("space", d.space()).bind("channel", d.channel())
                .bind("kind", d.kind()).bind("payload", d.payload()).bind("status", d.status()).bind("now", ts(now))
                .execute();
    }

    List<AlertHistoryEntry> history(String space, Long ruleId, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_history WHERE space_uid = :s"
                        + (ruleId == null ? "" : " AND rule_id = :r") + " ORDER BY id DESC LIMIT " + limit)
                .configure(SqlStatements.class, LENIENT).bind("s", space).bind("r", ruleId)
                .map((rs, c) -> {
                    double v = rs.getDouble("observed");
                    Double value = rs.wasNull() ? null : v;
                    return new AlertHistoryEntry(rs.getLong("id"), rs.getLong("rule_id"), rs.getString("space_uid"),
                            instant(rs, "at"), rs.getString("from_state"), rs.getString("to_state"), value,
                            rs.getString("message"));
                }).list());
    }

    // ---- outbox ----

    /** Pending notifications not claimed by a live delivery, oldest first. */
    List<AlertDeliveryRecord> pending(Instant now, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_notifications WHERE status = 'pending' AND"
                        + " (claimed_until IS NULL OR claimed_until < :now) ORDER BY created_at, id LIMIT " + limit)
                .bind("now", ts(now)).map((rs, c) -> delivery(rs)).list());
    }

    /**
     * Claims a pending notification for the delivery {@code token} until {@code until}; false when another delivery
     * holds it (its claim not yet passed) or it is done.
     */
    boolean claim(String id, String token, Instant now, Instant until) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE alert_notifications SET claimed_until = :until,"
                        + " claimed_by = :token WHERE id = :id AND status = 'pending'"
                        + " AND (claimed_until IS NULL OR claimed_until < :now)")
                .bind("until", ts(until)).bind("token", token).bind("id", id).bind("now", ts(now)).execute()) > 0;
    }

    /**
     * Extends the claim of delivery {@code token} to {@code until}; false when the claim is no longer its own (it
     * passed and another delivery took the notification) or the notification is done.
     */
    boolean renewClaim(String id, String token, Instant until) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE alert_notifications SET claimed_until = :until"
                        + " WHERE id = :id AND status = 'pending' AND claimed_by = :token")
                .bind("until", ts(until)).bind("id", id).bind("token", token).execute()) > 0;
    }

    /**
     * Records the outcome of delivery {@code token} and drops its claim; false (nothing written) when the claim is no
     * longer its own.
     */
    boolean finish(String id, String token, String status, int attempts, String error, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE alert_notifications SET status = :st, attempts = :a,"
                        + " last_error = :e, claimed_until = NULL, claimed_by = NULL, updated_at = :now"
                        + " WHERE id = :id AND claimed_by = :token")
                .bind("st", status).bind("a", attempts).bind("e", error).bind("now", ts(now)).bind("id", id)
                .bind("token", token).execute()) > 0;
    }

    /** Deletes history older than {@code before}, notifications finished before it and silences ended before it. */
    Pruned prune(Instant before) {
        return jdbi.inTransaction(h -> new Pruned(
                h.createUpdate("DELETE FROM alert_history WHERE at < :b").bind("b", ts(before)).execute(),
                h.createUpdate("DELETE FROM alert_notifications WHERE status <> 'pending' AND updated_at < :b")
                        .bind("b", ts(before)).execute(),
                h.createUpdate("DELETE FROM alert_silences WHERE ends_at < :b").bind("b", ts(before)).execute()));
    }

    /** What {@link #prune} deleted. */
    record Pruned(int history, int notifications, int silences) {}

    List<AlertDeliveryRecord> deliveries(String space, String status, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_notifications WHERE space_uid = :s"
                        + (status == null ? "" : " AND status = :st") + " ORDER BY created_at DESC, id LIMIT " + limit)
                .configure(SqlStatements.class, LENIENT).bind("s", space).bind("st", status).map((rs, c) -> delivery(rs)).list());
    }

    long count(String status, Instant since) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM alert_notifications WHERE status = :st"
                        + " AND updated_at >= :since").bind("st", status).bind("since", ts(since))
                .mapTo(Long.class).one());
    }

    private static AlertDeliveryRecord delivery(ResultSet rs) throws SQLException {
        return new AlertDeliveryRecord(rs.getString("id"), rs.getLong("rule_id"), rs.getString("space_uid"),
                rs.getString("channel"), rs.getString("kind"), rs.getString("status"), rs.getInt("attempts"),
                rs.getString("last_error"), rs.getString("payload"), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    // ---- channels ----

    AlertChannelConfig putChannel(AlertChannelConfig c, Instant now) {
        return jdbi.inTransaction(h -> {
            int n = h.createUpdate("UPDATE alert_channels SET type = :type, settings = :settings, updated_at = :now"
                            + " WHERE space_uid = :s AND name = :n").bind("type", c.type())
                    .bind("settings", json(c.settings())).bind("now", ts(now)).bind("s", c.space()).bind("n", c.name())
                    .execute();
            if (n == 0) {
                h.createUpdate("INSERT INTO alert_channels (space_uid, name, type, settings, created_at, updated_at)"
                                + " VALUES (:s, :n, :type, :settings, :now, :now)").bind("type", c.type())
                        .bind("settings", json(c.settings())).bind("now", ts(now)).bind("s", c.space())
                        .bind("n", c.name()).execute();
            }
            return channel(h, c.space(), c.name()).orElseThrow();
        });
    }

    Optional<AlertChannelConfig> channel(String space, String name) {
        return jdbi.withHandle(h -> channel(h, space, name));
    }

    private static Optional<AlertChannelConfig> channel(Handle h, String space, String name) {
        return h.createQuery("SELECT * FROM alert_channels WHERE space_uid = :s AND name = :n").bind("s", space)
                .bind("n", name).map((rs, c) -> channel(rs)).findOne();
    }

    List<AlertChannelConfig> channels(String space) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_channels WHERE space_uid = :s ORDER BY name")
                .bind("s", space).map((rs, c) -> channel(rs)).list());
    }

    boolean deleteChannel(String space, String name) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM alert_channels WHERE space_uid = :s AND name = :n")
                .bind("s", space).bind("n", name).execute()) > 0;
    }

    private static AlertChannelConfig channel(ResultSet rs) throws SQLException {
        return new AlertChannelConfig(rs.getLong("id"), rs.getString("space_uid"), rs.getString("name"),
                rs.getString("type"), read(rs.getString("settings"), STRING_MAP), instant(rs, "created_at"),
                instant(rs, "updated_at"));
    }

    // ---- silences ----

    Silence insertSilence(Silence s, Instant now) {
        long id = jdbi.withHandle(h -> h.createUpdate("INSERT INTO alert_silences (space_uid, kind, rule_id, matchers,"
                        + " starts_at, ends_at, comment, created_by, created_at) VALUES (:s, :kind, :rule, :m, :start,"
                        + " :end, :comment, :by, :now)").bind("s", s.space()).bind("kind", s.kind())
                .bind("rule", s.ruleId()).bind("m", json(s.matchers())).bind("start", ts(s.startsAt()))
                .bind("end", ts(s.endsAt())).bind("comment", s.comment()).bind("by", s.createdBy())
                .bind("now", ts(now)).executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return new Silence(id, s.space(), s.kind(), s.ruleId(), s.matchers(), s.startsAt(), s.endsAt(), s.comment(),
                s.createdBy(), now);
    }

    /** Silences of a space (every space with null) that end after {@code after} (all with null). */
    List<Silence> silences(String space, Instant after) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM alert_silences WHERE 1 = 1"
                        + (space == null ? "" : " AND space_uid = :s") + (after == null ? "" : " AND ends_at > :after")
                        + " ORDER BY id").configure(SqlStatements.class, LENIENT).bind("s", space)
                .bind("after", ts(after))
                .map((rs, c) -> {
                    long r = rs.getLong("rule_id");
                    Long ruleId = rs.wasNull() ? null : r;
                    return new Silence(rs.getLong("id"), rs.getString("space_uid"), rs.getString("kind"), ruleId,
                            read(rs.getString("matchers"), STRING_MAP), instant(rs, "starts_at"),
                            instant(rs, "ends_at"), rs.getString("comment"), rs.getString("created_by"),
                            instant(rs, "created_at"));
                }).list());
    }

    boolean deleteSilence(String space, long id) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM alert_silences WHERE space_uid = :s AND id = :id")
                .bind("s", space).bind("id", id).execute()) > 0;
    }

    // ---- values ----

    static BklogException exists(String what, String name) {
        return new BklogException(ErrorCode.ALERT_EXISTS, "an alert " + what + " named '" + name + "' exists already"
                + " in this space", "name");
    }

    static LocalDateTime ts(Instant t) {
        return t == null ? null : LocalDateTime.ofInstant(t, ZoneOffset.UTC);
    }

    static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }

    static String json(Object o) {
        try {
            return JSON.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static <T> T read(String text, TypeReference<T> type) {
        if (text == null) return null;
        try {
            return JSON.readValue(text, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored alert JSON does not parse: " + e.getOriginalMessage(), e);
        }
    }
}
