package io.bklog.server.http;

import io.bklog.core.auth.AuthService;
import io.bklog.core.auth.Principal;
import io.bklog.core.auth.Role;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.IndexSet;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Bearer-token authentication of {@code /api/**}: no or an unknown token answers 401 {@code unauthorized}, a token
 * without the role the route needs 403 {@code forbidden}, and an index set of another space 404
 * {@code index_set_not_found} (exactly as if it did not exist). The caller is kept on the request for the routes
 * ({@link #principal}). The Elasticsearch-compatible paths of {@link EsCompatRoutes} take the token in the shapes
 * shippers send (Basic password, Bearer, ApiKey) and need the {@code ingest} role to write, {@code viewer} to read
 * documents back ({@link EsCompatRoutes#requiredRole}). When disabled, every request passes and nothing is masked
 * less (no {@code unmasked} role).
 */
public final class AuthFilter {
    private static final Logger log = LoggerFactory.getLogger(AuthFilter.class);
    private static final String PRINCIPAL = "bklog.principal";
    private static final String PREFIX = "/api/v1/index_sets/";

    /** An authentication or authorization failure; written by {@link #register}. */
    static final class AuthFailure extends RuntimeException {
        final int status;
        final String code;
        final boolean es;

        AuthFailure(int status, String code, String message) {
            this(status, code, message, false);
        }

        AuthFailure(int status, String code, String message, boolean es) {
            super(message);
            this.status = status;
            this.code = code;
            this.es = es;
        }
    }

    private final AuthService auth;
    private final IndexSetService indexSets;
    private final boolean enabled;

    public AuthFilter(AuthService auth, IndexSetService indexSets, boolean enabled) {
        this.auth = auth;
        this.indexSets = indexSets;
        this.enabled = enabled;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The caller; empty when auth is disabled. */
    public static Optional<Principal> principal(Context ctx) {
        return Optional.ofNullable(ctx.attribute(PRINCIPAL));
    }

    private static final String INDEX_SET = "bklog.indexSet";

    /** The index set a request's path names, as this filter read it (fresh) for the caller's space check. */
    private record IndexSetRead(String name, IndexSet set) {}

    /**
     * The index set named {@code name} as the filter read it from the metadata database for this request (not a
     * cached copy), or null when it read none under that name (authentication disabled, another path).
     */
    static IndexSet indexSetRead(Context ctx, String name) {
        IndexSetRead r = ctx.attribute(INDEX_SET);
        return r != null && r.name().equals(name) ? r.set() : null;
    }

    /** Whether responses to this caller are masked (always, unless the token has {@code unmasked}). */
    public static boolean masked(Context ctx) {
        return principal(ctx).map(Principal::masked).orElse(true);
    }

    /** The space of the caller; the default space when auth is disabled. */
    public static String space(Context ctx, String fallback) {
        return principal(ctx).map(Principal::spaceUid).orElse(fallback);
    }

    /** Fails with 403 unless the caller has the role (always passes with auth disabled). */
    public static void require(Context ctx, Role role) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p != null && !p.has(role)) {
            throw new AuthFailure(403, "forbidden", "token '" + p.tokenName() + "' lacks the role '" + role.wireName()
                    + "' needed for " + ctx.method() + " " + ctx.path());
        }
    }

    /**
     * Fails with 403 unless the caller is a platform admin: an admin token of the default space (always passes
     * with auth disabled). {@code rule} says what needs it, e.g. {@code "create a file collector (host files)"}.
     */
    public static void requirePlatformAdmin(Context ctx, String what) {
        Principal p = ctx.attribute(PRINCIPAL);
        if (p != null && !platformAdmin(p)) {
            throw new AuthFailure(403, "forbidden", "token '" + p.tokenName() + "' of space '" + p.spaceUid()
                    + "' may not " + what + ": rule: only a platform admin (an admin token of the '"
                    + io.bklog.core.LogPlatformBuilder.DEFAULT_SPACE + "' space) may use host resources or act on"
                    + " the whole platform; see docs/security.md#roles");
        }
    }

    private static boolean platformAdmin(Principal p) {
        return p.has(Role.ADMIN) && p.spaceUid().equals(io.bklog.core.LogPlatformBuilder.DEFAULT_SPACE);
    }

    public void register(Javalin app) {
        app.exception(AuthFailure.class, (e, ctx) -> {
            if (e.es) {
                if (e.status == 401) ctx.header("WWW-Authenticate", "Basic realm=\"security\" charset=\"UTF-8\"");
                EsCompatRoutes.error(ctx, e.status, "security_exception", e.getMessage());
                return;
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", e.code);
            body.put("message", e.getMessage());
            body.put("field", e.status == 401 ? "Authorization" : null);
            if (e.status == 401) ctx.header("WWW-Authenticate", "Bearer realm=\"bklog\"");
            ctx.status(e.status).json(body);
        });
        if (!enabled) return;
        app.before(ctx -> {
            // on the path as routed ("//api/v1/tokens/" reaches /api/v1/tokens), so no spelling skips the check
            String path = EsCompatRoutes.normalize(ctx.path());
            if (path.startsWith("/api/")) {
                check(ctx);
            } else if (EsCompatRoutes.isEs(ctx)) {
                checkEsCompat(ctx);
            }
        });
    }

    /**
     * The Elasticsearch-compatible paths ({@link EsCompatRoutes}): shippers send their credentials as Elasticsearch
     * expects them, so a token with the {@code ingest} role is taken as the password of Basic auth (any user name),
     * as {@code Bearer <token>}, or as {@code ApiKey base64(<id>:<token>)}. Writing needs the {@code ingest} role,
     * reading documents back ({@code _search}, {@code _count}) the {@code viewer} role, the rest either
     * ({@link EsCompatRoutes#requiredRole}). Failures answer in the ES error shape.
     */
    private void checkEsCompat(Context ctx) {
        String token = esToken(ctx.header("Authorization"));
        if (token == null) {
            throw new AuthFailure(401, "security_exception", "missing authentication credentials for REST request ["
                    + ctx.path() + "]: send a bklog token with the ingest role as the Basic auth password (any user"
                    + " name), as 'Authorization: Bearer <token>' or as an ApiKey", true);
        }
        Principal p = auth.authenticate(token).orElseThrow(() -> {
            log.info("auth refused method={} path={} reason=unknown_token es_compat=true", ctx.method(), ctx.path());
            return new AuthFailure(401, "security_exception", "unable to authenticate with the provided credentials"
                    + " for REST request [" + ctx.path() + "]: the token is unknown, revoked or expired", true);
        });
        Role needed = EsCompatRoutes.requiredRole(ctx.method().name(), ctx.path());
        if (needed != null && !p.has(needed)) {
            throw new AuthFailure(403, "security_exception", "action [" + ctx.method() + " " + ctx.path()
                    + "] is unauthorized for token [" + p.tokenName() + "]: it lacks the role '" + needed.wireName()
                    + "'" + (needed == Role.VIEWER ? " (reading documents back needs a token with the viewer role)"
                    : ""), true);
        }
        if (needed == null && !p.has(Role.INGEST) && !p.has(Role.VIEWER)) {
            throw new AuthFailure(403, "security_exception", "action [" + ctx.method() + " " + ctx.path()
                    + "] is unauthorized for token [" + p.tokenName() + "]: it lacks the role 'ingest' (or 'viewer')",
                    true);
        }
        ctx.attribute(PRINCIPAL, p);
    }

    /** The bklog token of an Authorization header in one of the shapes Elasticsearch clients send, or null. */
    static String esToken(String header) {
        if (header == null) return null;
        int sp = header.indexOf(' ');
        if (sp < 0) return null;
        String scheme = header.substring(0, sp);
        String value = header.substring(sp + 1).strip();
        if (value.isEmpty()) return null;
        if (scheme.equalsIgnoreCase("Bearer")) return value;
        if (scheme.equalsIgnoreCase("Basic") || scheme.equalsIgnoreCase("ApiKey")) {
            String decoded;
            try {
                decoded = new String(java.util.Base64.getDecoder().decode(value), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return scheme.equalsIgnoreCase("ApiKey") ? value : null;
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) return scheme.equalsIgnoreCase("ApiKey") ? decoded : null;
            String secret = decoded.substring(colon + 1);
            return secret.isEmpty() ? decoded.substring(0, colon) : secret;
        }
        return null;
    }

    private void check(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw new AuthFailure(401, "unauthorized", "this API needs a token: send the header"
                    + " 'Authorization: Bearer <token>' (an admin token of a new server is in {data_dir}/admin-token)");
        }
        Principal p = auth.authenticate(header.substring(7)).orElseThrow(() -> {
            log.info("auth refused method={} path={} reason=unknown_token", ctx.method(), ctx.path());
            return new AuthFailure(401, "unauthorized", "the bearer token is unknown, revoked or expired");
        });
        ctx.attribute(PRINCIPAL, p);
        // the path as routed: Javalin ignores trailing slashes, so "/ingest/" must meet the rule of "/ingest"
        String path = EsCompatRoutes.normalize(ctx.path());
        HandlerType method = ctx.method();
        if (path.equals("/api/v1/index_sets") && method == HandlerType.GET) {
            require(ctx, Role.VIEWER);
            List<IndexSet> visible = indexSets.list().stream().filter(s -> p.canSee(s.spaceUid())).toList();
            ctx.json(Map.of("index_sets", visible));
            ctx.skipRemainingHandlers();
            return;
        }
        if (path.startsWith(PREFIX)) {
            String rest = path.substring(PREFIX.length());
            int slash = rest.indexOf('/');
            String name = slash < 0 ? rest : rest.substring(0, slash);
            String sub = slash < 0 ? "" : rest.substring(slash + 1);
            Optional<IndexSet> set = indexSets.find(name);
            boolean create = sub.isEmpty() && method == HandlerType.PUT;
            // restores are platform operations (OpsRoutes): the platform admin reaches every space's index sets
            boolean platformWide = sub.equals("restores") && platformAdmin(p);
            if (!create && (set.isEmpty() || !(p.canSee(set.get().spaceUid()) || platformWide))) {
                // as if it did not exist, and naming only the caller's own index sets
                throw indexSets.notFoundIn(name, p.spaceUid());
            }
            // read fresh just now: the route's masker takes it instead of reading the set again
            set.ifPresent(s -> ctx.attribute(INDEX_SET, new IndexSetRead(name, s)));
            if (sub.isEmpty()) {
                // PUT creates in the caller's space; a name of another space is refused by IndexSetService.put
                require(ctx, method == HandlerType.GET ? Role.VIEWER : Role.ADMIN);
            } else if (sub.equals("ingest")) {
                require(ctx, Role.INGEST);
            } else if (sub.equals("dead_letters") || sub.startsWith("dead_letters/")) {
                // the original documents, unmasked
                require(ctx, Role.ADMIN);
                require(ctx, Role.UNMASKED);
            } else if (sub.startsWith("desensitize") && method != HandlerType.GET && !sub.endsWith("preview")) {
                require(ctx, Role.ADMIN);
            } else if (sub.startsWith("patterns/") && method != HandlerType.GET) {
                // labelling a pattern and re-mining change what every reader sees; listing is a search (viewer)
                require(ctx, Role.ADMIN);
            } else {
                require(ctx, Role.VIEWER);
            }
            return;
        }
        if (path.startsWith(AlertRoutes.PREFIX + "/")) {
            // alerting of the caller's space: reading needs viewer; changing, and channels (their URLs, addresses
            // and settings), need admin
            boolean channels = path.startsWith(AlertRoutes.PREFIX + "/channels");
            require(ctx, method == HandlerType.GET && !channels ? Role.VIEWER : Role.ADMIN);
            return;
        }
        if (path.startsWith(AgentRoutes.PREFIX + "/")) {
            // an agent's own calls (its configs, its status) need only ingest: an agent token reads no logs
            require(ctx, Role.INGEST);
            return;
        }
        if (path.startsWith("/api/v1/spaces") || path.startsWith("/api/v1/tokens")
                || (path.startsWith("/api/v1/desensitize") && method != HandlerType.GET)) {
            require(ctx, Role.ADMIN);
            return;
        }
        require(ctx, Role.VIEWER);
    }
}
