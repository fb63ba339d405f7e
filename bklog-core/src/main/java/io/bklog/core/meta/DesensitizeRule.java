package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * A desensitize rule (bklog {@code DesensitizeRule}): how to mask a value and which fields or text it applies
 * to. Rules are soft-deleted: a deleted rule keeps its row (field configs may still name it) and frees its name.
 *
 * @param ruleName     unique among live rules, at most 128 characters
 * @param operator     {@code mask_shield} or {@code text_replace}
 * @param params       operator parameters, e.g. {@code {"preserve_head":1,"preserve_tail":2,"replace_mark":"*"}}
 * @param matchPattern regex a value must match; null = any
 * @param matchFields  field names the rule applies to; empty = any
 * @param spaceUid     owning space; null for a public rule
 * @param isPublic     a global rule offered to every space
 * @param deletedAt    when it was soft-deleted; null while live
 */
public record DesensitizeRule(long id, String ruleName, String operator, JsonNode params, String matchPattern,
                              List<String> matchFields, String spaceUid, boolean isPublic, boolean isActive,
                              Instant deletedAt, long version, Instant createdAt, Instant updatedAt) {

    public static final String MASK_SHIELD = "mask_shield";
    public static final String TEXT_REPLACE = "text_replace";

    public DesensitizeRule {
        Rows.max(Rows.required(ruleName, "desensitize rule name"), 128, "desensitize rule name");
        Rows.max(Rows.required(operator, "operator of desensitize rule '" + ruleName + "'"), 32, "operator");
        params = Rows.object(params);
        matchFields = Rows.strings(matchFields);
        if (!isPublic && spaceUid == null) {
            throw new IllegalArgumentException("desensitize rule '" + ruleName
                    + "' needs a space uid unless it is public");
        }
        deletedAt = Rows.ms(deletedAt);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    /** A new, active rule of a space. */
    public static DesensitizeRule of(String ruleName, String operator, JsonNode params, String matchPattern,
                                     List<String> matchFields, String spaceUid) {
        return new DesensitizeRule(0, ruleName, operator, params, matchPattern, matchFields, spaceUid, false, true,
                null, 0, null, null);
    }

    /** A new, active public rule. */
    public static DesensitizeRule publicRule(String ruleName, String operator, JsonNode params, String matchPattern,
                                             List<String> matchFields) {
        return new DesensitizeRule(0, ruleName, operator, params, matchPattern, matchFields, null, true, true,
                null, 0, null, null);
    }

    public boolean isDeleted() {
        return deletedAt != null;
    }

    public DesensitizeRule withActive(boolean active) {
        return new DesensitizeRule(id, ruleName, operator, params, matchPattern, matchFields, spaceUid, isPublic,
                active, deletedAt, version, createdAt, updatedAt);
    }

    public DesensitizeRule withMatch(String newMatchPattern, List<String> newMatchFields) {
        return new DesensitizeRule(id, ruleName, operator, params, newMatchPattern, newMatchFields, spaceUid,
                isPublic, isActive, deletedAt, version, createdAt, updatedAt);
    }

    public DesensitizeRule withOperator(String newOperator, JsonNode newParams) {
        return new DesensitizeRule(id, ruleName, newOperator, newParams, matchPattern, matchFields, spaceUid,
                isPublic, isActive, deletedAt, version, createdAt, updatedAt);
    }
}
