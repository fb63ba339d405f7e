package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * Status of a long-running operation a user started and polls (restore, backup, upgrade, ETL preview...).
 *
 * @param id       caller-chosen key, e.g. a UUID
 * @param kind     what it is, e.g. {@code backup}
 * @param status   {@link #PENDING}, {@link #RUNNING}, {@link #SUCCESS} or {@link #FAILED}
 * @param progress 0..1
 * @param result   JSON result once finished; {@code null} JSON until then
 */
public record AsyncTask(String id, String kind, String status, double progress, String message, JsonNode result,
                        long version, Instant createdAt, Instant updatedAt) {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String SUCCESS = "success";
    public static final String FAILED = "failed";

    public AsyncTask {
        Rows.max(Rows.required(id, "async task id"), 64, "async task id");
        Rows.max(Rows.required(kind, "async task kind"), 64, "async task kind");
        Rows.max(Rows.required(status, "async task status"), 32, "async task status");
        if (progress < 0 || progress > 1) {
            throw new IllegalArgumentException("async task progress must be within 0..1, got " + progress);
        }
        result = Rows.nullable(result);
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static AsyncTask pending(String id, String kind) {
        return new AsyncTask(id, kind, PENDING, 0, null, null, 0, null, null);
    }

    public boolean isFinished() {
        return SUCCESS.equals(status) || FAILED.equals(status);
    }

    public AsyncTask progressed(double newProgress, String newMessage) {
        return new AsyncTask(id, kind, RUNNING, newProgress, newMessage, result, version, createdAt, updatedAt);
    }

    public AsyncTask succeeded(JsonNode newResult, String newMessage) {
        return new AsyncTask(id, kind, SUCCESS, 1, newMessage, newResult, version, createdAt, updatedAt);
    }

    public AsyncTask failed(String newMessage) {
        return new AsyncTask(id, kind, FAILED, progress, newMessage, result, version, createdAt, updatedAt);
    }
}
