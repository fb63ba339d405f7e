package io.bklog.server.http;

import io.javalin.Javalin;

/**
 * A few related routes. Each group is a small class whose handlers parse the request, call one core method and
 * write the answer; {@link ApiRoutes} lists every group.
 */
public interface RouteGroup {
    void register(Javalin app);
}
