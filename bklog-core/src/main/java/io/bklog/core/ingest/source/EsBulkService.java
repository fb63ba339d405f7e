package io.bklog.core.ingest.source;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.base.Utf8;
import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.collect.IngestRuntime;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.ingest.DocumentIds;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.BulkResult;
import io.bklog.spi.LogDocument;
import io.bklog.spi.RawLine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Predicate;

/**
 * The Elasticsearch {@code _bulk} API over the platform's batching sink, for Filebeat, Logstash, rsyslog
 * {@code omelasticsearch} and syslog-ng {@code elasticsearch-http}. The NDJSON body is read with
 * {@link EsBulkIngest#parse} (a malformed action line refuses the request, naming the line); each {@code index} /
 * {@code create} item's index name goes to an index set through {@link EsIndexMapping}, its source becomes a document
 * as {@link DirectIngest} makes them (flattened, the index set's time field, unmapped fields mapped by the index
 * set's {@code dynamic}, a unique id unless {@code _id} or an {@code Idempotency-Key} is given), and the documents of each index set are queued in the sink and answered once stored. Every item is answered
 * in the ES shape; a bad item (unknown index, source not a JSON object, a value that does not fit its field) fails
 * alone and the others are stored; every refused item is counted in {@code bklog_es_bulk_refused_total} and logged
 * (at most one line a second). When the sink is full the items of that index set answer 429
 * {@code es_rejected_execution_exception}, which shippers retry.
 *
 * <p>Shipper conventions ({@link #TIME_CONVENTIONS}, {@link #TEXT_CONVENTIONS}), each only when the index set's own
 * field is absent: the time field from {@code @timestamp}, {@code time} or {@code timestamp} (ISO-8601, epoch millis
 * or seconds); bklog's raw line field {@code log} from {@code message}, {@code msg} or {@code MESSAGE} (an ECS
 * {@code log} object, as Filebeat sends, keeps its fields as {@code log.file.path}, {@code log.level}...). Action
 * lines are read as leniently as Elasticsearch 8 reads them ({@link EsBulkIngest}); its deprecation warnings come
 * back in {@link Response#warnings()}. Thread-safe.
 */
public final class EsBulkService {
    private static final Logger log = LoggerFactory.getLogger(EsBulkService.class);
    /** Refuses a source line with anything after its object ({@code {"a":1} {"b":2}}): nothing is dropped silently. */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    private final IndexSetService indexSets;
    private final DirectIngest documents;
    private final IngestRuntime runtime;
    private final EsIndexMapping mapping;
    private final com.google.common.util.concurrent.RateLimiter refusedLogLimit =
            com.google.common.util.concurrent.RateLimiter.create(1.0);
    private final java.util.concurrent.atomic.AtomicLong refusedNotLogged = new java.util.concurrent.atomic.AtomicLong();

    public EsBulkService(IndexSetService indexSets, DirectIngest documents, IngestRuntime runtime,
                         EsIndexMapping mapping) {
        this.indexSets = indexSets;
        this.documents = documents;
        this.runtime = runtime;
        this.mapping = mapping == null ? EsIndexMapping.none() : mapping;
    }

    public EsIndexMapping mapping() {
        return mapping;
    }

    /**
     * The ES answer body and, when some items were refused for backpressure, the seconds to wait before retrying
     * (for a {@code Retry-After} header).
     */
    public record Response(Map<String, Object> body, boolean errors, OptionalLong retryAfterSeconds,
                           List<String> warnings) {
        public Response(Map<String, Object> body, boolean errors, OptionalLong retryAfterSeconds) {
            this(body, errors, retryAfterSeconds, List.of());
        }

        public Response {
            warnings = warnings == null ? List.of() : List.copyOf(warnings);
        }

        /** The number of items answered. */
        public int items() {
            return body.get("items") instanceof List<?> l ? l.size() : 0;
        }
    }

    /**
     * Handles one {@code _bulk} request.
     *
     * @param body         the NDJSON body
     * @param defaultIndex the index of {@code POST /{index}/_bulk}, or null
     * @param refresh      make stored documents searchable before answering ({@code ?refresh=true|wait_for})
     * @param writable     whether the caller may write to an index set (its space); others are answered as missing
     * @throws IllegalArgumentException a malformed action line, naming it; nothing was stored
     */
    public Response bulk(String body, String defaultIndex, boolean refresh, Predicate<IndexSet> writable) {
        return bulk(body, defaultIndex, refresh, writable, null);
    }

    /**
     * As {@link #bulk(String, String, boolean, Predicate)}. An item without {@code _id} gets a unique id (identical
     * items are distinct documents, as in Elasticsearch); with an {@code idempotencyKey} (HTTP
     * {@code Idempotency-Key}) it gets an id from the key and its position in the request instead, so sending the
     * request again stores nothing twice.
     */
    public Response bulk(String body, String defaultIndex, boolean refresh, Predicate<IndexSet> writable,
                         String idempotencyKey) {
        return bulk(body, defaultIndex, refresh, writable, idempotencyKey, null);
    }

    /**
     * As {@link #bulk(String, String, boolean, Predicate, String)}; when the mapping auto-creates index sets, an
     * index name that names none makes a new index set in {@code createInSpace} (the caller's space; null: create
     * none) with the default fields and dynamic mapping on.
     */
    public Response bulk(String body, String defaultIndex, boolean refresh, Predicate<IndexSet> writable,
                         String idempotencyKey, String createInSpace) {
        long t0 = System.nanoTime();
        EsBulkIngest.Parsed parsed = EsBulkIngest.parseWithWarnings(body, defaultIndex);
        List<EsBulkIngest.BulkItem> items = parsed.items();
        Object[] results = new Object[items.size()];
        Map<String, Optional<IndexSet>> sets = new HashMap<>();
        Map<String, EsIndexMapping.Resolution> resolved = new HashMap<>();
        Map<String, List<Integer>> byIndexSet = new LinkedHashMap<>();
        Map<String, List<LogDocument>> docsByIndexSet = new LinkedHashMap<>();
        Map<String, Long> bytesByIndexSet = new HashMap<>();
        Map<String, java.util.Set<String>> mappedNames = new HashMap<>(); // field names per index set, this request
        java.util.Set<String> reread = new java.util.HashSet<>(); // index sets read again after a refusal
        // read at most once a second per name (IndexSetService.RECENT_TTL), at once after a change made here
        Predicate<String> exists = name -> sets.computeIfAbsent(name, n -> indexSets.findRecent(n).filter(writable))
                .isPresent();
        for (int k = 0; k < items.size(); k++) {
            EsBulkIngest.BulkItem it = items.get(k);
            if (it.errorType() != null) {
                results[k] = error(it, it.index(), it.id(), 400, it.errorType(), it.error());
                continue;
            }
            EsIndexMapping.Resolution r = resolved.computeIfAbsent(it.index(), i -> mapping.resolve(i, exists));
            if (r.indexSet().isEmpty()) {
                results[k] = error(it, it.index(), it.id(), 404, "index_not_found_exception", r.reason());
                continue;
            }
            if (r.create() != null && sets.getOrDefault(r.create(), Optional.empty()).isEmpty()) {
                Optional<IndexSet> made = autoCreate(r.create(), it.index(), createInSpace);
                if (made.isEmpty()) {
                    results[k] = error(it, it.index(), it.id(), 404, "index_not_found_exception", "no such index ["
                            + it.index() + "] and it cannot be created here: " + (createInSpace == null
                            ? "es_compat.auto_create_index is off for the writer's space"
                            : "the name [" + r.create() + "] is taken"));
                    continue;
                }
                sets.put(r.create(), made);
            }
            IndexSet set = sets.get(r.indexSet().get()).orElseThrow();
            // one streaming pass into the flat fields; the Map, then flatten, only where that is not plainly the same
            java.util.LinkedHashMap<String, Object> flat = FlatSource.read(it.source(), set);
            Map<String, Object> source = null;
            if (flat == null) {
                try {
                    source = JSON.readValue(it.source(), MAP);
                } catch (JacksonException e) {
                    results[k] = error(it, it.index(), it.id(), 400, "document_parsing_exception",
                            "line " + (it.line() + 1) + ": the source is not a JSON object: "
                                    + e.getOriginalMessage());
                    continue;
                }
                if (source == null) {
                    results[k] = error(it, it.index(), it.id(), 400, "document_parsing_exception",
                            "line " + (it.line() + 1) + ": the source is null, not a JSON object");
                    continue;
                }
                conventions(set, source);
            }
            LogDocument doc;
            try {
                doc = flat != null ? documents.flatDocument(set, flat) : documents.document(set, source);
            } catch (io.bklog.core.meta.MetadataException e) {
                throw e; // the metadata database is down (dynamic mapping): the whole request is retryable, not a 400
            } catch (BklogException e) {
                if (reread.add(set.name())) {
                    // the index set may have changed on another instance within RECENT_TTL (a field added to a
                    // strict set, dynamic turned on): read it again and, when it did change, map this item again
                    Optional<IndexSet> now = indexSets.find(set.name()).filter(writable);
                    sets.put(set.name(), now);
                    mappedNames.remove(set.name());
                    if (now.isPresent() && !now.get().equals(set)) {
                        k--;
                        continue;
                    }
                }
                Object problem = e.details().getOrDefault("problem", e.getMessage());
                results[k] = error(it, it.index(), it.id(), 400, "document_parsing_exception",
                        "line " + (it.line() + 1) + ": the document " + problem);
                continue;
            }
            IndexSet mappedBy = set;
            if (!set.dynamic().equals(IndexSet.DYNAMIC_FALSE) && !mappedNames.computeIfAbsent(set.name(),
                    n -> mappedBy.fields().stream().map(io.bklog.spi.FieldSpec::name)
                            .collect(java.util.stream.Collectors.toSet())).containsAll(doc.fields().keySet())) {
                // the document mapped new fields: the next items see the index set as it is now
                sets.put(set.name(), indexSets.find(set.name()).filter(writable));
                mappedNames.remove(set.name());
            }
            if (it.id() != null) {
                doc = new LogDocument(it.id(), doc.timestamp(), doc.fields());
            } else if (idempotencyKey != null) {
                doc = new LogDocument(DocumentIds.ofIdempotencyKey(set.name(), idempotencyKey, k), doc.timestamp(),
                        doc.fields());
            }
            byIndexSet.computeIfAbsent(set.name(), x -> new ArrayList<>()).add(k);
            docsByIndexSet.computeIfAbsent(set.name(), x -> new ArrayList<>()).add(doc);
            bytesByIndexSet.merge(set.name(), (long) Utf8.encodedLength(it.source()), Long::sum);
        }
        long retryAfter = -1;
        for (Map.Entry<String, List<Integer>> e : byIndexSet.entrySet()) {
            List<LogDocument> docs = docsByIndexSet.get(e.getKey());
            DirectIngest.Result stored;
            try {
                stored = runtime.store(e.getKey(), docs, refresh, bytesByIndexSet.getOrDefault(e.getKey(), 0L));
            } catch (io.bklog.core.meta.MetadataException me) {
                throw me; // the metadata database failed: the whole request fails, as any outage
            } catch (BklogException be) {
                int status = be.code() == ErrorCode.INGEST_BUSY ? 429 : be.code().httpStatus();
                String type = status == 429 ? "es_rejected_execution_exception" : "illegal_argument_exception";
                if (status == 429) {
                    retryAfter = Math.max(retryAfter, ((Number) be.details().getOrDefault("retry_after_seconds", 1))
                            .longValue());
                }
                for (int j = 0; j < e.getValue().size(); j++) {
                    int k = e.getValue().get(j);
                    results[k] = error(items.get(k), items.get(k).index(), docs.get(j).id(), status, type,
                            be.getMessage());
                }
                continue;
            }
            for (int j = 0; j < e.getValue().size(); j++) {
                int k = e.getValue().get(j);
                EsBulkIngest.BulkItem it = items.get(k);
                BulkResult.ItemResult ir = stored.items().get(j);
                results[k] = switch (ir.status()) {
                    case OK -> created(it, ir.id());
                    case RETRYABLE -> error(it, it.index(), ir.id(), 429, "es_rejected_execution_exception",
                            ir.reason());
                    case REJECTED -> error(it, it.index(), ir.id(), 400, "document_parsing_exception", ir.reason());
                };
                if (ir.status() == BulkResult.Status.RETRYABLE) retryAfter = Math.max(retryAfter, 1);
            }
        }
        boolean errors = false;
        List<Object> out = new ArrayList<>(results.length);
        for (Object o : results) {
            out.add(o);
            if (o instanceof CreatedItem) continue;
            @SuppressWarnings("unchecked")
            Map<String, Object> inner = (Map<String, Object>) ((Map<String, Object>) o).values().iterator().next();
            if (inner.get("error") instanceof Map<?, ?> err) {
                errors = true;
                refused(String.valueOf(inner.get("_index")), ((Number) inner.get("status")).intValue(),
                        String.valueOf(err.get("type")), String.valueOf(err.get("reason")));
            }
        }
        Map<String, Object> resp = new LinkedHashMap<>();
        resp.put("errors", errors);
        resp.put("took", (System.nanoTime() - t0) / 1_000_000);
        resp.put("items", out);
        log.debug("es bulk items={} errors={} index_sets={}", items.size(), errors, byIndexSet.keySet());
        return new Response(resp, errors, retryAfter < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfter),
                parsed.warnings());
    }

    /** Where shippers put the event time, in the order tried: ECS/Beats, pino/bunyan, others. */
    public static final List<String> TIME_CONVENTIONS = List.of("@timestamp", "time", "timestamp");
    /** Where shippers put the text, in the order tried ({@link RawLine#COPIED_FROM}). */
    public static final List<String> TEXT_CONVENTIONS = RawLine.COPIED_FROM;
    /** bklog's raw line field. */
    static final String TEXT_FIELD = RawLine.LOG;

    /**
     * The shipper conventions, applied only when the index set's own field is absent from the source: the time
     * field from the first of {@link #TIME_CONVENTIONS} that holds a time (ISO-8601, or epoch millis or seconds, a
     * number or a string of digits; epoch values below 10^11 are seconds, as no shipper sends 1973 in millis), and
     * {@code log} from the first of {@link #TEXT_CONVENTIONS} that is a string. An ECS {@code log} object (Filebeat's
     * {@code log.file.path}, {@code log.level}) keeps its fields as {@code log.file.path}, {@code log.level}. The
     * convention fields themselves are kept too.
     */
    static void conventions(IndexSet set, Map<String, Object> source) {
        if (!source.containsKey(set.timeField())) {
            for (String k : TIME_CONVENTIONS) {
                Object v = source.get(k);
                if (k.equals("@timestamp") && v instanceof String s) { // as it always was: any time bklog reads
                    source.put(set.timeField(), s);
                    break;
                }
                Long ms = epochMillis(v);
                if (ms != null) {
                    source.put(set.timeField(), ms);
                    break;
                }
            }
        }
        if (source.get(TEXT_FIELD) instanceof String) return;
        for (String k : TEXT_CONVENTIONS) {
            if (source.get(k) instanceof String m) {
                if (source.remove(TEXT_FIELD) instanceof Map<?, ?> ecsLog) {
                    for (Map.Entry<?, ?> e : ecsLog.entrySet()) {
                        source.putIfAbsent(TEXT_FIELD + "." + e.getKey(), e.getValue());
                    }
                }
                source.put(TEXT_FIELD, m);
                return;
            }
        }
    }

    /** A shipper's time value as epoch millis, or null when it is not a time. */
    static Long epochMillis(Object v) {
        if (v instanceof String s) {
            String t = s.strip();
            if (t.matches("-?\\d{1,19}")) return epochMillis(Long.parseLong(t));
            if (t.matches("-?\\d{1,12}\\.\\d+")) return epochMillis(Double.parseDouble(t));
            return io.bklog.core.indexset.DynamicTypes.isoDateMillis(t);
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short) {
            long n = ((Number) v).longValue();
            return Math.abs(n) < 100_000_000_000L ? n * 1000 : n;
        }
        if (v instanceof Number n) {
            double d = n.doubleValue();
            if (!Double.isFinite(d)) return null;
            return Math.abs(d) < 1e11 ? Math.round(d * 1000) : Math.round(d);
        }
        return null;
    }

    /** Every created item's {@code _shards}: one immutable map for all of them. */
    private static final Map<String, Object> SHARDS = shards();

    private static Map<String, Object> shards() { // in Elasticsearch's order
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", 1);
        m.put("successful", 1);
        m.put("failed", 0);
        return java.util.Collections.unmodifiableMap(m);
    }

    private static Map<String, Object> created(EsBulkIngest.BulkItem it, String id) {
        return new CreatedItem(it.action(), it.index(), id);
    }

    /**
     * A created item of the answer, {@code {action: {_index, _id, _version: 1, result: created, _shards, _seq_no: 0,
     * _primary_term: 1, status: 201}}}: a map like the others, holding only what differs between items (most of a
     * 1,000-item answer), so the route writes it without building two maps per item ({@link #write}).
     */
    public static final class CreatedItem extends java.util.AbstractMap<String, Object> {
        private final String action;
        private final String index;
        private final String id;

        CreatedItem(String action, String index, String id) {
            this.action = action;
            this.index = index;
            this.id = id;
        }

        @Override
        public java.util.Set<Map.Entry<String, Object>> entrySet() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("_index", index);
            m.put("_id", id);
            m.put("_version", 1);
            m.put("result", "created");
            m.put("_shards", SHARDS);
            m.put("_seq_no", 0);
            m.put("_primary_term", 1);
            m.put("status", 201);
            return Map.<String, Object>of(action, m).entrySet();
        }

        /** Writes the item as {@link #entrySet()} has it. */
        public void write(com.fasterxml.jackson.core.JsonGenerator g) throws java.io.IOException {
            g.writeStartObject();
            g.writeObjectFieldStart(action);
            g.writeStringField("_index", index);
            g.writeStringField("_id", id);
            g.writeNumberField("_version", 1);
            g.writeStringField("result", "created");
            g.writeObjectFieldStart("_shards");
            for (Map.Entry<String, Object> e : SHARDS.entrySet()) {
                g.writeNumberField(e.getKey(), (Integer) e.getValue());
            }
            g.writeEndObject();
            g.writeNumberField("_seq_no", 0);
            g.writeNumberField("_primary_term", 1);
            g.writeNumberField("status", 201);
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** What {@link #createIndex} did. */
    public enum Outcome { CREATED, EXISTS, REFUSED }

    /** The outcome of {@link #createIndex}: the index set (made or found), or why none was made. */
    public record Created(Outcome outcome, IndexSet indexSet, String reason) {}

    /**
     * Elasticsearch's create index ({@code PUT /{index}}, {@code PUT /_data_stream/{name}}): makes the index set
     * {@code index} stands for (named as {@code _bulk}'s auto-create names it) in {@code space}, with the default
     * fields plus {@code fields} (the request's mapping, which win over a default of the same name) and dynamic
     * mapping on. An index name that already reaches one of the caller's index sets answers
     * {@link Outcome#EXISTS}; a null {@code space} (auto-create off for the caller's space), a name that cannot name
     * an index set, or a name another space holds answer {@link Outcome#REFUSED} (saying nothing about the other
     * space).
     */
    public Created createIndex(String index, Predicate<IndexSet> visible, String space,
                               List<io.bklog.spi.FieldSpec> fields) {
        EsIndexMapping.Resolution r = mapping.resolve(index, n -> indexSets.find(n).filter(visible).isPresent());
        if (r.indexSet().isPresent() && r.create() == null) {
            return new Created(Outcome.EXISTS, indexSets.find(r.indexSet().get()).orElseThrow(), null);
        }
        String name = EsIndexMapping.autoCreateName(index);
        if (name == null) {
            return new Created(Outcome.REFUSED, null, "the name cannot name a bklog index set (it is empty or"
                    + " starts with '.', '_', '-' or '+')");
        }
        if (space == null) {
            return new Created(Outcome.REFUSED, null, "es_compat.auto_create_index is off for the writer's space;"
                    + " create the index set with PUT /api/v1/index_sets/" + name);
        }
        Map<String, io.bklog.spi.FieldSpec> all = new LinkedHashMap<>();
        for (io.bklog.spi.FieldSpec f : IndexSetService.DEFAULT_FIELDS) all.put(f.name(), f);
        for (io.bklog.spi.FieldSpec f : fields) all.put(f.name(), f);
        try {
            IndexSetService.PutResult made = indexSets.put(name, fields.isEmpty()
                    ? io.bklog.core.indexset.IndexSetSpec.defaults()
                    : io.bklog.core.indexset.IndexSetSpec.withFields(List.copyOf(all.values())), space);
            if (!made.created()) return new Created(Outcome.EXISTS, made.indexSet(), null);
            log.info("event=index_set_created_by_es_api index_set={} index={} space={} fields={}", name, index,
                    space, fields.size());
            return new Created(Outcome.CREATED, made.indexSet(), null);
        } catch (io.bklog.core.meta.MetadataException e) {
            throw e; // an outage, not a refusal
        } catch (BklogException e) {
            if (e.code() == ErrorCode.INDEX_SET_EXISTS) {
                return new Created(Outcome.REFUSED, null, "the name [" + name + "] is taken");
            }
            return new Created(Outcome.REFUSED, null, e.getMessage());
        }
    }

    /** Makes the index set an unknown index name stands for, in {@code space}; empty when that is not possible. */
    private Optional<IndexSet> autoCreate(String name, String index, String space) {
        if (space == null) return Optional.empty();
        try {
            IndexSetService.PutResult r = indexSets.put(name, io.bklog.core.indexset.IndexSetSpec.defaults(), space);
            if (r.created()) {
                log.info("event=index_set_auto_created index_set={} index={} space={}", name, index, space);
            }
            return Optional.of(r.indexSet());
        } catch (io.bklog.core.meta.MetadataException e) {
            throw e; // an outage, not a refusal
        } catch (BklogException e) {
            log.info("event=index_set_auto_create_refused index_set={} index={} reason=\"{}\"", name, index,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Counts a refused item ({@code bklog_es_bulk_refused_total{status, type}}) and logs it with the reason, at most
     * once a second (the next line says how many were not logged meanwhile), so a shipper's bad batch is seen in the
     * log without flooding it.
     */
    private void refused(String index, int status, String type, String reason) {
        runtime.sink().metrics().registry().counter("bklog.es.bulk.refused", "status", String.valueOf(status),
                "type", type).increment();
        if (refusedLogLimit.tryAcquire()) {
            long skipped = refusedNotLogged.getAndSet(0);
            log.warn("event=es_bulk_item_refused index={} status={} type={} reason=\"{}\" not_logged_since_last={}",
                    index, status, type, reason, skipped);
        } else {
            refusedNotLogged.incrementAndGet();
        }
    }

    private static Map<String, Object> error(EsBulkIngest.BulkItem it, String index, String id, int status,
                                             String type, String reason) {
        Map<String, Object> err = new LinkedHashMap<>();
        err.put("type", type);
        err.put("reason", reason == null ? type : reason);
        if (index != null) err.put("index", index);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_index", index == null ? "" : index);
        m.put("_id", id);
        m.put("status", status);
        m.put("error", err);
        return Map.of(it.action(), m);
    }
}
