package io.bklog.core.mask;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.DesensitizeRule;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks and compiles rule definitions (operator, params, regex). Bad definitions fail with {@code bad_request}
 * naming the rule and the problem, so nothing invalid is ever saved.
 */
public final class MaskRules {
    private static final Pattern NAMED_GROUP = Pattern.compile("\\(\\?<([A-Za-z][A-Za-z0-9]*)>");

    private MaskRules() {}

    /** Compiles one step; {@code what} names it in errors (e.g. {@code rule 'phone'}). */
    public static MaskStep compile(String what, String operator, JsonNode params, String matchPattern, int sortIndex) {
        Pattern pattern = null;
        List<String> groups = List.of();
        if (matchPattern != null && !matchPattern.isEmpty()) {
            try {
                pattern = Pattern.compile(matchPattern);
            } catch (PatternSyntaxException e) {
                throw bad(what + ": match_pattern does not compile: " + e.getDescription() + " near index "
                        + e.getIndex() + " of \"" + matchPattern + "\"", "match_pattern");
            }
            groups = groupNames(matchPattern);
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

    static List<String> groupNames(String regex) {
        Set<String> names = new LinkedHashSet<>();
        Matcher m = NAMED_GROUP.matcher(regex);
        while (m.find()) names.add(m.group(1));
        return new ArrayList<>(names);
    }

    static BklogException bad(String message, String field) {
        return new BklogException(ErrorCode.BAD_REQUEST, message, field, Map.of(), null);
    }
}
