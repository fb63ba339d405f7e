package io.bklog.core.query;

/**
 * A query string that does not follow the query language. The message says where (0-based character offset),
 * what was found there and what was expected, e.g. {@code expected ')' at position 14 but found end of input}.
 */
public class QuerySyntaxException extends IllegalArgumentException {
    private final int position;
    private final String found;
    private final String expected;

    public QuerySyntaxException(int position, String found, String expected, String hint) {
        super("expected " + expected + " at position " + position + " but found " + found
                + (hint == null || hint.isEmpty() ? "" : " (" + hint + ")"));
        this.position = position;
        this.found = found;
        this.expected = expected;
    }

    public QuerySyntaxException(int position, String found, String expected) {
        this(position, found, expected, null);
    }

    /** 0-based character offset in the query string where the problem is. */
    public int position() {
        return position;
    }

    /** What was found at {@link #position()}: a quoted token or {@code end of input}. */
    public String found() {
        return found;
    }

    /** What the parser expected there. */
    public String expected() {
        return expected;
    }
}
