package io.bklog.server.http;

import io.bklog.core.search.SearchParams;
import io.bklog.core.search.SearchService;
import io.javalin.Javalin;

/** {@code POST /api/v1/index_sets/{name}/search} with bklog's search parameters. */
final class SearchRoutes implements RouteGroup {
    private static final SearchParams DEFAULTS = SearchParams.of(null);

    private final SearchService search;
    private final Bodies bodies;

    SearchRoutes(SearchService search, Bodies bodies) {
        this.search = search;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/index_sets/{name}/search", ctx ->
                ctx.json(search.search(ctx.pathParam("name"), bodies.read(ctx, SearchParams.class, DEFAULTS))));
    }
}
