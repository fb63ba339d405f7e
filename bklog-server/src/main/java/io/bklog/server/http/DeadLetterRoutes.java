package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.ingest.DeadLetterService;
import io.javalin.Javalin;
import io.javalin.http.Context;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The dead letters of an index set (roles {@code admin} and {@code unmasked}: they hold the original, unmasked
 * documents): {@code GET /api/v1/index_sets/{name}/dead_letters?begin=0&size=50} lists those not yet replayed,
 * newest first, with the reason and the document; {@code POST /api/v1/index_sets/{name}/dead_letters/replay} sends
 * them to the index set again (after the mapping or the values were fixed) and answers per item.
 */
final class DeadLetterRoutes implements RouteGroup {
    private final DeadLetterService deadLetters;
    private final IndexSetService indexSets;

    DeadLetterRoutes(DeadLetterService deadLetters, IndexSetService indexSets) {
        this.deadLetters = deadLetters;
        this.indexSets = indexSets;
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/index_sets/{name}/dead_letters", ctx -> {
            String set = indexSets.get(ctx.pathParam("name")).name();
            DeadLetterService.Page page = deadLetters.list(set, intParam(ctx, "begin", 0), intParam(ctx, "size", 50));
            List<Map<String, Object>> items = new ArrayList<>(page.items().size());
            for (DeadLetterService.DeadLetter d : page.items()) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", d.id());
                m.put("doc_id", d.docId());
                m.put("reason", d.reason());
                m.put("attempts", d.attempts());
                m.put("time", d.time().toString());
                m.put("original_time", d.originalTime().toString());
                m.put("original", d.original());
                items.add(m);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("index_set", set);
            out.put("total", page.total());
            out.put("items", items);
            ctx.json(out);
        });
        app.post("/api/v1/index_sets/{name}/dead_letters/replay", ctx -> {
            String set = indexSets.get(ctx.pathParam("name")).name();
            DeadLetterService.Replay r = deadLetters.replay(set);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("index_set", set);
            out.put("replayed", r.replayed());
            out.put("stored", r.stored());
            out.put("rejected", r.rejected());
            out.put("retryable", r.retryable());
            out.put("more", r.replayed() == DeadLetterService.MAX_REPLAY);
            out.put("items", r.items());
            ctx.json(out);
        });
    }

    private static int intParam(Context ctx, String name, int dflt) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) return dflt;
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, name + " must be a whole number, got '" + v + "'", name);
        }
    }
}
