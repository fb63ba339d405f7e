package io.bklog.core.alert;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.bklog.core.search.Addition;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static io.bklog.core.alert.AlertCondition.invalid;

/**
 * An alert rule of a space: a saved search (index set, {@code query}, {@code filters}) evaluated every {@code every}
 * over the {@code window} before the period's start, with a {@link AlertCondition condition}. Null components take
 * their defaults (see docs/alerting.md); {@code id}, {@code space}, {@code owner}, {@code version} and the times
 * are set by the platform.
 *
 * @param every          how often the rule is evaluated, 10 s .. 1 day, default 1 min; periods are aligned to the
 *                       epoch so every instance cuts the same ones
 * @param window         how far back each evaluation looks, from {@code every} to 7 days; default {@code every}
 * @param forDuration    ({@code for}) how long the condition must hold before the rule fires (pending meanwhile);
 *                       default 0 (fires at the first evaluation that meets it)
 * @param repeatInterval while firing, notify again after this long; default 0 = once per firing
 * @param severity       {@code info}, {@code warning} (default) or {@code critical}
 * @param labels         free key/values sent with each notification and matched by silences
 * @param template       the message, with {@code {{rule}} {{count}} {{value}} {{threshold}} {{window}}
 *                       {{severity}} {{state}} {{index_set}} {{samples}} {{groups}} {{labels.KEY}}}
 * @param samples        matched lines sent with a firing notification, 0..20 (default 3)
 * @param unmasked       send samples unmasked; only a token holding {@code unmasked} may set it, and the samples are
 *                       masked again once the owner no longer holds it
 * @param groupBy        a field: {@code count_above} / {@code count_below} are judged per value of it (the 100
 *                       biggest values), one notification lists the groups that meet it; null = one count
 * @param channels       names of the space's channels a notification goes to (at least one)
 */
public record AlertRule(Long id, String space, String name, String indexSet, String query, List<Addition> filters,
                        AlertCondition condition,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration every,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration window,
                        @JsonProperty("for") @JsonFormat(shape = JsonFormat.Shape.STRING) Duration forDuration,
                        @JsonFormat(shape = JsonFormat.Shape.STRING) Duration repeatInterval,
                        String severity, Map<String, String> labels, String template, Integer samples,
                        Boolean unmasked, String groupBy, List<String> channels, Boolean enabled, String owner,
                        Long ownerTokenId, Long version, Instant createdAt, Instant updatedAt) {

    public static final Duration MIN_EVERY = Duration.ofSeconds(10);
    public static final Duration MAX_EVERY = Duration.ofDays(1);
    public static final Duration MAX_WINDOW = Duration.ofDays(7);
    public static final int MAX_SAMPLES = 20;
    public static final Set<String> SEVERITIES = Set.of("info", "warning", "critical");
    public static final String DEFAULT_TEMPLATE = "[{{severity}}] {{rule}}: {{value}} (threshold {{threshold}}) in"
            + " the {{window}} before {{window_end}} on {{index_set}}";
    private static final Pattern NAME = Pattern.compile("[\\p{L}\\p{N}_. :/-]{1,128}");
    private static final Pattern LABEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]{0,63}");

    public AlertRule {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("name must be 1..128 letters, digits, spaces or _ . : / -, got " + quoted(name), "name");
        }
        if (indexSet == null || indexSet.isBlank()) throw invalid("index_set is missing", "index_set");
        if (condition == null) throw invalid("condition is missing (e.g. {\"type\":\"count_above\",\"threshold\":100})",
                "condition");
        if (filters != null && filters.stream().anyMatch(java.util.Objects::isNull)) {
            throw invalid("filters has a null entry", "filters");
        }
        filters = filters == null ? List.of() : List.copyOf(filters);
        every = every == null ? Duration.ofMinutes(1) : every;
        if (every.compareTo(MIN_EVERY) < 0 || every.compareTo(MAX_EVERY) > 0 || every.toMillis() % 1000 != 0) {
            throw invalid("every must be whole seconds between 10 s and 1 day, got " + every, "every");
        }
        window = window == null ? every : window;
        if (window.compareTo(every) < 0 || window.compareTo(MAX_WINDOW) > 0 || window.toMillis() % 1000 != 0) {
            throw invalid("window must be whole seconds between every (" + every + ") and 7 days, got " + window,
                    "window");
        }
        forDuration = forDuration == null ? Duration.ZERO : forDuration;
        if (forDuration.isNegative() || forDuration.compareTo(MAX_WINDOW) > 0) {
            throw invalid("for must be between 0 and 7 days, got " + forDuration, "for");
        }
        repeatInterval = repeatInterval == null ? Duration.ZERO : repeatInterval;
        if (repeatInterval.isNegative() || (!repeatInterval.isZero() && repeatInterval.compareTo(every) < 0)) {
            throw invalid("repeat_interval must be 0 (notify once per firing) or at least every (" + every
                    + "), got " + repeatInterval, "repeat_interval");
        }
        severity = severity == null ? "warning" : severity.trim().toLowerCase(Locale.ROOT);
        if (!SEVERITIES.contains(severity)) {
            throw invalid("severity must be info, warning or critical, got " + quoted(severity), "severity");
        }
        if (labels != null && labels.entrySet().stream().anyMatch(e -> e.getKey() == null
                || e.getValue() == null)) {
            throw invalid("labels need a name and a value each", "labels");
        }
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        if (labels.size() > 32) throw invalid("at most 32 labels, got " + labels.size(), "labels");
        for (var e : labels.entrySet()) {
            if (!LABEL.matcher(e.getKey()).matches()) {
                throw invalid("label name " + quoted(e.getKey()) + " must match [A-Za-z_][A-Za-z0-9_.-]{0,63}",
                        "labels");
            }
            if (e.getValue() == null || e.getValue().length() > 1024) {
                throw invalid("label " + e.getKey() + " needs a value of at most 1024 characters", "labels");
            }
        }
        template = template == null || template.isBlank() ? DEFAULT_TEMPLATE : template;
        if (template.length() > 10_000) throw invalid("template is longer than 10,000 characters", "template");
        samples = samples == null ? 3 : samples;
        if (samples < 0 || samples > MAX_SAMPLES) {
            throw invalid("samples must be 0.." + MAX_SAMPLES + ", got " + samples, "samples");
        }
        unmasked = unmasked != null && unmasked;
        groupBy = groupBy == null || groupBy.isBlank() ? null : groupBy.trim();
        if (groupBy != null && condition.kind() != AlertCondition.Type.COUNT_ABOVE
                && condition.kind() != AlertCondition.Type.COUNT_BELOW) {
            throw invalid("group_by works with count_above and count_below only", "group_by");
        }
        if (channels != null && channels.stream().anyMatch(java.util.Objects::isNull)) {
            throw invalid("channels has a null entry", "channels");
        }
        channels = channels == null ? List.of() : List.copyOf(channels);
        if (channels.isEmpty()) throw invalid("channels is empty: name at least one channel of the space", "channels");
        enabled = enabled == null || enabled;
        if (query != null && query.length() > 10_000) throw invalid("query is longer than 10,000 characters", "query");
    }

    /** A rule with the platform's fields (id, space, owner, version, times) replaced. */
    public AlertRule withIdentity(Long newId, String newSpace, String newOwner, Long newOwnerTokenId, Long newVersion,
                                  Instant created, Instant updated) {
        return new AlertRule(newId, newSpace, name, indexSet, query, filters, condition, every, window, forDuration,
                repeatInterval, severity, labels, template, samples, unmasked, groupBy, channels, enabled, newOwner,
                newOwnerTokenId, newVersion, created, updated);
    }

    public AlertRule withEnabled(boolean on) {
        return new AlertRule(id, space, name, indexSet, query, filters, condition, every, window, forDuration,
                repeatInterval, severity, labels, template, samples, unmasked, groupBy, channels, on, owner,
                ownerTokenId, version, createdAt, updatedAt);
    }

    /** The start of the period that contains {@code now} (periods are aligned to the epoch). */
    public Instant periodOf(Instant now) {
        long e = every.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), e) * e);
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "'" + s + "'";
    }
}
