package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.DirectIngest;
import io.bklog.core.ErrorCode;
import io.bklog.core.collect.IngestRuntime;
import io.javalin.Javalin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/index_sets/{name}/ingest}: a JSON array of objects or JSON lines. Answers per-item results;
 * a malformed batch is refused whole (400) and nothing of it is stored. {@code ?refresh=true} makes the batch
 * searchable before the answer. Each document gets a unique id (identical lines are distinct documents); a request
 * with an {@code Idempotency-Key} header gets ids from the key and each item's position, so sending it again after a
 * lost answer stores nothing twice. The batch goes through the platform's front door ({@link IngestRuntime#store}):
 * with an ingest buffer (Kafka) it is answered once the buffer holds it, else once stored; when the buffer or the
 * sink queue is full the answer is 429 {@code ingest_busy} with {@code Retry-After} (nothing taken).
 */
final class IngestRoutes implements RouteGroup {
    private final IngestRuntime ingest;
    private final Bodies bodies;

    IngestRoutes(IngestRuntime ingest, Bodies bodies) {
        this.ingest = ingest;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/index_sets/{name}/ingest", ctx -> {
            AuthFilter.require(ctx, io.bklog.core.auth.Role.INGEST); // again here: defence in depth over AuthFilter
            DirectIngest.Result r;
            try {
                r = ingest.ingest(ctx.pathParam("name"), bodies.documents(ctx), "true".equals(ctx.queryParam("refresh")),
                        ctx.bodyAsBytes().length, ctx.header("Idempotency-Key"));
            } catch (BklogException e) {
                retryAfter(ctx, e);
                throw e;
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("index_set", r.indexSet());
            out.put("took", r.tookMillis());
            out.put("errors", r.errors());
            out.put("accepted", r.accepted());
            out.put("retryable", r.retryable());
            out.put("rejected", r.rejected());
            out.put("items", r.items());
            ctx.json(out);
        });
    }

    /** Sets {@code Retry-After} for an {@link ErrorCode#INGEST_BUSY} answer. */
    static void retryAfter(io.javalin.http.Context ctx, BklogException e) {
        if (e.code() == ErrorCode.INGEST_BUSY) {
            ctx.header("Retry-After", String.valueOf(e.details().getOrDefault("retry_after_seconds", 1)));
        }
    }
}
