package io.bklog.core.search;

import io.bklog.spi.SearchResult;
import io.bklog.spi.query.AggregationResult;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Matching documents: the exact total, the hits of the page in sort order, the time taken, and the aggregations
 * asked for by name ({@code histogram}, {@code terms.<field>}).
 */
public record SearchResponse(long total, long took, List<SearchResult.Hit> hits,
                             Map<String, AggregationResult> aggregations) {
    public SearchResponse {
        hits = List.copyOf(hits);
        aggregations = aggregations == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(aggregations));
    }

    public SearchResponse(long total, long took, List<SearchResult.Hit> hits) {
        this(total, took, hits, Map.of());
    }
}
