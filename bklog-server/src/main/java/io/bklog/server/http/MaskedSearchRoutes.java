package io.bklog.server.http;

import io.bklog.core.mask.Masker;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchService;
import io.javalin.Javalin;
import io.javalin.http.Context;

/**
 * {@code POST /api/v1/index_sets/{name}/search} with bklog's search parameters (keyword, addition, start_time,
 * end_time, begin, size, sort_list, highlight, fields, search_after, aggs). Results are masked with the index set's
 * desensitize config unless the token has the {@code unmasked} role.
 */
final class MaskedSearchRoutes implements RouteGroup {
    private static final SearchParams DEFAULTS = SearchParams.of(null);

    private final SearchService search;
    private final MaskingService masking;
    private final Bodies bodies;

    MaskedSearchRoutes(SearchService search, MaskingService masking, Bodies bodies) {
        this.search = search;
        this.masking = masking;
        this.bodies = bodies;
    }

    /** The masker for this caller: the index set's, or none for an {@code unmasked} token. */
    static Masker masker(Context ctx, MaskingService masking, String indexSet) {
        return AuthFilter.masked(ctx) ? masking.masker(indexSet) : Masker.none();
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/index_sets/{name}/search", ctx -> {
            String name = ctx.pathParam("name");
            SearchParams p = bodies.read(ctx, SearchParams.class, DEFAULTS);
            ctx.json(search.search(name, p, masker(ctx, masking, name)));
        });
    }
}
