package io.bklog.server.http;

import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.indexset.IndexSetSpec;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;

import java.util.Map;

/** {@code PUT|GET /api/v1/index_sets/{name}}, {@code GET /api/v1/index_sets}. */
final class IndexSetRoutes implements RouteGroup {
    private final IndexSetService indexSets;
    private final Bodies bodies;

    IndexSetRoutes(IndexSetService indexSets, Bodies bodies) {
        this.indexSets = indexSets;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.put("/api/v1/index_sets/{name}", ctx -> {
            IndexSetService.PutResult r = indexSets.put(ctx.pathParam("name"),
                    bodies.read(ctx, IndexSetSpec.class, IndexSetSpec.defaults()));
            ctx.status(r.created() ? HttpStatus.CREATED : HttpStatus.OK).json(r.indexSet());
        });
        app.get("/api/v1/index_sets", ctx -> ctx.json(Map.of("index_sets", indexSets.list())));
        app.get("/api/v1/index_sets/{name}", ctx -> ctx.json(indexSets.get(ctx.pathParam("name"))));
    }
}
