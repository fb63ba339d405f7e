package io.bklog.server.http;

import io.bklog.core.mask.Masker;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.search.ContextService;
import io.bklog.core.search.ExportService;
import io.bklog.core.search.FieldAnalysisService;
import io.bklog.core.search.SearchHistoryService;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchService;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * {@code POST /api/v1/index_sets/{name}/search} with bklog's search parameters (keyword, addition, start_time,
 * end_time, begin, size, sort_list, highlight, fields, search_after, aggs), and {@code POST .../context} (the lines
 * around one line of the same server_ip + path) and {@code POST .../export?file_type=csv|jsonl} (up to 10,000 lines; headers {@code X-Bklog-Total} and, past 10,000,
 * {@code X-Bklog-Truncated} pointing to the async export), {@code POST .../field_analysis?agg_field=f&limit=5},
 * {@code GET .../search_history} (the caller's own searches). Results are masked with the index set's
 * desensitize config unless the token has the {@code unmasked} role.
 */
final class MaskedSearchRoutes implements RouteGroup {
    private static final SearchParams DEFAULTS = SearchParams.of(null);

    /** The line a context is around, and how many lines each side. */
    record ContextBody(String serverIp, String path, Long dtEventTimeStamp, Long gseIndex, Long iterationIndex,
                       Integer size) {}

    private final SearchService search;
    private final ContextService context;
    private final ExportService export;
    private final FieldAnalysisService analysis;
    private final SearchHistoryService history;
    private final MaskingService masking;
    private final Bodies bodies;

    MaskedSearchRoutes(SearchService search, ContextService context, ExportService export,
                       FieldAnalysisService analysis, SearchHistoryService history,
                       MaskingService masking, Bodies bodies) {
        this.history = history;
        this.analysis = analysis;
        this.search = search;
        this.context = context;
        this.export = export;
        this.masking = masking;
        this.bodies = bodies;
    }

    /**
     * The masker for this caller: the index set's, or none for an {@code unmasked} token. The set is read fresh (a
     * set deleted and made again elsewhere is never masked with the old one's rules): the read the auth filter made
     * for this request when it made one, else a read here.
     */
    static Masker masker(Context ctx, MaskingService masking, String indexSet) {
        if (!AuthFilter.masked(ctx)) return Masker.none();
        io.bklog.core.meta.IndexSet read = AuthFilter.indexSetRead(ctx, indexSet);
        return read != null ? masking.masker(read) : masking.masker(indexSet);
    }

    /** The history owner: the token's name; {@code anonymous} with auth disabled. */
    static String user(Context ctx) {
        return AuthFilter.principal(ctx).map(p -> p.spaceUid() + "/" + p.tokenName()).orElse("anonymous");
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/index_sets/{name}/search", ctx -> {
            String name = ctx.pathParam("name");
            SearchParams p = bodies.read(ctx, SearchParams.class, DEFAULTS);
            ctx.json(search.search(name, p, masker(ctx, masking, name)));
            history.recordLater(user(ctx), name, p, AuthFilter.masked(ctx)); // off the answer's path
        });
        app.get("/api/v1/index_sets/{name}/search_history", ctx -> {
            int limit = ctx.queryParamAsClass("limit", Integer.class).getOrDefault(SearchHistoryService.DEFAULT_LIMIT);
            ctx.json(java.util.Map.of("history", history.recent(user(ctx), ctx.pathParam("name"), limit,
                    AuthFilter.masked(ctx))));
        });
        app.post("/api/v1/index_sets/{name}/context", ctx -> {
            String name = ctx.pathParam("name");
            ContextBody b = bodies.read(ctx, ContextBody.class, new ContextBody(null, null, null, null, null, null));
            ctx.json(context.context(name, new ContextService.Anchor(b.serverIp(), b.path(), b.dtEventTimeStamp(),
                    b.gseIndex(), b.iterationIndex()), b.size(), masker(ctx, masking, name)));
        });
        app.post("/api/v1/index_sets/{name}/field_analysis", ctx -> {
            String name = ctx.pathParam("name");
            SearchParams p = bodies.read(ctx, SearchParams.class, DEFAULTS);
            Integer limit = ctx.queryParamAsClass("limit", Integer.class).allowNullable().get();
            ctx.json(analysis.analyze(name, ctx.queryParam("agg_field"), p, limit, masker(ctx, masking, name)));
        });
        app.post("/api/v1/index_sets/{name}/export", ctx -> {
            String name = ctx.pathParam("name");
            ExportService.Format format = ExportService.Format.parse(ctx.queryParam("file_type"));
            SearchParams p = bodies.read(ctx, SearchParams.class, DEFAULTS);
            Masker m = masker(ctx, masking, name);
            long total = export.count(name, p, m);
            ctx.header("X-Bklog-Total", String.valueOf(total));
            if (total > ExportService.MAX_SYNC_ROWS) {
                ctx.header("X-Bklog-Truncated", "only the first " + ExportService.MAX_SYNC_ROWS + " of " + total
                        + " lines; export all of them with POST /api/v1/index_sets/" + name + "/exports");
            }
            ctx.contentType(format == ExportService.Format.CSV ? "text/csv; charset=utf-8"
                    : "application/x-ndjson; charset=utf-8");
            ctx.header("Content-Disposition", "attachment; filename=\"bk_log_search_" + name + "."
                    + format.extension() + "\"");
            export.export(name, p, format, m, ctx.outputStream());
        });
    }
}
