package io.bklog.core.mask;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.DesensitizeRule;
import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;

import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Checks and compiles rule definitions (operator, params, regex). Bad definitions fail with {@code bad_request}
 * naming the rule and the problem, so nothing invalid is ever saved. Patterns are RE2 syntax ({@link UserRegex}):
 * lookaround and backreferences are refused, matching is linear in the text.
 */
public final class MaskRules {
    private MaskRules() {}

    /** Compiles one step; {@code what} names it in errors (e.g. {@code rule 'phone'}). */
    public static MaskStep compile(String what, String operator, JsonNode params, String matchPattern, int sortIndex) {
        SafePattern pattern = null;
        List<String> groups = List.of();
        if (matchPattern != null && !matchPattern.isEmpty()) {
            try {
                pattern = SafePattern.compile(matchPattern);
            } catch (UserRegex.InvalidRegexException e) {
                throw bad(what + ": match_pattern does not compile: " + e.getMessage()
                        + (e.index() >= 0 ? " at index " + e.index() : "") + " of \"" + matchPattern + "\"",
                        "match_pattern");
            }
            groups = pattern.groupNames();
        }
        return new MaskStep(what, pattern, groups, operator(what, operator, params, groups), sortIndex);
    }

    /** Checks a rule; throws {@code bad_request} if it would not compile. */
    public static MaskStep validate(DesensitizeRule rule) {
        return compile("rule '" + rule.ruleName() + "'", rule.operator(), rule.params(), rule.matchPattern(), 0);
    }

    static MaskOperator operator(String what, String operator, JsonNode params, List<String> groups) {
        if (operator == null) throw bad(what + ": operator is required (mask_shield or text_replace)", "operator");
        switch (operator) {
            case DesensitizeRule.MASK_SHIELD -> {
                int head = intParam(what, params, "preserve_head");
                int tail = intParam(what, params, "preserve_tail");
                JsonNode mark = params == null ? null : params.get("replace_mark");
                if (mark != null && !mark.isNull() && !mark.isTextual()) {
                    throw bad(what + ": params.replace_mark must be a string, got " + mark, "params.replace_mark");
                }
                return new MaskOperator.MaskShield(head, tail, mark == null || mark.isNull() ? null : mark.asText());
            }
            case DesensitizeRule.TEXT_REPLACE -> {
                JsonNode t = params == null ? null : params.get("template_string");
                if (t == null || !t.isTextual()) {
                    throw bad(what + ": text_replace needs params.template_string (a string with ${group} references"
                            + " to named groups of match_pattern)", "params.template_string");
                }
                Matcher m = MaskOperator.TextReplace.REF.matcher(t.asText());
                while (m.find()) {
                    if (!groups.contains(m.group(1))) {
                        throw bad(what + ": template_string refers to ${" + m.group(1) + "} but match_pattern has "
                                + (groups.isEmpty() ? "no named groups" : "only the named groups " + groups)
                                + "; add (?<" + m.group(1) + ">...) to the pattern", "params.template_string");
                    }
                }
                return new MaskOperator.TextReplace(t.asText());
            }
            default -> throw bad(what + ": unknown operator '" + operator + "'; use mask_shield or text_replace",
                    "operator");
        }
    }

    private static int intParam(String what, JsonNode params, String name) {
        JsonNode v = params == null ? null : params.get(name);
        if (v == null || v.isNull()) return 0;
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < 0) {
            throw bad(what + ": params." + name + " must be an integer >= 0, got " + v, "params." + name);
        }
        return v.asInt();
    }

    static BklogException bad(String message, String field) {
        return new BklogException(ErrorCode.BAD_REQUEST, message, field, Map.of(), null);
    }
}
