package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One masking step for a field of an index set (bklog {@code DesensitizeFieldConfig}): either a reference to a
 * rule ({@code ruleId}) or an inline operator with params.
 *
 * @param ruleId    the rule applied; null = inline (bklog's {@code rule_id=0})
 * @param sortIndex priority: lower runs first
 */
public record DesensitizeFieldConfig(long id, long indexSetId, String fieldName, Long ruleId, String operator,
                                     JsonNode params, String matchPattern, int sortIndex, long version,
                                     Instant createdAt, Instant updatedAt) {

    public DesensitizeFieldConfig {
        Rows.max(Rows.required(fieldName, "desensitized field name"), 255, "desensitized field name");
        if (ruleId == null && (operator == null || operator.isBlank())) {
            throw new IllegalArgumentException("desensitize config of field '" + fieldName
                    + "' needs a rule id or an inline operator");
        }
        params = Rows.object(params);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A step that applies a stored rule. */
    public static DesensitizeFieldConfig ofRule(long indexSetId, String fieldName, long ruleId, int sortIndex) {
        return new DesensitizeFieldConfig(0, indexSetId, fieldName, ruleId, null, null, null, sortIndex, 0, null, null);
    }

    /** A step with its own operator and params. */
    public static DesensitizeFieldConfig inline(long indexSetId, String fieldName, String operator, JsonNode params,
                                                String matchPattern, int sortIndex) {
        return new DesensitizeFieldConfig(0, indexSetId, fieldName, null, operator, params, matchPattern, sortIndex,
                0, null, null);
    }
}
