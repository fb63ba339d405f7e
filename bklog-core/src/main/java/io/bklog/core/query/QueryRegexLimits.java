package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;

/**
 * Bounds on the regular expressions of a query ({@code field:/.../}), checked before a store sees them so an
 * oversized pattern is refused at once on every backend: at most {@value #MAX_LENGTH} characters, and repetition
 * counts ({@code {n}}, {@code {n,m}}) of at most {@value #MAX_REPEAT}. What passes may still be too complex for a
 * store's automaton (many alternatives under a repetition); the stores refuse that with the same
 * {@link RegexTooComplexException}.
 */
public final class QueryRegexLimits {
    public static final int MAX_LENGTH = 1000;
    public static final int MAX_REPEAT = 1000;

    private QueryRegexLimits() {}

    /** Throws {@link RegexTooComplexException} for the first regex of {@code q} that passes a bound. */
    public static void check(Query q) {
        if (q instanceof Query.Regex r) {
            checkRegex(r.field(), r.pattern());
        } else if (q instanceof Query.Bool b) {
            b.must().forEach(QueryRegexLimits::check);
            b.should().forEach(QueryRegexLimits::check);
            b.mustNot().forEach(QueryRegexLimits::check);
        }
    }

    static void checkRegex(String field, String pattern) {
        if (pattern.length() > MAX_LENGTH) {
            throw new RegexTooComplexException(field, abbreviate(pattern), "it is " + pattern.length()
                    + " characters long, at most " + MAX_LENGTH + " are allowed", null);
        }
        int n = pattern.length();
        boolean inClass = false;
        for (int i = 0; i < n; i++) {
            char c = pattern.charAt(i);
            if (c == '\\') {
                i++;
            } else if (inClass) {
                if (c == ']') inClass = false;
            } else if (c == '[') {
                inClass = true;
            } else if (c == '"') {
                int end = pattern.indexOf('"', i + 1);
                if (end < 0) return;
                i = end;
            } else if (c == '{') {
                long value = 0;
                for (int j = i + 1; j < n && pattern.charAt(j) != '}'; j++) {
                    char d = pattern.charAt(j);
                    if (Character.isDigit(d)) {
                        value = Math.min(Long.MAX_VALUE / 20, value * 10 + (d - '0'));
                        if (value > MAX_REPEAT) {
                            throw new RegexTooComplexException(field, abbreviate(pattern), "a repetition count"
                                    + " passes " + MAX_REPEAT + " (at index " + i + ")", null);
                        }
                    } else {
                        value = 0;
                    }
                }
            }
        }
    }

    private static String abbreviate(String p) {
        return p.length() <= 80 ? p : p.substring(0, 77) + "...";
    }
}
