package io.bklog.spi.source;

/**
 * The state of a source for the collectors API, e.g. {@code RUNNING "consuming [app-logs] as group g, lag 12"}.
 *
 * @param state  where the source is in its lifecycle
 * @param detail a short human-readable detail, never null
 */
public record SourceStatus(State state, String detail) {

    public enum State { CREATED, RUNNING, DEGRADED, STOPPED }

    public SourceStatus {
        java.util.Objects.requireNonNull(state, "state");
        detail = detail == null ? "" : detail;
    }

    public static SourceStatus running(String detail) {
        return new SourceStatus(State.RUNNING, detail);
    }
}
