package io.bklog.core.indexset;

import com.google.common.net.InetAddresses;
import io.bklog.spi.FieldType;

import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The type a field gets when a document brings it to an index set that does not map it (dynamic mapping, as
 * Elasticsearch's {@code dynamic: true}): {@code true}/{@code false} → boolean, a whole number → long, a fraction →
 * double, an ISO-8601 date or date-time string → date, an IPv4 or IPv6 literal → ip, a string with white space (or
 * longer than 256 characters, Elasticsearch's {@code ignore_above}) → text (searchable by word: it looks like prose),
 * any other string → keyword (exact values, aggregations). A list takes the type of its first value; an empty list
 * or null maps nothing yet.
 */
public final class DynamicTypes {
    private static final Pattern ISO_DATE = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2}(?:[.,]\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?)?");
    private static final Pattern OFFSET = Pattern.compile("(?:Z|[+-]\\d{2}:?\\d{2})$");
    private static final int KEYWORD_MAX = 256;

    private DynamicTypes() {}

    /** The inferred type of a flattened value, or null when there is nothing to infer from. */
    public static FieldType infer(Object v) {
        if (v instanceof List<?> list) {
            for (Object o : list) {
                if (o != null) return infer(o);
            }
            return null;
        }
        if (v instanceof Boolean) return FieldType.BOOLEAN;
        if (v instanceof Long || v instanceof Integer) return FieldType.LONG;
        if (v instanceof Number) return FieldType.DOUBLE;
        if (v instanceof String s) {
            if (isoDateMillis(s) != null) return FieldType.DATE;
            if ((s.indexOf('.') > 0 || s.indexOf(':') >= 0) && InetAddresses.isInetAddress(s)) return FieldType.IP;
            if (s.length() > KEYWORD_MAX || s.chars().anyMatch(Character::isWhitespace)) return FieldType.TEXT;
            return FieldType.KEYWORD;
        }
        return v == null ? null : FieldType.KEYWORD;
    }

    /**
     * Epoch millis of an ISO-8601 date ({@code 2026-12-05}, UTC midnight) or date-time ({@code 2026-12-05T10:00:00Z},
     * with an offset, or without one read as UTC), else null.
     */
    public static Long isoDateMillis(String s) {
        if (s == null || s.length() < 10 || s.length() > 40) return null;
        Long utc = io.bklog.core.query.UtcTimestamps.parseMillis(s); // the common shape, without a regex
        if (utc != null) return utc;
        if (!ISO_DATE.matcher(s).matches()) return null;
        String t = s.replace(' ', 'T').replace(',', '.');
        try {
            if (t.length() == 10) return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
            if (OFFSET.matcher(t).find()) {
                if (!t.endsWith("Z") && t.charAt(t.length() - 3) != ':') {
                    t = t.substring(0, t.length() - 2) + ":" + t.substring(t.length() - 2); // +0800 -> +08:00
                }
                return OffsetDateTime.parse(t).toInstant().toEpochMilli();
            }
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
