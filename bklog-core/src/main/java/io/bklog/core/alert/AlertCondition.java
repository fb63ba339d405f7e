package io.bklog.core.alert;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;

import java.util.Locale;

/**
 * When a rule fires, judged on the lines its search matches in the window.
 *
 * @param type      {@code count_above} (more than {@code threshold} lines), {@code count_below} (fewer than
 *                  {@code threshold}), {@code change_percent} (count vs the window before, in %: a positive threshold
 *                  fires at a rise of at least that much, a negative one at a fall of at least that much),
 *                  {@code absence} (no line at all), {@code distinct_above} (more than {@code threshold} distinct
 *                  values of {@code field}), {@code new_pattern} (a pattern with no line before the window has at
 *                  least {@code threshold} lines, default 1; needs log clustering on the index set),
 *                  {@code pattern_grew} (a pattern has at least {@code threshold} times the lines of the window
 *                  before, and at least {@code min_count})
 * @param threshold the number the value is compared with (see {@code type})
 * @param field     the field of {@code distinct_above}; null otherwise
 * @param minCount  {@code pattern_grew}: the fewest lines a grown pattern must have (default 10), so 1 → 3 lines
 *                  does not page anyone
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AlertCondition(String type, Double threshold, String field, Long minCount) {

    public enum Type { COUNT_ABOVE, COUNT_BELOW, CHANGE_PERCENT, ABSENCE, DISTINCT_ABOVE, NEW_PATTERN, PATTERN_GREW;
        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public AlertCondition {
        if (type == null || type.isBlank()) throw invalid("condition.type is missing; one of " + names(),
                "condition.type");
        type = type.trim().toLowerCase(Locale.ROOT);
        Type t = kind(type);
        switch (t) {
            case COUNT_ABOVE, COUNT_BELOW, DISTINCT_ABOVE, PATTERN_GREW -> {
                if (threshold == null) throw invalid("condition.threshold is missing for " + type,
                        "condition.threshold");
            }
            case CHANGE_PERCENT -> {
                if (threshold == null || threshold == 0) throw invalid("condition.threshold of change_percent is a"
                        + " non-zero percentage (50 = a rise of 50% or more, -50 = a fall of 50% or more)",
                        "condition.threshold");
            }
            case ABSENCE -> threshold = 0d;
            case NEW_PATTERN -> threshold = threshold == null ? 1d : threshold;
        }
        if (threshold.isNaN() || threshold.isInfinite() || (t != Type.CHANGE_PERCENT && threshold < 0)) {
            throw invalid("condition.threshold must be a finite number" + (t == Type.CHANGE_PERCENT ? ""
                    : " >= 0") + ", got " + threshold, "condition.threshold");
        }
        if (t == Type.PATTERN_GREW && threshold <= 1) {
            throw invalid("condition.threshold of pattern_grew is the growth factor, more than 1 (3 = three times the"
                    + " lines of the window before), got " + threshold, "condition.threshold");
        }
        if (t == Type.DISTINCT_ABOVE && (field == null || field.isBlank())) {
            throw invalid("condition.field is missing: distinct_above counts the distinct values of a field",
                    "condition.field");
        }
        if (t != Type.DISTINCT_ABOVE) field = null;
        if (t == Type.PATTERN_GREW) {
            minCount = minCount == null ? 10L : minCount;
            if (minCount < 1) throw invalid("condition.min_count must be >= 1, got " + minCount, "condition.min_count");
        } else {
            minCount = null;
        }
    }

    public Type kind() {
        return kind(type);
    }

    /** Whether the condition is about patterns (needs log clustering on the index set). */
    public boolean onPatterns() {
        return kind() == Type.NEW_PATTERN || kind() == Type.PATTERN_GREW;
    }

    /** Whether the rule may fire with no line at all in the window (so an empty window is not "no data"). */
    public boolean firesOnNothing() {
        return kind() == Type.ABSENCE || kind() == Type.COUNT_BELOW || kind() == Type.CHANGE_PERCENT;
    }

    /** Whether the observed {@code value} meets the condition. */
    public boolean holds(double value) {
        return switch (kind()) {
            case COUNT_ABOVE, DISTINCT_ABOVE -> value > threshold;
            case COUNT_BELOW -> value < threshold;
            case CHANGE_PERCENT -> threshold > 0 ? value >= threshold : value <= threshold;
            case ABSENCE -> value == 0;
            case NEW_PATTERN, PATTERN_GREW -> value >= 1; // value = how many patterns qualify
        };
    }

    public static AlertCondition countAbove(double threshold) {
        return new AlertCondition("count_above", threshold, null, null);
    }

    private static Type kind(String type) {
        try {
            return Type.valueOf(type.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw invalid("unknown condition.type '" + type + "'; one of " + names(), "condition.type");
        }
    }

    private static String names() {
        return java.util.Arrays.stream(Type.values()).map(Type::wireName)
                .collect(java.util.stream.Collectors.joining(", "));
    }

    static BklogException invalid(String message, String field) {
        return new BklogException(ErrorCode.INVALID_ALERT, message, field);
    }
}
