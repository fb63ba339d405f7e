package io.bklog.core.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.SearchHistoryEntry;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Per-user search history (bklog: saved only when the keyword is not {@code *} or a filter exists; the option
 * history shows {@link #DEFAULT_LIMIT} entries). A search equal to the user's latest one is not saved again.
 * The search route saves with {@link #recordLater}, off the request (a read and a write of the metadata database per
 * search were in every search's answer time); {@link #recent} first waits for the saves queued before it, so a user
 * reads back the search they just ran.
 */
public final class SearchHistoryService {
    /** bklog's {@code SEARCH_OPTION_HISTORY_NUM}. */
    public static final int DEFAULT_LIMIT = 20;

    private final MetadataStore meta;
    private final IndexSetService indexSets;
    private final ObjectMapper json = new ObjectMapper();
    /** Saves queued by {@link #recordLater}; at most this many wait, further ones are dropped (and counted). */
    static final int MAX_QUEUED = 1000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SearchHistoryService.class);
    private final ThreadPoolExecutor writer;
    private final AtomicLong dropped = new AtomicLong();

    public SearchHistoryService(MetadataStore meta, IndexSetService indexSets) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.writer = new ThreadPoolExecutor(1, 1, 10, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_QUEUED), r -> {
            Thread t = new Thread(r, "bklog-search-history");
            t.setDaemon(true);
            return t;
        });
        writer.allowCoreThreadTimeOut(true); // no thread while nobody searches
    }

    /**
     * {@link #record} on the history's own thread, after the search was answered: a failure (the metadata database
     * down) is logged and costs the search nothing. When {@value #MAX_QUEUED} saves are waiting already, this one is
     * dropped and logged.
     */
    public void recordLater(String user, String indexSet, SearchParams params, boolean masked) {
        String keyword = params.keyword() == null ? "" : params.keyword().strip();
        if ((keyword.isEmpty() || keyword.equals("*")) && params.addition().isEmpty()) return; // nothing to save
        try {
            writer.execute(() -> {
                try {
                    record(user, indexSet, params, masked);
                } catch (RuntimeException e) {
                    LOG.warn("event=search_history_not_saved index_set={} reason=\"{}\"", indexSet, e.toString());
                }
            });
        } catch (RejectedExecutionException e) {
            long n = dropped.incrementAndGet();
            if (Long.bitCount(n) == 1) { // the 1st, 2nd, 4th, 8th ... drop
                LOG.warn("event=search_history_dropped dropped_total={} queued={}", n, MAX_QUEUED);
            }
        }
    }

    /** Waits (up to 5 s) until every save queued so far is written. */
    void awaitQueued() {
        Future<?> marker;
        try {
            marker = writer.submit(() -> { });
        } catch (RejectedExecutionException e) {
            return; // the queue is full: read what is written
        }
        try {
            marker.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.debug("search history queue not drained in time", e);
        }
    }

    /**
     * Saves the search of {@code user} when it is worth remembering, marked unmasked when the caller is not
     * {@code masked} (its query may hold raw values); returns whether it was saved.
     */
    public boolean record(String user, String indexSet, SearchParams params, boolean masked) {
        String keyword = params.keyword() == null ? "" : params.keyword().strip();
        if ((keyword.isEmpty() || keyword.equals("*")) && params.addition().isEmpty()) return false;
        IndexSet set = indexSets.getRecent(indexSet);
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
        awaitQueued();
        return meta.searchHistory().listByUser(user, indexSets.get(indexSet).id(), limit, masked);
    }
}
