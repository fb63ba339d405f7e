package io.bklog.core.patterns;

import io.bklog.core.search.Addition;

import java.util.List;

/**
 * What {@link PatternService#patterns} lists: the patterns of the lines a search matches (its keyword, filters and
 * time range, exactly as {@link io.bklog.core.search.SearchParams}), optionally compared with another range.
 *
 * @param compareTo a second time range: each pattern gets its count there ({@code previous_count}) and the markers
 *                  {@code appeared} / {@code grew}; null = no comparison
 * @param sort      {@code count} (default, most lines first) or {@code growth} (needs {@code compare_to}: appeared
 *                  first, then by count / previous count)
 * @param size      patterns returned, 1..{@value #MAX_SIZE}; default {@value #DEFAULT_SIZE}
 * @param label     only patterns with this label (case-insensitive); null = all
 */
public record PatternQuery(String keyword, List<Addition> addition, String startTime, String endTime,
                           Range compareTo, String sort, Integer size, String label) {
    public static final int DEFAULT_SIZE = 20;
    public static final int MAX_SIZE = 200;

    public PatternQuery {
        addition = addition == null ? List.of() : List.copyOf(addition);
    }

    /** A time range: ISO-8601, epoch millis or relative ({@code now-1h}). */
    public record Range(String startTime, String endTime) {}

    /** Every line, no range, by count. */
    public static PatternQuery all() {
        return new PatternQuery(null, null, null, null, null, null, null, null);
    }

    public PatternQuery withRange(String start, String end) {
        return new PatternQuery(keyword, addition, start, end, compareTo, sort, size, label);
    }

    public PatternQuery withKeyword(String k) {
        return new PatternQuery(k, addition, startTime, endTime, compareTo, sort, size, label);
    }

    public PatternQuery withCompareTo(String start, String end) {
        return new PatternQuery(keyword, addition, startTime, endTime, new Range(start, end), sort, size, label);
    }

    public PatternQuery withSort(String s) {
        return new PatternQuery(keyword, addition, startTime, endTime, compareTo, s, size, label);
    }

    public PatternQuery withSize(Integer n) {
        return new PatternQuery(keyword, addition, startTime, endTime, compareTo, sort, n, label);
    }

    public PatternQuery withLabel(String l) {
        return new PatternQuery(keyword, addition, startTime, endTime, compareTo, sort, size, l);
    }
}
