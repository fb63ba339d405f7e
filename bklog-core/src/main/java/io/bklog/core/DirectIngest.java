package io.bklog.core;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bklog.core.etl.DocumentFields;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.indexset.DynamicTypes;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.ingest.DocumentIds;
import io.bklog.core.query.TimeExpressions;
import io.bklog.spi.BulkResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.micrometer.core.instrument.MeterRegistry;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The simplest ingest path: validate a batch of JSON objects against the index set, give each a deterministic id and
 * store it with {@link LogStore#index} right away (no buffer, no ETL). The batch is validated whole before anything is
 * stored: one invalid document refuses the batch with {@link ErrorCode#BAD_DOCUMENT}, so nothing of it is kept.
 *
 * <p>Each document is flattened (nested objects joined with dots). Its time is the index set's time field: epoch
 * millis, or a string {@link TimeExpressions} reads (ISO-8601, epoch seconds or millis); when absent, the ingest
 * time. Each document gets a {@link DocumentIds#unique() unique} id, so two identical events are two documents (as
 * in Elasticsearch); a batch sent with an idempotency key gets ids from the key and each item's position
 * ({@link DocumentIds#ofIdempotencyKey}), so sending that batch again stores nothing twice.
 */
public final class DirectIngest {
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    private final IndexSetService indexSets;
    private final LogStore store;
    private final Clock clock;
    private final MeterRegistry meters;
    private volatile io.bklog.core.ingest.DocumentEnricher enricher = io.bklog.core.ingest.DocumentEnricher.NONE;

    public DirectIngest(IndexSetService indexSets, LogStore store, Clock clock, MeterRegistry meters) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.meters = Objects.requireNonNull(meters, "meters");
    }

    /**
     * Adds fields to every document this makes (and the pipelines built on it, {@link #enricher()}) once it is
     * valid, e.g. the pattern id of log clustering.
     */
    public void enrichWith(io.bklog.core.ingest.DocumentEnricher e) {
        this.enricher = Objects.requireNonNull(e, "enricher");
    }

    /** What {@link #enrichWith} set; {@link io.bklog.core.ingest.DocumentEnricher#NONE} by default. */
    public io.bklog.core.ingest.DocumentEnricher enricher() {
        return enricher;
    }

    /** Per-item outcome, in request order, with counts. */
    public record Result(String indexSet, List<BulkResult.ItemResult> items, long accepted, long retryable,
                        long rejected, long tookMillis) {
        public Result {
            items = List.copyOf(items);
        }

        /** Whether some item was not stored. */
        public boolean errors() {
            return retryable + rejected > 0;
        }
    }

    /**
     * Validates and stores a batch. Throws {@link ErrorCode#INDEX_SET_NOT_FOUND} or {@link ErrorCode#BAD_DOCUMENT}
     * (nothing stored); otherwise returns what the store answered for each item.
     */
    public Result ingest(String indexSet, List<Map<String, Object>> items) {
        return ingest(indexSet, items, false);
    }

    /**
     * As {@link #ingest(String, List)}; with {@code refresh} the stored documents are searchable when this returns
     * (otherwise within a second). Refreshing after every batch costs throughput: use it for tests and scripts.
     */
    public Result ingest(String indexSet, List<Map<String, Object>> items, boolean refresh) {
        return ingest(indexSet, items, refresh, null);
    }

    /**
     * As {@link #ingest(String, List, boolean)}; with an {@code idempotencyKey} each document's id comes from the
     * key and its position ({@link DocumentIds#ofIdempotencyKey}), so ingesting the same batch again under the same
     * key (a retry, a re-run) replaces instead of adding.
     */
    public Result ingest(String indexSet, List<Map<String, Object>> items, boolean refresh, String idempotencyKey) {
        long started = System.nanoTime();
        List<LogDocument> docs = documents(indexSet, items, idempotencyKey);
        BulkResult bulk = docs.isEmpty() ? new BulkResult(List.of()) : store.index(indexSet, docs);
        if (refresh) store.refresh(indexSet);
        long ok = bulk.count(BulkResult.Status.OK);
        long retry = bulk.count(BulkResult.Status.RETRYABLE);
        long rejected = bulk.count(BulkResult.Status.REJECTED);
        meters.counter("bklog.ingest.documents", "index_set", indexSet, "status", "ok").increment(ok);
        if (retry > 0) meters.counter("bklog.ingest.documents", "index_set", indexSet, "status", "retryable").increment(retry);
        if (rejected > 0) meters.counter("bklog.ingest.documents", "index_set", indexSet, "status", "rejected").increment(rejected);
        return new Result(indexSet, bulk.items(), ok, retry, rejected, (System.nanoTime() - started) / 1_000_000);
    }

    /**
     * Validates a batch and turns it into documents (flattened, time set, deterministic ids) without storing it;
     * throws like {@link #ingest(String, List)}.
     */
    public List<LogDocument> documents(String indexSet, List<Map<String, Object>> items) {
        return documents(indexSet, items, null);
    }

    /**
     * As {@link #documents(String, List)}; with an {@code idempotencyKey} (an HTTP {@code Idempotency-Key}) each
     * document's id is {@link DocumentIds#ofIdempotencyKey} of the index set, the key and the item's position.
     */
    public List<LogDocument> documents(String indexSet, List<Map<String, Object>> items, String idempotencyKey) {
        IndexSet set = indexSets.get(indexSet);
        List<LogDocument> docs = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            LogDocument d = document(set, i, items.get(i));
            if (idempotencyKey != null) {
                d = new LogDocument(DocumentIds.ofIdempotencyKey(set.name(), idempotencyKey, i), d.timestamp(),
                        d.fields());
            }
            docs.add(d);
        }
        return docs;
    }

    /**
     * One document of {@code set}, made as {@link #documents} makes each item (flattened, time set, deterministic
     * id). A bad value throws {@link ErrorCode#BAD_DOCUMENT} whose detail {@code problem} names the field and value.
     */
    public LogDocument document(IndexSet set, Map<String, Object> raw) {
        return document(set, 0, raw);
    }

    private LogDocument document(IndexSet set, int item, Map<String, Object> raw) {
        if (raw == null) throw bad(item, null, "is null; expected a JSON object");
        Map<String, Object> fields = new LinkedHashMap<>();
        flatten(item, "", raw, fields);
        return flatDocument(set, item, fields);
    }

    /**
     * As {@link #document(IndexSet, Map)} for fields that are already flat, as flattening makes them (dotted names,
     * no nulls, integers as {@code Long}, decimals as {@code Double}, lists of scalars and JSON strings): the
     * {@code _bulk} route reads each source straight into that shape. The map becomes the document's: it is
     * changed in place (time, dynamic dates, enrichment) and not copied.
     */
    public LogDocument flatDocument(IndexSet set, LinkedHashMap<String, Object> fields) {
        return flatDocument(set, 0, fields);
    }

    private LogDocument flatDocument(IndexSet set, int item, Map<String, Object> fields) {
        if (fields.get(DocumentFields.LOG) instanceof String line) {
            // the raw line, split from a CRLF file by the client: never stored ending in \r
            fields.put(DocumentFields.LOG, io.bklog.core.ingest.LineSanitizer.stripLineEnd(line));
        }
        for (String name : fields.keySet()) {
            if (name.isBlank()) {
                throw bad(item, name, "has a field whose name is empty or blank (\"" + name + "\"); give the field"
                        + " a name");
            }
            if (LogDocument.RESERVED_FIELDS.contains(name)) {
                throw bad(item, name, "has field '" + name + "', a metadata field that cannot be inside a document"
                        + " (reserved: _id, _index, _source, _routing, ...); give an id as the _bulk action's _id,"
                        + " or rename the field");
            }
        }
        Instant time = time(set, item, fields.get(set.timeField()));
        fields.put(set.timeField(), time.toEpochMilli());
        set = mapDynamically(set, item, fields);
        for (FieldSpec f : set.fields()) {
            Object v = fields.get(f.name());
            if (v == null) continue;
            if (f.type() == FieldType.DATE && !f.name().equals(set.timeField())) {
                v = isoDates(v);
                fields.put(f.name(), v);
            }
            check(item, f, v);
        }
        enricher.enrich(set.name(), fields);
        return LogDocument.withFreshId(DocumentIds.unique(), time, fields);
    }

    /** The field names of the index set (the same instance) the last document was mapped with. */
    private record MappedNames(IndexSet set, Set<String> names) {}

    private volatile MappedNames lastMapped;

    /**
     * The fields of a document that {@code set} does not map, as its {@code dynamic} says: {@code true} maps them
     * with an inferred type ({@link DynamicTypes#infer}), {@code strict} refuses the document, {@code false} leaves
     * them in the source, unsearchable. Returns the index set as it is now.
     */
    private IndexSet mapDynamically(IndexSet set, int item, Map<String, Object> fields) {
        if (set.dynamic().equals(IndexSet.DYNAMIC_FALSE)) return set;
        MappedNames last = lastMapped; // the documents of one request share their index set: its names once
        if (last == null || last.set() != set) {
            Set<String> names = new HashSet<>();
            for (FieldSpec f : set.fields()) names.add(f.name());
            last = new MappedNames(set, names);
            lastMapped = last;
        }
        Set<String> mapped = last.names();
        List<FieldSpec> unmapped = new ArrayList<>();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (mapped.contains(e.getKey())) continue;
            if (set.dynamic().equals(IndexSet.DYNAMIC_STRICT)) {
                throw bad(item, e.getKey(), "has field '" + e.getKey() + "', which index set '" + set.name()
                        + "' does not map, and its dynamic is strict: add the field to the index set first, or set"
                        + " dynamic to true (map new fields) or false (keep them unsearchable)");
            }
            FieldType type = DynamicTypes.infer(e.getValue());
            if (type != null) unmapped.add(FieldSpec.of(e.getKey(), type));
        }
        if (unmapped.isEmpty()) return set;
        try {
            return indexSets.addFields(set.name(), unmapped);
        } catch (BklogException e) {
            if (e.code() != ErrorCode.BAD_DOCUMENT) throw e;
            throw bad(item, e.field().map(f -> f.replaceFirst("^fields\\.", "")).orElse(null),
                    String.valueOf(e.details().getOrDefault("problem", e.getMessage())));
        }
    }

    /** ISO-8601 strings of a date field as epoch millis; other values as they are (checked next). */
    private static Object isoDates(Object v) {
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) out.add(isoDates(o));
            return out;
        }
        if (v instanceof String s) {
            Long ms = DynamicTypes.isoDateMillis(s);
            if (ms != null) return ms;
        }
        return v;
    }

    private static void flatten(int item, String prefix, Map<?, ?> in, Map<String, Object> out) {
        for (Map.Entry<?, ?> e : in.entrySet()) {
            String key = prefix + e.getKey();
            Object v = e.getValue();
            if (v instanceof Map<?, ?> m) {
                flatten(item, key + ".", m, out);
            } else if (v instanceof List<?> list) {
                List<Object> values = new ArrayList<>(list.size());
                for (Object o : list) {
                    if (o == null) continue;
                    values.add(o instanceof Map<?, ?> || o instanceof List<?> ? json(o) : scalar(o));
                }
                out.put(key, values);
            } else if (v != null) {
                out.put(key, scalar(v));
            }
        }
    }

    private static Object scalar(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof BigInteger b) return b.bitLength() < 64 ? (Object) b.longValue() : b.toString();
        if (v instanceof Float || v instanceof BigDecimal) return ((Number) v).doubleValue();
        return v;
    }

    private Instant time(IndexSet set, int item, Object v) {
        if (v == null) return clock.instant();
        if (v instanceof Long l) return Instant.ofEpochMilli(l);
        if (v instanceof String str) {
            try {
                return TimeExpressions.parse(str, clock);
            } catch (IllegalArgumentException e) {
                throw bad(item, set.timeField(), "has time field '" + set.timeField() + "' = " + quote(v) + ": "
                        + e.getMessage());
            }
        }
        throw bad(item, set.timeField(), "has time field '" + set.timeField() + "' = " + quote(v)
                + "; expected epoch millis or ISO-8601 such as 2024-05-01T12:00:00Z");
    }

    private static void check(int item, FieldSpec f, Object v) {
        if (v instanceof List<?> list) {
            for (Object o : list) check(item, f, o);
            return;
        }
        boolean fits = switch (f.type()) {
            case LONG, DATE -> v instanceof Long || (v instanceof String s && isLong(s));
            case DOUBLE -> v instanceof Number || (v instanceof String s && isDouble(s));
            case BOOLEAN -> v instanceof Boolean
                    || (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false")));
            case KEYWORD, TEXT, IP -> true;
        };
        if (!fits) {
            throw bad(item, f.name(), "has field '" + f.name() + "' = " + quote(v) + "; expected a "
                    + f.type().wireName() + " value");
        }
    }

    private static boolean isLong(String s) {
        try {
            Long.parseLong(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static boolean isDouble(String s) {
        try {
            Double.parseDouble(s.trim());
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static String json(Object o) {
        try {
            return CANONICAL.writeValueAsString(o);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + o.getClass(), e);
        }
    }

    private static String quote(Object v) {
        return v instanceof String ? "'" + v + "'" : String.valueOf(v);
    }

    private static BklogException bad(int item, String field, String what) {
        return new BklogException(ErrorCode.BAD_DOCUMENT, "item " + item + " (0-based) " + what
                + "; the whole batch was refused, nothing was stored",
                field == null ? "[" + item + "]" : "[" + item + "]." + field, Map.of("item", item, "problem", what), null);
    }
}
