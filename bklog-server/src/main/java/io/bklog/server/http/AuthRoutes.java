package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.LogPlatformBuilder;
import io.bklog.core.auth.AuthService;
import io.bklog.core.auth.IssuedToken;
import io.bklog.core.auth.Principal;
import io.bklog.core.auth.Role;
import io.bklog.core.meta.Token;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Spaces and tokens (admin only): {@code POST /api/v1/spaces}, {@code POST/GET /api/v1/tokens},
 * {@code DELETE /api/v1/tokens/{name}}. An admin of the default space is the platform admin: it may make spaces and
 * tokens of any space; an admin of another space manages the tokens of its own space only.
 */
final class AuthRoutes implements RouteGroup {
    record SpaceBody(String spaceUid, String name) {}

    record TokenBody(String name, String spaceUid, List<String> roles, Instant expiresAt) {}

    private final AuthService auth;
    private final Bodies bodies;

    AuthRoutes(AuthService auth, Bodies bodies) {
        this.auth = auth;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/spaces", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            requirePlatformAdmin(ctx, "create spaces");
            SpaceBody b = bodies.read(ctx, SpaceBody.class, new SpaceBody(null, null));
            ctx.status(201).json(auth.createSpace(b.spaceUid(), b.name()));
        });
        app.post("/api/v1/tokens", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            TokenBody b = bodies.read(ctx, TokenBody.class, new TokenBody(null, null, null, null));
            String own = AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
            String space = b.spaceUid() == null || b.spaceUid().isBlank() ? own : b.spaceUid();
            if (!space.equals(own)) requirePlatformAdmin(ctx, "make tokens of space '" + space + "'");
            Set<Role> roles = EnumSet.noneOf(Role.class);
            List<String> names = b.roles() == null ? List.of() : b.roles();
            for (int i = 0; i < names.size(); i++) {
                try {
                    roles.add(Role.parse(names.get(i)));
                } catch (IllegalArgumentException e) {
                    throw new BklogException(ErrorCode.BAD_REQUEST, "roles[" + i + "]: " + e.getMessage(),
                            "roles[" + i + "]");
                }
            }
            if (roles.contains(Role.UNMASKED)) requireUnmaskedToGrantIt(ctx);
            IssuedToken t = auth.createToken(b.name(), space, roles, b.expiresAt());
            Map<String, Object> out = view(t.token());
            out.put("token", t.secret());
            ctx.status(201).json(out);
        });
        app.get("/api/v1/tokens", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            String own = AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
            ctx.json(Map.of("tokens", auth.tokens(own).stream().map(AuthRoutes::view).toList()));
        });
        app.delete("/api/v1/tokens/{name}", ctx -> {
            AuthFilter.require(ctx, Role.ADMIN);
            String own = AuthFilter.space(ctx, LogPlatformBuilder.DEFAULT_SPACE);
            String space = ctx.queryParamAsClass("space_uid", String.class).getOrDefault(own);
            if (!space.equals(own)) requirePlatformAdmin(ctx, "revoke tokens of space '" + space + "'");
            if (!auth.revoke(space, ctx.pathParam("name"))) {
                throw new BklogException(ErrorCode.BAD_REQUEST, "no token named '" + ctx.pathParam("name")
                        + "' in space '" + space + "'", "name");
            }
            ctx.status(204);
        });
    }

    private static void requirePlatformAdmin(Context ctx, String what) {
        AuthFilter.requirePlatformAdmin(ctx, what);
    }

    /** Only a holder of {@code unmasked} may grant it (docs/security.md#granting-unmasked). */
    private static void requireUnmaskedToGrantIt(Context ctx) {
        Principal p = AuthFilter.principal(ctx).orElse(null);
        if (p != null && !p.has(Role.UNMASKED)) {
            throw new AuthFilter.AuthFailure(403, "forbidden", "token '" + p.tokenName() + "' may not grant the role"
                    + " 'unmasked': rule: only a token holding 'unmasked' may make a token with it; see"
                    + " docs/security.md#granting-unmasked");
        }
    }

    private static Map<String, Object> view(Token t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", t.name());
        m.put("space_uid", t.spaceUid());
        m.put("roles", t.roles());
        m.put("expires_at", t.expiresAt());
        m.put("created_at", t.createdAt());
        return m;
    }
}
