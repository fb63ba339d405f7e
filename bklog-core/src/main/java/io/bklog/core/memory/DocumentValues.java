package io.bklog.core.memory;

import com.google.common.net.InetAddresses;
import io.bklog.spi.FieldType;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Conversions of document and query values to the mapped field types, shared by the in-memory store: what is
 * accepted at index time, how query values parse, how values order and how bucket keys print.
 */
final class DocumentValues {

    private static final Pattern EPOCH_MILLIS = Pattern.compile("-?\\d{1,19}");

    private DocumentValues() {}

    /**
     * The value converted to {@code type}, a list of converted values for a list, or an exception whose message says
     * why it cannot be converted.
     */
    static Object normalize(String field, FieldType type, Object value) {
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object v : list) {
                if (v == null) continue;
                if (v instanceof List<?>) {
                    throw new IllegalArgumentException("field '" + field + "' holds a nested list; expected "
                            + type.wireName() + " values");
                }
                out.add(normalizeOne(field, type, v));
            }
            return Collections.unmodifiableList(out);
        }
        return normalizeOne(field, type, value);
    }

    private static Object normalizeOne(String field, FieldType type, Object v) {
        Object out = switch (type) {
            case KEYWORD, TEXT -> (v instanceof String || v instanceof Number || v instanceof Boolean)
                    ? scalarToString(v) : null;
            case LONG -> toLong(v);
            case DOUBLE -> toDouble(v);
            case BOOLEAN -> toBoolean(v);
            case IP -> v instanceof String s ? canonicalIp(s) : null;
            case DATE -> toDate(v);
        };
        if (out == null) {
            throw new IllegalArgumentException("field '" + field + "' of type " + type.wireName()
                    + " cannot take the value '" + v + "' (" + v.getClass().getSimpleName() + ")");
        }
        return out;
    }

    private static String scalarToString(Object v) {
        if (v instanceof Double d) return formatDouble(d);
        if (v instanceof Float f) return formatDouble(f.doubleValue());
        return v.toString();
    }

    private static Long toLong(Object v) {
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return ((Number) v).longValue();
        }
        if (v instanceof Number n) return integral(new BigDecimal(n.toString()));
        if (v instanceof String s) return parseLong(s);
        return null;
    }

    private static Double toDouble(Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return Double.isFinite(d) ? d : null;
        }
        if (v instanceof String s) return parseDouble(s);
        return null;
    }

    private static Boolean toBoolean(Object v) {
        if (v instanceof Boolean b) return b;
        if (v instanceof String s) return parseBoolean(s);
        return null;
    }

    private static Long toDate(Object v) {
        if (v instanceof Long || v instanceof Integer) return ((Number) v).longValue();
        if (v instanceof Number n) return integral(new BigDecimal(n.toString()));
        if (v instanceof Instant i) return i.toEpochMilli();
        if (v instanceof String s) return parseDate(s);
        return null;
    }

    private static Long integral(BigDecimal d) {
        try {
            return d.longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** A long, or null when {@code s} is not an integral number. */
    static Long parseLong(String s) {
        String t = s.trim();
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            try {
                return integral(new BigDecimal(t));
            } catch (NumberFormatException e2) {
                return null;
            }
        }
    }

    static BigDecimal parseDecimal(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Double parseDouble(String s) {
        try {
            double d = Double.parseDouble(s.trim());
            return Double.isFinite(d) ? d : null;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static Boolean parseBoolean(String s) {
        return switch (s.trim()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        };
    }

    /** Epoch millis from epoch millis digits or ISO-8601 (instant, offset date-time, local date-time or date = UTC). */
    static Long parseDate(String s) {
        String t = s.trim();
        if (EPOCH_MILLIS.matcher(t).matches()) {
            try {
                return Long.parseLong(t);
            } catch (NumberFormatException e) {
                return null;
            }
        }
        try {
            return Instant.parse(t).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return OffsetDateTime.parse(t).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // next form
        }
        try {
            return LocalDate.parse(t).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The canonical text of an IPv4/IPv6 address (RFC 5952 for IPv6), or null when it is not one. */
    static String canonicalIp(String s) {
        String t = s.trim();
        if (!InetAddresses.isInetAddress(t)) return null;
        return InetAddresses.toAddrString(InetAddresses.forString(t));
    }

    /** A query value parsed for a numeric, boolean, date or ip field; null when it does not parse. */
    static Object parseQueryValue(FieldType type, String value) {
        return switch (type) {
            case LONG -> parseLong(value);
            case DOUBLE -> parseDouble(value);
            case DATE -> parseDate(value);
            case BOOLEAN -> parseBoolean(value);
            case IP -> canonicalIp(value);
            case KEYWORD, TEXT -> value;
        };
    }

    /** The bucket key of a value, as {@link io.bklog.spi.query.AggregationResult.Bucket} documents it. */
    static String key(Object v) {
        if (v instanceof Double d) return formatDouble(d);
        return v.toString();
    }

    static String formatDouble(double d) {
        if (d == 0) return "0";
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /**
     * Total order of values of one field type: numbers numerically, booleans false first, ip addresses by their
     * bytes, strings by code point (the UTF-8 byte order Lucene and Elasticsearch use).
     */
    static int compare(FieldType type, Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) return compareNumbers(x, y);
        if (a instanceof Boolean x && b instanceof Boolean y) return Boolean.compare(x, y);
        if (a instanceof String x && b instanceof String y) {
            if (type == FieldType.IP) return compareIps(x, y);
            return compareStrings(x, y);
        }
        return Integer.compare(rank(a), rank(b));
    }

    private static int rank(Object v) {
        if (v instanceof Boolean) return 0;
        if (v instanceof Number) return 1;
        return 2;
    }

    static int compareNumbers(Number x, Number y) {
        if (isIntegral(x) && isIntegral(y)) return Long.compare(x.longValue(), y.longValue());
        return Double.compare(x.doubleValue(), y.doubleValue());
    }

    private static boolean isIntegral(Number n) {
        return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
    }

    static int compareStrings(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) return Integer.compare(ca, cb);
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }

    static int compareIps(String a, String b) {
        byte[] x = ipBytes(a);
        byte[] y = ipBytes(b);
        if (x == null || y == null) return compareStrings(a, b);
        for (int k = 0; k < 16; k++) {
            int c = Integer.compare(x[k] & 0xff, y[k] & 0xff);
            if (c != 0) return c;
        }
        return 0;
    }

    /** The address as 16 bytes (IPv4 mapped into IPv6, as Lucene's InetAddressPoint encodes it). */
    private static byte[] ipBytes(String s) {
        if (!InetAddresses.isInetAddress(s)) return null;
        InetAddress addr = InetAddresses.forString(s);
        byte[] raw = addr.getAddress();
        if (raw.length == 16) return raw;
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(raw, 0, out, 12, 4);
        return out;
    }

    /** The values of a source entry: empty for null, the elements of a list, else the value itself. */
    static List<Object> values(Object v) {
        if (v == null) return List.of();
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object o : l) {
                if (o != null) out.add(o);
            }
            return out;
        }
        return List.of(v);
    }

    static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
