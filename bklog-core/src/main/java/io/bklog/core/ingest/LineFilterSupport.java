package io.bklog.core.ingest;

import java.util.function.Predicate;

/** The operators of bklog's filters on a single value, shared by line and syslog filters. */
public final class LineFilterSupport {

    private LineFilterSupport() {
    }

    /**
     * The test of one condition on a value: {@code include}, {@code exclude}, {@code eq}, {@code neq},
     * {@code regex}, {@code nregex}; legacy {@code =}/{@code !=} and unknown ops compare whole values.
     *
     * @param position the condition's index, named in errors
     */
    public static Predicate<String> predicate(FilterCondition c, int position) {
        return LineFilter.predicate(c, position);
    }
}
