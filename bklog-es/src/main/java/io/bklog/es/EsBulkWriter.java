package io.bklog.es;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.BulkResult.ItemResult;
import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import org.apache.http.entity.ContentType;
import org.apache.http.nio.entity.NByteArrayEntity;
import org.elasticsearch.client.Request;
import org.elasticsearch.client.Response;
import org.elasticsearch.client.ResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The write side of an {@link EsLogStore}: one {@code _bulk} request per attempt into the day's write alias (creating
 * the day's first index and its aliases on first sight, rolling over past {@code rolloverBytes}), retrying what
 * Elasticsearch could not take now per the {@link BulkRetryPolicy}; reindex and refresh.
 */
final class EsBulkWriter {
    private static final Logger log = LoggerFactory.getLogger(EsLogStore.class);

    private final EsConnection connection;
    private final ElasticsearchClient client;
    private final ObjectMapper json;
    private final EsHttp http;
    private final EsIndexSets indexSets;
    private final BulkRetryPolicy retryPolicy;
    /** "set|yyyyMMdd" → the day's indices (oldest first; the last one takes writes) once its write alias exists */
    private final Map<String, DayState> days = new ConcurrentHashMap<>();
    /** "set|yyyyMMdd" → approximate source bytes written since the last rollover check */
    private final Map<String, AtomicLong> bytesSinceCheck = new ConcurrentHashMap<>();

    EsBulkWriter(EsConnection connection, EsHttp http, EsIndexSets indexSets, BulkRetryPolicy retryPolicy) {
        this.connection = connection;
        this.client = connection.client();
        this.json = connection.mapper();
        this.http = http;
        this.indexSets = indexSets;
        this.retryPolicy = retryPolicy;
    }

    /** Forgets what it knows of the day of a deleted index, so the next write creates the day again. */
    void forget(String index) {
        IndexNames.parse(index).ifPresent(p -> days.remove(p.indexSet() + "|" + IndexNames.DAY.format(p.day())));
    }

    static String writeAlias(String indexSet, LocalDate day) {
        return "write_" + IndexNames.DAY.format(day) + "_" + indexSet;
    }

    static String readAlias(String indexSet, LocalDate day) {
        return indexSet + "_" + IndexNames.DAY.format(day) + "_read";
    }

    BulkResult index(String indexSet, List<LogDocument> documents) {
        IndexSetSchema schema = indexSets.schema(indexSet);
        int n = documents.size();
        ItemResult[] results = new ItemResult[n];
        if (n == 0) return new BulkResult(List.of());
        // each document's _source is serialised once, straight from its fields, and reused by every attempt
        byte[][] sources = new byte[n][];
        List<LocalDate> days = new ArrayList<>(n);
        Map<String, FieldType> types = indexSets.fieldTypes(schema);
        List<Integer> pending = new ArrayList<>(n);
        ByteArrayOutputStream buf = new ByteArrayOutputStream(512);
        for (int i = 0; i < n; i++) {
            LogDocument d = documents.get(i);
            days.add(IndexNames.dayOf(d.timestamp()));
            try {
                sources[i] = source(schema, types, d, buf);
                pending.add(i);
            } catch (IllegalArgumentException e) {
                results[i] = ItemResult.rejected(d.id(), e.getMessage());
            } catch (java.io.UncheckedIOException e) { // a value JSON cannot hold: this document only, not the batch
                results[i] = ItemResult.rejected(d.id(), "cannot write the document as JSON: "
                        + e.getCause().getMessage());
            }
        }
        String[] lastReason = new String[n];
        Iterator<Long> delays = retryPolicy.delays();
        while (true) {
            pending = attempt(schema, documents, sources, days, pending, results, lastReason);
            if (pending.isEmpty() || !delays.hasNext()) break;
            long delay = delays.next();
            log.debug("es-bulk-retry indexSet={} items={} delayMs={}", indexSet, pending.size(), delay);
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        for (int i : pending) results[i] = ItemResult.retryable(documents.get(i).id(), lastReason[i]);
        if (schema.rolloverBytes() > 0) countWritten(schema, sources, days, results);
        return new BulkResult(List.of(results));
    }

    /**
     * The {@code _source} of one document as JSON: its fields in order (values converted to their mapped types, the
     * time field as epoch millis), {@code log} left out when it is a copy ({@link DerivedLog}) with the marker
     * instead, and the id's sort copy {@value EsMappings#DOC_ID}. The store's own fields are never taken from a
     * client: a sent {@code __log_from} would make queries on {@code log} match another field of that document.
     *
     * @throws IllegalArgumentException a value that does not fit its field's type
     */
    private byte[] source(IndexSetSchema schema, Map<String, FieldType> types, LogDocument d,
                          ByteArrayOutputStream buf) {
        buf.reset();
        String timeField = schema.timeField();
        String logFrom = DerivedLog.sourceOf(d.fields(), types);
        try (JsonGenerator g = json.getFactory().createGenerator(buf)) {
            g.writeStartObject();
            boolean timeWritten = false;
            for (Map.Entry<String, Object> e : d.fields().entrySet()) {
                String name = e.getKey();
                if (logFrom != null && name.equals(DerivedLog.LOG)) continue; // kept once: see DerivedLog
                if (name.equals(EsMappings.LOG_FROM) || name.equals(EsMappings.DOC_ID)) continue;
                g.writeFieldName(name);
                if (name.equals(timeField)) {
                    g.writeNumber(d.timestamp().toEpochMilli());
                    timeWritten = true;
                    continue;
                }
                FieldType type = types.get(name);
                writeValue(g, type == null ? e.getValue() : FieldValues.convert(name, type, e.getValue()));
            }
            if (!timeWritten) g.writeNumberField(timeField, d.timestamp().toEpochMilli());
            if (logFrom != null) g.writeStringField(EsMappings.LOG_FROM, logFrom);
            g.writeStringField(EsMappings.DOC_ID, d.id());
            g.writeEndObject();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("serialising document " + d.id(), e);
        }
        return buf.toByteArray();
    }

    private void writeValue(JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof Long l) {
            g.writeNumber(l);
        } else if (v instanceof Double x) {
            g.writeNumber(x);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object o : list) writeValue(g, o);
            g.writeEndArray();
        } else {
            json.writeValue(g, v); // as the typed client's mapper wrote it
        }
    }

    /** The parts of a bulk answer {@link #bulkItems} reads: each item's status and error. */
    static final String BULK_ANSWER_FILTER = "errors,items.*.status,items.*.error";

    private static final byte[] ACTION_END_ALIAS = "\",\"require_alias\":true}}\n".getBytes(StandardCharsets.UTF_8);
    private static final byte[] ACTION_END = "\"}}\n".getBytes(StandardCharsets.UTF_8);

    private static final ContentType NDJSON = ContentType.create("application/x-ndjson", StandardCharsets.UTF_8);

    /**
     * One bulk attempt over {@code pending}: the NDJSON body written from the serialised sources, sent on the
     * low-level client, and the answer read as a stream for each item's status and error only. Fills results of
     * finished items and returns the items to retry.
     */
    private List<Integer> attempt(IndexSetSchema schema, List<LogDocument> docs, byte[][] sources,
                                  List<LocalDate> days, List<Integer> pending, ItemResult[] results,
                                  String[] lastReason) {
        List<Integer> retry = new ArrayList<>();
        List<Integer> sent = new ArrayList<>(pending.size());
        String[] targets = new String[docs.size()];
        Map<LocalDate, List<Integer>> byDay = new LinkedHashMap<>();
        for (int i : pending) byDay.computeIfAbsent(days.get(i), d -> new ArrayList<>()).add(i);
        for (Map.Entry<LocalDate, List<Integer>> e : byDay.entrySet()) {
            try {
                resolveTargets(schema, e.getKey(), docs, e.getValue(), targets);
            } catch (BackendException ex) {
                for (int i : e.getValue()) {
                    lastReason[i] = ex.getMessage();
                    retry.add(i);
                }
            }
        }
        int size = 0;
        for (int i : pending) if (targets[i] != null) size += sources[i].length + 128;
        // the action lines written as bytes: the target's part once per target, each id quoted for JSON
        ByteArrayOutputStream body = new ByteArrayOutputStream(Math.max(64, size));
        Map<String, byte[]> prefixes = new HashMap<>();
        com.fasterxml.jackson.core.io.JsonStringEncoder quote = com.fasterxml.jackson.core.io.JsonStringEncoder
                .getInstance();
        for (int i : pending) {
            String target = targets[i];
            if (target == null) continue;
            body.writeBytes(prefixes.computeIfAbsent(target, t -> ("{\"index\":{\"_index\":\""
                    + new String(quote.quoteAsString(t)) + "\",\"_id\":\"").getBytes(StandardCharsets.UTF_8)));
            body.writeBytes(quote.quoteAsUTF8(docs.get(i).id()));
            body.writeBytes(target.startsWith("write_") ? ACTION_END_ALIAS : ACTION_END);
            body.writeBytes(sources[i]);
            body.write('\n');
            sent.add(i);
        }
        if (sent.isEmpty()) return retry;
        Request request = new Request("POST", "/_bulk");
        // only what is read back: each item's status and error (the rest of a 1,000-item answer is ~150 KB that
        // Elasticsearch writes and this reads for nothing)
        request.addParameter("filter_path", BULK_ANSWER_FILTER);
        request.setEntity(new NByteArrayEntity(body.toByteArray(), NDJSON));
        List<BulkItem> items;
        try {
            items = bulkItems(connection.restClient().performRequest(request));
        } catch (ResponseException e) {
            int status = e.getResponse().getStatusLine().getStatusCode();
            boolean retryable = isRetryableStatus(status);
            String reason = "bulk refused by Elasticsearch (" + status + "): " + describe(errorOf(e));
            for (int i : sent) {
                if (retryable) {
                    lastReason[i] = reason;
                    retry.add(i);
                } else {
                    results[i] = ItemResult.rejected(docs.get(i).id(), reason);
                }
            }
            return retry;
        } catch (IOException | RuntimeException e) {
            String reason = "Elasticsearch " + connection.hosts() + " unreachable: " + e;
            for (int i : sent) {
                lastReason[i] = reason;
                retry.add(i);
            }
            return retry;
        }
        if (items.size() != sent.size()) {
            String reason = "Elasticsearch answered " + items.size() + " bulk items for " + sent.size() + " sent";
            for (int i : sent) {
                lastReason[i] = reason;
                retry.add(i);
            }
            return retry;
        }
        for (int k = 0; k < sent.size(); k++) {
            int i = sent.get(k);
            BulkItem item = items.get(k);
            JsonNode error = item.error();
            if (error == null && item.status() >= 200 && item.status() < 300) {
                results[i] = ItemResult.ok(docs.get(i).id());
                continue;
            }
            String type = error == null ? "" : error.path("type").asText("");
            String reason = "status " + item.status() + ": " + describe(error);
            if (isRetryableStatus(item.status()) || type.contains("rejected_execution")
                    || type.equals("unavailable_shards_exception")) {
                lastReason[i] = reason;
                retry.add(i);
            } else if (type.equals("index_not_found_exception") || reason.contains("require_alias")) {
                // the day's alias vanished (indices deleted behind our back): create it again, then retry
                this.days.remove(schema.name() + "|" + IndexNames.DAY.format(days.get(i)));
                lastReason[i] = reason;
                retry.add(i);
            } else {
                results[i] = ItemResult.rejected(docs.get(i).id(), reason);
            }
        }
        return retry;
    }

    /** One item of a bulk answer: its status and, when it failed, Elasticsearch's error cause. */
    private record BulkItem(int status, JsonNode error) {}

    /** The items of a bulk answer, read as a stream: only each item's status and error are kept. */
    private List<BulkItem> bulkItems(Response response) throws IOException {
        List<BulkItem> out = new ArrayList<>();
        if (response.getEntity() == null) return out;
        try (InputStream in = response.getEntity().getContent(); JsonParser p = json.getFactory().createParser(in)) {
            if (p.nextToken() != JsonToken.START_OBJECT) throw new IOException("bulk answer is not a JSON object");
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (!field.equals("items") || t != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() == JsonToken.START_OBJECT) { // {"index": {...}}
                    int status = 0;
                    JsonNode error = null;
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        if (p.nextToken() != JsonToken.START_OBJECT) {
                            p.skipChildren();
                            continue;
                        }
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String key = p.currentName();
                            JsonToken v = p.nextToken();
                            if (key.equals("status") && v == JsonToken.VALUE_NUMBER_INT) {
                                status = p.getIntValue();
                            } else if (key.equals("error") && v == JsonToken.START_OBJECT) {
                                error = json.readTree(p);
                            } else {
                                p.skipChildren();
                            }
                        }
                    }
                    out.add(new BulkItem(status, error));
                }
            }
        }
        return out;
    }

    /** The {@code error} of an error answer's body, or null when it has none. */
    private JsonNode errorOf(ResponseException e) {
        try (InputStream in = e.getResponse().getEntity() == null ? null : e.getResponse().getEntity().getContent()) {
            if (in == null) return null;
            JsonNode n = json.readTree(in);
            JsonNode err = n == null ? null : n.get("error");
            if (err == null) return null;
            return err.isObject() ? err : json.createObjectNode().put("type", "error").put("reason", err.asText());
        } catch (IOException | RuntimeException ex) {
            return null;
        }
    }

    /** {@code type: reason (caused by ...)} of an error cause, as {@link EsErrors#describe} writes it. */
    static String describe(JsonNode e) {
        if (e == null || !e.isObject()) return "unknown error";
        StringBuilder sb = new StringBuilder().append(text(e, "type")).append(": ").append(text(e, "reason"));
        if (e.get("caused_by") instanceof ObjectNode cause) sb.append(" (caused by ").append(describe(cause)).append(')');
        return sb.toString();
    }

    private static String text(JsonNode e, String field) {
        JsonNode v = e.get(field);
        return v == null || v.isNull() ? "null" : v.asText();
    }

    private static boolean isRetryableStatus(int status) {
        return status == 429 || status >= 500 || status == 408;
    }

    /** The indices of one day, oldest first; the last one is the write index. */
    private record DayState(String writeAlias, List<String> indices) {
        String current() {
            return indices.get(indices.size() - 1);
        }
    }

    /**
     * Where each document of one day goes: a document already stored in an older index of the day (after a
     * rollover) is replaced where it is, so a replay never duplicates; the others go to the write alias, after a
     * rollover when the current index has passed the schema's size.
     */
    private void resolveTargets(IndexSetSchema schema, LocalDate day, List<LogDocument> docs, List<Integer> items,
                                String[] targets) {
        DayState st = ensureDay(schema, day);
        Map<String, String> located = st.indices().size() > 1
                ? locate(st.indices(), items.stream().map(i -> docs.get(i).id()).toList()) : Map.of();
        boolean anyNew = items.stream().anyMatch(i -> !located.containsKey(docs.get(i).id()));
        if (anyNew && schema.rolloverBytes() > 0) st = rolloverIfFull(schema, day, st);
        for (int i : items) targets[i] = located.getOrDefault(docs.get(i).id(), st.writeAlias());
    }

    /** id → the index of the day that holds it (realtime multi-get, so unrefreshed documents count). */
    private Map<String, String> locate(List<String> indices, List<String> ids) {
        ObjectNode body = json.createObjectNode();
        var list = body.putArray("docs");
        for (String id : ids) {
            for (String index : indices) list.addObject().put("_index", index).put("_id", id);
        }
        JsonNode r = perform("POST", "/_mget?_source=false", body);
        Map<String, String> out = new HashMap<>();
        for (JsonNode d : r.path("docs")) {
            if (d.path("found").asBoolean(false)) out.put(d.path("_id").asText(), d.path("_index").asText());
        }
        return out;
    }

    /** Makes sure the day's first index and its aliases exist; returns the day's indices. */
    private DayState ensureDay(IndexSetSchema schema, LocalDate day) {
        String key = schema.name() + "|" + IndexNames.DAY.format(day);
        DayState known = days.get(key);
        if (known != null) return known;
        String write = writeAlias(schema.name(), day);
        if (performOrNull("HEAD", "/_alias/" + write) == null) {
            String index = IndexNames.daily(schema.name(), day, 0);
            ObjectNode body = json.createObjectNode();
            ObjectNode aliases = body.putObject("aliases");
            aliases.putObject(write).put("is_write_index", true);
            aliases.putObject(readAlias(schema.name(), day));
            aliases.putObject(schema.name());
            try {
                perform("PUT", "/" + index, body);
                log.info("es-index-created index={} indexSet={}", index, schema.name());
            } catch (IllegalArgumentException e) {
                if (e.getMessage().contains("maximum normal shards open")) throw shardLimit(index, e);
                if (!e.getMessage().contains("resource_already_exists_exception")) throw e;
                // created by a concurrent writer, or the alias was removed: point the alias at the newest index
                if (performOrNull("HEAD", "/_alias/" + write) == null) {
                    List<String> existing = dayIndices(schema.name(), day, null);
                    ObjectNode actions = json.createObjectNode();
                    actions.putArray("actions").addObject().putObject("add")
                            .put("index", existing.get(existing.size() - 1)).put("alias", write)
                            .put("is_write_index", true);
                    perform("POST", "/_aliases", actions);
                }
            }
        }
        DayState st = new DayState(write, dayIndices(schema.name(), day, write));
        days.put(key, st);
        return st;
    }

    /**
     * The cluster refused a new index because it is at {@code cluster.max_shards_per_node} times its data nodes: not
     * the documents' fault, so they are retryable (the sink retries; a Kafka buffer keeps them), with the reason.
     */
    private static BackendException shardLimit(String index, IllegalArgumentException e) {
        return new BackendException("Elasticsearch refused to create index " + index + ": the cluster is at its shard"
                + " limit (cluster.max_shards_per_node x data nodes; /healthz shards_percent_of_limit). Delete or"
                + " shrink old indices, share index sets, add data nodes or raise the limit (docs/elasticsearch.md): "
                + e.getMessage(), true, e);
    }

    /** The day's indices (those holding the write alias, or all v2_ ones of the day when alias is null), by n. */
    private List<String> dayIndices(String indexSet, LocalDate day, String alias) {
        JsonNode r = alias != null ? perform("GET", "/_alias/" + alias, null)
                : perform("GET", "/" + IndexNames.PREFIX + indexSet + "_" + IndexNames.DAY.format(day)
                        + "_*/_settings/index.provided_name?allow_no_indices=true", null);
        List<IndexNames.Parsed> parsed = new ArrayList<>();
        Map<IndexNames.Parsed, String> names = new HashMap<>();
        for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            IndexNames.parse(name).filter(p -> p.indexSet().equals(indexSet) && !p.restored()).ifPresent(p -> {
                parsed.add(p);
                names.put(p, name);
            });
        }
        parsed.sort(java.util.Comparator.comparingInt(IndexNames.Parsed::n));
        List<String> out = parsed.stream().map(names::get).toList();
        if (out.isEmpty()) throw new BackendException("no index of " + indexSet + " for " + day + " after creating it");
        return out;
    }

    private DayState rolloverIfFull(IndexSetSchema schema, LocalDate day, DayState st) {
        String key = schema.name() + "|" + IndexNames.DAY.format(day);
        AtomicLong since = bytesSinceCheck.computeIfAbsent(key, k -> new AtomicLong());
        if (since.get() < Math.max(1, schema.rolloverBytes() / 10)) return st;
        since.set(0);
        String current = st.current();
        perform("POST", "/" + current + "/_refresh", null);
        JsonNode stats = perform("GET", "/" + current + "/_stats/store", null);
        long size = stats.path("_all").path("primaries").path("store").path("size_in_bytes").asLong(0);
        if (size < schema.rolloverBytes()) return st;
        int n = IndexNames.parse(current).map(IndexNames.Parsed::n).orElse(0);
        String next = IndexNames.daily(schema.name(), day, n + 1);
        ObjectNode body = json.createObjectNode();
        ObjectNode aliases = body.putObject("aliases");
        aliases.putObject(readAlias(schema.name(), day));
        aliases.putObject(schema.name());
        try {
            perform("POST", "/" + st.writeAlias() + "/_rollover/" + next, body);
            log.info("es-index-rolled-over from={} to={} sizeBytes={} rolloverBytes={}", current, next, size,
                    schema.rolloverBytes());
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().contains("resource_already_exists_exception")) throw e;
        }
        DayState now = new DayState(st.writeAlias(), dayIndices(schema.name(), day, st.writeAlias()));
        days.put(key, now);
        return now;
    }

    private void countWritten(IndexSetSchema schema, byte[][] sources, List<LocalDate> docDays,
                              ItemResult[] results) {
        for (int i = 0; i < sources.length; i++) {
            if (results[i].status() == BulkResult.Status.OK) {
                String key = schema.name() + "|" + IndexNames.DAY.format(docDays.get(i));
                bytesSinceCheck.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(sources[i].length);
            }
        }
    }

    /**
     * Indexes every document of the index set again into its own physical index, with its id and {@code _source}
     * (scroll of 1,000 + {@code _bulk}), so Elasticsearch applies the current mapping to it. Done from the client
     * rather than with {@code _update_by_query}, which lives in Elasticsearch's {@code reindex} module that not every
     * distribution ships.
     */
    void reindex(String indexSet, io.bklog.spi.SnapshotRepository.ProgressListener progress) {
        indexSets.schema(indexSet);
        long done = 0;
        String scrollId = null;
        try {
            co.elastic.clients.elasticsearch.core.search.ResponseBody<JsonData> page = client.search(s -> s
                    .index(indexSet).ignoreUnavailable(true)
                    .allowNoIndices(true).size(1_000).scroll(t -> t.time("2m"))
                    .sort(o -> o.field(f -> f.field("_doc"))), JsonData.class);
            long total = page.hits().total() == null ? 0 : page.hits().total().value();
            progress.onProgress(0, "reindexing " + total + " documents of " + indexSet);
            while (true) {
                scrollId = page.scrollId();
                List<Hit<JsonData>> hits = page.hits().hits();
                if (hits.isEmpty()) break;
                List<BulkOperation> ops = new ArrayList<>(hits.size());
                for (Hit<JsonData> h : hits) {
                    // the id's sort copy is left out of _source by indices made before it was kept there: give it
                    // back
                    @SuppressWarnings("unchecked")
                    Map<String, Object> src = new LinkedHashMap<>(h.source().to(Map.class));
                    src.put(EsMappings.DOC_ID, h.id());
                    ops.add(BulkOperation.of(o -> o.index(i -> i.index(h.index()).id(h.id()).document(src))));
                }
                BulkResponse r = client.bulk(b -> b.operations(ops));
                if (r.errors()) {
                    BulkResponseItem bad = r.items().stream().filter(i -> i.error() != null).findFirst().orElseThrow();
                    throw new BackendException("reindex " + indexSet + ": document " + bad.id() + " refused: "
                            + bad.error().reason());
                }
                done += hits.size();
                progress.onProgress((double) done / Math.max(1, total), "reindexed " + done + " of " + total);
                String id = scrollId;
                page = client.scroll(c -> c.scrollId(id).scroll(t -> t.time("2m")), JsonData.class);
            }
            refresh(indexSet);
            log.info("es-reindexed indexSet={} docs={}", indexSet, done);
            progress.onProgress(1, "reindexed " + done + " documents of " + indexSet);
        } catch (ElasticsearchException e) {
            throw backendError("reindex " + indexSet, e);
        } catch (IOException e) {
            throw new BackendException("reindex " + indexSet + ": " + e.getMessage(), true, e);
        } finally {
            if (scrollId != null) {
                String id = scrollId;
                try {
                    client.clearScroll(c -> c.scrollId(id));
                } catch (IOException | RuntimeException e) {
                    log.debug("es-clear-scroll-failed indexSet={} error={}", indexSet, e.toString());
                }
            }
        }
    }

    void refresh(String indexSet) {
        try {
            client.indices().refresh(r -> r.index(indexSet).ignoreUnavailable(true).allowNoIndices(true));
        } catch (ElasticsearchException e) {
            if (e.status() != 404) throw backendError("refresh " + indexSet, e);
        } catch (IOException e) {
            throw backendError("refresh " + indexSet, e);
        }
    }

    private JsonNode perform(String method, String path, JsonNode body) {
        return http.perform(method, path, body);
    }

    private JsonNode performOrNull(String method, String path) {
        return http.performOrNull(method, path);
    }

    private BackendException backendError(String what, Exception e) {
        return http.unreachable(what, e);
    }
}
