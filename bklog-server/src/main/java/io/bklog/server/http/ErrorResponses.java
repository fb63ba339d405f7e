package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.MetadataException;
import io.bklog.core.search.SearchService;
import io.bklog.spi.BackendException;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.UnsupportedFeatureException;
import io.bklog.spi.query.RegexTooComplexException;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Writes every error as {@code {"error": code, "message": ..., "field": ..., ...details}} with the status of its
 * {@link ErrorCode}. A metadata database that cannot be reached (a JDBC connection failure, whichever layer lets it
 * through) answers 503 {@code backend_unavailable} with {@code retryable: true}. Other unexpected exceptions answer
 * 500 with an {@code error_id} that is also in the log line.
 */
public final class ErrorResponses {
    private static final Logger log = LoggerFactory.getLogger(ErrorResponses.class);
    private static final String WRITTEN = "bklog.error.written";

    private ErrorResponses() {}

    public static void register(Javalin app) {
        app.exception(BklogException.class, (e, ctx) -> write(ctx, e));
        app.exception(HttpResponseException.class, (e, ctx) -> {
            if (EsCompatRoutes.isEs(ctx)) { // the Elasticsearch surface answers as Elasticsearch
                if (e.getStatus() == 404) {
                    EsCompatRoutes.noHandler(ctx);
                } else {
                    EsCompatRoutes.error(ctx, e.getStatus(), e.getStatus() == 413 ? "content_too_long_exception"
                            : e.getStatus() >= 500 ? "exception" : "illegal_argument_exception", e.getMessage());
                }
                return;
            }
            write(ctx, fromHttp(e));
        });
        app.exception(BackendException.class, (e, ctx) -> {
            log.warn("backend failed method={} path={} retryable={} error=\"{}\"", ctx.method(), ctx.path(),
                    e.retryable(), e.getMessage(), e);
            write(ctx, new BklogException(ErrorCode.BACKEND_UNAVAILABLE, e.getMessage(), null,
                    Map.of("retryable", e.retryable()), e));
        });
        app.exception(MetadataException.class, (e, ctx) -> {
            log.warn("metadata failed method={} path={} error=\"{}\"", ctx.method(), ctx.path(), e.getMessage(), e);
            write(ctx, new BklogException(ErrorCode.BACKEND_UNAVAILABLE, e.getMessage(), null, Map.of(), e));
        });
        app.exception(RegexTooComplexException.class, (e, ctx) -> write(ctx, SearchService.regexTooComplex(e)));
        app.exception(UnsupportedFeatureException.class, (e, ctx) -> write(ctx, new BklogException(
                ErrorCode.UNSUPPORTED_FEATURE, e.getMessage(), null,
                Map.of("feature", e.feature(), "backend", e.backend()), e)));
        // Javalin's typed parameters (ctx.pathParamAsClass("id", Long.class) ...): a 400 naming the parameter
        app.exception(io.javalin.validation.ValidationException.class, (e, ctx) -> {
            String field = e.getErrors().keySet().stream().findFirst().orElse(null);
            Object value = field == null || e.getErrors().get(field).isEmpty() ? null
                    : e.getErrors().get(field).get(0).getValue();
            String shown = String.valueOf(value);
            if (shown.length() > 100) shown = shown.substring(0, 100) + "...";
            write(ctx, new BklogException(ErrorCode.BAD_REQUEST, "bad value for '" + field + "': \"" + shown
                    + "\" is not of the expected type (a number for ids and limits)", field));
        });
        // a store refusing what the request asks (a search_after that does not fit the sort, too many clauses or
        // buckets): the client's doing, so a 400 naming the parameter, not a 500
        app.exception(SearchRequest.InvalidRequestException.class, (e, ctx) -> write(ctx, new BklogException(
                ErrorCode.BAD_REQUEST, e.getMessage(), e.field(), Map.of(), e)));
        app.exception(SearchRequest.ResultWindowTooLargeException.class, (e, ctx) -> write(ctx, new BklogException(
                ErrorCode.RESULT_WINDOW_TOO_LARGE, e.getMessage(), "size",
                Map.of("max_result_window", SearchRequest.MAX_RESULT_WINDOW), e)));
        app.exception(Exception.class, (e, ctx) -> {
            SQLException down = connectionFailure(e);
            if (down != null) {
                // the metadata database is down or unreachable (auth, index sets...): a retryable 503, not a bug
                log.warn("metadata database unreachable method={} path={} error=\"{}\"", ctx.method(), ctx.path(),
                        firstLine(down.getMessage()));
                write(ctx, new BklogException(ErrorCode.BACKEND_UNAVAILABLE, "the metadata database is unreachable: "
                        + firstLine(down.getMessage()) + "; retry with backoff, and check /healthz (namespace mysql)",
                        null, Map.of("retryable", true), e));
                return;
            }
            String id = UUID.randomUUID().toString();
            log.error("request failed error_id={} method={} path={}", id, ctx.method(), ctx.path(), e);
            write(ctx, new BklogException(ErrorCode.INTERNAL, "internal error (error_id=" + id
                    + "); see the server log", null, Map.of("error_id", id), e));
        });
        app.error(404, ctx -> {
            if (ctx.attribute(WRITTEN) == null && EsCompatRoutes.isEs(ctx)) {
                EsCompatRoutes.noHandler(ctx);
            } else if (ctx.attribute(WRITTEN) == null) {
                write(ctx, new BklogException(ErrorCode.ROUTE_NOT_FOUND, "no route " + ctx.method() + " "
                        + ctx.path() + "; the API lives under /api/v1", null));
            }
        });
    }

    /**
     * The JDBC connection failure among the causes of {@code e} (SQLState class {@code 08}, or one of the JDBC
     * connection exception types, as a pool timeout or a dropped socket throws), or null when there is none.
     */
    static SQLException connectionFailure(Throwable e) {
        int depth = 0;
        for (Throwable c = e; c != null && depth < 32; c = c.getCause(), depth++) {
            if (c instanceof SQLTransientConnectionException || c instanceof SQLNonTransientConnectionException
                    || c instanceof SQLRecoverableException) {
                return (SQLException) c;
            }
            if (c instanceof SQLException s && s.getSQLState() != null && s.getSQLState().startsWith("08")) return s;
        }
        return null;
    }

    private static String firstLine(String message) {
        if (message == null) return "";
        int nl = message.indexOf('\n');
        return nl < 0 ? message : message.substring(0, nl);
    }

    /** Marks an error answer as written by its route, so the 404/500 fallbacks leave its body alone. */
    static void markWritten(Context ctx) {
        ctx.attribute(WRITTEN, Boolean.TRUE);
    }

    private static BklogException fromHttp(HttpResponseException e) {
        ErrorCode code = switch (e.getStatus()) {
            case 404 -> ErrorCode.ROUTE_NOT_FOUND;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 400 -> ErrorCode.BAD_REQUEST;
            default -> ErrorCode.INTERNAL;
        };
        return new BklogException(code, e.getMessage(), null);
    }

    private static void write(Context ctx, BklogException e) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.code().code());
        body.put("message", e.getMessage());
        body.put("field", e.field().orElse(null));
        e.details().forEach(body::putIfAbsent);
        ctx.attribute(WRITTEN, Boolean.TRUE);
        ctx.status(e.code().httpStatus()).json(body);
    }
}
