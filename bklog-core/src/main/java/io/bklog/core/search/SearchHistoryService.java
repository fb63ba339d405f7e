package io.bklog.core.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.SearchHistoryEntry;

import java.util.List;
import java.util.Objects;

/**
 * Per-user search history (bklog: saved only when the keyword is not {@code *} or a filter exists; the option
 * history shows {@link #DEFAULT_LIMIT} entries). A search equal to the user's latest one is not saved again.
 */
public final class SearchHistoryService {
    /** bklog's {@code SEARCH_OPTION_HISTORY_NUM}. */
    public static final int DEFAULT_LIMIT = 20;

    private final MetadataStore meta;
    private final IndexSetService indexSets;
    private final ObjectMapper json = new ObjectMapper();

    public SearchHistoryService(MetadataStore meta, IndexSetService indexSets) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
    }

    /**
     * Saves the search of {@code user} when it is worth remembering, marked unmasked when the caller is not
     * {@code masked} (its query may hold raw values); returns whether it was saved.
     */
    public boolean record(String user, String indexSet, SearchParams params, boolean masked) {
        String keyword = params.keyword() == null ? "" : params.keyword().strip();
        if ((keyword.isEmpty() || keyword.equals("*")) && params.addition().isEmpty()) return false;
        IndexSet set = indexSets.get(indexSet);
        ObjectNode p = json.createObjectNode();
        p.set("addition", json.valueToTree(params.addition()));
        if (params.startTime() != null) p.put("start_time", params.startTime());
        if (params.endTime() != null) p.put("end_time", params.endTime());
        List<SearchHistoryEntry> last = meta.searchHistory().listByUser(user, set.id(), 1);
        if (!last.isEmpty() && last.get(0).keyword().equals(keyword) && last.get(0).params().equals(p)
                && last.get(0).unmasked() == !masked) {
            return false;
        }
        meta.searchHistory().record(SearchHistoryEntry.of(user, set.id(), keyword, p, !masked));
        return true;
    }

    /**
     * The user's latest searches of the index set, newest first; a {@code masked} reader never sees a search run
     * unmasked (a token re-created under a revoked token's name must not read its raw queries).
     */
    public List<SearchHistoryEntry> recent(String user, String indexSet, int limit, boolean masked) {
        return meta.searchHistory().listByUser(user, indexSets.get(indexSet).id(), limit, masked);
    }
}
