package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.core.auth.Principal;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.auth.Role;
import io.bklog.core.ingest.source.EsBulkIngest;
import io.bklog.core.ingest.source.EsBulkService;
import io.bklog.core.mask.Masker;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.search.EsCompatException;
import io.bklog.core.search.EsCompatSearch;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * The Elasticsearch-compatible endpoint for shippers (Filebeat, Logstash, rsyslog {@code omelasticsearch}, syslog-ng
 * {@code elasticsearch-http}): {@code POST /_bulk}, {@code POST /{index}/_bulk}, {@code POST /{index}/_doc} into
 * {@link EsBulkService}, and the calls those clients make on start-up, answered as Elasticsearch
 * {@code es_compat.version} (8.19.x)
 * answers them: {@code GET /}, {@code /_cluster/health}, {@code /_license}, {@code /_xpack}, {@code /_nodes}, and
 * {@code HEAD/GET/PUT} of {@code /_template/{name}}, {@code /_index_template/{name}},
 * {@code /_component_template/{name}}, {@code /_ilm/policy/{name}} and {@code /_ingest/pipeline/{id}} (accepted and
 * remembered until restart so the client's existence checks pass; they do not change bklog's index sets). Every
 * answer carries {@code X-Elastic-Product: Elasticsearch}, errors are in the ES shape, and gzip/deflate request
 * bodies are read. Authentication: {@link AuthFilter} (a token with the {@code ingest} role as Basic password,
 * Bearer or ApiKey).
 */
public final class EsCompatRoutes implements RouteGroup {
    private static final Logger log = LoggerFactory.getLogger(EsCompatRoutes.class);

    private static final String LUCENE_VERSION = "9.12.2";
    private static final Pattern DOC_PATH = Pattern.compile("/[^/_][^/]*/_(bulk|doc|create)(/[^/]*)?");
    private static final List<String> ROOT_PATHS = List.of("/_bulk", "/_cluster", "/_license", "/_xpack", "/_nodes",
            "/_template", "/_index_template", "/_component_template", "/_ilm", "/_ingest");

    private final EsBulkService bulk;
    private final ObjectMapper json;
    private final String clusterName;
    private final String version;
    private final String clusterUuid = UUID.nameUUIDFromBytes("bklog".getBytes(StandardCharsets.UTF_8)).toString();
    private final String nodeId = "bklog-node-0";
    /** Templates, ILM policies and ingest pipelines shippers PUT: in the metadata database, shared by every instance. */
    private final io.bklog.core.meta.EsCompatResourceRepository resources;

    private final java.util.function.Predicate<String> autoCreateIn;
    private final EsCompatSearch reads;
    private final MaskingService masking;
    private final long maxBodyBytes;

    /**
     * The largest inflated request body when the server's {@code server.max_request_bytes} is not given:
     * Elasticsearch's {@code http.max_content_length} default.
     */
    public static final long DEFAULT_MAX_BODY_BYTES = 100L * 1024 * 1024;

    EsCompatRoutes(EsBulkService bulk, EsCompatSearch reads, MaskingService masking, ObjectMapper json,
                   String clusterName, String version, java.util.function.Predicate<String> autoCreateIn,
                   long maxBodyBytes, io.bklog.core.meta.EsCompatResourceRepository resources) {
        this.resources = java.util.Objects.requireNonNull(resources, "resources");
        if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be positive, got " + maxBodyBytes);
        this.maxBodyBytes = maxBodyBytes;
        this.autoCreateIn = autoCreateIn;
        this.reads = reads;
        this.masking = masking;
        this.version = version;
        this.bulk = bulk;
        this.json = json;
        this.clusterName = clusterName;
    }

    /** The endpoint over a platform's index sets and ingest runtime. */
    public static EsCompatRoutes of(io.bklog.core.LogPlatform platform, ObjectMapper json,
                                    io.bklog.core.ingest.source.EsIndexMapping mapping, String clusterName,
                                    String version) {
        return of(platform, json, mapping, clusterName, version, space -> true);
    }

    /** As above; {@code autoCreateIn} says which writers' spaces may make index sets for unknown index names. */
    public static EsCompatRoutes of(io.bklog.core.LogPlatform platform, ObjectMapper json,
                                    io.bklog.core.ingest.source.EsIndexMapping mapping, String clusterName,
                                    String version, java.util.function.Predicate<String> autoCreateIn) {
        return of(platform, json, mapping, clusterName, version, autoCreateIn, DEFAULT_MAX_BODY_BYTES);
    }

    /**
     * As above; {@code maxBodyBytes} bounds a request body after gzip/deflate inflation (the server passes its
     * {@code server.max_request_bytes}), past which the answer is 413 {@code content_too_long_exception}.
     */
    public static EsCompatRoutes of(io.bklog.core.LogPlatform platform, ObjectMapper json,
                                    io.bklog.core.ingest.source.EsIndexMapping mapping, String clusterName,
                                    String version, java.util.function.Predicate<String> autoCreateIn,
                                    long maxBodyBytes) {
        return new EsCompatRoutes(new EsBulkService(platform.indexSets(), platform.ingest(), platform.pipeline(),
                mapping), EsCompatSearch.of(platform, mapping),
                new MaskingService(platform.internals().metadata(), platform.indexSets()), json, clusterName,
                version, autoCreateIn, maxBodyBytes, platform.internals().metadata().esCompatResources());
    }

    /** Paths that are bklog's own; every other path is the Elasticsearch surface. */
    private static final List<String> BKLOG_PATHS = List.of("/api", "/healthz", "/livez", "/readyz", "/metrics",
            UiRoutes.PREFIX);
    private static final Pattern SEARCH_PATH = Pattern.compile("(/[^/]+)?/_(search|count)");
    private static final Pattern WRITE_PATH = Pattern.compile("(/[^/]+)?/_(bulk|doc|create)(/.*)?"
            + "|/_(index_template|component_template|template|ilm|ingest|data_stream)(/.*)?");

    private static final String ES_SURFACE = "bklog.es_surface";

    /**
     * Whether this request is on the Elasticsearch surface: its path is ({@link #handles}) and the surface is
     * served ({@code es_compat.enabled}); such requests authenticate and fail in Elasticsearch's ways.
     */
    static boolean isEs(Context ctx) {
        return ctx.attribute(ES_SURFACE) != null;
    }

    /**
     * Whether a request path belongs to this endpoint (for {@link AuthFilter}): every path but bklog's own
     * ({@code /api/**}, {@code /healthz}, {@code /livez}, {@code /readyz}, {@code /metrics}, the web UI's
     * {@code /ui/**}), so an unknown path
     * answers in Elasticsearch's error shape.
     */
    static boolean handles(String rawPath) {
        String path = normalize(rawPath);
        for (String p : BKLOG_PATHS) {
            if (!path.equals(p) && !path.startsWith(p + "/")) continue;
            // the UI's pages are /ui and /ui/<file>; /ui/_bulk, /ui/_doc/1 ... are an index named "ui" of a shipper
            if (p.equals(UiRoutes.PREFIX) && path.length() > p.length()
                    && (path.charAt(p.length() + 1) == '_' || path.indexOf('/', p.length() + 1) >= 0)) {
                return true;
            }
            return false;
        }
        return true;
    }

    /**
     * The role a request of the Elasticsearch surface needs: {@code viewer} to read documents ({@code _search},
     * {@code _count}), {@code ingest} to write ({@code _bulk}, {@code _doc}, {@code PUT /{index}}, templates, data
     * streams); null when either does (start-up and existence checks, {@code _mapping}, {@code _refresh}).
     */
    static Role requiredRole(String method, String rawPath) {
        // Javalin routes "/app/_search/" to "/app/_search": decide on the path as it is routed, never the raw one
        String path = normalize(rawPath);
        if (SEARCH_PATH.matcher(path).matches()) return Role.VIEWER;
        boolean read = method.equals("GET") || method.equals("HEAD");
        if (WRITE_PATH.matcher(path).matches() && (!read || path.contains("/_bulk") || path.contains("/_doc"))) {
            return Role.INGEST;
        }
        if (method.equals("PUT") && path.indexOf('/', 1) < 0) return Role.INGEST; // PUT /{index}
        return null;
    }

    /**
     * The path as Javalin routes it: runs of {@code /} collapsed to one and trailing {@code /} dropped
     * ({@code "/app/_search//"} is {@code "/app/_search"}); {@code "/"} stays {@code "/"}. Role checks decide on this,
     * so a trailing slash never reaches a handler under a weaker rule.
     */
    static String normalize(String path) {
        if (path == null || path.isEmpty()) return "/";
        String p = path.indexOf("//") >= 0 ? path.replaceAll("/{2,}", "/") : path;
        while (p.length() > 1 && p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p;
    }

    @Override
    public void register(Javalin app) {
        app.before(ctx -> {
            if (handles(ctx.path())) ctx.attribute(ES_SURFACE, Boolean.TRUE);
        });
        app.get("/", es(ctx -> ctx.json(info())));
        app.head("/", es(ctx -> ctx.status(200)));
        for (String path : List.of("/_bulk", "/{index}/_bulk")) {
            app.post(path, es(this::bulk));
            app.put(path, es(this::bulk));
        }
        app.post("/{index}/_doc", es(this::singleDoc));
        app.put("/{index}/_doc/{id}", es(this::singleDoc));
        app.post("/{index}/_doc/{id}", es(this::singleDoc));
        app.put("/{index}/_create/{id}", es(this::singleDoc));
        app.post("/{index}/_create/{id}", es(this::singleDoc));
        app.get("/_cluster/health", es(ctx -> ctx.json(health())));
        app.get("/_cluster/health/{index}", es(ctx -> ctx.json(health())));
        app.get("/_license", es(ctx -> ctx.json(Map.of("license", license()))));
        app.get("/_xpack", es(ctx -> ctx.json(xpack())));
        app.get("/_nodes", es(ctx -> ctx.json(nodes())));
        app.get("/_nodes/<selector>", es(ctx -> ctx.json(nodes())));
        for (String kind : List.of("_template", "_index_template", "_component_template", "_ilm/policy",
                "_ingest/pipeline")) {
            String path = "/" + kind + "/{name}";
            app.head(path, es(ctx -> {
                ErrorResponses.markWritten(ctx);
                ctx.status(resources.exists(kind, ctx.pathParam("name")) ? 200 : 404);
            }));
            app.get(path, es(ctx -> getResource(ctx, kind)));
            app.put(path, es(ctx -> putResource(ctx, kind)));
            app.post(path, es(ctx -> putResource(ctx, kind)));
        }
        for (String op : List.of("_refresh", "_flush")) {
            app.get("/" + op, es(ctx -> ctx.json(reads.refresh(readable(ctx, null)))));
            app.post("/" + op, es(ctx -> ctx.json(reads.refresh(readable(ctx, null)))));
            app.get("/{index}/" + op, es(ctx -> ctx.json(reads.refresh(readable(ctx, ctx.pathParam("index"))))));
            app.post("/{index}/" + op, es(ctx -> ctx.json(reads.refresh(readable(ctx, ctx.pathParam("index"))))));
        }
        for (String path : List.of("/_search", "/{index}/_search")) {
            app.get(path, es(this::search));
            app.post(path, es(this::search));
        }
        for (String path : List.of("/_count", "/{index}/_count")) {
            app.get(path, es(this::count));
            app.post(path, es(this::count));
        }
        app.get("/_mapping", es(ctx -> ctx.json(reads.mappings(readable(ctx, null)))));
        app.get("/{index}/_mapping", es(ctx -> ctx.json(reads.mappings(readable(ctx, ctx.pathParam("index"))))));
        app.get("/_data_stream", es(ctx -> ctx.json(dataStreams(readable(ctx, null)))));
        app.get("/_data_stream/{name}", es(ctx -> ctx.json(dataStreams(readable(ctx, ctx.pathParam("name"))))));
        app.put("/_data_stream/{name}", es(ctx -> {
            createIndex(ctx, ctx.pathParam("name"), null);
            ctx.json(Map.of("acknowledged", true));
        }));
        app.head("/{index}", es(ctx -> {
            ErrorResponses.markWritten(ctx);
            try {
                ctx.status(readable(ctx, ctx.pathParam("index")).isEmpty() ? 404 : 200);
            } catch (EsCompatException e) {
                ctx.status(e.status());
            }
        }));
        app.get("/{index}", es(ctx -> ctx.json(reads.indices(readable(ctx, indexName(ctx))))));
        app.put("/{index}", es(ctx -> {
            String name = indexName(ctx);
            String body = body(ctx);
            IndexSet made = createIndex(ctx, name, body.isBlank() ? null : json.readTree(body));
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("acknowledged", true);
            m.put("shards_acknowledged", true);
            m.put("index", name);
            if (!made.name().equals(name)) {
                log.info("es compat index created index={} index_set={} note=\"both names reach it\"", name,
                        made.name());
            }
            ctx.json(m);
        }));
    }

    /** The 404 fallback of the Elasticsearch surface: Elasticsearch's answer for a path it has no handler for. */
    static void noHandler(Context ctx) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "no handler found for uri [" + ctx.path() + "] and method [" + ctx.method() + "]"
                + " (bklog serves the Elasticsearch calls of shippers and log clients listed in docs/shipping.md)");
        body.put("status", 400);
        ctx.header("X-Elastic-Product", "Elasticsearch");
        ErrorResponses.markWritten(ctx);
        ctx.status(400).json(body);
    }

    /** The {@code {index}} path parameter, refused as Elasticsearch refuses a name starting with {@code _}. */
    private static String indexName(Context ctx) {
        String name = ctx.pathParam("index");
        if (name.startsWith("_")) {
            throw new EsCompatException(400, "invalid_index_name_exception", "Invalid index name [" + name
                    + "], must not start with '_'.", Map.of("index_uuid", "_na_", "index", name));
        }
        return name;
    }

    /** The index sets an index expression names that the caller may see (its space). */
    private List<IndexSet> readable(Context ctx, String expression) {
        Principal p = AuthFilter.principal(ctx).orElse(null);
        return reads.resolve(expression, set -> p == null || p.canSee(set.spaceUid()));
    }

    private java.util.function.Function<IndexSet, Masker> maskers(Context ctx) {
        boolean masked = AuthFilter.masked(ctx);
        return set -> masked ? masking.masker(set) : Masker.none();
    }

    private JsonNode jsonBody(Context ctx) throws IOException {
        String body = body(ctx);
        if (body.isBlank()) return null;
        JsonNode n = json.readTree(body);
        if (n != null && !n.isObject()) {
            throw new EsCompatException(400, "parsing_exception", "the request body must be a JSON object");
        }
        return n;
    }

    private void search(Context ctx) throws IOException {
        JsonNode body = jsonBody(ctx);
        Map<String, String> uri = new LinkedHashMap<>();
        for (String k : List.of("q", "from", "size", "sort")) {
            String v = ctx.queryParam(k);
            if (v != null) uri.put(k, v);
        }
        ctx.json(reads.search(readable(ctx, ctx.pathParamMap().get("index")), body, uri, maskers(ctx)));
    }

    private void count(Context ctx) throws IOException {
        ctx.json(reads.count(readable(ctx, ctx.pathParamMap().get("index")), jsonBody(ctx), ctx.queryParam("q"),
                maskers(ctx)));
    }

    /** {@code PUT /{index}}, {@code PUT /_data_stream/{name}}: makes the index set the name stands for. */
    private IndexSet createIndex(Context ctx, String name, JsonNode body) {
        Principal p = AuthFilter.principal(ctx).orElse(null);
        java.util.function.Predicate<IndexSet> visible = set -> p == null || p.canSee(set.spaceUid());
        List<io.bklog.spi.FieldSpec> fields = new java.util.ArrayList<>();
        JsonNode props = body == null ? null : body.path("mappings").path("properties");
        if (props != null && props.isObject()) mappedFields("", props, fields);
        EsBulkService.Created c = bulk.createIndex(name, visible, writerSpace(ctx), fields);
        return switch (c.outcome()) {
            case CREATED -> c.indexSet();
            case EXISTS -> throw new EsCompatException(400, "resource_already_exists_exception", "index ["
                    + name + "] already exists (bklog index set [" + c.indexSet().name() + "])",
                    Map.of("index_uuid", "_na_", "index", name));
            case REFUSED -> throw new EsCompatException(400, "illegal_argument_exception", "index [" + name
                    + "] cannot be created: " + c.reason());
        };
    }

    /** The fields of an Elasticsearch mapping's {@code properties}, dotted; types bklog lacks are left to dynamic. */
    private static void mappedFields(String prefix, JsonNode props, List<io.bklog.spi.FieldSpec> out) {
        props.fields().forEachRemaining(e -> {
            JsonNode def = e.getValue();
            if (def.has("properties")) {
                mappedFields(prefix + e.getKey() + ".", def.get("properties"), out);
                return;
            }
            io.bklog.spi.FieldType t = EsCompatSearch.fieldType(def.path("type").asText(null));
            if (t != null) out.add(io.bklog.spi.FieldSpec.of(prefix + e.getKey(), t));
        });
    }

    /** {@code GET /_data_stream[/{name}]}: each index set as a data stream with one backing index. */
    private static Map<String, Object> dataStreams(List<IndexSet> sets) {
        List<Object> out = new java.util.ArrayList<>();
        for (IndexSet s : sets) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("name", s.name());
            d.put("timestamp_field", Map.of("name", s.timeField()));
            d.put("indices", List.of(Map.of("index_name", s.name(), "index_uuid", UUID.nameUUIDFromBytes(
                    s.name().getBytes(StandardCharsets.UTF_8)).toString())));
            d.put("generation", 1);
            d.put("status", "GREEN");
            d.put("hidden", false);
            d.put("system", false);
            d.put("allow_custom_routing", false);
            d.put("replicated", false);
            out.add(d);
        }
        return Map.of("data_streams", out);
    }

    private String warning(String text) {
        return "299 Elasticsearch-" + version + "-bklog \"" + text.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private Handler es(Handler h) {
        return ctx -> {
            if (!isEs(ctx)) {
                // a bklog path ("/api", "/metrics") that a pattern like /{index} also matches: not ours, and not
                // authenticated as ours
                throw new io.javalin.http.NotFoundResponse();
            }
            ctx.header("X-Elastic-Product", "Elasticsearch");
            try {
                h.handle(ctx);
            } catch (EsCompatException e) {
                error(ctx, e.status(), e.type(), e.getMessage(), e.details());
            } catch (EsBulkIngest.MalformedBulkException e) {
                error(ctx, 400, e.type(), e.getMessage());
            } catch (io.bklog.spi.BackendException | io.bklog.core.meta.MetadataException e) {
                log.warn("es compat backend failed method={} path={} error=\"{}\"", ctx.method(), ctx.path(),
                        e.getMessage(), e);
                error(ctx, 503, "unavailable_shards_exception", "the store or the metadata database is unavailable: "
                        + e.getMessage() + "; retry with backoff and check /healthz");
            } catch (BklogException e) {
                if (e.code() == ErrorCode.INDEX_SET_NOT_FOUND) {
                    // bklog's message lists index sets; an ES caller learns only that its index is missing
                    error(ctx, 404, "index_not_found_exception", "no such index");
                } else {
                    error(ctx, e.code().httpStatus(), esType(e.code()), e.getMessage());
                }
            } catch (IllegalArgumentException e) {
                error(ctx, 400, "illegal_argument_exception", e.getMessage());
            } catch (IOException e) {
                error(ctx, 400, "parse_exception", "cannot read the request body: " + e.getMessage());
            } catch (io.javalin.http.HttpResponseException e) {
                throw e; // 413 and the like: ErrorResponses answers them in the ES shape
            } catch (io.bklog.spi.UnsupportedFeatureException e) {
                error(ctx, 501, "illegal_argument_exception", e.getMessage());
            } catch (RuntimeException e) {
                String id = UUID.randomUUID().toString();
                log.error("es compat request failed error_id={} method={} path={}", id, ctx.method(), ctx.path(), e);
                error(ctx, 500, "exception", "internal error (error_id=" + id + "); see the server log");
            }
        };
    }

    private void bulk(Context ctx) throws IOException {
        String body = body(ctx);
        if (body.isBlank()) {
            error(ctx, 400, "action_request_validation_exception", "Validation Failed: 1: no requests added;");
            return;
        }
        String key = ctx.header("Idempotency-Key");
        if (key != null && (key.isBlank() || key.length() > 255)) {
            error(ctx, 400, "illegal_argument_exception", "header Idempotency-Key must be 1 to 255 characters");
            return;
        }
        EsBulkService.Response r = bulk.bulk(body, ctx.pathParamMap().get("index"), refresh(ctx),
                writable(ctx), key, writerSpace(ctx));
        r.retryAfterSeconds().ifPresent(s -> ctx.header("Retry-After", String.valueOf(s)));
        for (String w : r.warnings()) ctx.header("Warning", warning(w));
        // the answer has an item per document (maps of strings and numbers): written by hand with one generator
        // rather than through the JSON mapper's serializer lookups for each of them (a tenth of the route's CPU)
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(128 + 160 * r.items());
        try (com.fasterxml.jackson.core.JsonGenerator g = json.getFactory().createGenerator(out)) {
            g.setCodec(json);
            writeJson(g, r.body());
        }
        ctx.contentType(io.javalin.http.ContentType.APPLICATION_JSON).result(out.toByteArray());
    }

    /** Writes maps, lists, strings, numbers, booleans and nulls as JSON; anything else through the mapper. */
    static void writeJson(com.fasterxml.jackson.core.JsonGenerator g, Object v) throws IOException {
        if (v == null) {
            g.writeNull();
        } else if (v instanceof String s) {
            g.writeString(s);
        } else if (v instanceof EsBulkService.CreatedItem c) {
            c.write(g);
        } else if (v instanceof Map<?, ?> m) {
            g.writeStartObject();
            for (Map.Entry<?, ?> e : m.entrySet()) {
                g.writeFieldName(String.valueOf(e.getKey()));
                writeJson(g, e.getValue());
            }
            g.writeEndObject();
        } else if (v instanceof List<?> l) {
            g.writeStartArray();
            for (Object o : l) writeJson(g, o);
            g.writeEndArray();
        } else if (v instanceof Integer i) {
            g.writeNumber(i);
        } else if (v instanceof Long n) {
            g.writeNumber(n);
        } else if (v instanceof Boolean b) {
            g.writeBoolean(b);
        } else {
            g.writeObject(v);
        }
    }

    /** The Elasticsearch error type of a bklog error. */
    private static String esType(ErrorCode code) {
        return switch (code) {
            case INDEX_SET_NOT_FOUND -> "index_not_found_exception";
            case BAD_QUERY -> "query_shard_exception";
            case BAD_JSON -> "parsing_exception";
            case INGEST_BUSY -> "es_rejected_execution_exception";
            case PAYLOAD_TOO_LARGE -> "content_too_long_exception";
            default -> code.httpStatus() >= 500 ? "exception" : "illegal_argument_exception";
        };
    }

    /** {@code POST /{index}/_doc[/{id}]}: one document, answered as Elasticsearch answers an index request. */
    private void singleDoc(Context ctx) throws IOException {
        String source = body(ctx).strip();
        if (source.isEmpty()) {
            error(ctx, 400, "action_request_validation_exception", "Validation Failed: 1: source is missing;");
            return;
        }
        if (source.indexOf('\n') >= 0) source = json.writeValueAsString(json.readTree(source));
        Map<String, Object> meta = new LinkedHashMap<>();
        String id = ctx.pathParamMap().get("id");
        if (id != null) meta.put("_id", id);
        String action = ctx.path().contains("/_create/") ? "create" : "index";
        String ndjson = json.writeValueAsString(Map.of(action, meta)) + "\n" + source + "\n";
        EsBulkService.Response r = bulk.bulk(ndjson, ctx.pathParam("index"), refresh(ctx), writable(ctx), null,
                writerSpace(ctx));
        @SuppressWarnings("unchecked")
        Map<String, Object> item = (Map<String, Object>) ((Map<String, Object>) ((List<?>) r.body().get("items"))
                .get(0)).get(action);
        int status = ((Number) item.get("status")).intValue();
        if (item.get("error") instanceof Map<?, ?> err) {
            r.retryAfterSeconds().ifPresent(s -> ctx.header("Retry-After", String.valueOf(s)));
            error(ctx, status, String.valueOf(err.get("type")), String.valueOf(err.get("reason")));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>(item);
        out.remove("status");
        ctx.status(status).json(out);
    }

    private static boolean refresh(Context ctx) {
        String r = ctx.queryParam("refresh");
        return r != null && (r.isEmpty() || r.equals("true") || r.equals("wait_for"));
    }

    /**
     * The space an auto-created index set goes to: the token's, or the default space with auth off; null when that
     * space may not make index sets ({@code es_compat.auto_create_index_spaces}).
     */
    private String writerSpace(Context ctx) {
        String space = AuthFilter.principal(ctx).map(Principal::spaceUid)
                .orElse(io.bklog.core.LogPlatformBuilder.DEFAULT_SPACE);
        return autoCreateIn.test(space) ? space : null;
    }

    private static java.util.function.Predicate<io.bklog.core.meta.IndexSet> writable(Context ctx) {
        Principal p = AuthFilter.principal(ctx).orElse(null);
        return set -> p == null || p.canSee(set.spaceUid());
    }

    /**
     * The body, inflated when the client compressed it ({@code Content-Encoding: gzip|deflate}), never past
     * {@code maxBodyBytes} inflated (a small gzip of zeros may inflate a thousandfold): 413 beyond.
     */
    private String body(Context ctx) throws IOException {
        byte[] raw = ctx.bodyAsBytes();
        String enc = ctx.header("Content-Encoding");
        if (enc == null || enc.isBlank() || enc.equalsIgnoreCase("identity")) {
            return new String(raw, StandardCharsets.UTF_8);
        }
        InputStream in = switch (enc.strip().toLowerCase(java.util.Locale.ROOT)) {
            case "gzip", "x-gzip" -> new GZIPInputStream(new ByteArrayInputStream(raw));
            case "deflate" -> new InflaterInputStream(new ByteArrayInputStream(raw));
            default -> throw new IllegalArgumentException("unsupported Content-Encoding [" + enc
                    + "]; send gzip, deflate or an uncompressed body");
        };
        try (in) {
            byte[] inflated = in.readNBytes((int) Math.min(maxBodyBytes + 1, Integer.MAX_VALUE - 8));
            if (inflated.length > maxBodyBytes) {
                throw new io.javalin.http.ContentTooLargeResponse("the " + enc.strip() + " request body inflates to"
                        + " more than the limit of " + maxBodyBytes + " bytes (server.max_request_bytes); send"
                        + " smaller bulk requests");
            }
            return new String(inflated, StandardCharsets.UTF_8);
        }
    }

    private void putResource(Context ctx, String kind) throws IOException {
        String name = ctx.pathParam("name");
        if (name.length() > 255) throw new IllegalArgumentException("the name of a " + kind + " is at most 255"
                + " characters, got " + name.length());
        String body = body(ctx);
        JsonNode node = body.isBlank() ? json.createObjectNode() : json.readTree(body);
        if (!node.isObject()) throw new IllegalArgumentException("the body of PUT /" + kind + "/" + name
                + " must be a JSON object");
        resources.put(kind, name, json.writeValueAsString(node));
        log.info("es compat resource accepted kind={} name={} note=\"remembered for existence checks; bklog index"
                + " sets keep their own mappings\"", kind, name);
        ctx.json(Map.of("acknowledged", true));
    }

    private JsonNode readTree(String text) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            throw new IllegalStateException("a stored Elasticsearch-compatible resource is not JSON: " + e.getMessage(), e);
        }
    }

    private void getResource(Context ctx, String kind) {
        String name = ctx.pathParam("name");
        JsonNode node = resources.get(kind, name).map(this::readTree).orElse(null);
        if (node == null) {
            if (kind.equals("_template") || kind.equals("_ingest/pipeline")) {
                ErrorResponses.markWritten(ctx);
                ctx.status(404).json(Map.of());
            } else {
                error(ctx, 404, "resource_not_found_exception", switch (kind) {
                    case "_ilm/policy" -> "Lifecycle policy not found: " + name;
                    case "_index_template" -> "index template matching [" + name + "] not found";
                    default -> "component template matching [" + name + "] not found";
                });
            }
            return;
        }
        ObjectNode body = node.deepCopy();
        switch (kind) {
            case "_index_template" -> {
                if (!body.has("index_patterns")) body.putArray("index_patterns");
                if (!body.has("composed_of")) body.putArray("composed_of");
                ctx.json(Map.of("index_templates", List.of(Map.of("name", name, "index_template", body))));
            }
            case "_component_template" -> {
                if (!body.has("template")) body.putObject("template");
                ctx.json(Map.of("component_templates", List.of(Map.of("name", name, "component_template", body))));
            }
            case "_ilm/policy" -> {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("version", 1);
                p.put("modified_date", Instant.EPOCH.toString());
                p.put("policy", body.has("policy") ? body.get("policy") : body);
                ctx.json(Map.of(name, p));
            }
            default -> ctx.json(Map.of(name, body));
        }
    }

    private Map<String, Object> info() {
        Map<String, Object> version = new LinkedHashMap<>();
        version.put("number", this.version);
        version.put("build_flavor", "default");
        version.put("build_type", "tar");
        version.put("build_hash", "bklog");
        version.put("build_date", "2025-01-01T00:00:00.000Z");
        version.put("build_snapshot", false);
        version.put("lucene_version", LUCENE_VERSION);
        version.put("minimum_wire_compatibility_version", "7.17.0");
        version.put("minimum_index_compatibility_version", "7.0.0");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", nodeName());
        m.put("cluster_name", clusterName);
        m.put("cluster_uuid", clusterUuid);
        m.put("version", version);
        m.put("tagline", "You Know, for Search");
        return m;
    }

    private String nodeName() {
        return clusterName + "-0";
    }

    private Map<String, Object> health() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cluster_name", clusterName);
        m.put("status", "green");
        m.put("timed_out", false);
        m.put("number_of_nodes", 1);
        m.put("number_of_data_nodes", 1);
        m.put("active_primary_shards", 0);
        m.put("active_shards", 0);
        m.put("relocating_shards", 0);
        m.put("initializing_shards", 0);
        m.put("unassigned_shards", 0);
        m.put("unassigned_primary_shards", 0);
        m.put("delayed_unassigned_shards", 0);
        m.put("number_of_pending_tasks", 0);
        m.put("number_of_in_flight_fetch", 0);
        m.put("task_max_waiting_in_queue_millis", 0);
        m.put("active_shards_percent_as_number", 100.0);
        return m;
    }

    private Map<String, Object> license() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("status", "active");
        m.put("uid", clusterUuid);
        m.put("type", "basic");
        m.put("issue_date", "2025-01-01T00:00:00.000Z");
        m.put("issue_date_in_millis", 1_735_689_600_000L);
        m.put("max_nodes", 1000);
        m.put("max_resource_units", null);
        m.put("issued_to", clusterName);
        m.put("issuer", "elasticsearch");
        m.put("start_date_in_millis", -1);
        return m;
    }

    private Map<String, Object> xpack() {
        Map<String, Object> build = Map.of("hash", "bklog", "date", "2025-01-01T00:00:00.000Z");
        Map<String, Object> lic = new LinkedHashMap<>();
        lic.put("uid", clusterUuid);
        lic.put("type", "basic");
        lic.put("mode", "basic");
        lic.put("status", "active");
        lic.put("expiry_date_in_millis", 4_102_444_800_000L);
        Map<String, Object> features = new LinkedHashMap<>();
        for (String f : List.of("aggregate_metric", "analytics", "archive", "ccr", "data_streams", "data_tiers",
                "enrich", "enterprise_search", "eql", "esql", "frozen_indices", "graph", "ilm", "logstash", "logsdb",
                "ml", "monitoring", "rollup", "runtime_fields", "searchable_snapshots", "security", "slm", "spatial",
                "sql", "transform", "universal_profiling", "voting_only", "watcher")) {
            boolean on = f.equals("ilm") || f.equals("data_streams") || f.equals("security");
            features.put(f, Map.of("available", on, "enabled", on));
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("build", build);
        m.put("license", lic);
        m.put("features", features);
        m.put("tagline", "You know, for X");
        return m;
    }

    private Map<String, Object> nodes() {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", nodeName());
        node.put("transport_address", "127.0.0.1:9300");
        node.put("host", "127.0.0.1");
        node.put("ip", "127.0.0.1");
        node.put("version", version);
        node.put("build_flavor", "default");
        node.put("build_type", "tar");
        node.put("build_hash", "bklog");
        node.put("roles", List.of("data", "ingest", "master"));
        node.put("attributes", Map.of());
        node.put("transport_version", 8_841_000);
        node.put("index_version", 8_536_000);
        node.put("component_versions", Map.of());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("_nodes", Map.of("total", 1, "successful", 1, "failed", 0));
        m.put("cluster_name", clusterName);
        m.put("nodes", Map.of(nodeId, node));
        return m;
    }

    /** Writes an error in the Elasticsearch shape {@code {"error": {"root_cause", "type", "reason"}, "status"}}. */
    static void error(Context ctx, int status, String type, String reason) {
        error(ctx, status, type, reason, Map.of());
    }

    /** As {@link #error(Context, int, String, String)}, with extra keys of the error ({@code index}...). */
    static void error(Context ctx, int status, String type, String reason, Map<String, Object> details) {
        Map<String, Object> cause = new LinkedHashMap<>();
        cause.put("type", type);
        cause.put("reason", reason);
        cause.putAll(details);
        Map<String, Object> err = new LinkedHashMap<>(cause);
        err.put("root_cause", List.of(cause));
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", err);
        body.put("status", status);
        ctx.header("X-Elastic-Product", "Elasticsearch");
        ErrorResponses.markWritten(ctx);
        ctx.status(status).json(body);
    }
}
