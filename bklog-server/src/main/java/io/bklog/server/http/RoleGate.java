package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.server.config.ServerRoles;
import io.bklog.server.config.ServerRoles.Role;
import io.javalin.Javalin;

import java.util.Map;
import java.util.regex.Pattern;

/**
 * Refuses, before authentication, what this instance's roles do not serve: 404 {@code route_not_found} naming the
 * role the path needs and this instance's roles, so a load balancer or client sent to the wrong instance learns it
 * at once (the roles are not secret: {@code /healthz} reports them).
 */
final class RoleGate implements RouteGroup {
    private static final Pattern INGEST_API = Pattern.compile("/api/v1/index_sets/[^/]+/ingest/?");

    private final ServerRoles roles;

    RoleGate(ServerRoles roles) {
        this.roles = roles;
    }

    /** The role a path needs, or null when every instance serves it (probes, metrics). */
    static Role needs(String path) {
        String p = EsCompatRoutes.normalize(path);
        if (INGEST_API.matcher(p).matches()) return Role.INGEST;
        if (p.equals("/api") || p.startsWith("/api/") || p.equals(UiRoutes.PREFIX) || p.startsWith(UiRoutes.PREFIX + "/")
                && !EsCompatRoutes.handles(p)) {
            return Role.API;
        }
        if (p.equals("/healthz") || p.equals("/livez") || p.equals("/readyz") || p.equals("/metrics")) return null;
        if (p.equals("/")) return null; // a browser's redirect to the UI (api) or the Elasticsearch banner (ingest)
        return EsCompatRoutes.handles(p) ? Role.INGEST : null;
    }

    @Override
    public void register(Javalin app) {
        if (roles.roles().size() == Role.values().length) return;
        app.before(ctx -> {
            Role need = needs(ctx.path());
            if (need == null || roles.has(need)) return;
            throw new BklogException(ErrorCode.ROUTE_NOT_FOUND, "this instance does not serve " + ctx.method() + " "
                    + ctx.path() + ": it needs the role '" + need.id() + "' and this instance's server.roles are "
                    + roles + "; send it to an instance with the role " + need.id(), null,
                    Map.of("roles", roles.ids(), "needs", need.id()), null);
        });
    }
}
