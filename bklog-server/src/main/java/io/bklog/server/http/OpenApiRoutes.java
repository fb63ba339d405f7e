package io.bklog.server.http;

import io.javalin.Javalin;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * {@code GET /api/v1/openapi.json}: the OpenAPI 3 description of the REST API (a resource beside this class, checked
 * against the routes the server registers by {@code OpenApiTest}). Like every {@code /api/**} route it needs a token;
 * it reveals no data, only the routes.
 */
final class OpenApiRoutes implements RouteGroup {
    static final String RESOURCE = "openapi.json";
    private final byte[] description;

    OpenApiRoutes() {
        try (InputStream in = OpenApiRoutes.class.getResourceAsStream(RESOURCE)) {
            if (in == null) throw new IllegalStateException(RESOURCE + " is missing beside " + OpenApiRoutes.class);
            description = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/openapi.json", ctx -> ctx.contentType("application/json").result(description));
    }
}
