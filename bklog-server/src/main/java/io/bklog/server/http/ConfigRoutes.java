package io.bklog.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.bklog.core.auth.Role;
import io.javalin.Javalin;

import java.util.Objects;

/**
 * {@code GET /api/v1/config}: the effective configuration of this server (files, profile, sources, environment and
 * command line merged), every secret value ({@code password}, {@code secret_key}, tokens) replaced by {@code "***"};
 * platform admins only (it shows the platform's hosts, paths and backends).
 */
public final class ConfigRoutes implements RouteGroup {
    private final JsonNode effective;

    /** @param effective the configuration tree, already redacted */
    public ConfigRoutes(JsonNode effective) {
        this.effective = Objects.requireNonNull(effective, "effective");
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/config", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            AuthFilter.requirePlatformAdmin(ctx, "GET /api/v1/config (the platform's configuration)");
            ctx.json(effective);
        });
    }
}
