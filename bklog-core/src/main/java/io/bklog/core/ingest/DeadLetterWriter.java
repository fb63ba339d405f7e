package io.bklog.core.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.DocumentFields;
import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The dead letters of a {@link BatchingSink}: writes the documents the store refused (or that ran out of retries)
 * to the dead-letter index set, with where they were going, why, and the document itself, retrying the write as
 * the sink retries; a document is answered REJECTED only once its dead letter is stored, else RETRYABLE.
 */
final class DeadLetterWriter {
    private static final Logger LOG = LoggerFactory.getLogger(BatchingSink.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A document on its way to the dead letters. */
    record DeadLetter(SinkItem item, String reason, int attempts) {}

    private final LogStore store;
    private final BatchingSink.Config config;
    private final Clock clock;
    private final IngestMetrics metrics;
    private final BatchingSink.Sleeper sleeper;
    private final AtomicBoolean ready = new AtomicBoolean();

    DeadLetterWriter(LogStore store, BatchingSink.Config config, Clock clock, IngestMetrics metrics,
                     BatchingSink.Sleeper sleeper) {
        this.store = store;
        this.config = config;
        this.clock = clock;
        this.metrics = metrics;
        this.sleeper = sleeper;
    }

    /** Makes the dead-letter index set exist in the store (once; again after a failure). */
    void ensureIndexSet() {
        if (ready.compareAndSet(false, true)) {
            try {
                store.ensureIndexSet(schema(config.deadLetterIndexSet()));
            } catch (RuntimeException e) {
                ready.set(false);
                throw e;
            }
        }
    }

    /** Writes the dead letters of documents that were going to {@code indexSet}, and answers each. */
    void write(String indexSet, List<DeadLetter> dead) throws InterruptedException {
        String dl = config.deadLetterIndexSet();
        List<LogDocument> docs = new ArrayList<>(dead.size());
        Instant now = clock.instant();
        for (DeadLetter d : dead) docs.add(document(indexSet, d.item().doc(), d.reason(), d.attempts(), now));
        List<DeadLetter> todo = dead;
        List<LogDocument> todoDocs = docs;
        for (int attempt = 1; ; attempt++) {
            String lastReason;
            try {
                ensureIndexSet();
                BulkResult r = store.index(dl, todoDocs);
                List<DeadLetter> retry = new ArrayList<>();
                List<LogDocument> retryDocs = new ArrayList<>();
                lastReason = null;
                for (int i = 0; i < todo.size(); i++) {
                    BulkResult.ItemResult item = i < r.items().size() ? r.items().get(i) : null;
                    DeadLetter d = todo.get(i);
                    if (item != null && item.status() == BulkResult.Status.OK) {
                        metrics.deadLetters(indexSet, 1, reasonTag(d.reason()));
                        d.item().rejected(d.reason() + " (kept in the dead letters of '" + indexSet + "'; list and"
                                + " replay them with /api/v1/index_sets/" + indexSet + "/dead_letters)");
                        LOG.warn("event=dead_letter index_set={} doc_id={} reason=\"{}\"", indexSet,
                                d.item().doc().id(), d.reason());
                    } else {
                        retry.add(d);
                        retryDocs.add(todoDocs.get(i));
                        lastReason = item == null ? "missing result" : item.reason();
                    }
                }
                if (retry.isEmpty()) return;
                todo = retry;
                todoDocs = retryDocs;
            } catch (RuntimeException e) {
                lastReason = e.toString();
            }
            if (attempt >= config.maxAttempts()) {
                BackendException ex = new BackendException("could not write " + todo.size()
                        + " documents to dead-letter index set '" + dl + "': " + lastReason);
                for (DeadLetter d : todo) {
                    LOG.error("event=dead_letter_failed index_set={} doc_id={} reason=\"{}\" dead_letter_error=\"{}\"",
                            indexSet, d.item().doc().id(), d.reason(), lastReason);
                    d.item().notStored(d.reason() + "; it could not be kept in the dead letters either: "
                            + ex.getMessage());
                }
                return;
            }
            sleeper.sleep(SinkWriter.backoff(config, attempt));
        }
    }

    /** The dead-letter document of {@code doc}: where it was going, why it was refused, and the document itself. */
    static LogDocument document(String indexSet, LogDocument doc, String reason, int attempts, Instant now) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("index_set", indexSet);
        f.put("doc_id", doc.id());
        f.put("reason", reason == null ? "rejected by the store" : reason);
        f.put("attempts", (long) attempts);
        f.put("original_time", doc.timestamp().toEpochMilli());
        try {
            f.put("original", JSON.writeValueAsString(doc.fields()));
        } catch (JsonProcessingException e) {
            f.put("original", String.valueOf(doc.fields()));
        }
        f.put(DocumentFields.TIME, now.toEpochMilli());
        return new LogDocument(DocumentIds.ofContent("dead-letter/" + indexSet, doc.id()), now, f);
    }

    /** The schema of the dead-letter index set. */
    static IndexSetSchema schema(String name) {
        return IndexSetSchema.of(name, List.of(FieldSpec.of("index_set", FieldType.KEYWORD),
                FieldSpec.of("doc_id", FieldType.KEYWORD), FieldSpec.of("reason", FieldType.TEXT),
                FieldSpec.of("attempts", FieldType.LONG), FieldSpec.of("original_time", FieldType.DATE),
                FieldSpec.of("original", FieldType.TEXT), FieldSpec.of("replayed", FieldType.BOOLEAN),
                FieldSpec.of("replayed_at", FieldType.DATE)));
    }

    /** The {@code reason} tag of {@code bklog_ingest_dead_letters_total}: a small fixed set, never the free text. */
    static String reasonTag(String reason) {
        String r = reason == null ? "" : reason.toLowerCase(java.util.Locale.ROOT);
        if (r.startsWith("gave up after")) return "retries_exhausted";
        if (r.contains("immense term") || r.contains("too long") || r.contains("longer than")) return "too_long";
        if (r.contains("reserved") || r.contains("metadata field")) return "reserved_field";
        if (r.contains("mapper_parsing") || r.contains("mapped as") || r.contains("expected")
                || r.contains("failed to parse") || r.contains("not a valid") || r.contains("cannot be")
                || r.contains("cannot take")
                || r.contains("is not an")) {
            return "bad_value";
        }
        return "rejected";
    }
}
