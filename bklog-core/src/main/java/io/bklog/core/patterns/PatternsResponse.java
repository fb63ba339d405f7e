package io.bklog.core.patterns;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of {@link PatternService#patterns}.
 *
 * @param total    lines matched in the range
 * @param patterns how many distinct patterns (after merges) the matched lines have
 * @param interval the trend buckets' width as an ISO-8601 duration ({@code PT1M}), chosen like the search
 *                 histogram's {@code auto}; null without trends
 * @param items    the patterns, sorted and cut to the size asked for
 */
public record PatternsResponse(long total, int patterns, String interval, List<Item> items) {

    /**
     * One pattern.
     *
     * @param id            the pattern id (search it with {@code __pattern:<id>})
     * @param template      the template, masked for callers without {@code unmasked}
     * @param count         lines in the range (those of merged ids included)
     * @param firstSeen     earliest matched line of the pattern in the range
     * @param lastSeen      latest matched line of the pattern in the range
     * @param trend         line counts per interval
     * @param sample        the newest matched line (its document source), masked as hits are
     * @param fresh         {@code new}: no line of the pattern exists before the range start
     * @param label         the pattern's label (masked as the template), or null
     * @param mergedIds     other ids that resolve to this pattern
     * @param previousCount with {@code compare_to}: lines in the other range
     * @param appeared      with {@code compare_to}: none in the other range, some in this one
     * @param grew          with {@code compare_to}: count / previous count, null when it appeared
     */
    public record Item(String id, String template, long count, Instant firstSeen, Instant lastSeen,
                       List<TrendPoint> trend, Map<String, Object> sample, @JsonProperty("new") boolean fresh,
                       String label, List<String> mergedIds, Long previousCount, Boolean appeared, Double grew) {}

    public record TrendPoint(Instant time, long count) {}
}
