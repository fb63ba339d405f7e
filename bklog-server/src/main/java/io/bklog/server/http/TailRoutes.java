package io.bklog.server.http;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.mask.MaskingService;
import io.bklog.core.search.Addition;
import io.bklog.core.search.SearchParams;
import io.bklog.core.search.TailService;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/v1/index_sets/{name}/tail?keyword=&addition=&fields=&since=} as Server-Sent Events: first the lines
 * of the last 5 minutes (or since {@code since}), oldest first, then the new lines as they are stored, polled about
 * every second. Each line is one {@code line} event whose data is the (masked) document and whose id is the store's
 * id; a {@code caught_up} event follows the first batch; an idle poll sends a comment, so a client that went away
 * is noticed (the write fails) and the stream stops. Bad parameters answer a JSON 4xx before the stream starts. The
 * stream holds one server thread while it is open.
 */
final class TailRoutes implements RouteGroup {
    private static final Logger log = LoggerFactory.getLogger(TailRoutes.class);
    private static final TypeReference<List<Addition>> ADDITIONS = new TypeReference<>() {};

    private final TailService tail;
    private final MaskingService masking;
    private final ObjectMapper json;
    private final Duration interval;
    /** Streams open now (gauge {@code bklog.tail.streams}). */
    private final AtomicInteger open = new AtomicInteger();

    TailRoutes(TailService tail, MaskingService masking, ObjectMapper json, Duration interval, MeterRegistry meters) {
        this.tail = tail;
        this.masking = masking;
        this.json = json;
        this.interval = interval;
        Gauge.builder("bklog.tail.streams", open, AtomicInteger::get).description("open tail (SSE) streams")
                .strongReference(true).register(meters);
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
        HttpServletResponse res = ctx.res();
        res.setStatus(200);
        res.setCharacterEncoding("UTF-8");
        res.setContentType("text/event-stream");
        res.setHeader("Cache-Control", "no-cache");
        res.setHeader("X-Accel-Buffering", "no");
        stream(res.getOutputStream(), cursor, name, MaskedSearchRoutes.user(ctx));
    }

    /** Writes events until the client goes away (a write fails) or the thread is interrupted. */
    private void stream(OutputStream out, TailService.Cursor cursor, String indexSet, String who) {
        log.info("tail started index_set={} user={}", indexSet, who);
        open.incrementAndGet();
        long sent = 0;
        boolean first = true;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                List<TailService.Line> lines;
                try {
                    lines = cursor.poll();
                } catch (RuntimeException e) {
                    log.warn("tail failed index_set={} user={} error=\"{}\"", indexSet, who, e.toString());
                    event(out, "error", null, Map.of("message", String.valueOf(e.getMessage())));
                    return;
                }
                for (TailService.Line l : lines) {
                    event(out, "line", l.id(), l.source());
                    sent++;
                }
                if (first) {
                    event(out, "caught_up", null, Map.of("lines", sent));
                    first = false;
                } else if (lines.isEmpty()) {
                    out.write(": idle\n\n".getBytes(StandardCharsets.UTF_8)); // notices a client that went away
                }
                out.flush();
                if (lines.size() < TailService.MAX_LINES_PER_POLL) Thread.sleep(interval.toMillis());
            }
        } catch (IOException e) {
            // the client went away
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            open.decrementAndGet();
            log.info("tail stopped index_set={} user={} lines={}", indexSet, who, sent);
        }
    }

    private void event(OutputStream out, String name, String id, Object data) throws IOException {
        StringBuilder sb = new StringBuilder("event: ").append(name).append('\n');
        if (id != null) sb.append("id: ").append(id).append('\n');
        sb.append("data: ").append(json.writeValueAsString(data)).append("\n\n");
        out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
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
