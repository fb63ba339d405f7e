package io.bklog.core.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.collect.IngestRuntime;
import io.bklog.core.etl.DocumentFields;
import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The dead letters of an index set: documents the store refused (a bad value, a mapping conflict) or that still
 * failed after every retry, kept by the {@link BatchingSink} in {@code bklog_dead_letter} with the reason and the
 * original document. {@link #list} shows those not yet replayed, newest first; {@link #replay} sends them again
 * through the ingest path (after the mapping or the value was fixed) with their original ids and times, and marks
 * each one that is now stored as replayed. One that the store refuses again stays, with the new reason.
 */
public final class DeadLetterService {
    private static final Logger log = LoggerFactory.getLogger(DeadLetterService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    /** The most dead letters one {@link #replay} call takes (call again for the rest). */
    public static final int MAX_REPLAY = 10_000;
    /** The largest page {@link #list} answers. */
    public static final int MAX_PAGE = 1_000;

    /** A dead letter: its own id, where the document was going, why it was refused, and the document. */
    public record DeadLetter(String id, String indexSet, String docId, String reason, long attempts, Instant time,
                             Instant originalTime, Map<String, Object> original) {}

    /** A page of dead letters and how many are waiting in all. */
    public record Page(long total, List<DeadLetter> items) {}

    /** What a replay did: one item per dead letter taken, in the order of {@link #list}. */
    public record Replay(long replayed, long stored, long rejected, long retryable, List<BulkResult.ItemResult> items) {}

    private final LogStore store;
    private final IngestRuntime ingest;
    private final String deadLetterIndexSet;
    private final Clock clock;

    public DeadLetterService(LogStore store, IngestRuntime ingest, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.ingest = Objects.requireNonNull(ingest, "ingest");
        this.deadLetterIndexSet = ingest.sink().config().deadLetterIndexSet();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The dead letters of {@code indexSet} not yet replayed, newest first. */
    public Page list(String indexSet, int begin, int size) {
        if (begin < 0 || size < 0 || size > MAX_PAGE) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "begin must be >= 0 and size 0.." + MAX_PAGE + "; got begin="
                    + begin + " size=" + size, "size");
        }
        if (!store.indexSets().contains(deadLetterIndexSet)) return new Page(0, List.of());
        SearchResult r = store.search(SearchRequest.builder(deadLetterIndexSet).query(pending(indexSet))
                .sort(Sort.desc(DocumentFields.TIME), Sort.asc("doc_id")).offset(begin).size(size).build());
        List<DeadLetter> out = new ArrayList<>(r.hits().size());
        for (SearchResult.Hit h : r.hits()) out.add(deadLetter(h));
        return new Page(r.total(), out);
    }

    /** How many dead letters of every index set wait for a replay. */
    public long pendingCount() {
        if (!store.indexSets().contains(deadLetterIndexSet)) return 0;
        return store.search(SearchRequest.builder(deadLetterIndexSet).query(Query.Bool.not(replayed())).size(0)
                .build()).total();
    }

    /**
     * Sends the dead letters of {@code indexSet} (at most {@link #MAX_REPLAY}, oldest first) to the index set again,
     * through the batching sink (retries, per-item outcome; never the ingest buffer, so the answer is the store's),
     * waits for their outcome and marks the stored ones replayed. A document refused again goes back to the dead
     * letters with the new reason.
     */
    public Replay replay(String indexSet) {
        if (!store.indexSets().contains(deadLetterIndexSet)) return new Replay(0, 0, 0, 0, List.of());
        SearchResult r = store.search(SearchRequest.builder(deadLetterIndexSet).query(pending(indexSet))
                .sort(Sort.asc(DocumentFields.TIME), Sort.asc("doc_id")).size(MAX_REPLAY).build());
        List<DeadLetter> letters = new ArrayList<>(r.hits().size());
        for (SearchResult.Hit h : r.hits()) letters.add(deadLetter(h));
        if (letters.isEmpty()) return new Replay(0, 0, 0, 0, List.of());
        List<LogDocument> docs = new ArrayList<>(letters.size());
        for (DeadLetter d : letters) docs.add(new LogDocument(d.docId(), d.originalTime(), d.original()));
        DirectIngest.Result result = ingest.storeInSink(indexSet, docs, true);
        List<LogDocument> done = new ArrayList<>();
        Instant now = clock.instant();
        for (int i = 0; i < letters.size(); i++) {
            BulkResult.ItemResult item = result.items().get(i);
            DeadLetter d = letters.get(i);
            // refused again: the sink wrote a new dead letter with the same id (the document id's), replacing this one
            if (item.status() == BulkResult.Status.OK) done.add(replayedMark(d, now));
        }
        if (!done.isEmpty()) {
            BulkResult marked = store.index(deadLetterIndexSet, done);
            if (!marked.allOk()) {
                log.warn("event=dead_letter_mark_failed index_set={} docs={} (they are stored; a second replay"
                        + " stores them again under the same ids)", indexSet, marked.count(BulkResult.Status.REJECTED)
                        + marked.count(BulkResult.Status.RETRYABLE));
            }
            store.refresh(deadLetterIndexSet);
        }
        log.info("event=dead_letters_replayed index_set={} replayed={} stored={} rejected={} retryable={}", indexSet,
                letters.size(), result.accepted(), result.rejected(), result.retryable());
        return new Replay(letters.size(), result.accepted(), result.rejected(), result.retryable(), result.items());
    }

    private static Query pending(String indexSet) {
        return Query.Bool.and(List.of(new Query.Term("index_set", indexSet), Query.Bool.not(replayed())));
    }

    private static Query replayed() {
        return new Query.Term("replayed", "true");
    }

    /** The dead letter again, marked replayed at {@code now} (same id: it replaces the pending one). */
    private LogDocument replayedMark(DeadLetter d, Instant now) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("index_set", d.indexSet());
        f.put("doc_id", d.docId());
        f.put("reason", d.reason());
        f.put("attempts", d.attempts());
        f.put("original_time", d.originalTime().toEpochMilli());
        try {
            f.put("original", JSON.writeValueAsString(d.original()));
        } catch (JsonProcessingException e) {
            f.put("original", String.valueOf(d.original()));
        }
        f.put("replayed", true);
        f.put("replayed_at", now.toEpochMilli());
        f.put(DocumentFields.TIME, d.time().toEpochMilli());
        return new LogDocument(d.id(), d.time(), f);
    }

    private static DeadLetter deadLetter(SearchResult.Hit h) {
        Map<String, Object> s = h.source();
        Map<String, Object> original;
        try {
            original = JSON.readValue(String.valueOf(s.get("original")), MAP);
        } catch (JsonProcessingException e) {
            original = Map.of(DocumentFields.LOG, String.valueOf(s.get("original")));
        }
        return new DeadLetter(h.id(), String.valueOf(s.get("index_set")), String.valueOf(s.get("doc_id")),
                String.valueOf(s.get("reason")), number(s.get("attempts")),
                Instant.ofEpochMilli(number(s.get(DocumentFields.TIME))),
                Instant.ofEpochMilli(number(s.get("original_time"))), original);
    }

    private static long number(Object v) {
        return v instanceof Number n ? n.longValue() : v == null ? 0 : Long.parseLong(v.toString());
    }
}
