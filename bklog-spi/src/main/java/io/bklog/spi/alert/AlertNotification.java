package io.bklog.spi.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One notification of a rule, as every channel receives it.
 *
 * @param id          unique per notification and channel; the same on a retry (use it to drop duplicates)
 * @param status      {@code firing} or {@code resolved}
 * @param ruleId      the rule's id
 * @param ruleName    the rule's name
 * @param space       the rule's space
 * @param indexSet    the index set the rule searches
 * @param severity    {@code info}, {@code warning} or {@code critical}
 * @param labels      the rule's labels
 * @param message     the rule's message template, filled in
 * @param value       the value the condition saw (a count, a percentage, a distinct count, a pattern count)
 * @param threshold   the condition's threshold
 * @param windowStart the start of the evaluated window (inclusive)
 * @param windowEnd   the end of the evaluated window (exclusive)
 * @param groups      the groups (values of the rule's group-by field) whose condition held, with their value; empty
 *                    without group-by
 * @param samples     up to the rule's sample count of matched documents, masked unless the rule sends raw values
 * @param firedAt     when the rule started firing (for a resolved notification too)
 * @param sentAt      the evaluation time that made this notification
 */
public record AlertNotification(String id, String status, long ruleId, String ruleName, String space,
                                String indexSet, String severity, Map<String, String> labels, String message,
                                double value, double threshold, Instant windowStart, Instant windowEnd,
                                Map<String, Double> groups, List<Map<String, Object>> samples, Instant firedAt,
                                Instant sentAt) {
    public AlertNotification {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(status, "status");
        labels = labels == null ? Map.of() : Map.copyOf(labels);
        groups = groups == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(groups));
        samples = samples == null ? List.of() : List.copyOf(samples);
    }

    /** The evaluated window's length. */
    public Duration window() {
        return Duration.between(windowStart, windowEnd);
    }
}
