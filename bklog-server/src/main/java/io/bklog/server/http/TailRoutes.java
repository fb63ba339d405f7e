package io.bklog.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.search.Addition;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.TailService;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/v1/index_sets/{name}/tail?keyword=&addition=&fields=&since=} as Server-Sent Events: first the lines
 * of the last 5 minutes (or since {@code since}), oldest first, then the new lines as they are stored, polled about
 * every second. Each line is one {@code line} event whose data is the (masked) document and whose id is the store's
 * id; an {@code caught_up} event follows the first batch; an idle poll sends a comment, so a client that went away
 * is noticed and the stream stops. Bad parameters answer a JSON 4xx before the stream starts.
 */
final class TailRoutes implements RouteGroup {
    private static final Logger log = LoggerFactory.getLogger(TailRoutes.class);
    private static final TypeReference<List<Addition>> ADDITIONS = new TypeReference<>() {};

    private final TailService tail;
    private final MaskingService masking;
    private final ObjectMapper json;
    private final Duration interval;

    TailRoutes(TailService tail, MaskingService masking, ObjectMapper json, Duration interval) {
        this.tail = tail;
        this.masking = masking;
        this.json = json;
        this.interval = interval;
    }

    @Override
    public void register(Javalin app) {
        app.get("/api/v1/index_sets/{name}/tail", this::tail);
    }

    private void tail(Context ctx) throws Exception {
        String name = ctx.pathParam("name");
        SearchParams params = new SearchParams(ctx.queryParam("keyword"), additions(ctx.queryParam("addition")), null,
                null, null, null, null, null, fields(ctx.queryParam("fields")), null, null);
        TailService.Cursor cursor = tail.open(name, params, ctx.queryParam("since"),
                MaskedSearchRoutes.masker(ctx, masking, name));
        String who = MaskedSearchRoutes.user(ctx);
        new SseHandler(0, client -> stream(client, cursor, name, who)).handle(ctx);
    }

    private void stream(SseClient client, TailService.Cursor cursor, String indexSet, String who) {
        log.info("tail started index_set={} user={}", indexSet, who);
        long sent = 0;
        boolean first = true;
        try {
            while (!client.terminated()) {
                List<TailService.Line> lines = cursor.poll();
                for (TailService.Line l : lines) {
                    client.sendEvent("line", l.source(), l.id());
                    sent++;
                }
                if (first) {
                    client.sendEvent("caught_up", Map.of("lines", sent));
                    first = false;
                } else if (lines.isEmpty()) {
                    client.sendComment("idle");
                }
                if (lines.size() < TailService.MAX_LINES_PER_POLL) Thread.sleep(interval.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            log.warn("tail failed index_set={} user={} error=\"{}\"", indexSet, who, e.toString());
            if (!client.terminated()) client.sendEvent("error", Map.of("message", String.valueOf(e.getMessage())));
        } finally {
            log.info("tail stopped index_set={} user={} lines={}", indexSet, who, sent);
            client.close();
        }
    }

    private List<Addition> additions(String raw) {
        if (raw == null || raw.isBlank()) return List.of();
        try {
            return json.readValue(raw, ADDITIONS);
        } catch (IOException e) {
            throw Bodies.JsonErrors.of(e);
        }
    }

    private static List<String> fields(String raw) {
        if (raw == null || raw.isBlank()) return List.of();
        return Arrays.stream(raw.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }
}
