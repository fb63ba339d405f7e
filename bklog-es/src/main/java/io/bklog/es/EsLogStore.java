package io.bklog.es;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.BulkResult.ItemResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.spi.query.Sort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * The Elasticsearch 8 {@link LogStore}. Per index set it keeps a composable index template ({@link EsMappings}) and
 * daily indices named as bklog names them ({@code v2_{set}_{yyyyMMdd}_{n}}) with a write alias
 * {@code write_{yyyyMMdd}_{set}}, a read alias {@code {set}_{yyyyMMdd}_read} and an alias equal to the index set name,
 * through which searches go (so {@code restore_} copies and indices aliased to the set are searched with it). A day's
 * index rolls over to {@code _{n+1}} when it passes the schema's {@code rolloverBytes}.
 *
 * <p>{@link #index} sends one bulk request (refresh: none) and waits for it; items Elasticsearch could not take now
 * are retried per the {@link BulkRetryPolicy} and then reported {@code RETRYABLE}; mapping and parsing errors are
 * {@code REJECTED} with Elasticsearch's reason. Searches translate the query AST to query DSL ({@link EsQueries}).
 */
public final class EsLogStore implements LogStore {
    public static final String BACKEND_NAME = "elasticsearch";
    private static final Logger log = LoggerFactory.getLogger(EsLogStore.class);

    private final EsConnection connection;
    private final boolean ownsConnection;
    private final ElasticsearchClient client;
    private final ObjectMapper json;
    private final EsHttp http;
    private final String templatePrefix;
    private final BulkRetryPolicy retryPolicy;
    private final Map<String, IndexSetSchema> schemas = new ConcurrentHashMap<>();
    /** "set|yyyyMMdd" → the day's indices (oldest first; the last one takes writes) once its write alias exists */
    private final Map<String, DayState> days = new ConcurrentHashMap<>();
    /** "set|yyyyMMdd" → approximate source bytes written since the last rollover check */
    private final Map<String, AtomicLong> bytesSinceCheck = new ConcurrentHashMap<>();

    private EsLogStore(Builder b) {
        this.ownsConnection = b.connection == null;
        this.connection = b.connection != null ? b.connection
                : EsConnection.connect(b.hosts, b.connectTimeout, b.requestTimeout);
        this.client = connection.client();
        this.json = connection.mapper();
        this.http = new EsHttp(connection);
        this.templatePrefix = b.templatePrefix;
        this.retryPolicy = b.retryPolicy;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String backendName() {
        return BACKEND_NAME;
    }

    public EsConnection connection() {
        return connection;
    }

    // ---------------------------------------------------------------- index sets

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        Objects.requireNonNull(schema, "schema");
        IndexSetSchema existing = loadSchema(schema.name());
        IndexSetSchema merged = schema;
        List<FieldSpec> added = schema.fields();
        if (existing != null) {
            Map<String, FieldSpec> byName = new LinkedHashMap<>();
            existing.fields().forEach(f -> byName.put(f.name(), f));
            List<FieldSpec> newOnes = new ArrayList<>();
            for (FieldSpec f : schema.fields()) {
                FieldSpec old = byName.get(f.name());
                if (old != null && old.type() != f.type()) {
                    throw new IllegalArgumentException("index set '" + schema.name() + "': field '" + f.name()
                            + "' is mapped as " + old.type().wireName() + " and cannot change to " + f.type().wireName()
                            + "; add a new field instead");
                }
                if (old == null) {
                    byName.put(f.name(), f);
                    newOnes.add(f);
                }
            }
            merged = new IndexSetSchema(schema.name(), existing.timeField(), List.copyOf(byName.values()),
                    schema.shards(), schema.replicas(), schema.rolloverBytes());
            added = newOnes;
        }
        ObjectNode body = json.createObjectNode();
        body.putArray("index_patterns").add(IndexNames.PREFIX + schema.name() + "_*");
        // a longer set name wins over a shorter one whose pattern also matches (v2_app_* vs v2_app_x_*)
        body.put("priority", 100 + schema.name().length());
        ObjectNode template = body.putObject("template");
        template.set("settings", EsMappings.settings(json, merged));
        template.set("mappings", EsMappings.mappings(json, merged));
        body.putObject("_meta").put("bklog_index_set", schema.name());
        perform("PUT", "/_index_template/" + templateName(schema.name()), body);
        if (existing != null && !added.isEmpty()) {
            ObjectNode mapping = json.createObjectNode();
            mapping.set("properties", EsMappings.properties(json, added));
            perform("PUT", "/" + IndexNames.PREFIX + schema.name() + "_*/_mapping?allow_no_indices=true", mapping);
        }
        schemas.put(schema.name(), merged);
        log.info("es-index-set-ensured indexSet={} fields={} added={}", schema.name(), merged.fields().size(),
                added.size());
    }

    @Override
    public Set<String> indexSets() {
        Set<String> out = new TreeSet<>(schemas.keySet());
        JsonNode r = performOrNull("GET", "/_index_template/" + templatePrefix + "*");
        if (r != null) {
            for (JsonNode t : r.path("index_templates")) {
                String set = t.path("index_template").path("_meta").path("bklog_index_set").asText("");
                if (!set.isEmpty()) out.add(set);
            }
        }
        return out;
    }

    /** The schema of an index set as this store knows it (cached, else read back from its template). */
    public IndexSetSchema schema(String indexSet) {
        IndexSetSchema s = loadSchema(indexSet);
        if (s == null) {
            throw new IllegalArgumentException("index set '" + indexSet + "' does not exist in Elasticsearch "
                    + connection.hosts() + "; create it with ensureIndexSet first");
        }
        return s;
    }

    private IndexSetSchema loadSchema(String indexSet) {
        IndexSetSchema cached = schemas.get(indexSet);
        if (cached != null) return cached;
        JsonNode r = performOrNull("GET", "/_index_template/" + templateName(indexSet));
        if (r == null) return null;
        for (JsonNode t : r.path("index_templates")) {
            JsonNode mappings = t.path("index_template").path("template").path("mappings");
            IndexSetSchema s = EsMappings.schemaOf(indexSet, mappings);
            schemas.put(indexSet, s);
            return s;
        }
        return null;
    }

    private final Map<String, Map<String, FieldType>> fieldTypes = new ConcurrentHashMap<>();

    private Map<String, FieldType> fieldTypes(IndexSetSchema schema) {
        Map<String, FieldType> cached = fieldTypes.get(schema.name());
        if (cached != null && cached.size() == schema.fields().size()) return cached;
        Map<String, FieldType> m = new HashMap<>();
        schema.fields().forEach(f -> m.put(f.name(), f.type()));
        fieldTypes.put(schema.name(), m);
        return m;
    }

    private String templateName(String indexSet) {
        return templatePrefix + indexSet;
    }

    // ---------------------------------------------------------------- write path

    static String writeAlias(String indexSet, LocalDate day) {
        return "write_" + IndexNames.DAY.format(day) + "_" + indexSet;
    }

    static String readAlias(String indexSet, LocalDate day) {
        return indexSet + "_" + IndexNames.DAY.format(day) + "_read";
    }

    @Override
    public BulkResult index(String indexSet, List<LogDocument> documents) {
        IndexSetSchema schema = schema(indexSet);
        int n = documents.size();
        ItemResult[] results = new ItemResult[n];
        if (n == 0) return new BulkResult(List.of());
        List<Map<String, Object>> sources = new ArrayList<>(n);
        List<LocalDate> days = new ArrayList<>(n);
        Map<String, FieldType> types = fieldTypes(schema);
        List<Integer> pending = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            LogDocument d = documents.get(i);
            Map<String, Object> src = new LinkedHashMap<>(d.fields().size() * 2);
            try {
                for (Map.Entry<String, Object> e : d.fields().entrySet()) {
                    FieldType type = e.getKey().equals(schema.timeField()) ? null : types.get(e.getKey());
                    src.put(e.getKey(), type == null ? e.getValue() : Values.convert(e.getKey(), type, e.getValue()));
                }
                pending.add(i);
            } catch (IllegalArgumentException e) {
                results[i] = ItemResult.rejected(d.id(), e.getMessage());
            }
            src.put(schema.timeField(), d.timestamp().toEpochMilli());
            src.put(EsMappings.DOC_ID, d.id());
            sources.add(src);
            days.add(IndexNames.dayOf(d.timestamp()));
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

    /** One bulk attempt over {@code pending}; fills results of finished items and returns the items to retry. */
    private List<Integer> attempt(IndexSetSchema schema, List<LogDocument> docs, List<Map<String, Object>> sources,
                                  List<LocalDate> days, List<Integer> pending, ItemResult[] results,
                                  String[] lastReason) {
        List<Integer> retry = new ArrayList<>();
        List<BulkOperation> ops = new ArrayList<>(pending.size());
        List<Integer> sent = new ArrayList<>(pending.size());
        Map<Integer, String> targets = new HashMap<>();
        Map<LocalDate, List<Integer>> byDay = new LinkedHashMap<>();
        for (int i : pending) byDay.computeIfAbsent(days.get(i), d -> new ArrayList<>()).add(i);
        for (Map.Entry<LocalDate, List<Integer>> e : byDay.entrySet()) {
            try {
                targets.putAll(resolveTargets(schema, e.getKey(), docs, e.getValue()));
            } catch (BackendException ex) {
                for (int i : e.getValue()) {
                    lastReason[i] = ex.getMessage();
                    retry.add(i);
                }
            }
        }
        for (int i : pending) {
            String target = targets.get(i);
            if (target == null) continue;
            boolean alias = target.startsWith("write_");
            String id = docs.get(i).id();
            Map<String, Object> src = sources.get(i);
            ops.add(BulkOperation.of(b -> b.index(ix -> ix.index(target).id(id).requireAlias(alias).document(src))));
            sent.add(i);
        }
        if (ops.isEmpty()) return retry;
        BulkResponse response;
        try {
            response = client.bulk(b -> b.operations(ops));
        } catch (ElasticsearchException e) {
            boolean retryable = isRetryableStatus(e.status());
            String reason = "bulk refused by Elasticsearch (" + e.status() + "): " + describe(e.error());
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
        List<BulkResponseItem> items = response.items();
        for (int k = 0; k < sent.size(); k++) {
            int i = sent.get(k);
            BulkResponseItem item = items.get(k);
            ErrorCause error = item.error();
            if (error == null && item.status() >= 200 && item.status() < 300) {
                results[i] = ItemResult.ok(docs.get(i).id());
                continue;
            }
            String type = error == null ? "" : Objects.toString(error.type(), "");
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

    private static boolean isRetryableStatus(int status) {
        return status == 429 || status >= 500 || status == 408;
    }

    /**
     * Elasticsearch's refusal of a regexp query whose automaton is too large
     * ({@code too_complex_to_determinize_exception}, usually inside a 400 {@code search_phase_execution_exception}),
     * as the SPI's exception; null for other errors.
     */
    static RegexTooComplexException regexTooComplex(io.bklog.spi.query.Query query, ElasticsearchException e) {
        StringBuilder all = new StringBuilder(describe(e.error()));
        if (e.error() != null) {
            for (ErrorCause c : e.error().rootCause()) all.append(' ').append(describe(c));
            if (e.error().metadata() != null) all.append(' ').append(e.error().metadata());
        }
        String text = all.toString();
        if (!text.contains("too_complex_to_determinize") && !text.contains("Determinizing")
                && !text.contains("maxDeterminizedStates")) {
            return null;
        }
        io.bklog.spi.query.Query.Regex r = firstRegex(query);
        return new RegexTooComplexException(r == null ? null : r.field(), r == null ? "?" : r.pattern(),
                "Elasticsearch refused to determinize it (too_complex_to_determinize_exception)", e);
    }

    private static io.bklog.spi.query.Query.Regex firstRegex(io.bklog.spi.query.Query q) {
        if (q instanceof io.bklog.spi.query.Query.Regex r) return r;
        if (q instanceof io.bklog.spi.query.Query.Bool b) {
            for (List<io.bklog.spi.query.Query> l : List.of(b.must(), b.should(), b.mustNot())) {
                for (io.bklog.spi.query.Query c : l) {
                    io.bklog.spi.query.Query.Regex r = firstRegex(c);
                    if (r != null) return r;
                }
            }
        }
        return null;
    }

    private static String describe(ErrorCause e) {
        if (e == null) return "unknown error";
        StringBuilder sb = new StringBuilder().append(e.type()).append(": ").append(e.reason());
        if (e.causedBy() != null) sb.append(" (caused by ").append(describe(e.causedBy())).append(')');
        return sb.toString();
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
    private Map<Integer, String> resolveTargets(IndexSetSchema schema, LocalDate day, List<LogDocument> docs,
                                                List<Integer> items) {
        DayState st = ensureDay(schema, day);
        Map<String, String> located = st.indices().size() > 1
                ? locate(st.indices(), items.stream().map(i -> docs.get(i).id()).toList()) : Map.of();
        boolean anyNew = items.stream().anyMatch(i -> !located.containsKey(docs.get(i).id()));
        if (anyNew && schema.rolloverBytes() > 0) st = rolloverIfFull(schema, day, st);
        Map<Integer, String> out = new HashMap<>();
        for (int i : items) out.put(i, located.getOrDefault(docs.get(i).id(), st.writeAlias()));
        return out;
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

    private void countWritten(IndexSetSchema schema, List<Map<String, Object>> sources, List<LocalDate> docDays,
                              ItemResult[] results) {
        for (int i = 0; i < sources.size(); i++) {
            if (results[i].status() == BulkResult.Status.OK) {
                String key = schema.name() + "|" + IndexNames.DAY.format(docDays.get(i));
                bytesSinceCheck.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(approximateBytes(sources.get(i)));
            }
        }
    }

    private static long approximateBytes(Map<String, Object> src) {
        long b = 2;
        for (Map.Entry<String, Object> e : src.entrySet()) {
            b += e.getKey().length() + 4 + String.valueOf(e.getValue()).length();
        }
        return b;
    }

    /**
     * Indexes every document of the index set again into its own physical index, with its id and {@code _source}
     * (scroll of 1,000 + {@code _bulk}), so Elasticsearch applies the current mapping to it. Done from the client
     * rather than with {@code _update_by_query}, which lives in Elasticsearch's {@code reindex} module that not every
     * distribution ships.
     */
    @Override
    public void reindex(String indexSet, io.bklog.spi.SnapshotRepository.ProgressListener progress) {
        schema(indexSet);
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
                    ops.add(BulkOperation.of(o -> o.index(i -> i.index(h.index()).id(h.id()).document(h.source()))));
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

    @Override
    public void refresh(String indexSet) {
        try {
            client.indices().refresh(r -> r.index(indexSet).ignoreUnavailable(true).allowNoIndices(true));
        } catch (ElasticsearchException e) {
            if (e.status() != 404) throw backendError("refresh " + indexSet, e);
        } catch (IOException e) {
            throw backendError("refresh " + indexSet, e);
        }
    }

    // ---------------------------------------------------------------- search

    @Override
    public SearchResult search(SearchRequest request) {
        List<IndexSetSchema> sets = new ArrayList<>();
        for (String s : request.indexSets()) {
            IndexSetSchema schema = loadSchema(s);
            if (schema != null) sets.add(schema);
        }
        Map<String, FieldType> fields = new LinkedHashMap<>();
        for (IndexSetSchema s : sets) {
            for (FieldSpec f : s.fields()) fields.putIfAbsent(f.name(), f.type());
        }
        if (sets.isEmpty()) {
            return new SearchResult(0, List.of(), emptyAggregations(request), 0);
        }
        Set<String> timeFields = new LinkedHashSet<>();
        sets.forEach(s -> timeFields.add(s.timeField()));
        String timeField = timeFields.iterator().next();

        Query query = new EsQueries(fields).translate(request.query());
        List<Query> filters = new ArrayList<>();
        if (request.from() != null || request.to() != null) {
            List<Query> ranges = new ArrayList<>();
            for (String tf : timeFields) {
                ranges.add(Query.of(q -> q.range(r -> r.untyped(u -> {
                    u.field(tf).format("epoch_millis");
                    if (request.from() != null) u.gte(JsonData.of(request.from().toEpochMilli()));
                    if (request.to() != null) u.lt(JsonData.of(request.to().toEpochMilli()));
                    return u;
                }))));
            }
            filters.add(ranges.size() == 1 ? ranges.get(0)
                    : Query.of(q -> q.bool(b -> b.should(ranges).minimumShouldMatch("1"))));
        }
        Query full = filters.isEmpty() ? query : Query.of(q -> q.bool(b -> b.must(query).filter(filters)));

        List<SortOptions> sort = new ArrayList<>();
        List<Sort> keys = request.sort().isEmpty() ? List.of(Sort.desc(timeField)) : request.sort();
        for (Sort s : keys) {
            FieldType type = fields.get(s.field());
            if (type == FieldType.TEXT) {
                throw new IllegalArgumentException("cannot sort on text field '" + s.field()
                        + "'; sort on a keyword, numeric, boolean, ip or date field");
            }
            var unmapped = esType(type);
            SortOrder order = s.order() == Sort.Order.ASC ? SortOrder.Asc : SortOrder.Desc;
            sort.add(SortOptions.of(o -> o.field(f -> f.field(s.field()).order(order).missing("_last")
                    .unmappedType(unmapped))));
        }
        sort.add(SortOptions.of(o -> o.field(f -> f.field(EsMappings.DOC_ID).order(SortOrder.Asc))));

        Map<String, Duration> intervals = histogramIntervals(request, timeField);
        EsAggregations aggs = new EsAggregations(fields);
        var esAggs = aggs.build(request.aggregations(), request.from(), request.to(), intervals);

        List<String> highlightFields = new ArrayList<>();
        if (request.highlight()) {
            fields.forEach((name, type) -> {
                if (type == FieldType.TEXT || type == FieldType.KEYWORD) highlightFields.add(name);
            });
        }

        SearchResponse<Map> response;
        try {
            response = client.search(s -> {
                s.index(request.indexSets()).ignoreUnavailable(true).allowNoIndices(true)
                        .query(full).sort(sort).size(request.size()).trackTotalHits(t -> t.enabled(true));
                if (request.searchAfter() != null) {
                    s.searchAfter(request.searchAfter().stream().map(EsLogStore::fieldValue).toList());
                } else {
                    s.from(request.offset());
                }
                if (!request.fields().isEmpty()) s.source(src -> src.filter(f -> f.includes(request.fields())));
                if (!esAggs.isEmpty()) s.aggregations(esAggs);
                if (!highlightFields.isEmpty()) {
                    s.highlight(h -> {
                        h.preTags("<mark>").postTags("</mark>").numberOfFragments(0).requireFieldMatch(true)
                                .maxAnalyzedOffset(1_000_000);
                        for (String f : highlightFields) h.fields(f, hf -> hf);
                        return h;
                    });
                }
                return s;
            }, Map.class);
        } catch (ElasticsearchException e) {
            if (e.status() == 400) {
                RegexTooComplexException tooComplex = regexTooComplex(request.query(), e);
                if (tooComplex != null) throw tooComplex;
                throw new IllegalArgumentException("Elasticsearch rejected the search: " + describe(e.error()), e);
            }
            throw backendError("search " + request.indexSets(), e);
        } catch (IOException e) {
            throw backendError("search " + request.indexSets(), e);
        }

        List<SearchResult.Hit> hits = new ArrayList<>();
        for (Hit<Map> h : response.hits().hits()) {
            Map<String, Object> source = new LinkedHashMap<>();
            if (h.source() != null) {
                for (Object o : h.source().entrySet()) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
                    String name = String.valueOf(e.getKey());
                    if (name.equals(EsMappings.DOC_ID)) continue;
                    source.put(name, Values.normalize(e.getValue(), fields.get(name)));
                }
            }
            Map<String, List<String>> highlights = new LinkedHashMap<>(h.highlight());
            List<Object> sortValues = h.sort().stream().map(EsLogStore::sortValue).toList();
            hits.add(new SearchResult.Hit(h.index(), h.id(), source, highlights, new ArrayList<>(sortValues)));
        }
        long total = response.hits().total() == null ? hits.size() : response.hits().total().value();
        Map<String, AggregationResult> aggResults = request.aggregations().isEmpty() ? Map.of()
                : aggs.parse(request.aggregations(), response.aggregations(), intervals);
        return new SearchResult(total, hits, aggResults, response.took());
    }

    private Map<String, AggregationResult> emptyAggregations(SearchRequest request) {
        Map<String, AggregationResult> out = new LinkedHashMap<>();
        request.aggregations().forEach((name, a) -> {
            if (a instanceof Aggregation.Terms) {
                out.put(name, new AggregationResult.TermsResult(List.of(), 0));
            } else if (a instanceof Aggregation.DateHistogram h) {
                out.put(name, new AggregationResult.HistogramResult(
                        h.interval() != null ? h.interval() : Duration.ofMinutes(1), List.of()));
            } else if (a instanceof Aggregation.Stats) {
                out.put(name, new AggregationResult.StatsResult(0, null, null, null, null));
            } else if (a instanceof Aggregation.Cardinality) {
                out.put(name, new AggregationResult.CardinalityResult(0));
            } else if (a instanceof Aggregation.Percentiles) {
                out.put(name, new AggregationResult.PercentilesResult(Map.of()));
            }
        });
        return out;
    }

    /** Fixed intervals as given; "auto" over the searched range, or over the data's time span when it is open. */
    private Map<String, Duration> histogramIntervals(SearchRequest request, String timeField) {
        Map<String, Duration> out = new HashMap<>();
        for (Map.Entry<String, Aggregation> e : request.aggregations().entrySet()) {
            if (!(e.getValue() instanceof Aggregation.DateHistogram h)) continue;
            if (h.interval() != null) {
                out.put(e.getKey(), h.interval());
                continue;
            }
            Instant from = request.from();
            Instant to = request.to();
            if (from == null || to == null) {
                Instant[] span = dataSpan(request, h.field());
                from = from != null ? from : span[0];
                to = to != null ? to : span[1];
            }
            out.put(e.getKey(), EsAggregations.interval(h, from, to));
        }
        return out;
    }

    private Instant[] dataSpan(SearchRequest request, String field) {
        SearchRequest probe = new SearchRequest(request.indexSets(), request.query(), request.from(), request.to(),
                List.of(), 0, 0, null, false, List.of(), Map.of("min", new Aggregation.Stats(field)));
        AggregationResult.StatsResult stats = (AggregationResult.StatsResult) search(probe).aggregations().get("min");
        if (stats.count() == 0) return new Instant[] {Instant.EPOCH, Instant.EPOCH.plusSeconds(60)};
        return new Instant[] {Instant.ofEpochMilli(stats.min().longValue()),
                Instant.ofEpochMilli(stats.max().longValue() + 1)};
    }

    private static co.elastic.clients.elasticsearch._types.mapping.FieldType esType(FieldType type) {
        if (type == null) return co.elastic.clients.elasticsearch._types.mapping.FieldType.Keyword;
        return switch (type) {
            case KEYWORD -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Keyword;
            case TEXT -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Text;
            case LONG -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Long;
            case DOUBLE -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Double;
            case BOOLEAN -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Boolean;
            case IP -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Ip;
            case DATE -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Date;
        };
    }

    static FieldValue fieldValue(Object v) {
        if (v == null) return FieldValue.NULL;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return FieldValue.of(((Number) v).longValue());
        }
        if (v instanceof Number n) return FieldValue.of(n.doubleValue());
        if (v instanceof Boolean b) return FieldValue.of(b);
        return FieldValue.of(v.toString());
    }

    static Object sortValue(FieldValue v) {
        if (v.isNull()) return null;
        if (v.isLong()) return v.longValue();
        if (v.isDouble()) return v.doubleValue();
        if (v.isBoolean()) return v.booleanValue();
        if (v.isString()) return v.stringValue();
        return v._get();
    }

    // ---------------------------------------------------------------- indices and aliases

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        String pattern = indexSetOrPattern == null || indexSetOrPattern.isBlank() ? "*" : indexSetOrPattern;
        JsonNode aliasesByIndex = perform("GET", "/_alias", null);
        JsonNode stats = perform("GET", "/_stats/docs,store?level=indices", null).path("indices");
        Set<String> sets = indexSets();
        Pattern glob = glob(pattern);
        List<IndexInfo> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = aliasesByIndex.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String index = e.getKey();
            if (index.startsWith(".")) continue;
            Set<String> aliases = new TreeSet<>();
            e.getValue().path("aliases").fieldNames().forEachRemaining(aliases::add);
            String set = IndexNames.parse(index).map(IndexNames.Parsed::indexSet)
                    .orElseGet(() -> aliases.stream().filter(sets::contains).findFirst().orElse(""));
            boolean match = glob.matcher(index).matches() || (!set.isEmpty() && glob.matcher(set).matches())
                    || aliases.stream().anyMatch(a -> glob.matcher(a).matches());
            if (!match) continue;
            JsonNode st = stats.path(index);
            long docs = st.path("primaries").path("docs").path("count").asLong(0);
            long bytes = st.path("total").path("store").path("size_in_bytes").asLong(0);
            out.add(new IndexInfo(index, set, docs, bytes, aliases));
        }
        out.sort(java.util.Comparator.comparing(IndexInfo::name));
        return out;
    }

    private static Pattern glob(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }

    @Override
    public void addAlias(String index, String alias) {
        ObjectNode actions = json.createObjectNode();
        actions.putArray("actions").addObject().putObject("add").put("index", index).put("alias", alias);
        perform("POST", "/_aliases", actions);
    }

    @Override
    public void removeAlias(String index, String alias) {
        ObjectNode actions = json.createObjectNode();
        actions.putArray("actions").addObject().putObject("remove").put("index", index).put("alias", alias)
                .put("must_exist", false);
        try {
            perform("POST", "/_aliases", actions);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().contains("index_not_found_exception")
                    && !e.getMessage().contains("aliases_not_found_exception")) {
                throw e;
            }
        }
    }

    @Override
    public void deleteIndices(Collection<String> indices) {
        List<String> names = new ArrayList<>(new LinkedHashSet<>(indices));
        for (int i = 0; i < names.size(); i += 50) {
            List<String> chunk = names.subList(i, Math.min(names.size(), i + 50));
            for (String n : chunk) {
                if (n.isBlank() || n.contains("*") || n.contains(",")) {
                    throw new IllegalArgumentException("deleteIndices takes concrete index names, got '" + n + "'");
                }
            }
            perform("DELETE", "/" + String.join(",", chunk) + "?ignore_unavailable=true&allow_no_indices=true"
                    + "&expand_wildcards=none", null);
            for (String n : chunk) {
                IndexNames.parse(n).ifPresent(p -> days.remove(p.indexSet() + "|" + IndexNames.DAY.format(p.day())));
            }
        }
    }

    @Override
    public void close() {
        if (ownsConnection) connection.close();
    }

    // ---------------------------------------------------------------- low-level JSON requests

    JsonNode perform(String method, String path, JsonNode body) {
        return http.perform(method, path, body);
    }

    JsonNode performOrNull(String method, String path) {
        return http.performOrNull(method, path);
    }

    private BackendException backendError(String what, Exception e) {
        return http.unreachable(what, e);
    }

    /**
     * Builder with defaults: hosts {@code http://127.0.0.1:9200}, connect timeout 5 s, request timeout 60 s,
     * {@link BulkRetryPolicy#DEFAULT}, template prefix {@code bklog_}.
     */
    public static final class Builder {
        private List<String> hosts = List.of("http://127.0.0.1:9200");
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private BulkRetryPolicy retryPolicy = BulkRetryPolicy.DEFAULT;
        private String templatePrefix = "bklog_";
        private EsConnection connection;

        private Builder() {}

        /** Nodes to talk to, {@code http://host:port}. */
        public Builder hosts(List<String> hosts) {
            this.hosts = List.copyOf(hosts);
            return this;
        }

        public Builder hosts(String... hosts) {
            return hosts(List.of(hosts));
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "connectTimeout");
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d, "requestTimeout");
            return this;
        }

        public Builder bulkRetry(BulkRetryPolicy p) {
            this.retryPolicy = Objects.requireNonNull(p, "bulkRetry");
            return this;
        }

        /**
         * Prefix of the index template names ({@code {prefix}{indexSet}}), so several deployments can share a
         * cluster's template namespace. Physical index names follow {@link IndexNames} and are not prefixed.
         */
        public Builder indexPrefix(String prefix) {
            if (prefix == null || !prefix.matches("[a-z0-9_\\-]*")) {
                throw new IllegalArgumentException("indexPrefix must match [a-z0-9_-]*, was '" + prefix + "'");
            }
            this.templatePrefix = prefix;
            return this;
        }

        /** Shares an existing connection (not closed by the store); hosts and timeouts are then ignored. */
        public Builder connection(EsConnection c) {
            this.connection = c;
            return this;
        }

        public EsLogStore build() {
            if (connection == null && hosts.isEmpty()) {
                throw new IllegalArgumentException("at least one Elasticsearch host is required");
            }
            return new EsLogStore(this);
        }
    }
}
