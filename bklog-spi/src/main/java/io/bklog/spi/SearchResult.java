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
     * One hit. {@code source} holds the stored fields (time field as epoch millis Long), {@code highlights} maps a
     * field to its fragments with {@code <mark>} tags, {@code sortValues} feed the next {@code searchAfter}.
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
