package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HandlerType;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The web UI (docs/ui.md): static ES modules, CSS and one HTML page shipped as classpath resources under
 * {@code io/bklog/server/ui/}, served at {@code /ui/}. The files hold no data and need no token; every screen asks
 * the JSON API with the token the user typed, so roles and masking are the API's. {@code GET /} from a browser
 * (an {@code Accept} header naming {@code text/html}) is sent to {@code /ui/}; every other {@code GET /} and
 * {@code HEAD /} still answers the Elasticsearch root (an ES client never asks for HTML).
 */
final class UiRoutes implements RouteGroup {
    static final String PREFIX = "/ui";
    private static final String ROOT = "io/bklog/server/ui/";
    /** File names the UI ships: letters, digits, '-', '_' and one extension; no directories, no "..". */
    private static final Pattern FILE = Pattern.compile("[a-z0-9_-]{1,64}\\.(html|js|css|svg)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");
    /** Only the server's own files and API: nothing from elsewhere, no inline script, not framed. */
    static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:;"
            + " connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    @Override
    public void register(Javalin app) {
        app.before("/", ctx -> {
            if (ctx.method() == HandlerType.GET && wantsHtml(ctx.header("Accept"))) {
                ctx.redirect(PREFIX + "/");
                ctx.skipRemainingHandlers();
            }
        });
        app.get(PREFIX, ctx -> serve(ctx, "index.html"));
        app.get(PREFIX + "/{file}", ctx -> serve(ctx, ctx.pathParam("file")));
    }

    /** Whether an Accept header is a browser's page request (ES clients send JSON types only). */
    static boolean wantsHtml(String accept) {
        return accept != null && accept.toLowerCase(java.util.Locale.ROOT).contains("text/html");
    }

    private static void serve(Context ctx, String file) {
        InputStream in = FILE.matcher(file).matches()
                ? UiRoutes.class.getClassLoader().getResourceAsStream(ROOT + file) : null;
        if (in == null) {
            throw new BklogException(ErrorCode.ROUTE_NOT_FOUND, "the UI has no file '" + file + "'; open " + PREFIX
                    + "/", "path");
        }
        byte[] bytes;
        try (in) {
            bytes = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ctx.header("Content-Security-Policy", CSP);
        ctx.header("X-Content-Type-Options", "nosniff");
        ctx.header("Referrer-Policy", "no-referrer");
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType(TYPES.get(file.substring(file.lastIndexOf('.') + 1))).result(bytes);
    }
}
