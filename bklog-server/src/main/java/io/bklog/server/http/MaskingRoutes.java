package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.auth.Principal;
import io.bklog.core.auth.Role;
import io.bklog.core.mask.FieldMaskConfig;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.meta.DesensitizeRule;
import io.javalin.Javalin;

import java.util.List;
import java.util.Map;

/**
 * Desensitize rules and index set masking configs: {@code GET/POST /api/v1/desensitize/rules},
 * {@code DELETE /api/v1/desensitize/rules/{id}}, {@code GET/PUT /api/v1/index_sets/{name}/desensitize} and
 * {@code POST /api/v1/index_sets/{name}/desensitize/preview}.
 */
final class MaskingRoutes implements RouteGroup {
    record RuleBody(String ruleName, String operator, JsonNode params, String matchPattern, List<String> matchFields,
                    Boolean isPublic, Boolean isActive) {}

    record ConfigBody(List<FieldMaskConfig> fieldConfigs, List<String> textFields) {}

    record PreviewBody(List<Map<String, Object>> samples, List<FieldMaskConfig> fieldConfigs, List<String> textFields) {}

    private final MaskingService masking;
    private final Bodies bodies;

    MaskingRoutes(MaskingService masking, Bodies bodies) {
        this.masking = masking;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/desensitize/rules", ctx ->
                ctx.json(Map.of("rules", masking.rules(AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE)))));
        app.post("/api/v1/desensitize/rules", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            RuleBody b = bodies.read(ctx, RuleBody.class, new RuleBody(null, null, null, null, null, null, null));
            String space = AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
            boolean pub = Boolean.TRUE.equals(b.isPublic());
            if (pub && !space.equals(LogPlatformBuilder.DEFAULT_SPACE)) {
                throw new AuthFilter.AuthFailure(403, "forbidden", "only an admin of the default space may make"
                        + " public rules");
            }
            DesensitizeRule rule;
            try {
                rule = new DesensitizeRule(0, b.ruleName(), b.operator(), b.params(), b.matchPattern(),
                        b.matchFields(), pub ? null : space, pub, b.isActive() == null || b.isActive(), null, 0,
                        null, null);
            } catch (IllegalArgumentException e) {
                throw new BklogException(ErrorCode.BAD_REQUEST, e.getMessage(), "rule_name");
            }
            ctx.status(201).json(masking.createRule(rule));
        });
        app.delete("/api/v1/desensitize/rules/{id}", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            long id = ctx.pathParamAsClass("id", Long.class).get();
            DesensitizeRule r = masking.rule(id);
            Principal p = AuthFilter.principal(ctx).orElse(null);
            if (p != null && !(r.isPublic() ? p.spaceUid().equals(LogPlatformBuilder.DEFAULT_SPACE)
                    : p.spaceUid().equals(r.spaceUid()))) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "no desensitize rule with id " + id, "rule_id");
            }
            masking.deleteRule(id);
            ctx.status(204);
        });
        app.get("/api/v1/index_sets/{name}/desensitize", ctx -> {
            String name = ctx.pathParam("name");
            ctx.json(Map.of("field_configs", masking.fieldConfigs(name), "text_fields", masking.textFields(name)));
        });
        app.put("/api/v1/index_sets/{name}/desensitize", ctx -> {
            ConfigBody b = bodies.read(ctx, ConfigBody.class, new ConfigBody(null, null));
            masking.configure(ctx.pathParam("name"), orEmpty(b.fieldConfigs()), orEmpty(b.textFields()));
            String name = ctx.pathParam("name");
            ctx.json(Map.of("field_configs", masking.fieldConfigs(name), "text_fields", masking.textFields(name)));
        });
        app.post("/api/v1/index_sets/{name}/desensitize/preview", ctx -> {
            PreviewBody b = bodies.read(ctx, PreviewBody.class, new PreviewBody(null, null, null));
            ctx.json(Map.of("samples", masking.preview(ctx.pathParam("name"), orEmpty(b.samples()),
                    orEmpty(b.fieldConfigs()), orEmpty(b.textFields()))));
        });
    }

    private static <T> List<T> orEmpty(List<T> l) {
        return l == null ? List.of() : l;
    }
}
