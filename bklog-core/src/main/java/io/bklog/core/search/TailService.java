package io.bklog.core.search;

import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Live tail of an index set (bklog's real-time log): the lines of the last {@link #DEFAULT_SINCE} (or since a given
 * time), oldest first, then the lines that arrived since the previous {@link Cursor#poll()}. A cursor keeps the raw
 * sort values (time field, {@code gseIndex}, {@code iterationIndex}, then the store's document id) of the last line
 * it returned and asks the store for what sorts after it ({@code search_after}), so masking never affects paging and
 * no line is returned twice. Lines are masked with the cursor's {@link Masker}.
 *
 * <p>A line stored later with a time before the cursor's last line (a late, out-of-order line) is not returned.
 */
public final class TailService {
    /** What the first poll goes back, unless {@code since} is given. */
    public static final Duration DEFAULT_SINCE = Duration.ofMinutes(5);
    /** Lines asked of the store per request; a poll asks again while pages are full. */
    static final int PAGE = 1000;
    /** Most lines one poll returns (the next poll continues where it stopped). */
    public static final int MAX_LINES_PER_POLL = 10_000;

    private final IndexSetService indexSets;
    private final SearchService search;
    private final LogStore store;

    public TailService(IndexSetService indexSets, SearchService search, LogStore store) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.search = Objects.requireNonNull(search, "search");
        this.store = Objects.requireNonNull(store, "store");
    }

    /** One line of a tail: the store's id and the masked source. */
    public record Line(String id, Map<String, Object> source) {}

    /**
     * Opens a tail of the matches of {@code params} (its keyword, addition and fields; the time range, sort, paging
     * and aggregations are the tail's own). Validates everything now, so bad input fails before any streaming.
     *
     * @param since start of the first poll: ISO-8601, epoch millis or a relative time such as {@code now-1h};
     *              null or blank = {@code now-5m}
     */
    public Cursor open(String indexSet, SearchParams params, String since, Masker masker) {
        IndexSet set = indexSets.get(indexSet);
        String start = since == null || since.isBlank() ? "now-" + DEFAULT_SINCE.toMinutes() + "m" : since;
        SearchParams p = new SearchParams(params.keyword(), params.addition(), start, null, 0, PAGE,
                List.of(List.of(set.timeField(), "asc")), false, params.fields(), null, null);
        SearchRequest first = search.request(indexSet, p, Objects.requireNonNull(masker, "masker"));
        return new Cursor(first, Objects.requireNonNull(masker, "masker"));
    }

    /** The position of one tail; not thread-safe (one reader). */
    public final class Cursor {
        private final SearchRequest base;
        private final Masker masker;
        private List<Object> after;

        private Cursor(SearchRequest base, Masker masker) {
            this.base = base;
            this.masker = masker;
        }

        /** The lines after the previous poll's last one, oldest first, masked; empty when nothing new arrived. */
        public List<Line> poll() {
            List<Line> out = new ArrayList<>();
            while (out.size() < MAX_LINES_PER_POLL) {
                SearchResult page = store.search(base.toBuilder().offset(0).size(PAGE).searchAfter(after).build());
                for (SearchResult.Hit h : page.hits()) {
                    out.add(new Line(h.id(), new LinkedHashMap<>(masker.maskSource(h.source()))));
                }
                if (!page.hits().isEmpty()) after = page.hits().get(page.hits().size() - 1).sortValues();
                if (page.hits().size() < PAGE) break;
            }
            return out;
        }
    }
}
