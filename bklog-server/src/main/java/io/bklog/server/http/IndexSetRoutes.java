package io.bklog.server.http;

import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.indexset.IndexSetSpec;
import io.javalin.Javalin;
import io.javalin.http.HttpStatus;

import java.util.Map;

/**
 * {@code PUT|GET /api/v1/index_sets/{name}}, {@code GET /api/v1/index_sets}. With auth, an index set is created in
 * the token's space and only that space's index sets are listed or read ({@link AuthFilter}).
 */
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
                    bodies.read(ctx, IndexSetSpec.class, IndexSetSpec.defaults()),
                    AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE));
            ctx.status(r.created() ? HttpStatus.CREATED : HttpStatus.OK).json(r.indexSet());
        });
        app.get("/api/v1/index_sets", ctx -> ctx.json(Map.of("index_sets", AuthFilter.principal(ctx)
                .map(p -> indexSets.list(p.spaceUid())).orElseGet(indexSets::list))));
        app.get("/api/v1/index_sets/{name}", ctx -> ctx.json(indexSets.get(ctx.pathParam("name"))));
    }
}
