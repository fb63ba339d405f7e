package io.bklog.spi.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How every store analyzes {@code text} fields, so a query means the same on each: split on runs of characters
 * that are not letters or decimal digits ({@link #SEPARATOR}), then lower-case ({@link Locale#ROOT}). Lucene uses a
 * pattern tokenizer and Elasticsearch a {@code pattern} tokenizer with this same regex, plus a lowercase filter.
 * Wildcard and regex patterns on text fields are lower-cased and matched against single tokens, except that a
 * wildcard pattern holding separators matches a run of consecutive tokens ({@link #wildcardParts}). A token longer than
 * {@link #MAX_TOKEN_CHARS} is indexed (and queried) as its first {@link #MAX_TOKEN_CHARS} characters, so a line
 * holding a 40,000-character word is stored and found instead of refused for an immense term; Elasticsearch's
 * standard tokenizer splits at the same length.
 */
public final class TextAnalysis {
    /** The separator regex (Java syntax, also valid for Elasticsearch's pattern tokenizer). */
    public static final String SEPARATOR = "[^\\p{L}\\p{Nd}]+";
    private static final Pattern SPLIT = Pattern.compile(SEPARATOR);

    /** The longest token a store indexes, in chars; longer tokens are cut to it ({@link #truncate}). */
    public static final int MAX_TOKEN_CHARS = 255;

    /** The longest wildcard pattern on a text field, in chars (as a query regex, {@code QueryRegexLimits}). */
    public static final int MAX_WILDCARD_CHARS = 1000;
    /** The most tokens a wildcard pattern on a text field may match in a row ({@link #wildcardParts}). */
    public static final int MAX_WILDCARD_PARTS = 32;

    private TextAnalysis() {}

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) return out;
        for (String t : SPLIT.split(text)) {
            if (!t.isEmpty()) out.add(truncate(t.toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /**
     * The parts of a wildcard pattern on a text field, one per token it must match, in order: the pattern split at the
     * characters the tokenizer splits at (anything but letters, decimal digits, {@code *} and {@code ?}; a
     * {@code \}-escaped character counts as itself), each part lower-cased. Parts that are only {@code *} at either
     * end are dropped, since {@code *} may match nothing: {@code blk_*} is the token {@code blk},
     * {@code dfs.DataNode*} the token {@code dfs} followed by a token starting with {@code datanode}, {@code 10.250.*}
     * the tokens {@code 10 250} in a row. A pattern without separators is one part, matched against single tokens as
     * before; a pattern of only separators and {@code *} is {@code ["*"]} (any token); one without letters, digits
     * or wildcards is empty (matches nothing). A part longer than {@link #MAX_TOKEN_CHARS} is cut to it
     * ({@link #truncate}), as the token it matches was. A pattern longer than {@link #MAX_WILDCARD_CHARS} or with more
     * than {@link #MAX_WILDCARD_PARTS} parts is refused with {@link RegexTooComplexException} (a 400).
     *
     * <p>This is how a user expects {@code blk_*} to behave in Elasticsearch's standard analyzer, which keeps
     * {@code blk_}, {@code dfs.datanode} and {@code 10.250.19.102} as tokens: every line it finds is found here
     * (separators in the pattern match any separator in the text, so this may find a few more).
     */
    public static List<String> wildcardParts(String pattern) {
        if (pattern.length() > MAX_WILDCARD_CHARS) {
            throw RegexTooComplexException.wildcard(null, abbreviate(pattern), "it is " + pattern.length()
                    + " characters long, at most " + MAX_WILDCARD_CHARS + " are allowed");
        }
        List<String> parts = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean sawWildcard = false;
        for (int i = 0; i < pattern.length(); ) {
            int cp = pattern.codePointAt(i);
            boolean escaped = cp == '\\' && i + 1 < pattern.length();
            if (escaped) {
                i++;
                cp = pattern.codePointAt(i);
            }
            i += Character.charCount(cp);
            boolean wildcard = !escaped && (cp == '*' || cp == '?');
            sawWildcard |= wildcard;
            if (wildcard || Character.isLetter(cp) || Character.getType(cp) == Character.DECIMAL_DIGIT_NUMBER) {
                cur.appendCodePoint(cp);
            } else if (cur.length() > 0) {
                addPart(parts, cur);
                cur.setLength(0);
            }
        }
        if (cur.length() > 0) addPart(parts, cur);
        int from = 0;
        int to = parts.size();
        while (from < to && onlyStars(parts.get(from))) from++;
        while (to > from && onlyStars(parts.get(to - 1))) to--;
        if (from == to) return sawWildcard && !parts.isEmpty() ? List.of("*") : List.of();
        if (to - from > MAX_WILDCARD_PARTS) {
            throw RegexTooComplexException.wildcard(null, abbreviate(pattern), "it matches " + (to - from)
                    + " words in a row, at most " + MAX_WILDCARD_PARTS + " are allowed");
        }
        return List.copyOf(parts.subList(from, to));
    }

    private static void addPart(List<String> parts, StringBuilder part) {
        parts.add(truncate(part.toString().toLowerCase(Locale.ROOT)));
    }

    private static String abbreviate(String p) {
        return p.length() <= 80 ? p : p.substring(0, 77) + "...";
    }

    private static boolean onlyStars(String part) {
        for (int i = 0; i < part.length(); i++) {
            if (part.charAt(i) != '*') return false;
        }
        return true;
    }

    /** A lower-cased token cut to {@link #MAX_TOKEN_CHARS} (never between the two halves of a surrogate pair). */
    public static String truncate(String token) {
        if (token.length() <= MAX_TOKEN_CHARS) return token;
        int end = Character.isHighSurrogate(token.charAt(MAX_TOKEN_CHARS - 1)) ? MAX_TOKEN_CHARS - 1 : MAX_TOKEN_CHARS;
        return token.substring(0, end);
    }
}
