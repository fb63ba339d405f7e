package io.bklog.core.mask;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One masking step of a field as configured for an index set (bklog's {@code field_configs[].rules[]}): either a
 * stored rule ({@code ruleId}) or an inline {@code operator} + {@code params} with an optional
 * {@code matchPattern}.
 *
 * @param sortIndex priority, smaller first; null = the position in the list
 */
public record FieldMaskConfig(String fieldName, Long ruleId, String operator, JsonNode params, String matchPattern,
                              Integer sortIndex) {

    public static FieldMaskConfig ofRule(String fieldName, long ruleId, int sortIndex) {
        return new FieldMaskConfig(fieldName, ruleId, null, null, null, sortIndex);
    }

    public static FieldMaskConfig inline(String fieldName, String operator, JsonNode params, String matchPattern,
                                         int sortIndex) {
        return new FieldMaskConfig(fieldName, null, operator, params, matchPattern, sortIndex);
    }
}
