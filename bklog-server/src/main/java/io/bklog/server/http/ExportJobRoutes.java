package io.bklog.server.http;

import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.meta.ExportJob;
import io.bklog.core.search.ExportJobService;
import io.bklog.core.search.ExportStore;
import io.bklog.core.search.ExportService;
import io.bklog.core.search.SearchParams;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Async export: {@code POST /api/v1/index_sets/{name}/exports?file_type=csv|jsonl} (a search body; answers 202 with
 * the job), {@code GET /api/v1/exports} (the space's jobs), {@code GET /api/v1/exports/{id}} (status, progress, size,
 * expiry, download url) and {@code GET /api/v1/exports/{id}/download} (the gzip file). Jobs of another space, and
 * for a masked caller unmasked jobs, answer 404.
 */
final class ExportJobRoutes implements RouteGroup {
    private static final SearchParams DEFAULTS = SearchParams.of(null);

    private final ExportJobService exports;
    private final MaskingService masking;
    private final Bodies bodies;

    ExportJobRoutes(ExportJobService exports, MaskingService masking, Bodies bodies) {
        this.exports = exports;
        this.masking = masking;
        this.bodies = bodies;
    }

    private static String space(Context ctx) {
        return AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/index_sets/{name}/exports", ctx -> {
            String name = ctx.pathParam("name");
            ExportService.Format format = ExportService.Format.parse(ctx.queryParam("file_type"));
            SearchParams p = bodies.read(ctx, SearchParams.class, DEFAULTS);
            ExportJob job = exports.submit(space(ctx), name, p, format, MaskedSearchRoutes.masker(ctx, masking, name),
                    AuthFilter.masked(ctx), MaskedSearchRoutes.user(ctx));
            ctx.status(202).json(exports.view(job));
        });
        app.get("/api/v1/exports", ctx -> {
            int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(100);
            ctx.json(Map.of("exports", exports.list(space(ctx), AuthFilter.masked(ctx), limit).stream()
                    .map(exports::view).toList()));
        });
        app.get("/api/v1/exports/{id}", ctx ->
                ctx.json(exports.view(exports.get(space(ctx), ctx.pathParam("id"), AuthFilter.masked(ctx)))));
        app.get("/api/v1/exports/{id}/download", ctx -> {
            String id = ctx.pathParam("id");
            ExportJob job = exports.get(space(ctx), id, AuthFilter.masked(ctx));
            // from the data dir or the shared export store (export.store), whichever instance ran the export
            try (ExportStore.Download file = exports.download(space(ctx), id, AuthFilter.masked(ctx))) {
                ctx.contentType("application/gzip");
                ctx.header("Content-Length", String.valueOf(file.sizeBytes()));
                ctx.header("Content-Disposition", "attachment; filename=\"" + ExportJobService.fileName(job) + "\"");
                file.content().transferTo(ctx.res().getOutputStream());
            }
        });
    }
}
