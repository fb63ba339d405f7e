package io.bklog.core.search;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.ingest.source.EsIndexMapping;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.query.TimeExpressions;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * The read side of the Elasticsearch-compatible surface, for the clients that read back what they wrote: index
 * expressions ({@code app}, {@code app,nginx}, {@code filebeat-*}, {@code _all}) to the caller's index sets,
 * {@code _count} and a minimal {@code _search} over {@link SearchService} (so masking and the caller's space apply as
 * in bklog's own search), {@code _mapping} and {@code GET /{index}}, and {@code _refresh}.
 *
 * <p>Queries: {@code match_all}, {@code query_string} / {@code simple_query_string} (bklog's query-string syntax,
 * which is Lucene's), {@code match} / {@code match_phrase} / {@code term} (a phrase of the field), {@code terms},
 * {@code exists}, {@code range} (on the time field — {@code @timestamp}, {@code time} and {@code timestamp} name it
 * when the index set does not map them — it bounds the time range, with ISO-8601, epoch millis or {@code now-15m};
 * on other fields a query-string range) and {@code bool} of those ({@code must}, {@code filter}, {@code should},
 * {@code must_not}). Anything else answers {@code 400 parsing_exception} naming the query. {@code from}, {@code size}
 * (default 10), {@code sort} ({@code "f"}, {@code {"f": "asc"}}, {@code {"f": {"order": "desc"}}}, or a list of those;
 * {@code _score} and {@code _doc} are ignored), {@code _source} (false, or a list of fields) and the URI's {@code q},
 * {@code from}, {@code size}, {@code sort} are read; other keys are ignored. A field the index set does not map
 * matches nothing there (as in Elasticsearch), instead of bklog's {@code unknown_field}. Thread-safe.
 */
public final class EsCompatSearch {
    /**
     * The largest {@code from + size} of a {@code _search} that reaches more than one index set (one index set:
     * {@link SearchRequest#MAX_RESULT_WINDOW}): each set is asked for the whole window, so the cap bounds the work
     * and the memory of a wildcard search.
     */
    public static final int MAX_MULTI_INDEX_WINDOW = 1_000;
    private static final Set<String> TIME_ALIASES = Set.of("@timestamp", "time", "timestamp");

    private final IndexSetService indexSets;
    private final SearchService search;
    private final LogStore store;
    private final EsIndexMapping mapping;
    private final Clock clock;

    public EsCompatSearch(IndexSetService indexSets, SearchService search, LogStore store, EsIndexMapping mapping,
                          Clock clock) {
        this.indexSets = indexSets;
        this.search = search;
        this.store = store;
        this.mapping = mapping == null ? EsIndexMapping.none() : mapping;
        this.clock = clock;
    }

    /** The read side over a platform's index sets, search and store. */
    public static EsCompatSearch of(io.bklog.core.LogPlatform platform, EsIndexMapping mapping) {
        return new EsCompatSearch(platform.indexSets(), platform.search(), platform.internals().store(), mapping,
                platform.clock());
    }

    /**
     * The index sets an index expression names among those {@code visible} to the caller: {@code _all}, {@code *} or
     * none for all of them; a comma list; a wildcard (matching index set names and {@code es_compat.index_mapping}
     * patterns), which may match nothing; or a name resolved as {@code _bulk} resolves it (index set, alias, mapping,
     * data stream, versioned name) without creating anything.
     *
     * @throws EsCompatException {@code 404 index_not_found_exception} for a concrete name that names none of them
     *                           (another space's index set is answered exactly as a missing one)
     */
    public List<IndexSet> resolve(String expression, Predicate<IndexSet> visible) {
        Set<IndexSet> out = new LinkedHashSet<>();
        if (expression == null || expression.isBlank() || expression.equals("_all") || expression.equals("*")) {
            return indexSets.list().stream().filter(visible).toList();
        }
        for (String raw : expression.split(",")) {
            String name = raw.strip();
            if (name.isEmpty()) continue;
            if (name.contains("*") || name.contains("?")) {
                Pattern g = glob(name);
                for (IndexSet s : indexSets.list()) {
                    if (visible.test(s) && g.matcher(s.name()).matches()) out.add(s);
                }
                mapping.patterns().forEach((pattern, set) -> {
                    if (pattern.equals(name)) indexSets.find(set).filter(visible).ifPresent(out::add);
                });
                continue;
            }
            EsIndexMapping.Resolution r = mapping.resolve(name,
                    n -> indexSets.find(n).filter(visible).isPresent());
            if (r.indexSet().isEmpty() || r.create() != null) throw EsCompatException.indexNotFound(name);
            out.add(indexSets.find(r.indexSet().get()).filter(visible)
                    .orElseThrow(() -> EsCompatException.indexNotFound(name)));
        }
        return List.copyOf(out);
    }

    /** {@code POST /{index}/_refresh}: makes what was stored searchable; the answer's {@code _shards}. */
    public Map<String, Object> refresh(List<IndexSet> sets) {
        for (IndexSet s : sets) store.refresh(s.name());
        return Map.of("_shards", shards(sets.size(), false));
    }

    /** {@code _count}: the documents of {@code sets} matching the body's {@code query} (or the URI's {@code q}). */
    public Map<String, Object> count(List<IndexSet> sets, JsonNode body, String q, Function<IndexSet, Masker> masker) {
        long total = 0;
        for (IndexSet set : sets) {
            Translated t = translate(set, body == null ? null : body.get("query"), q);
            if (t == null) continue;
            total += run(set, t.params(0, 0, List.of(), List.of()), masker.apply(set)).total();
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("count", total);
        m.put("_shards", shards(sets.size(), true));
        return m;
    }

    /** {@code _search}: hits in Elasticsearch's shape, with {@code hits.total} exact. */
    public Map<String, Object> search(List<IndexSet> sets, JsonNode body, Map<String, String> uri,
                                      Function<IndexSet, Masker> masker) {
        long t0 = System.nanoTime();
        int from = intParam(body, uri, "from", 0);
        int size = intParam(body, uri, "size", SearchParams.DEFAULT_SIZE);
        if (from < 0 || size < 0) {
            throw new EsCompatException(400, "illegal_argument_exception", "[from] and [size] must be >= 0");
        }
        long requested = (long) from + size; // from=2147483647&size=1 must not wrap around
        int maxWindow = sets.size() > 1 ? MAX_MULTI_INDEX_WINDOW : SearchRequest.MAX_RESULT_WINDOW;
        if (requested > maxWindow) {
            throw new EsCompatException(400, "illegal_argument_exception", "Result window is too large, from + size"
                    + " must be less than or equal to: [" + maxWindow + "] but was [" + requested + "]"
                    + (sets.size() > 1 ? " (a search of " + sets.size() + " index sets; one index set allows "
                    + SearchRequest.MAX_RESULT_WINDOW + ")" : "") + ". See bklog's search_after"
                    + " (POST /api/v1/index_sets/{name}/search) for deeper pages.");
        }
        int window = (int) requested;
        List<String[]> sort = sort(body, uri.get("sort"));
        List<String> fields = sourceFields(body);
        boolean noSource = body != null && body.has("_source") && body.get("_source").isBoolean()
                && !body.get("_source").asBoolean();
        long total = 0;
        List<Map<String, Object>> hits = new ArrayList<>();
        for (IndexSet set : sets) {
            Translated t = translate(set, body == null ? null : body.get("query"), uri.get("q"));
            if (t == null) continue;
            List<List<String>> sortList = new ArrayList<>();
            for (String[] s : sort) {
                String f = timeAlias(set, s[0]);
                if (f.equals(set.timeField()) || set.fields().stream().anyMatch(x -> x.name().equals(f))) {
                    sortList.add(List.of(f, s[1]));
                }
            }
            List<String> setFields = new ArrayList<>(); // _source names the index set maps (others: none there)
            for (String f : fields) {
                String name = timeAlias(set, f);
                if (set.fields().stream().anyMatch(x -> x.name().equals(name)) && !setFields.contains(name)) {
                    setFields.add(name);
                }
            }
            if (!fields.isEmpty() && setFields.isEmpty()) setFields.add(set.timeField());
            // bounded merge: never more than the window kept from the sets before, plus this set's window
            int fetch = sort.isEmpty() ? Math.max(0, window - hits.size()) : window;
            SearchResponse r = run(set, t.params(0, fetch, sortList, setFields), masker.apply(set));
            total += r.total();
            for (SearchResult.Hit h : r.hits()) {
                Map<String, Object> hit = new LinkedHashMap<>();
                hit.put("_index", set.name());
                hit.put("_id", h.id());
                hit.put("_score", sort.isEmpty() ? 1.0 : null);
                if (!noSource) hit.put("_source", h.source());
                if (!sort.isEmpty()) hit.put("sort", h.sortValues().subList(0, Math.min(sortList.size(),
                        h.sortValues().size())));
                hits.add(hit);
            }
            if (sets.size() > 1 && !sort.isEmpty()) {
                hits.sort(bySortValues(sort));
                if (hits.size() > window) hits.subList(window, hits.size()).clear();
            }
        }
        List<Map<String, Object>> page = hits.subList(Math.min(from, hits.size()), Math.min(window, hits.size()));
        Map<String, Object> totalObj = new LinkedHashMap<>();
        totalObj.put("value", total);
        totalObj.put("relation", "eq");
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("total", totalObj);
        h.put("max_score", sort.isEmpty() && !page.isEmpty() ? 1.0 : null);
        h.put("hits", new ArrayList<>(page));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("took", (System.nanoTime() - t0) / 1_000_000);
        m.put("timed_out", false);
        m.put("_shards", shards(sets.size(), true));
        m.put("hits", h);
        return m;
    }

    /** {@code GET /{index}/_mapping}: each index set's fields as Elasticsearch mapping properties. */
    public Map<String, Object> mappings(List<IndexSet> sets) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (IndexSet s : sets) m.put(s.name(), Map.of("mappings", properties(s)));
        return m;
    }

    /** {@code GET /{index}}: aliases, mappings and settings of each index set, as Elasticsearch answers it. */
    public Map<String, Object> indices(List<IndexSet> sets) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (IndexSet s : sets) {
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("number_of_shards", String.valueOf(Math.max(1, s.shards())));
            index.put("number_of_replicas", String.valueOf(Math.max(0, s.replicas())));
            index.put("provided_name", s.name());
            index.put("creation_date", String.valueOf(s.createdAt() == null ? 0 : s.createdAt().toEpochMilli()));
            index.put("uuid", java.util.UUID.nameUUIDFromBytes(s.name().getBytes(java.nio.charset.StandardCharsets
                    .UTF_8)).toString());
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("aliases", Map.of());
            one.put("mappings", properties(s));
            one.put("settings", Map.of("index", index));
            m.put(s.name(), one);
        }
        return m;
    }

    /** The Elasticsearch mapping of an index set: its fields, dotted names as nested properties. */
    public static Map<String, Object> properties(IndexSet s) {
        Map<String, Object> props = new java.util.TreeMap<>();
        for (FieldSpec f : s.fields()) {
            Map<String, Object> at = props;
            String[] parts = f.name().split("\\.");
            for (int i = 0; i < parts.length - 1; i++) {
                Object o = at.get(parts[i]);
                @SuppressWarnings("unchecked")
                Map<String, Object> sub = o instanceof Map<?, ?> mm && mm.get("properties") instanceof Map<?, ?> p
                        ? (Map<String, Object>) p : null;
                if (sub == null) {
                    sub = new java.util.TreeMap<>();
                    Map<String, Object> obj = new LinkedHashMap<>();
                    if (o instanceof Map<?, ?> leaf) { // a field that also has sub-fields: keep both
                        @SuppressWarnings("unchecked") Map<String, Object> l = (Map<String, Object>) leaf;
                        obj.putAll(l);
                    }
                    obj.put("properties", sub);
                    at.put(parts[i], obj);
                }
                at = sub;
            }
            Object existing = at.get(parts[parts.length - 1]);
            Map<String, Object> leaf = new LinkedHashMap<>();
            leaf.put("type", esType(f.type()));
            if (existing instanceof Map<?, ?> e && e.get("properties") != null) {
                leaf.put("properties", e.get("properties"));
            }
            at.put(parts[parts.length - 1], leaf);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("dynamic", s.dynamic());
        m.put("properties", props);
        return m;
    }

    /** The Elasticsearch type name of a bklog field type. */
    public static String esType(FieldType t) {
        return switch (t) {
            case KEYWORD -> "keyword";
            case TEXT -> "text";
            case LONG -> "long";
            case DOUBLE -> "double";
            case BOOLEAN -> "boolean";
            case IP -> "ip";
            case DATE -> "date";
        };
    }

    /** The bklog field type of an Elasticsearch mapping type, or null for one bklog does not have. */
    public static FieldType fieldType(String esType) {
        if (esType == null) return null;
        return switch (esType) {
            case "keyword", "constant_keyword", "wildcard", "version" -> FieldType.KEYWORD;
            case "text", "match_only_text" -> FieldType.TEXT;
            case "long", "integer", "short", "byte", "unsigned_long" -> FieldType.LONG;
            case "double", "float", "half_float", "scaled_float" -> FieldType.DOUBLE;
            case "boolean" -> FieldType.BOOLEAN;
            case "ip" -> FieldType.IP;
            case "date", "date_nanos" -> FieldType.DATE;
            default -> null;
        };
    }

    private SearchResponse run(IndexSet set, SearchParams p, Masker masker) {
        try {
            return search.search(set.name(), p, masker);
        } catch (BklogException e) {
            if (e.code() == ErrorCode.UNKNOWN_FIELD) return new SearchResponse(0, 0, List.of());
            throw e;
        }
    }

    /** A query as bklog search parameters: a query string and a time range ({@code from} inclusive). */
    private record Translated(String keyword, Long fromMillis, Long toMillis) {
        SearchParams params(int begin, int size, List<List<String>> sort, List<String> fields) {
            return new SearchParams(keyword, null, fromMillis == null ? null : String.valueOf(fromMillis),
                    toMillis == null ? null : String.valueOf(toMillis), begin, size, sort, null, fields, null, null);
        }
    }

    /** The query for one index set; null when it can match nothing there (an empty time range). */
    private Translated translate(IndexSet set, JsonNode query, String q) {
        long[] range = {Long.MIN_VALUE, Long.MAX_VALUE};
        String keyword;
        if (query == null || query.isNull()) {
            keyword = q == null || q.isBlank() ? "*" : q;
        } else {
            keyword = clause(set, query, range, true);
            if (q != null && !q.isBlank()) keyword = "(" + q + ") AND (" + keyword + ")";
        }
        if (range[0] >= range[1]) return null;
        return new Translated(keyword, range[0] == Long.MIN_VALUE ? null : range[0],
                range[1] == Long.MAX_VALUE ? null : range[1]);
    }

    /**
     * One query clause as a query string; {@code conjunctive}: the clause must hold for every hit (top level, bool
     * must/filter), so a range on the time field narrows {@code range} instead.
     */
    private String clause(IndexSet set, JsonNode q, long[] range, boolean conjunctive) {
        if (!q.isObject() || q.size() != 1) {
            throw parsing("a query must be an object with one key, like {\"match_all\":{}}; got " + q);
        }
        String type = q.fieldNames().next();
        JsonNode body = q.get(type);
        switch (type) {
            case "match_all":
                return "*";
            case "query_string":
            case "simple_query_string": {
                JsonNode text = body.get("query");
                if (text == null || !text.isValueNode()) throw parsing("[" + type + "] requires [query]");
                String s = text.asText().strip();
                return s.isEmpty() ? "*" : "(" + s + ")";
            }
            case "match":
            case "match_phrase":
            case "term": {
                Map.Entry<String, JsonNode> e = single(type, body);
                JsonNode v = e.getValue().isObject() ? e.getValue().get(type.equals("term") ? "value" : "query")
                        : e.getValue();
                if (v == null || !v.isValueNode()) {
                    throw parsing("[" + type + "] on [" + e.getKey() + "] needs a value");
                }
                return field(set, e.getKey()) + ":" + quote(v.asText());
            }
            case "terms": {
                Map.Entry<String, JsonNode> e = single(type, body);
                if (!e.getValue().isArray() || e.getValue().isEmpty()) {
                    throw parsing("[terms] on [" + e.getKey() + "] needs an array of values");
                }
                List<String> parts = new ArrayList<>();
                for (JsonNode v : e.getValue()) parts.add(field(set, e.getKey()) + ":" + quote(v.asText()));
                return "(" + String.join(" OR ", parts) + ")";
            }
            case "exists": {
                JsonNode f = body.get("field");
                if (f == null || !f.isTextual()) throw parsing("[exists] requires [field]");
                return "_exists_:" + field(set, f.asText());
            }
            case "range":
                return range(set, single(type, body), range, conjunctive);
            case "bool":
                return bool(set, body, range, conjunctive);
            default:
                throw parsing("unknown query [" + type + "]: bklog's _search reads match_all, query_string,"
                        + " simple_query_string, match, match_phrase, term, terms, exists, range and bool");
        }
    }

    private String bool(IndexSet set, JsonNode body, long[] range, boolean conjunctive) {
        List<String> and = new ArrayList<>();
        for (String k : List.of("must", "filter")) {
            for (JsonNode c : list(body.get(k))) and.add(clause(set, c, range, conjunctive));
        }
        for (JsonNode c : list(body.get("must_not"))) and.add("NOT " + clause(set, c, range, false));
        List<String> or = new ArrayList<>();
        for (JsonNode c : list(body.get("should"))) or.add(clause(set, c, range, false));
        if (!or.isEmpty()) {
            boolean required = and.isEmpty() || (body.has("minimum_should_match")
                    && body.get("minimum_should_match").asInt(0) >= 1);
            if (required) and.add("(" + String.join(" OR ", or) + ")");
        }
        return and.isEmpty() ? "*" : "(" + String.join(" AND ", and) + ")";
    }

    private String range(IndexSet set, Map.Entry<String, JsonNode> e, long[] range, boolean conjunctive) {
        String f = field(set, e.getKey());
        JsonNode b = e.getValue();
        if (!b.isObject()) throw parsing("[range] on [" + e.getKey() + "] needs an object like {\"gte\": ...}");
        for (java.util.Iterator<String> it = b.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!Set.of("gte", "gt", "lte", "lt", "from", "to", "format", "time_zone", "include_lower",
                    "include_upper", "boost", "relation").contains(k)) {
                throw parsing("[range] query does not support [" + k + "]");
            }
        }
        if (f.equals(set.timeField()) && conjunctive) {
            if (b.hasNonNull("gte")) range[0] = Math.max(range[0], millis(b.get("gte")));
            if (b.hasNonNull("gt")) range[0] = Math.max(range[0], millis(b.get("gt")) + 1);
            if (b.hasNonNull("lt")) range[1] = Math.min(range[1], millis(b.get("lt")));
            if (b.hasNonNull("lte")) range[1] = Math.min(range[1], millis(b.get("lte")) + 1);
            return "*";
        }
        String lo = b.hasNonNull("gte") ? b.get("gte").asText() : b.hasNonNull("gt") ? b.get("gt").asText() : "*";
        String hi = b.hasNonNull("lte") ? b.get("lte").asText() : b.hasNonNull("lt") ? b.get("lt").asText() : "*";
        if (f.equals(set.timeField())) {
            lo = lo.equals("*") ? lo : String.valueOf(millis(b.get(b.hasNonNull("gte") ? "gte" : "gt")));
            hi = hi.equals("*") ? hi : String.valueOf(millis(b.get(b.hasNonNull("lte") ? "lte" : "lt")));
        }
        return f + ":" + (b.hasNonNull("gt") ? "{" : "[") + bound(lo) + " TO " + bound(hi)
                + (b.hasNonNull("lt") ? "}" : "]");
    }

    private long millis(JsonNode v) {
        if (v.isNumber()) return v.asLong();
        try {
            return TimeExpressions.parse(v.asText(), clock).toEpochMilli();
        } catch (IllegalArgumentException e) {
            throw parsing("failed to parse date field [" + v.asText() + "]: " + e.getMessage());
        }
    }

    /**
     * The index set's field a query names: {@code @timestamp}, {@code time}, {@code timestamp} are the time field
     * unless mapped.
     */
    private static String field(IndexSet set, String name) {
        return timeAlias(set, name);
    }

    private static String timeAlias(IndexSet set, String name) {
        if (TIME_ALIASES.contains(name) && set.fields().stream().noneMatch(f -> f.name().equals(name))) {
            return set.timeField();
        }
        return name;
    }

    private static Map.Entry<String, JsonNode> single(String type, JsonNode body) {
        if (body == null || !body.isObject() || body.size() != 1) {
            throw parsing("[" + type + "] query needs exactly one field, like {\"" + type + "\": {\"level\": ...}}");
        }
        return body.fields().next();
    }

    private static List<JsonNode> list(JsonNode n) {
        if (n == null || n.isNull()) return List.of();
        if (n.isArray()) {
            List<JsonNode> out = new ArrayList<>();
            n.forEach(out::add);
            return out;
        }
        return List.of(n);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static String bound(String s) {
        return s.equals("*") || s.matches("[^\\s\\]}\"]+") ? s : quote(s);
    }

    private static int intParam(JsonNode body, Map<String, String> uri, String key, int dflt) {
        String u = uri.get(key);
        try {
            if (u != null && !u.isBlank()) return Integer.parseInt(u.strip());
        } catch (NumberFormatException e) {
            throw new EsCompatException(400, "illegal_argument_exception", "Failed to parse int parameter [" + key
                    + "] with value [" + u + "]");
        }
        if (body != null && body.hasNonNull(key)) {
            if (!body.get(key).canConvertToInt()) {
                throw parsing("[" + key + "] must be an integer, got " + body.get(key));
            }
            return body.get(key).asInt();
        }
        return dflt;
    }

    /** [field, order] pairs of the body's {@code sort} or the URI's {@code sort=f:asc,g}. */
    private static List<String[]> sort(JsonNode body, String uri) {
        List<String[]> out = new ArrayList<>();
        if (uri != null && !uri.isBlank()) {
            for (String part : uri.split(",")) {
                String[] fo = part.strip().split(":", 2);
                add(out, fo[0], fo.length > 1 ? fo[1] : "asc");
            }
            return out;
        }
        if (body == null || !body.has("sort")) return out;
        for (JsonNode s : list(body.get("sort"))) {
            if (s.isTextual()) {
                add(out, s.asText(), s.asText().equals("_score") ? "desc" : "asc");
            } else if (s.isObject() && s.size() == 1) {
                Map.Entry<String, JsonNode> e = s.fields().next();
                JsonNode o = e.getValue();
                add(out, e.getKey(), o.isTextual() ? o.asText() : o.path("order").asText("asc"));
            } else {
                throw parsing("[sort] entries are \"field\", {\"field\": \"asc\"} or"
                        + " {\"field\": {\"order\": \"desc\"}}; got " + s);
            }
        }
        return out;
    }

    private static void add(List<String[]> out, String field, String order) {
        String o = order.toLowerCase(Locale.ROOT);
        if (!o.equals("asc") && !o.equals("desc")) {
            throw new EsCompatException(400, "illegal_argument_exception", "Unknown SortOrder [" + order + "]");
        }
        if (field.equals("_score") || field.equals("_doc")) return;
        out.add(new String[]{field, o});
    }

    private static List<String> sourceFields(JsonNode body) {
        if (body == null || !body.has("_source")) return List.of();
        JsonNode s = body.get("_source");
        List<String> out = new ArrayList<>();
        if (s.isTextual()) out.add(s.asText());
        if (s.isArray()) s.forEach(n -> out.add(n.asText()));
        if (s.isObject() && s.has("includes")) list(s.get("includes")).forEach(n -> out.add(n.asText()));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Comparator<Map<String, Object>> bySortValues(List<String[]> sort) {
        return (a, b) -> {
            List<Object> va = (List<Object>) a.get("sort");
            List<Object> vb = (List<Object>) b.get("sort");
            for (int i = 0; i < Math.min(sort.size(), Math.min(va.size(), vb.size())); i++) {
                int c = compare(va.get(i), vb.get(i));
                if (c != 0) return sort.get(i)[1].equals("desc") ? -c : c;
            }
            return 0;
        };
    }

    private static int compare(Object a, Object b) {
        if (a == null || b == null) return a == null ? (b == null ? 0 : 1) : -1;
        if (a instanceof Number x && b instanceof Number y) return Double.compare(x.doubleValue(), y.doubleValue());
        return String.valueOf(a).compareTo(String.valueOf(b));
    }

    private static Map<String, Object> shards(int n, boolean skipped) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", n);
        m.put("successful", n);
        if (skipped) m.put("skipped", 0);
        m.put("failed", 0);
        return m;
    }

    private static EsCompatException parsing(String reason) {
        return new EsCompatException(400, "parsing_exception", reason);
    }

    private static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (String part : glob.split("(?=[*?])|(?<=[*?])")) {
            switch (part) {
                case "*" -> re.append(".*");
                case "?" -> re.append('.');
                default -> re.append(Pattern.quote(part));
            }
        }
        return Pattern.compile(re.toString());
    }
}
