package io.bklog.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.mask.Masker;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.meta.PatternRecord;
import io.bklog.core.patterns.PatternQuery;
import io.bklog.core.patterns.PatternService;
import io.bklog.core.search.Addition;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Log clustering (docs/patterns.md): {@code GET /api/v1/index_sets/{name}/patterns} with a search's parameters as
 * query parameters ({@code keyword, addition} (a JSON array), {@code start_time, end_time}) plus
 * {@code compare_start_time, compare_end_time, sort, size, label}; {@code POST .../patterns} takes the same as a JSON
 * body (a search body with {@code compare_to: {start_time, end_time}}, {@code sort}, {@code size}, {@code label});
 * {@code PUT .../patterns/{id}/label} ({@code {"label": "disk full"}}, admin); {@code POST .../patterns/remine}
 * (admin; 202 with the task id). Templates, samples and labels are masked unless the token has {@code unmasked}.
 */
final class PatternRoutes implements RouteGroup {
    private static final TypeReference<List<Addition>> ADDITIONS = new TypeReference<>() {};

    record LabelBody(String label) {}

    private final PatternService patterns;
    private final MaskingService masking;
    private final Bodies bodies;
    private final ObjectMapper json;

    PatternRoutes(PatternService patterns, MaskingService masking, Bodies bodies, ObjectMapper json) {
        this.patterns = patterns;
        this.masking = masking;
        this.bodies = bodies;
        this.json = json;
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/index_sets/{name}/patterns", ctx -> {
            String name = ctx.pathParam("name");
            ctx.json(patterns.patterns(name, fromQuery(ctx), masker(ctx, name)));
        });
        app.post("/api/v1/index_sets/{name}/patterns", ctx -> {
            String name = ctx.pathParam("name");
            PatternQuery q = bodies.read(ctx, PatternQuery.class, PatternQuery.all());
            ctx.json(patterns.patterns(name, q, masker(ctx, name)));
        });
        app.put("/api/v1/index_sets/{name}/patterns/{id}/label", ctx -> {
            String name = ctx.pathParam("name");
            LabelBody b = bodies.read(ctx, LabelBody.class, new LabelBody(null));
            PatternRecord r = patterns.label(name, ctx.pathParam("id"), b.label());
            Masker m = masker(ctx, name);
            String field = patterns.fieldOf(name);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("id", r.id());
            out.put("template", m.mask(field, r.template()));
            out.put("label", r.label() == null ? null : m.mask(field, r.label()));
            ctx.json(out);
        });
        app.post("/api/v1/index_sets/{name}/patterns/remine", ctx -> {
            String id = patterns.submitRemine(ctx.pathParam("name"));
            ctx.status(HttpStatus.ACCEPTED).json(Map.of("task_id", id, "status_url", "/api/v1/tasks/status/" + id));
        });
    }

    private Masker masker(Context ctx, String indexSet) {
        return MaskedSearchRoutes.masker(ctx, masking, indexSet);
    }

    private PatternQuery fromQuery(Context ctx) {
        List<Addition> addition = null;
        String raw = ctx.queryParam("addition");
        if (raw != null && !raw.isBlank()) {
            try {
                addition = json.readValue(raw, ADDITIONS);
            } catch (java.io.IOException e) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "addition must be a JSON array of filters such as"
                        + " [{\"field\":\"serverIp\",\"operator\":\"is\",\"value\":\"10.0.0.1\"}]: "
                        + e.getMessage().split("\n")[0], "addition");
            }
        }
        String cs = ctx.queryParam("compare_start_time");
        String ce = ctx.queryParam("compare_end_time");
        PatternQuery.Range compare = cs == null && ce == null ? null : new PatternQuery.Range(cs, ce);
        Integer size = null;
        String s = ctx.queryParam("size");
        if (s != null && !s.isBlank()) {
            try {
                size = Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "size must be a whole number, got \"" + s + "\"",
                        "size");
            }
        }
        return new PatternQuery(ctx.queryParam("keyword"), addition, ctx.queryParam("start_time"),
                ctx.queryParam("end_time"), compare, ctx.queryParam("sort"), size, ctx.queryParam("label"));
    }
}
