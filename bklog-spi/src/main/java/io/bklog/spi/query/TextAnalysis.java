package io.bklog.spi.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * How every store analyzes {@code text} fields, so a query means the same on each: split on runs of characters
 * that are not letters or decimal digits ({@link #SEPARATOR}), then lower-case ({@link Locale#ROOT}). Lucene uses a
 * pattern tokenizer and Elasticsearch a {@code pattern} tokenizer with this same regex, plus a lowercase filter.
 * Wildcard and regex patterns on text fields are lower-cased and matched against single tokens.
 */
public final class TextAnalysis {
    /** The separator regex (Java syntax, also valid for Elasticsearch's pattern tokenizer). */
    public static final String SEPARATOR = "[^\\p{L}\\p{Nd}]+";
    private static final Pattern SPLIT = Pattern.compile(SEPARATOR);

    private TextAnalysis() {}

    public static List<String> tokens(String text) {
        List<String> out = new ArrayList<>();
        if (text == null) return out;
        for (String t : SPLIT.split(text)) {
            if (!t.isEmpty()) out.add(t.toLowerCase(Locale.ROOT));
        }
        return out;
    }
}
