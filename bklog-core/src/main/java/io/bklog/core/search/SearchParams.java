package io.bklog.core.search;

import java.util.List;

/**
 * A search as bklog's search API takes it. Every component may be null, meaning its default.
 *
 * @param keyword     query string; blank = {@code *} (everything)
 * @param addition    structured filters, all applied
 * @param startTime   inclusive start: ISO-8601, epoch millis or a relative expression such as {@code now-15m};
 *                    null = open
 * @param endTime     exclusive end, same forms; null = open
 * @param begin       hits to skip (default 0); {@code begin + size} may not pass 10,000
 * @param size        hits to return (default 10)
 * @param sortList    {@code [[field, "asc"|"desc"], ...]}; default the time field descending. Sorting by the time
 *                    field appends {@code gseIndex} and {@code iterationIndex} in the same order, as bklog does
 * @param highlight   wrap matched text in {@code <mark>}/{@code </mark>}
 * @param fields      fields to return; empty = all
 * @param searchAfter the {@code sort_values} of the last hit of the previous page, to page past the window
 * @param aggs        aggregations to compute over all matches: a date histogram and/or terms; null = none
 */
public record SearchParams(String keyword, List<Addition> addition, String startTime, String endTime, Integer begin,
                           Integer size, List<List<String>> sortList, Boolean highlight, List<String> fields,
                           List<Object> searchAfter, SearchAggs aggs) {

    public SearchParams(String keyword, List<Addition> addition, String startTime, String endTime, Integer begin,
                        Integer size, List<List<String>> sortList, Boolean highlight, List<String> fields,
                        List<Object> searchAfter) {
        this(keyword, addition, startTime, endTime, begin, size, sortList, highlight, fields, searchAfter, null);
    }

    public static final int DEFAULT_SIZE = 10;

    public SearchParams {
        addition = addition == null ? List.of() : List.copyOf(addition);
        sortList = sortList == null ? List.of() : sortList.stream().map(l -> l == null ? List.<String>of()
                : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(l))).toList();
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    /** Everything, newest first, 10 hits. */
    public static SearchParams of(String keyword) {
        return new SearchParams(keyword, null, null, null, null, null, null, null, null, null, null);
    }

    /** A copy with other aggregations. */
    public SearchParams withAggs(SearchAggs newAggs) {
        return new SearchParams(keyword, addition, startTime, endTime, begin, size, sortList, highlight, fields,
                searchAfter, newAggs);
    }

    /** A copy with another page. */
    public SearchParams withPage(Integer newBegin, Integer newSize, List<Object> newSearchAfter) {
        return new SearchParams(keyword, addition, startTime, endTime, newBegin, newSize, sortList, highlight, fields,
                newSearchAfter, aggs);
    }
}
