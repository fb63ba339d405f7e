package io.bklog.core.memory;

import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How the in-memory store compares and prints values of the mapped field types: query values parsed, values ordered,
 * bucket keys printed. What a value becomes at index time and how it parses is {@link FieldValues}, shared with the
 * Lucene and Elasticsearch stores.
 */
final class DocumentValues {

    private DocumentValues() {}

    /** A query value parsed for a numeric, boolean, date or ip field; null when it does not parse. */
    static Object parseQueryValue(FieldType type, String value) {
        return switch (type) {
            case LONG -> FieldValues.parseLong(value);
            case DOUBLE -> FieldValues.parseDouble(value);
            case DATE -> FieldValues.parseDateMillis(value);
            case BOOLEAN -> FieldValues.parseBoolean(value);
            case IP -> FieldValues.canonicalIp(value);
            case KEYWORD, TEXT -> value;
        };
    }

    /** The bucket key of a value, as {@link io.bklog.spi.query.AggregationResult.Bucket} documents it. */
    static String key(Object v) {
        if (v instanceof Double d) return FieldValues.formatDouble(d);
        return v.toString();
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
        InetAddress addr = FieldValues.parseIp(s);
        return addr == null ? null : FieldValues.ipBytes(addr);
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
