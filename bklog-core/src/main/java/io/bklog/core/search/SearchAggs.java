package io.bklog.core.search;

import java.util.List;

/**
 * Aggregations of a search, computed over every match (not just the page).
 *
 * @param histogram count per time bucket on the time field; null = none
 * @param terms     top values of fields; empty = none. Keys of masked fields are masked (and merged).
 */
public record SearchAggs(Histogram histogram, List<Terms> terms) {
    public SearchAggs {
        terms = terms == null ? List.of() : List.copyOf(terms);
    }

    /**
     * @param interval {@code auto} (default: about {@link #AUTO_BUCKETS} buckets over the time range) or a duration
     *                 such as {@code 1m}, {@code 1h}, {@code 1d}
     */
    public record Histogram(String interval) {
        public static final int AUTO_BUCKETS = 60;
    }

    /** @param size top values returned; default 10 */
    public record Terms(String field, Integer size) {
        public static final int DEFAULT_SIZE = 10;
    }
}
