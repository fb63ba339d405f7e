package io.bklog.core.query;

/** A well-formed query that does not fit the index set: it names an unknown field or misuses a field's type. */
public class QueryValidationException extends IllegalArgumentException {
    private final String field;

    public QueryValidationException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field the problem is about. */
    public String field() {
        return field;
    }
}
