package io.bklog.spi;

import java.util.List;
import java.util.Map;

/**
 * bklog's raw-line field {@code log} and the shipper text fields the platform copies into it (the {@code _bulk}
 * route's text conventions): one definition for the route that makes the copy and for the stores that keep the line
 * once when {@code log} is such a copy.
 */
public final class RawLine {
    /** bklog's raw-line field. */
    public static final String LOG = "log";
    /** Where shippers put the text, in the order tried: ECS/winston/Logstash, pino/bunyan, syslog-ng/journald. */
    public static final List<String> COPIED_FROM = List.of("message", "msg", "MESSAGE");

    private RawLine() {}

    /**
     * The field of {@link #COPIED_FROM} that {@code log} is a copy of in {@code fields}, both mapped as text in
     * {@code types}; null when {@code log} is not such a copy.
     */
    public static String copiedFrom(Map<String, Object> fields, Map<String, FieldType> types) {
        if (!(fields.get(LOG) instanceof String line) || types.get(LOG) != FieldType.TEXT) return null;
        for (String k : COPIED_FROM) {
            if (types.get(k) == FieldType.TEXT && line.equals(fields.get(k))) return k;
        }
        return null;
    }
}
