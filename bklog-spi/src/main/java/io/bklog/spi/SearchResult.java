package io.bklog.spi;

import io.bklog.spi.query.AggregationResult;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Hits (in sort order), the exact total of matching documents, and the aggregation results by name. */
public record SearchResult(long total, List<Hit> hits, Map<String, AggregationResult> aggregations, long tookMillis) {
    public SearchResult {
        hits = List.copyOf(hits);
        aggregations = Collections.unmodifiableMap(new LinkedHashMap<>(aggregations));
    }

    /**
     * One hit. {@code source} holds the stored fields, normalized to their mapped type (keyword/text/ip: String,
     * long/date: Long — the time field too, as epoch millis —, double: Double, boolean: Boolean; unmapped fields as
     * stored). {@code highlights} maps a field to its whole value with matched tokens (text) or the matched value
     * (keyword) wrapped in {@code <mark>}/{@code </mark>}. {@code sortValues} feed the next {@code searchAfter}.
     */
    public record Hit(String index, String id, Map<String, Object> source, Map<String, List<String>> highlights,
                      List<Object> sortValues) {
        public Hit {
            source = Collections.unmodifiableMap(new LinkedHashMap<>(source));
            highlights = Collections.unmodifiableMap(new LinkedHashMap<>(highlights));
            sortValues = Collections.unmodifiableList(new ArrayList<>(sortValues));
        }
    }
}
