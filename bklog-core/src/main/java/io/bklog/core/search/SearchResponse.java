package io.bklog.core.search;

import io.bklog.spi.SearchResult;

import java.util.List;

/** Matching documents: the exact total, the hits of the page in sort order, and the time taken. */
public record SearchResponse(long total, long took, List<SearchResult.Hit> hits) {
    public SearchResponse {
        hits = List.copyOf(hits);
    }
}
