package io.bklog.server.http;

import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.search.FavoriteService;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.Map;

/**
 * Favorites (saved searches) of the caller: {@code GET|POST /api/v1/favorites}, {@code GET|PUT|DELETE
 * /api/v1/favorites/{id}}. The owner is the token (its space and name); a favorite is private unless
 * {@code visible_type} is {@code public}, which shows it to every token of the space. A favorite saved by an
 * {@code unmasked} token is never shown to a masked one (its query may hold raw values; docs/security.md).
 */
final class FavoriteRoutes implements RouteGroup {
    private final FavoriteService favorites;
    private final Bodies bodies;

    FavoriteRoutes(FavoriteService favorites, Bodies bodies) {
        this.favorites = favorites;
        this.bodies = bodies;
    }

    private static String space(Context ctx) {
        return AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
    }

    private static long id(Context ctx) {
        return ctx.pathParamAsClass("id", Long.class).get();
    }

    private FavoriteService.Spec spec(Context ctx) {
        return bodies.read(ctx, FavoriteService.Spec.class, null);
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/favorites", ctx ->
                ctx.json(Map.of("favorites", favorites.list(space(ctx), MaskedSearchRoutes.user(ctx),
                        AuthFilter.masked(ctx)))));
        app.post("/api/v1/favorites", ctx ->
                ctx.status(201).json(favorites.create(space(ctx), MaskedSearchRoutes.user(ctx), spec(ctx),
                        AuthFilter.masked(ctx))));
        app.get("/api/v1/favorites/{id}", ctx ->
                ctx.json(favorites.get(space(ctx), MaskedSearchRoutes.user(ctx), id(ctx), AuthFilter.masked(ctx))));
        app.put("/api/v1/favorites/{id}", ctx ->
                ctx.json(favorites.update(space(ctx), MaskedSearchRoutes.user(ctx), id(ctx), spec(ctx),
                        AuthFilter.masked(ctx))));
        app.delete("/api/v1/favorites/{id}", ctx -> {
            favorites.delete(space(ctx), MaskedSearchRoutes.user(ctx), id(ctx), AuthFilter.masked(ctx));
            ctx.status(204);
        });
    }
}
