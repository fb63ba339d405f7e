package io.bklog.spi;

import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A search over one or more index sets (their daily indices and restored copies) within {@code [from, to)} on
 * each index set's time field.
 *
 * @param from         inclusive start; null = open
 * @param to           exclusive end; null = open
 * @param sort         sort keys; empty = time field descending. The document id is always appended. Documents
 *                     missing a sort field come last in both orders. Text fields cannot be sort keys.
 * @param offset       hits to skip; {@code offset + size} may not pass {@link #MAX_RESULT_WINDOW}
 * @param size         hits to return (0 = only total and aggregations)
 * @param searchAfter  sort values of the last hit of the previous page (use instead of offset past the window)
 * @param highlight    return highlighted fragments with {@code <mark>}/{@code </mark>} for matched text
 * @param fields       fields to return; empty = all
 */
public record SearchRequest(List<String> indexSets, Query query, Instant from, Instant to, List<Sort> sort,
                            int offset, int size, List<Object> searchAfter, boolean highlight, List<String> fields,
                            Map<String, Aggregation> aggregations) {

    public static final int MAX_RESULT_WINDOW = 10_000;

    public SearchRequest {
        indexSets = List.copyOf(indexSets);
        if (indexSets.isEmpty()) throw new IllegalArgumentException("at least one index set is required");
        Objects.requireNonNull(query, "query");
        sort = List.copyOf(sort);
        searchAfter = searchAfter == null ? null : java.util.Collections.unmodifiableList(new ArrayList<>(searchAfter));
        fields = List.copyOf(fields);
        aggregations = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(aggregations));
        if (offset < 0) throw new IllegalArgumentException("offset must be >= 0");
        if (size < 0) throw new IllegalArgumentException("size must be >= 0");
        if (searchAfter == null && (long) offset + size > MAX_RESULT_WINDOW) {
            throw new ResultWindowTooLargeException(offset, size);
        }
        if (searchAfter != null && offset != 0) {
            throw new IllegalArgumentException("offset must be 0 with searchAfter");
        }
    }

    public static Builder builder(String... indexSets) {
        return new Builder(List.of(indexSets));
    }

    public Builder toBuilder() {
        Builder b = new Builder(indexSets);
        b.query = query; b.from = from; b.to = to; b.sort = new ArrayList<>(sort); b.offset = offset; b.size = size;
        b.searchAfter = searchAfter; b.highlight = highlight; b.fields = new ArrayList<>(fields);
        b.aggregations = new LinkedHashMap<>(aggregations);
        return b;
    }

    /** Thrown when {@code offset + size} passes {@link #MAX_RESULT_WINDOW}. */
    public static final class ResultWindowTooLargeException extends IllegalArgumentException {
        public ResultWindowTooLargeException(int offset, int size) {
            super("offset + size = " + ((long) offset + size) + " passes the result window of " + MAX_RESULT_WINDOW
                    + "; page deeper with search_after");
        }
    }

    /**
     * Thrown by a store for a search the request itself makes impossible (not a failure of the store): a
     * {@code searchAfter} value that does not fit its sort key, too many clauses, a histogram of more than
     * {@link #MAX_BUCKETS} buckets. The server answers it with a 400 naming {@link #field()}.
     */
    public static final class InvalidRequestException extends IllegalArgumentException {
        private final String field;

        /** @param field the request parameter concerned ({@code search_after}, {@code keyword}, ...), or null */
        public InvalidRequestException(String message, String field, Throwable cause) {
            super(message, cause);
            this.field = field;
        }

        public String field() {
            return field;
        }
    }

    /** The most buckets a date histogram may have. */
    public static final int MAX_BUCKETS = 100_000;
    /** The most clauses (terms, phrases, ranges... of all nesting levels) a query may have. */
    public static final int MAX_CLAUSES = 1_024;

    public static final class Builder {
        private final List<String> indexSets;
        private Query query = Query.matchAll();
        private Instant from;
        private Instant to;
        private List<Sort> sort = new ArrayList<>();
        private int offset;
        private int size = 10;
        private List<Object> searchAfter;
        private boolean highlight;
        private List<String> fields = new ArrayList<>();
        private Map<String, Aggregation> aggregations = new LinkedHashMap<>();

        private Builder(List<String> indexSets) {
            this.indexSets = indexSets;
        }

        public Builder query(Query q) { this.query = q; return this; }
        public Builder timeRange(Instant from, Instant to) { this.from = from; this.to = to; return this; }
        public Builder sort(Sort... s) { this.sort = new ArrayList<>(List.of(s)); return this; }
        public Builder sort(List<Sort> s) { this.sort = new ArrayList<>(s); return this; }
        public Builder offset(int o) { this.offset = o; return this; }
        public Builder size(int s) { this.size = s; return this; }
        public Builder searchAfter(List<Object> values) { this.searchAfter = values; return this; }
        public Builder highlight(boolean h) { this.highlight = h; return this; }
        public Builder fields(List<String> f) { this.fields = new ArrayList<>(f); return this; }
        public Builder aggregation(String name, Aggregation a) { this.aggregations.put(name, a); return this; }

        public SearchRequest build() {
            return new SearchRequest(indexSets, query, from, to, sort, offset, size, searchAfter, highlight, fields,
                    aggregations);
        }
    }
}
