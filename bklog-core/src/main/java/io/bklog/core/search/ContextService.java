package io.bklog.core.search;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * bklog's log context: the lines just before and after one line from the same source ({@code serverIp} +
 * {@code path}), ordered by time, then {@code gseIndex}, then {@code iterationIndex}. "Before" is a lexicographic
 * less-than on those keys (searched newest first, returned oldest first); "after" is greater-than, oldest first.
 * Lines are masked with the given {@link Masker}.
 */
public final class ContextService {
    public static final int DEFAULT_SIZE = 30;
    public static final int MAX_SIZE = 500;
    static final String SERVER_IP = "serverIp";
    static final String PATH = "path";

    /** The line the context is around: its source and sort keys. */
    public record Anchor(String serverIp, String path, Long dtEventTimeStamp, Long gseIndex, Long iterationIndex) {}

    /** Lines before (oldest first) and after (oldest first) the anchor. */
    public record ContextResponse(List<SearchResult.Hit> before, List<SearchResult.Hit> after) {
        public ContextResponse {
            before = List.copyOf(before);
            after = List.copyOf(after);
        }
    }

    private final IndexSetService indexSets;
    private final LogStore store;

    public ContextService(IndexSetService indexSets, LogStore store) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.store = Objects.requireNonNull(store, "store");
    }

    public ContextResponse context(String indexSet, Anchor anchor, Integer size, Masker masker) {
        IndexSet set = indexSets.get(indexSet);
        require(anchor.serverIp(), "server_ip");
        require(anchor.path(), "path");
        require(anchor.dtEventTimeStamp(), "dt_event_time_stamp");
        int n = size == null ? DEFAULT_SIZE : size;
        if (n < 1 || n > MAX_SIZE) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "size must be 1.." + MAX_SIZE + ", got " + n, "size");
        }
        List<String> keys = new ArrayList<>(List.of(set.timeField()));
        List<String> values = new ArrayList<>(List.of(String.valueOf(anchor.dtEventTimeStamp())));
        if (anchor.gseIndex() != null && set.schema().field("gseIndex").isPresent()) {
            keys.add("gseIndex");
            values.add(String.valueOf(anchor.gseIndex()));
        }
        if (anchor.iterationIndex() != null && set.schema().field("iterationIndex").isPresent()) {
            keys.add("iterationIndex");
            values.add(String.valueOf(anchor.iterationIndex()));
        }
        Query source = Query.Bool.and(List.of(new Query.Term(SERVER_IP, anchor.serverIp()),
                new Query.Term(PATH, anchor.path())));
        List<SearchResult.Hit> before = new ArrayList<>(run(set, source, keys, values, false, n, masker));
        Collections.reverse(before);
        List<SearchResult.Hit> after = run(set, source, keys, values, true, n, masker);
        return new ContextResponse(before, after);
    }

    private List<SearchResult.Hit> run(IndexSet set, Query source, List<String> keys, List<String> values,
                                       boolean after, int size, Masker masker) {
        List<Query> alternatives = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            List<Query> and = new ArrayList<>();
            for (int j = 0; j < i; j++) and.add(new Query.Range(keys.get(j), values.get(j), values.get(j), true, true));
            and.add(after ? Query.Range.greaterThan(keys.get(i), values.get(i))
                    : Query.Range.lessThan(keys.get(i), values.get(i)));
            alternatives.add(and.size() == 1 ? and.get(0) : Query.Bool.and(and));
        }
        Query q = Query.Bool.and(List.of(source, Query.Bool.or(alternatives)));
        List<Sort> sort = keys.stream().map(k -> after ? Sort.asc(k) : Sort.desc(k)).toList();
        SearchResult r = store.search(SearchRequest.builder(set.name()).query(q).sort(sort).size(size).build());
        return r.hits().stream().map(masker::maskHit).toList();
    }

    private static void require(Object v, String name) {
        if (v == null || v instanceof String s && s.isBlank()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, name + " is required: the context is of one line, named by"
                    + " server_ip, path, dt_event_time_stamp, gse_index and iteration_index", name);
        }
    }
}
