package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.auth.Principal;
import io.bklog.core.auth.Role;
import io.bklog.core.collect.CollectorService;
import io.bklog.core.collect.CollectorStatus;
import io.bklog.core.etl.ParsedDocument;
import io.bklog.core.etl.time.TimeParseResult;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.meta.IndexSet;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Collectors and the ETL helpers: {@code GET|POST /api/v1/collectors}, {@code GET|PUT|DELETE
 * /api/v1/collectors/{id}}, {@code POST /api/v1/collectors/{id}/start|stop}, {@code POST /api/v1/etl/preview},
 * {@code POST /api/v1/etl/time_format}. Writes need the {@code admin} role, reads {@code viewer}; a collector of an
 * index set in another space answers 404 as if it did not exist.
 */
final class CollectorRoutes implements RouteGroup {
    private static final Set<String> CONFIG_KEYS = Set.of("name", "index_set", "source_type", "source_params",
            "filters", "multiline", "etl_config", "etl_params", "fields", "active", "description", "version", "targets");
    private static final Set<String> PREVIEW_KEYS = Set.of("lines", "path", "etl_config", "etl_params", "fields",
            "multiline", "filters");
    private static final Set<String> TIME_KEYS = Set.of("data", "time_format", "time_zone");

    private final CollectorService collectors;
    private final IndexSetService indexSets;
    private final Bodies bodies;

    CollectorRoutes(CollectorService collectors, IndexSetService indexSets, Bodies bodies) {
        this.collectors = collectors;
        this.indexSets = indexSets;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/collectors", ctx -> {
            String set = ctx.queryParam("index_set");
            if (set != null) visible(ctx, indexSets.get(set).spaceUid(), set);
            List<CollectorConfig> list = set == null ? collectors.list() : collectors.list(set);
            List<Map<String, Object>> out = new ArrayList<>();
            for (CollectorConfig c : list) {
                CollectorService.View v = collectors.view(c);
                if (canSee(ctx, v.indexSet())) out.add(view(v));
            }
            ctx.json(Map.of("collectors", out, "source_types", collectors.sourceTypes()));
        });
        app.post("/api/v1/collectors", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            JsonNode body = object(ctx, CONFIG_KEYS);
            hostResource(ctx, text(body, "source_type"), "create");
            String set = text(body, "index_set");
            if (set != null) indexSets.find(set).ifPresent(s -> visible(ctx, s.spaceUid(), set));
            CollectorConfig c = config(() -> new CollectorConfig(0, required(body, "name"), 0,
                    required(body, "source_type"), body.get("source_params"), body.get("filters"),
                    body.get("multiline"), text(body, "etl_config") == null ? "bk_log_text" : text(body, "etl_config"),
                    body.get("etl_params"), body.get("fields"), bool(body, "active", true), text(body, "description"),
                    0, null, null, body.get("targets")));
            CollectorConfig saved = collectors.create(c, set);
            ctx.status(HttpStatus.CREATED).json(view(collectors.view(saved)));
        });
        app.get("/api/v1/collectors/{id}", ctx -> ctx.json(view(collectors.view(find(ctx)))));
        app.put("/api/v1/collectors/{id}", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            CollectorConfig cur = find(ctx);
            JsonNode body = object(ctx, CONFIG_KEYS);
            hostResource(ctx, cur.sourceType(), "change");
            hostResource(ctx, text(body, "source_type"), "change");
            String set = text(body, "index_set");
            if (set != null) indexSets.find(set).ifPresent(s -> visible(ctx, s.spaceUid(), set));
            long version = body.has("version") && !body.get("version").isNull() ? longValue(body, "version")
                    : cur.version();
            CollectorConfig c = config(() -> new CollectorConfig(cur.id(), or(text(body, "name"), cur.name()),
                    set == null ? cur.indexSetId() : 0, or(text(body, "source_type"), cur.sourceType()),
                    or(body.get("source_params"), cur.sourceParams()), or(body.get("filters"), cur.filters()),
                    or(body.get("multiline"), cur.multiline()), or(text(body, "etl_config"), cur.etlConfig()),
                    or(body.get("etl_params"), cur.etlParams()), or(body.get("fields"), cur.fields()),
                    bool(body, "active", cur.active()), or(text(body, "description"), cur.description()), version,
                    cur.createdAt(), cur.updatedAt(), or(body.get("targets"), cur.targets())));
            ctx.json(view(collectors.view(collectors.update(c, set))));
        });
        app.delete("/api/v1/collectors/{id}", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            CollectorConfig c = find(ctx);
            collectors.delete(c.id());
            ctx.json(Map.of("id", c.id(), "name", c.name(), "deleted", true));
        });
        app.post("/api/v1/collectors/{id}/start", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            ctx.json(view(collectors.view(collectors.start(find(ctx).id()))));
        });
        app.post("/api/v1/collectors/{id}/stop", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            ctx.json(view(collectors.view(collectors.stop(find(ctx).id()))));
        });
        app.post("/api/v1/etl/preview", this::preview);
        app.post("/api/v1/etl/time_format", ctx -> {
            JsonNode body = object(ctx, TIME_KEYS);
            Integer zone = null;
            if (body.has("time_zone") && !body.get("time_zone").isNull()) zone = (int) longValue(body, "time_zone");
            TimeParseResult r = collectors.testTime(text(body, "data"), text(body, "time_format"), zone);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("data", r.value());
            out.put("time_format", r.format());
            out.put("time_zone", zone == null ? 0 : zone);
            out.put("timestamp", r.instant().toEpochMilli());
            out.put("utc", r.instant().toString());
            ctx.json(out);
        });
    }

    private void preview(Context ctx) {
        JsonNode body = object(ctx, PREVIEW_KEYS);
        JsonNode lines = body.get("lines");
        if (lines == null || !lines.isArray() || lines.isEmpty()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "lines: required, a non-empty list of sample lines",
                    "lines");
        }
        List<String> sample = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).isTextual()) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "lines[" + i + "]: expected a string", "lines[" + i + "]");
            }
            sample.add(lines.get(i).asText());
        }
        if (sample.size() > 1000) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "lines: " + sample.size() + " lines; at most 1000 per"
                    + " preview", "lines");
        }
        List<CollectorService.PreviewLine> out = collectors.preview(sample, required(body, "etl_config"),
                body.get("etl_params"), body.get("fields"), body.get("multiline"), body.get("filters"),
                text(body, "path"));
        List<Map<String, Object>> items = new ArrayList<>();
        for (CollectorService.PreviewLine l : out) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("line", l.line());
            m.put("filtered", l.filtered());
            ParsedDocument d = l.document();
            if (d != null) {
                m.put("timestamp", d.timestamp().toEpochMilli());
                m.put("time_format", d.timeFormat());
                m.put("parse_failure", d.parseFailure());
                m.put("failure_reason", d.failureReason());
                m.put("fields", d.fields());
            }
            items.add(m);
        }
        ctx.json(Map.of("lines", items));
    }

    /** File and syslog collectors use the host's files and ports: only a platform admin may create or change them. */
    private void hostResource(Context ctx, String sourceType, String verb) {
        if (collectors.hostResource(sourceType)) {
            AuthFilter.requirePlatformAdmin(ctx, verb + " a '" + sourceType + "' collector (it reads the host's"
                    + (sourceType.equals("syslog") ? " ports" : " files") + ")");
        }
    }

    /** A record refusing a blank or too long name or source type answers 400 naming it. */
    private static CollectorConfig config(java.util.function.Supplier<CollectorConfig> make) {
        try {
            return make.get();
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, e.getMessage(), null);
        }
    }

    private CollectorConfig find(Context ctx) {
        long id;
        try {
            id = Long.parseLong(ctx.pathParam("id"));
        } catch (NumberFormatException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "collector id '" + ctx.pathParam("id") + "' is not a"
                    + " number", "id");
        }
        CollectorConfig c = collectors.get(id);
        Optional<IndexSet> set = indexSets.list().stream().filter(s -> s.id() == c.indexSetId()).findFirst();
        if (set.isPresent() && !canSee(ctx, set.get().name())) {
            throw new BklogException(ErrorCode.COLLECTOR_NOT_FOUND, "no collector config with id " + id, "id");
        }
        return c;
    }

    private boolean canSee(Context ctx, String indexSet) {
        Optional<Principal> p = AuthFilter.principal(ctx);
        if (p.isEmpty() || indexSet == null) return true;
        return indexSets.find(indexSet).map(s -> p.get().canSee(s.spaceUid())).orElse(true);
    }

    private static void visible(Context ctx, String space, String name) {
        Optional<Principal> p = AuthFilter.principal(ctx);
        if (p.isPresent() && !p.get().canSee(space)) {
            throw new BklogException(ErrorCode.INDEX_SET_NOT_FOUND, "no index set named '" + name + "'", "index_set");
        }
    }

    private static Map<String, Object> view(CollectorService.View v) {
        CollectorConfig c = v.config();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", c.id());
        m.put("name", c.name());
        m.put("index_set", v.indexSet());
        m.put("index_set_id", c.indexSetId());
        m.put("source_type", c.sourceType());
        m.put("source_params", c.sourceParams());
        m.put("filters", c.filters());
        m.put("multiline", c.multiline());
        m.put("etl_config", c.etlConfig());
        m.put("etl_params", c.etlParams());
        m.put("fields", c.fields());
        m.put("active", c.active());
        m.put("targets", c.targets());
        m.put("description", c.description());
        m.put("version", c.version());
        m.put("created_at", c.createdAt());
        m.put("updated_at", c.updatedAt());
        CollectorStatus s = v.status();
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("state", s.state());
        st.put("reason", s.reason());
        st.put("detail", s.detail());
        st.put("since", s.since());
        m.put("status", st);
        return m;
    }

    private JsonNode object(Context ctx, Set<String> known) {
        JsonNode body = bodies.read(ctx, JsonNode.class, JsonNodeFactory.instance.objectNode());
        if (!body.isObject()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "the request body must be a JSON object", "body");
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "unknown parameter '" + k + "'; known: "
                        + String.join(", ", known.stream().sorted().toList()), k);
            }
        }
        return body;
    }

    private static String text(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isValueNode()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, key + ": expected a string", key);
        }
        return v.asText();
    }

    private static String required(JsonNode body, String key) {
        String v = text(body, key);
        if (v == null || v.isBlank()) throw new BklogException(ErrorCode.BAD_REQUEST, key + ": required", key);
        return v;
    }

    private static boolean bool(JsonNode body, String key, boolean def) {
        JsonNode v = body.get(key);
        if (v == null || v.isNull()) return def;
        if (!v.isBoolean()) throw new BklogException(ErrorCode.BAD_REQUEST, key + ": expected true or false", key);
        return v.asBoolean();
    }

    private static long longValue(JsonNode body, String key) {
        JsonNode v = body.get(key);
        if (v.isIntegralNumber()) return v.asLong();
        if (v.isTextual() && v.asText().trim().matches("-?\\d{1,18}")) return Long.parseLong(v.asText().trim());
        throw new BklogException(ErrorCode.BAD_REQUEST, key + ": expected an integer but found " + v, key);
    }

    private static <T> T or(T v, T def) {
        return v == null || (v instanceof JsonNode n && n.isNull()) ? def : v;
    }
}
