package io.bklog.server.http;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.schedule.TaskStatus;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/** What the task and operation routes share: error mapping, time parsing, the status body. */
final class OpsCalls {
    private OpsCalls() {}

    /**
     * Runs a core call. The operations throw {@link BklogException}s with their code ({@code operation_refused},
     * {@code operation_not_found}, {@code bad_request}...), which {@link ErrorResponses} writes as they are, the same
     * code an embedded caller sees; an {@link IllegalArgumentException} from below is still the caller's input, so
     * {@code bad_request}.
     */
    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (IllegalArgumentException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, e.getMessage(), null);
        }
    }

    /** An ISO-8601 instant or epoch milliseconds; a missing or bad value is a {@code bad_request} naming the field. */
    static Instant time(Object value, String field) {
        if (value == null || value.toString().isBlank()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "'" + field + "' is required (ISO-8601 time or epoch ms)",
                    field);
        }
        if (value instanceof Number n) return Instant.ofEpochMilli(n.longValue());
        String s = value.toString().trim();
        try {
            if (s.matches("-?\\d+")) return Instant.ofEpochMilli(Long.parseLong(s));
            return Instant.parse(s);
        } catch (DateTimeParseException | NumberFormatException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "'" + field + "' is not an ISO-8601 time or epoch ms: '"
                    + s + "'", field);
        }
    }

    /** A task status as the API shows it: state {@code queued|running|done|failed}, progress 0..1. */
    static Map<String, Object> status(TaskStatus s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", s.id());
        out.put("task", s.task());
        out.put("state", s.state().name().toLowerCase(java.util.Locale.ROOT));
        out.put("progress", s.progress());
        out.put("message", s.message());
        out.put("result", s.result());
        out.put("attempt", s.attempt());
        out.put("created_at", s.createdAt());
        out.put("updated_at", s.updatedAt());
        return out;
    }

    /** The body of an accepted task: its id and where to follow it. */
    static Map<String, Object> accepted(String taskId, String task) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task_id", taskId);
        out.put("task", task);
        out.put("status_url", "/api/v1/tasks/status/" + taskId);
        return out;
    }
}
