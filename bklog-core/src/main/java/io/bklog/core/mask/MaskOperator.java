package io.bklog.core.mask;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a matched piece of text is replaced (bklog's desensitize operators).
 */
public sealed interface MaskOperator permits MaskOperator.MaskShield, MaskOperator.TextReplace {

    /** The replacement of {@code matched}; {@code groups} are the named groups of the match (may be empty). */
    String apply(String matched, Map<String, String> groups);

    /**
     * {@code mask_shield}: keep {@code preserveHead} leading and {@code preserveTail} trailing characters and
     * replace each character between with {@code replaceMark}. Head = tail = 0 masks everything; head + tail at
     * least the length leaves the text unchanged. {@code 13234345678} with 3/2 → {@code 132******78}.
     */
    record MaskShield(int preserveHead, int preserveTail, String replaceMark) implements MaskOperator {
        public static final String DEFAULT_MARK = "*";

        public MaskShield {
            if (preserveHead < 0) throw new IllegalArgumentException("preserve_head must be >= 0, got " + preserveHead);
            if (preserveTail < 0) throw new IllegalArgumentException("preserve_tail must be >= 0, got " + preserveTail);
            replaceMark = replaceMark == null || replaceMark.isEmpty() ? DEFAULT_MARK : replaceMark;
        }

        @Override
        public String apply(String matched, Map<String, String> groups) {
            int len = matched.codePointCount(0, matched.length());
            if ((preserveHead > 0 || preserveTail > 0) && preserveHead + preserveTail >= len) return matched;
            int headEnd = matched.offsetByCodePoints(0, preserveHead);
            int tailStart = matched.offsetByCodePoints(0, len - preserveTail);
            return matched.substring(0, headEnd) + replaceMark.repeat(len - preserveHead - preserveTail)
                    + matched.substring(tailStart);
        }
    }

    /**
     * {@code text_replace}: renders {@code templateString}, replacing each {@code ${name}} with the named regex group
     * {@code name} of the match (empty when the group did not take part).
     */
    record TextReplace(String templateString) implements MaskOperator {
        static final Pattern REF = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)}");

        public TextReplace {
            Objects.requireNonNull(templateString, "template_string");
        }

        @Override
        public String apply(String matched, Map<String, String> groups) {
            Matcher m = REF.matcher(templateString);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                String v = groups.get(m.group(1));
                m.appendReplacement(out, Matcher.quoteReplacement(v == null ? "" : v));
            }
            m.appendTail(out);
            return out.toString();
        }
    }
}
