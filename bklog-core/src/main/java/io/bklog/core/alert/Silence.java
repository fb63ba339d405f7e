package io.bklog.core.alert;

import java.time.Instant;
import java.util.Map;

/**
 * A silence or a maintenance window of a space, between {@code startsAt} (inclusive) and {@code endsAt}
 * (exclusive). A silence ({@code kind = silence}) mutes the rule {@code ruleId} and/or every rule whose labels
 * contain all {@code matchers}; a maintenance window ({@code kind = maintenance}) mutes every rule of the space.
 * Rules are still evaluated (state and history go on); only notifications are held back.
 */
public record Silence(Long id, String space, String kind, Long ruleId, Map<String, String> matchers,
                      Instant startsAt, Instant endsAt, String comment, String createdBy, Instant createdAt) {
    public static final String SILENCE = "silence";
    public static final String MAINTENANCE = "maintenance";

    public Silence {
        if (matchers != null && matchers.entrySet().stream().anyMatch(e -> e.getKey() == null
                || e.getValue() == null)) {
            throw AlertCondition.invalid("matchers need a label name and a value each", "matchers");
        }
        matchers = matchers == null ? Map.of() : Map.copyOf(matchers);
        kind = kind == null ? SILENCE : kind;
    }

    public boolean activeAt(Instant t) {
        return !t.isBefore(startsAt) && t.isBefore(endsAt);
    }

    /** Whether it mutes {@code rule} (not looking at time). */
    public boolean mutes(AlertRule rule) {
        if (!space.equals(rule.space())) return false;
        if (MAINTENANCE.equals(kind)) return true;
        if (ruleId != null && !ruleId.equals(rule.id())) return false;
        for (var e : matchers.entrySet()) {
            if (!e.getValue().equals(rule.labels().get(e.getKey()))) return false;
        }
        return true;
    }
}
