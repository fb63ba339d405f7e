package io.bklog.es;

import io.bklog.spi.FieldType;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Parsing query values and normalizing stored values to the Java types of their mapped field type. */
final class Values {
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+(%[0-9a-zA-Z]+)?");

    private Values() {}

    static BigDecimal parseDecimal(String s) {
        try {
            BigDecimal d = new BigDecimal(s.trim());
            return d;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A long, or an integral decimal such as {@code 3.0}; null otherwise. */
    static Long parseLongExact(String s) {
        BigDecimal d = parseDecimal(s);
        if (d == null) return null;
        try {
            return d.longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    static Double parseDouble(String s) {
        BigDecimal d = parseDecimal(s);
        return d == null ? null : d.doubleValue();
    }

    /** Epoch millis, or ISO-8601 (instant, offset date-time, local date-time or date taken as UTC); null otherwise. */
    static Long parseDateMillis(String s) {
        String v = s.trim();
        Long l = parseLongExact(v);
        if (l != null) return l;
        try {
            return Instant.parse(v).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the next ISO form
        }
        try {
            return OffsetDateTime.parse(v).toInstant().toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the next ISO form
        }
        try {
            return LocalDateTime.parse(v).toInstant(ZoneOffset.UTC).toEpochMilli();
        } catch (DateTimeParseException ignored) {
            // try the next ISO form
        }
        try {
            return LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** An IPv4 or IPv6 literal (never a host name: nothing is resolved). */
    static boolean isIp(String s) {
        String v = s.trim();
        if (IPV4.matcher(v).matches()) return true;
        if (!v.contains(":") || !IPV6_CHARS.matcher(v).matches() || v.contains("%")) return false;
        try {
            return java.net.InetAddress.getByName(v) instanceof java.net.Inet6Address;
        } catch (java.net.UnknownHostException e) {
            return false;
        }
    }

    /**
     * A document value converted at index time to its mapped type (numeric strings to long/double,
     * {@code true}/{@code false} to boolean, ISO-8601 or epoch millis to a date's millis, an address to its canonical
     * text, any scalar to a keyword's string); a list element-wise. Throws {@link IllegalArgumentException} naming the
     * field when the value cannot convert.
     */
    static Object convert(String field, FieldType type, Object v) {
        if (v == null) return null;
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (o instanceof List<?>) {
                    throw new IllegalArgumentException("field '" + field + "' holds a nested list; expected "
                            + type.wireName() + " values");
                }
                if (o != null) out.add(convert(field, type, o));
            }
            return out;
        }
        Object out = switch (type) {
            case KEYWORD, TEXT -> v instanceof String ? v
                    : v instanceof Double d ? formatDouble(d)
                    : v instanceof Float f ? formatDouble(f.doubleValue())
                    : v instanceof Number || v instanceof Boolean ? v.toString() : null;
            case LONG -> v instanceof Long ? v
                    : v instanceof Integer || v instanceof Short || v instanceof Byte ? (Object) ((Number) v).longValue()
                    : v instanceof Number || v instanceof String ? parseLongExact(v.toString()) : null;
            case DOUBLE -> v instanceof Number n ? finite(n.doubleValue())
                    : v instanceof String str ? parseFiniteDouble(str) : null;
            case BOOLEAN -> v instanceof Boolean ? v : v instanceof String str ? parseBoolean(str.trim()) : null;
            case IP -> v instanceof String str ? canonicalIp(str) : null;
            case DATE -> v instanceof Long || v instanceof Integer ? (Object) ((Number) v).longValue()
                    : v instanceof Instant i ? (Object) i.toEpochMilli()
                    : v instanceof Number || v instanceof String ? parseDateMillis(v.toString()) : null;
        };
        if (out == null) {
            throw new IllegalArgumentException("field '" + field + "' of type " + type.wireName()
                    + " cannot take the value '" + v + "' (" + v.getClass().getSimpleName() + ")");
        }
        return out;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    private static Double parseFiniteDouble(String s) {
        Double d = parseDouble(s);
        return d == null ? null : finite(d);
    }

    static String formatDouble(double d) {
        if (d == 0) return "0";
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }

    /** The canonical text of an IPv4 or IPv6 literal (RFC 5952 for IPv6), or null when it is not one. */
    static String canonicalIp(String s) {
        String v = s.trim();
        if (!isIp(v)) return null;
        try {
            java.net.InetAddress a = java.net.InetAddress.getByName(v);
            if (a instanceof java.net.Inet4Address) return a.getHostAddress();
            byte[] b = a.getAddress();
            int[] g = new int[8];
            for (int i = 0; i < 8; i++) g[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
            int bestStart = -1;
            int bestLen = 0;
            for (int i = 0; i < 8; ) {
                if (g[i] != 0) {
                    i++;
                    continue;
                }
                int j = i;
                while (j < 8 && g[j] == 0) j++;
                if (j - i > bestLen && j - i >= 2) {
                    bestStart = i;
                    bestLen = j - i;
                }
                i = j;
            }
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 8; i++) {
                if (i == bestStart) {
                    sb.append("::");
                    i += bestLen - 1;
                    continue;
                }
                if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
                sb.append(Integer.toHexString(g[i]));
            }
            return sb.toString();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** A stored value as the Java type of its field type (String, Long, Double, Boolean; lists element-wise). */
    static Object normalize(Object v, FieldType type) {
        if (v == null) return null;
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) out.add(normalize(o, type));
            return out;
        }
        if (type == null) return asStored(v);
        return switch (type) {
            case KEYWORD, TEXT -> v instanceof String ? v : String.valueOf(v);
            case IP -> v instanceof String str ? orSelf(canonicalIp(str), v) : String.valueOf(v);
            case LONG -> v instanceof Number n ? (Object) n.longValue() : orSelf(parseLongExact(v.toString()), v);
            case DATE -> v instanceof Number n ? (Object) n.longValue() : orSelf(parseDateMillis(v.toString()), v);
            case DOUBLE -> v instanceof Number n ? (Object) n.doubleValue() : orSelf(parseDouble(v.toString()), v);
            case BOOLEAN -> v instanceof Boolean ? v : orSelf(parseBoolean(v.toString()), v);
        };
    }

    private static Boolean parseBoolean(String s) {
        return s.equalsIgnoreCase("true") ? Boolean.TRUE : s.equalsIgnoreCase("false") ? Boolean.FALSE : null;
    }

    private static Object orSelf(Object parsed, Object self) {
        return parsed != null ? parsed : self;
    }

    /** Unmapped values keep their JSON type, with integers as Long and decimals as Double. */
    private static Object asStored(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float || v instanceof BigDecimal) return ((Number) v).doubleValue();
        if (v instanceof java.math.BigInteger b) return b.bitLength() < 64 ? (Object) b.longValue() : b.doubleValue();
        return v;
    }
}
