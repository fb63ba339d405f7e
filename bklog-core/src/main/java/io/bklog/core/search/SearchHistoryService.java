package io.bklog.core.search;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.SearchHistoryEntry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Per-user search history (bklog: saved only when the keyword is not {@code *} or a filter exists; the option
 * history shows {@link #DEFAULT_LIMIT} entries). A search equal to the user's latest one is not saved again.
 *
 * <p>The search route saves with {@link #recordLater}, off the request: the search is queued (at most
 * {@value #MAX_QUEUED}; past that it is dropped and the drop logged) and one writer thread saves what has queued up
 * in batches, after at most {@link #LINGER} (a burst of searches costs one wake-up and one read of each user's
 * latest entry per batch instead of a read and a write per search, competing with the next searches for the CPU).
 * {@link #recent} first has every save queued before it written, so a user reads back the search they just ran;
 * {@link #close} writes what is queued before the metadata database closes. A save that fails (the metadata
 * database down, the index set deleted meanwhile) is logged with the number of searches it loses and costs the
 * searches nothing; once the database failed in a batch, the rest of that batch is counted as failed without trying
 * (each would wait for the same timeout), and the next batch tries again.
 */
public final class SearchHistoryService implements AutoCloseable {
    /** bklog's {@code SEARCH_OPTION_HISTORY_NUM}. */
    public static final int DEFAULT_LIMIT = 20;
    /** Saves queued by {@link #recordLater}; at most this many wait, further ones are dropped (and counted). */
    static final int MAX_QUEUED = 1000;
    /** At most this many saves are written in one batch; a full batch is written at once, without the linger. */
    static final int MAX_BATCH = 200;
    /** How long the writer waits after the first save of a batch for more to come. */
    static final java.time.Duration LINGER = java.time.Duration.ofMillis(100);
    /** How long the writer thread stays after the last save (no thread while nobody searches). */
    private static final long IDLE_EXIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long {@link #close} waits for the queued saves. */
    private static final long CLOSE_WAIT_MILLIS = 10_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SearchHistoryService.class);

    private final MetadataStore meta;
    private final IndexSetService indexSets;
    private final ObjectMapper json = new ObjectMapper();

    /** A search to save. */
    private record Pending(String user, String indexSet, SearchParams params, boolean masked) {}

    private final Object lock = new Object();
    // guarded by lock
    private final ArrayDeque<Pending> queue = new ArrayDeque<>();
    private long queuedTotal; // saves ever queued (not dropped)
    private long doneTotal; // of those, written, skipped or failed
    private long firstQueuedAt; // nanoTime the oldest queued save came
    private boolean flushNow; // a reader (or close) waits: write without lingering
    private boolean closed;
    private long dropped;
    private long failedTotal; // saves the metadata database did not take
    private Thread writer; // null while no save waits and the thread left

    public SearchHistoryService(MetadataStore meta, IndexSetService indexSets) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
    }

    /**
     * Saves the search of {@code user} when it is worth remembering (marked unmasked when the caller is not
     * {@code masked}: its query may hold raw values), on the history's writer thread, after the search was answered: a failure (the metadata
     * database down) is logged and costs the search nothing. When {@value #MAX_QUEUED} saves are waiting already, or
     * the service is closed, this one is dropped and logged.
     */
    public void recordLater(String user, String indexSet, SearchParams params, boolean masked) {
        if (!worthSaving(params)) return;
        long drops;
        boolean isClosed;
        synchronized (lock) {
            if (!closed && queue.size() < MAX_QUEUED) {
                if (queue.isEmpty()) firstQueuedAt = System.nanoTime();
                queue.add(new Pending(user, indexSet, params, masked));
                queuedTotal++;
                if (writer == null) {
                    Thread t = new Thread(this::writeLoop, "bklog-search-history");
                    t.setDaemon(true);
                    t.start(); // it waits for the lock; a start that fails leaves no writer, the next save tries again
                    writer = t;
                } else if (queue.size() == 1 || queue.size() >= MAX_BATCH) {
                    lock.notifyAll(); // an idle writer starts its linger; a full batch goes at once
                }
                return;
            }
            drops = ++dropped;
            isClosed = closed;
        }
        if (Long.bitCount(drops) == 1) { // the 1st, 2nd, 4th, 8th ... drop
            LOG.warn("event=search_history_dropped dropped_total={} queued_max={} closed={}", drops, MAX_QUEUED,
                    isClosed);
        }
    }

    /** The writer thread: batches of queued saves, each after the linger, until idle (or closed and empty). */
    private void writeLoop() {
        boolean normalExit = false;
        try {
            writeBatches();
            normalExit = true;
        } finally {
            if (!normalExit) { // an Error: the next save starts a new writer
                synchronized (lock) {
                    writer = null;
                    lock.notifyAll();
                }
            }
        }
    }

    private void writeBatches() {
        while (true) {
            List<Pending> batch = new ArrayList<>();
            synchronized (lock) {
                long idleSince = System.nanoTime();
                while (queue.isEmpty()) {
                    long idle = System.nanoTime() - idleSince;
                    if (closed || idle >= IDLE_EXIT_NANOS) {
                        writer = null;
                        lock.notifyAll();
                        return;
                    }
                    waitNanos(IDLE_EXIT_NANOS - idle);
                }
                while (!flushNow && !closed && queue.size() < MAX_BATCH) {
                    long left = firstQueuedAt + LINGER.toNanos() - System.nanoTime();
                    if (left <= 0) break;
                    waitNanos(left);
                }
                while (!queue.isEmpty() && batch.size() < MAX_BATCH) batch.add(queue.poll());
                if (!queue.isEmpty()) firstQueuedAt = System.nanoTime();
            }
            try {
                writeBatch(batch);
            } catch (RuntimeException e) {
                LOG.warn("event=search_history_not_saved searches={} reason=\"{}\"", batch.size(), e.toString());
                synchronized (lock) {
                    failedTotal += batch.size();
                }
            } finally {
                synchronized (lock) {
                    doneTotal += batch.size();
                    if (queue.isEmpty()) flushNow = false;
                    lock.notifyAll();
                }
            }
        }
    }

    private void waitNanos(long nanos) {
        try {
            TimeUnit.NANOSECONDS.timedWait(lock, Math.max(1, nanos));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true; // an interrupted writer finishes what is queued and leaves
        }
    }

    /**
     * Saves a batch in order: each user's latest entry on an index set is read once per batch (a search equal to it
     * is not saved again), each index set is read once ({@link IndexSetService#getRecent}). A save that fails is
     * counted and logged once for the batch; the others are still saved.
     */
    private void writeBatch(List<Pending> batch) {
        Map<String, IndexSet> sets = new HashMap<>();
        Map<String, Optional<SearchHistoryEntry>> latest = new HashMap<>();
        int failed = 0;
        boolean databaseDown = false;
        RuntimeException firstError = null;
        for (Pending p : batch) {
            if (databaseDown) { // the rest would each wait for the same failure
                failed++;
                continue;
            }
            IndexSet set;
            try {
                set = sets.get(p.indexSet());
                if (set == null) {
                    set = indexSets.getRecent(p.indexSet());
                    sets.put(p.indexSet(), set);
                }
            } catch (RuntimeException e) { // this search's set (deleted meanwhile): the others are still saved
                failed++;
                if (firstError == null) firstError = e;
                continue;
            }
            try {
                long setId = set.id();
                String key = setId + "/" + p.user();
                Optional<SearchHistoryEntry> last = latest.get(key);
                if (last == null) {
                    last = meta.searchHistory().listByUser(p.user(), setId, 1).stream().findFirst();
                }
                SearchHistoryEntry entry = entry(p.user(), setId, p.params(), p.masked());
                if (last.isPresent() && same(last.get(), entry)) {
                    latest.put(key, last);
                    continue;
                }
                meta.searchHistory().record(entry);
                latest.put(key, Optional.of(entry));
            } catch (RuntimeException e) {
                failed++;
                if (firstError == null) firstError = e;
                databaseDown = true;
            }
        }
        synchronized (lock) {
            failedTotal += failed;
        }
        if (failed > 0) {
            LOG.warn("event=search_history_not_saved searches={} of={} reason=\"{}\"", failed, batch.size(),
                    firstError.toString());
        }
    }

    /** Saves the metadata database did not take (failed batches, and the rest of a batch after a failure). */
    long failedSaves() {
        synchronized (lock) {
            return failedTotal;
        }
    }

    /** Has every save queued so far written (up to 5 s): without the linger, at once. */
    void awaitQueued() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        synchronized (lock) {
            long target = queuedTotal;
            if (doneTotal >= target) return;
            flushNow = true;
            lock.notifyAll();
            while (doneTotal < target && writer != null) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.debug("search history queue not drained in time: {} of {} written", doneTotal, target);
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Writes what is queued (up to 10 s) and takes no more saves ({@link #recordLater} drops them, logged). Saves
     * still queued after the wait are logged with their number. The platform closes this before the metadata
     * database.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lock) {
            if (closed && writer == null) return;
            closed = true;
            flushNow = true;
            lock.notifyAll();
            t = writer;
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        int left;
        synchronized (lock) {
            left = queue.size();
        }
        if (left > 0) {
            LOG.warn("event=search_history_not_saved searches={} reason=\"the metadata database did not take them"
                    + " within {} ms of the close\"", left, CLOSE_WAIT_MILLIS);
        }
    }

    private static boolean worthSaving(SearchParams params) {
        String keyword = params.keyword() == null ? "" : params.keyword().strip();
        return !((keyword.isEmpty() || keyword.equals("*")) && params.addition().isEmpty());
    }

    private SearchHistoryEntry entry(String user, long setId, SearchParams params, boolean masked) {
        String keyword = params.keyword() == null ? "" : params.keyword().strip();
        ObjectNode p = json.createObjectNode();
        p.set("addition", json.valueToTree(params.addition()));
        if (params.startTime() != null) p.put("start_time", params.startTime());
        if (params.endTime() != null) p.put("end_time", params.endTime());
        return SearchHistoryEntry.of(user, setId, keyword, p, !masked);
    }

    private static boolean same(SearchHistoryEntry last, SearchHistoryEntry next) {
        return last.keyword().equals(next.keyword()) && last.params().equals(next.params())
                && last.unmasked() == next.unmasked();
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
