package io.bklog.spi.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How every store analyzes {@code text} fields, so a query means the same on each: split on runs of characters
 * that are not letters or decimal digits ({@link #SEPARATOR}), then lower-case ({@link Locale#ROOT}). Lucene uses a
 * pattern tokenizer and Elasticsearch a {@code pattern} tokenizer with this same regex, plus a lowercase filter.
 * Wildcard and regex patterns on text fields are lower-cased and matched against single tokens. A token longer than
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

    private TextAnalysis() {}

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) return out;
        for (String t : SPLIT.split(text)) {
            if (!t.isEmpty()) out.add(truncate(t.toLowerCase(Locale.ROOT)));
        }
        return out;
    }

    /** A lower-cased token cut to {@link #MAX_TOKEN_CHARS} (never between the two halves of a surrogate pair). */
    public static String truncate(String token) {
        if (token.length() <= MAX_TOKEN_CHARS) return token;
        int end = Character.isHighSurrogate(token.charAt(MAX_TOKEN_CHARS - 1)) ? MAX_TOKEN_CHARS - 1 : MAX_TOKEN_CHARS;
        return token.substring(0, end);
    }
}
