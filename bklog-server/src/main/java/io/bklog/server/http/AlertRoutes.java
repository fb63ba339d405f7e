package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.alert.AlertCaller;
import io.bklog.core.alert.AlertChannelConfig;
import io.bklog.core.alert.AlertDeliveryRecord;
import io.bklog.core.alert.AlertHistoryEntry;
import io.bklog.core.alert.AlertRule;
import io.bklog.core.alert.AlertService;
import io.bklog.core.alert.Silence;
import io.bklog.core.auth.Principal;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Alerting (docs/alerting.md), always in the caller's space: rules ({@code /api/v1/alerts/rules[/{id}]}, with
 * {@code /history}), channels ({@code /api/v1/alerts/channels[/{name}]}, admin only: their URLs and addresses are
 * the space's), silences and maintenance windows ({@code /api/v1/alerts/silences[/{id}]}), the history of the
 * space ({@code /api/v1/alerts/history}) and its notifications ({@code /api/v1/alerts/notifications}). Reading
 * needs {@code viewer}, changing {@code admin} (AuthFilter); a rule that sends raw samples needs {@code unmasked}
 * too, and what such a rule sent (history messages, notification bodies) is shown only to {@code unmasked} tokens.
 */
final class AlertRoutes implements RouteGroup {
    static final String PREFIX = "/api/v1/alerts";

    /** Body of {@code PUT /api/v1/alerts/channels/{name}}. */
    record ChannelBody(String type, Map<String, String> settings) {}

    private final AlertService alerts;
    private final Bodies bodies;

    AlertRoutes(AlertService alerts, Bodies bodies) {
        this.alerts = alerts;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.get(PREFIX + "/rules", ctx -> {
            List<Map<String, Object>> out = new ArrayList<>();
            for (AlertService.RuleStatus s : alerts.statuses(space(ctx))) out.add(view(s));
            ctx.json(Map.of("rules", out));
        });
        app.post(PREFIX + "/rules", ctx -> {
            AlertRule r = alerts.createRule(caller(ctx), readRule(ctx));
            ctx.status(HttpStatus.CREATED).json(view(alerts.status(r.space(), r.id())));
        });
        app.get(PREFIX + "/rules/{id}", ctx -> ctx.json(view(alerts.status(space(ctx), id(ctx)))));
        app.put(PREFIX + "/rules/{id}", ctx -> {
            AlertRule r = alerts.updateRule(caller(ctx), id(ctx), readRule(ctx));
            ctx.json(view(alerts.status(r.space(), r.id())));
        });
        app.delete(PREFIX + "/rules/{id}", ctx -> {
            alerts.deleteRule(space(ctx), id(ctx));
            ctx.status(HttpStatus.NO_CONTENT);
        });
        app.get(PREFIX + "/rules/{id}/history", ctx ->
                ctx.json(Map.of("history", history(ctx, alerts.history(space(ctx), id(ctx), limit(ctx))))));
        app.get(PREFIX + "/history", ctx ->
                ctx.json(Map.of("history", history(ctx, alerts.history(space(ctx), null, limit(ctx))))));
        app.get(PREFIX + "/notifications", ctx -> {
            List<AlertDeliveryRecord> all = alerts.deliveries(space(ctx), ctx.queryParam("status"), limit(ctx));
            Predicate<Long> shown = shown(ctx);
            List<Map<String, Object>> out = new ArrayList<>();
            for (AlertDeliveryRecord d : all) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", d.id());
                m.put("rule_id", d.ruleId());
                m.put("channel", d.channel());
                m.put("kind", d.kind());
                m.put("status", d.status());
                m.put("attempts", d.attempts());
                m.put("last_error", d.lastError());
                m.put("created_at", d.createdAt());
                m.put("updated_at", d.updatedAt());
                if (shown.test(d.ruleId())) m.put("body", d.payload());
                out.add(m);
            }
            ctx.json(Map.of("notifications", out));
        });
        app.get(PREFIX + "/channel_types", ctx -> ctx.json(Map.of("types", alerts.channelTypes())));
        app.get(PREFIX + "/channels", ctx -> ctx.json(Map.of("channels", alerts.channels(space(ctx)))));
        app.get(PREFIX + "/channels/{name}", ctx -> ctx.json(alerts.channel(space(ctx), ctx.pathParam("name"))));
        app.put(PREFIX + "/channels/{name}", ctx -> {
            ChannelBody b = bodies.read(ctx, ChannelBody.class, null);
            if (b == null) throw new BklogException(ErrorCode.INVALID_ALERT, "send {\"type\": \"webhook\","
                    + " \"settings\": {...}}", "type");
            AlertChannelConfig c = alerts.putChannel(space(ctx), ctx.pathParam("name"), b.type(), b.settings());
            ctx.json(c);
        });
        app.delete(PREFIX + "/channels/{name}", ctx -> {
            alerts.deleteChannel(space(ctx), ctx.pathParam("name"));
            ctx.status(HttpStatus.NO_CONTENT);
        });
        app.get(PREFIX + "/silences", ctx -> ctx.json(Map.of("silences", alerts.silences(space(ctx)))));
        app.post(PREFIX + "/silences", ctx -> {
            Silence s = bodies.read(ctx, Silence.class, null);
            if (s == null) throw new BklogException(ErrorCode.INVALID_ALERT, "send a silence: {\"matchers\":"
                    + " {\"team\": \"pay\"}, \"ends_at\": \"...\"}", "ends_at");
            ctx.status(HttpStatus.CREATED).json(alerts.addSilence(caller(ctx), s));
        });
        app.delete(PREFIX + "/silences/{id}", ctx -> {
            alerts.deleteSilence(space(ctx), id(ctx));
            ctx.status(HttpStatus.NO_CONTENT);
        });
    }

    private AlertRule readRule(Context ctx) {
        AlertRule r = bodies.read(ctx, AlertRule.class, null);
        if (r == null) throw new BklogException(ErrorCode.INVALID_ALERT, "send a rule: {\"name\", \"index_set\","
                + " \"condition\", \"channels\", ...} (docs/alerting.md)", "name");
        return r;
    }

    private static Map<String, Object> view(AlertService.RuleStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("rule", s.rule());
        if (s.state() != null) {
            Map<String, Object> st = new LinkedHashMap<>();
            st.put("state", s.state().state().wireName());
            st.put("since", s.state().since());
            st.put("last_evaluated_period", s.state().lastPeriod());
            st.put("last_value", s.state().lastValue());
            st.put("last_notified", s.state().lastNotified());
            m.put("state", st);
        }
        return m;
    }

    /** History entries; the message of a rule that sends raw samples only for a caller holding unmasked. */
    private List<Map<String, Object>> history(Context ctx, List<AlertHistoryEntry> entries) {
        Predicate<Long> shown = shown(ctx);
        List<Map<String, Object>> out = new ArrayList<>();
        for (AlertHistoryEntry h : entries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", h.id());
            m.put("rule_id", h.ruleId());
            m.put("at", h.at());
            m.put("from", h.fromState());
            m.put("to", h.toState());
            m.put("value", h.value());
            m.put("message", shown.test(h.ruleId()) ? h.message() : null);
            out.add(m);
        }
        return out;
    }

    /**
     * Which rules' messages and notification bodies the caller may see: all for a caller holding unmasked; for a
     * masked caller those of the space's existing rules that do not send raw values (a deleted rule's are hidden:
     * whether it sent raw samples is unknown).
     */
    private Predicate<Long> shown(Context ctx) {
        if (!AuthFilter.masked(ctx)) return id -> true;
        Set<Long> masked = alerts.rules(space(ctx)).stream().filter(r -> !r.unmasked()).map(AlertRule::id)
                .collect(Collectors.toSet());
        return masked::contains;
    }

    private static String space(Context ctx) {
        return AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
    }

    private static AlertCaller caller(Context ctx) {
        Principal p = AuthFilter.principal(ctx).orElse(null);
        if (p == null) return AlertCaller.library(LogPlatformBuilder.DEFAULT_SPACE); // auth disabled
        return new AlertCaller(p.spaceUid(), p.tokenName(), p.tokenId(), !p.masked());
    }

    private static long id(Context ctx) {
        String raw = ctx.pathParam("id");
        try {
            return Long.parseLong(raw);
        } catch (NumberFormatException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "id must be a whole number, got \"" + raw + "\"", "id");
        }
    }

    private static int limit(Context ctx) {
        String raw = ctx.queryParam("limit");
        if (raw == null || raw.isBlank()) return 100;
        try {
            int n = Integer.parseInt(raw.trim());
            if (n < 1 || n > 1000) throw new NumberFormatException();
            return n;
        } catch (NumberFormatException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "limit must be 1..1000, got \"" + raw + "\"", "limit");
        }
    }
}
