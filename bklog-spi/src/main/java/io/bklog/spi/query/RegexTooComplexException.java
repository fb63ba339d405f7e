package io.bklog.spi.query;

/**
 * A {@link Query.Regex} (or a {@link Query.Wildcard}, {@link #wildcard}) a store cannot run within its bounds: its
 * automaton would need more determinization work or states than the store allows (Lucene's
 * {@code TooComplexToDeterminizeException}, Elasticsearch's {@code too_complex_to_determinize_exception}), or its
 * repetitions or (a wildcard's) length or words are too many. Every store throws this one
 * exception for it, so the caller answers a 400 naming the pattern instead of a 500.
 */
public class RegexTooComplexException extends IllegalArgumentException {
    private final String field;
    private final String pattern;

    /**
     * @param field   the field the regex applies to, or null for any field
     * @param pattern the regex as written in the query
     * @param why     what bound it passes
     */
    public RegexTooComplexException(String field, String pattern, String why, Throwable cause) {
        super("regular expression /" + pattern + "/" + (field == null ? "" : " on field '" + field + "'")
                + " is too complex to run: " + why
                + "; use fewer alternatives and smaller repetitions, or a prefix or term query",
                cause);
        this.field = field;
        this.pattern = pattern;
    }

    private RegexTooComplexException(String message, String field, String pattern) {
        super(message);
        this.field = field;
        this.pattern = pattern;
    }

    /** A wildcard pattern past a bound ({@link TextAnalysis#wildcardParts}): refused like a regex, with a 400. */
    public static RegexTooComplexException wildcard(String field, String pattern, String why) {
        return new RegexTooComplexException("wildcard pattern '" + pattern + "'"
                + (field == null ? "" : " on field '" + field + "'") + " is too complex to run: " + why
                + "; use a shorter pattern with fewer words", field, pattern);
    }

    /** The field, or null for any field. */
    public String field() {
        return field;
    }

    public String pattern() {
        return pattern;
    }
}
