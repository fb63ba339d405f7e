package io.bklog.server.http;

import io.bklog.core.DirectIngest;
import io.javalin.Javalin;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST /api/v1/index_sets/{name}/ingest}: a JSON array of objects or JSON lines. Answers per-item results;
 * a malformed batch is refused whole (400) and nothing of it is stored. {@code ?refresh=true} makes the batch
 * searchable before the answer.
 */
final class IngestRoutes implements RouteGroup {
    private final DirectIngest ingest;
    private final Bodies bodies;

    IngestRoutes(DirectIngest ingest, Bodies bodies) {
        this.ingest = ingest;
        this.bodies = bodies;
    }

    @Override
    public void register(Javalin app) {
        app.post("/api/v1/index_sets/{name}/ingest", ctx -> {
            DirectIngest.Result r = ingest.ingest(ctx.pathParam("name"), bodies.documents(ctx),
                    "true".equals(ctx.queryParam("refresh")));
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
}
