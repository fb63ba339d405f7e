package io.bklog.spi;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one value normalisation every {@link LogStore} applies, so the same document reads back the same from the
 * in-memory, Lucene and Elasticsearch stores: what a value of a mapped {@link FieldType} becomes at index time
 * ({@link #convert}), how query values parse ({@link #parseLong}, {@link #parseDouble}, {@link #parseDateMillis},
 * {@link #parseBoolean}, {@link #canonicalIp}), and how a double prints as a keyword or a bucket key
 * ({@link #formatDouble}). JDK only; a third-party backend uses it to meet the {@code LogStoreContract}.
 *
 * <ul>
 *   <li>keyword/text: a string as given; a number or boolean as its text, a double without trailing zeros
 *       ({@code 3.0 → "3"}, {@code 0.5 → "0.5"}); anything else is refused.</li>
 *   <li>long: an integral number, or a string holding one ({@code "3"}, {@code "3.0"}, {@code "1e3"}); {@code 3.5}
 *       and values past the long range are refused.</li>
 *   <li>double: any finite number, or a decimal string ({@code NaN}, infinities and hex are refused).</li>
 *   <li>boolean: {@code true}/{@code false}, also as strings in any case.</li>
 *   <li>ip: an IPv4 dotted quad (no leading zeros) or an IPv6 literal (no zone), kept as its canonical text: the
 *       dotted quad, or RFC 5952 lower-case compressed IPv6 ({@code 2001:DB8:0:0:0:0:0:1 → 2001:db8::1}); an
 *       IPv4-mapped IPv6 address reads as its IPv4 text. Nothing is ever resolved.</li>
 *   <li>date: epoch millis (an integral number or string) or ISO-8601 (instant, offset date-time, local date-time
 *       or date, the last two read as UTC), kept as epoch millis.</li>
 * </ul>
 * A list converts element-wise (nulls dropped; a nested list is refused).
 */
public final class FieldValues {
    private static final Pattern IPV4 = Pattern.compile(
            "((25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9a-fA-F:.]+");

    private FieldValues() {}

    /**
     * A document value converted at index time to its mapped type (see the class comment); a list element-wise.
     *
     * @throws IllegalArgumentException naming the field, the type and the value when it cannot convert
     */
    public static Object convert(String field, FieldType type, Object value) {
        if (value == null) return null;
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) {
                if (o instanceof List<?>) {
                    throw new IllegalArgumentException("field '" + field + "' holds a nested list; expected "
                            + type.wireName() + " values");
                }
                if (o != null) out.add(convertOne(field, type, o));
            }
            return out;
        }
        return convertOne(field, type, value);
    }

    private static Object convertOne(String field, FieldType type, Object v) {
        Object out = switch (type) {
            case KEYWORD, TEXT -> v instanceof String ? v
                    : v instanceof Double d ? formatDouble(d)
                    : v instanceof Float f ? formatDouble(f.doubleValue())
                    : v instanceof Number || v instanceof Boolean ? v.toString() : null;
            case LONG -> isIntegralType(v) ? (Object) ((Number) v).longValue()
                    : v instanceof Number || v instanceof String ? parseLong(v.toString()) : null;
            case DOUBLE -> v instanceof Number n ? finite(n.doubleValue())
                    : v instanceof String s ? parseDouble(s) : null;
            case BOOLEAN -> v instanceof Boolean ? v : v instanceof String s ? parseBoolean(s) : null;
            case IP -> v instanceof String s ? canonicalIp(s) : null;
            case DATE -> isIntegralType(v) ? (Object) ((Number) v).longValue()
                    : v instanceof Instant i ? exactMillis(i)
                    : v instanceof Number || v instanceof String ? parseDate(v.toString(), false) : null;
        };
        if (out == null) {
            throw new IllegalArgumentException("field '" + field + "' of type " + type.wireName()
                    + " cannot take the value '" + v + "' (" + v.getClass().getSimpleName() + ")");
        }
        return out;
    }

    private static boolean isIntegralType(Object v) {
        return v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte;
    }

    private static Double finite(double d) {
        return Double.isFinite(d) ? d : null;
    }

    /** A decimal number ({@link BigDecimal} syntax, surrounding blanks ignored); null otherwise. */
    public static BigDecimal parseDecimal(String s) {
        try {
            return new BigDecimal(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** A long, or an integral decimal such as {@code 3.0} or {@code 1e3} within the long range; null otherwise. */
    public static Long parseLong(String s) {
        BigDecimal d = parseDecimal(s);
        if (d == null) return null;
        try {
            return d.longValueExact();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** A finite double written as a decimal number; null otherwise. */
    public static Double parseDouble(String s) {
        BigDecimal d = parseDecimal(s);
        return d == null ? null : finite(d.doubleValue());
    }

    /** {@code true} or {@code false} in any case, surrounding blanks ignored; null otherwise. */
    public static Boolean parseBoolean(String s) {
        String v = s.trim();
        return v.equalsIgnoreCase("true") ? Boolean.TRUE : v.equalsIgnoreCase("false") ? Boolean.FALSE : null;
    }

    /**
     * Epoch millis of a query value: epoch millis, or ISO-8601 (instant, offset date-time, local date-time or date,
     * the last two read as UTC); null otherwise. A date past the long range of millis (year +999999999) is clamped to
     * {@link Long#MAX_VALUE} / {@link Long#MIN_VALUE}, so a range bound on it matches as far as a long reaches.
     */
    public static Long parseDateMillis(String s) {
        return parseDate(s, true);
    }

    private static Long parseDate(String s, boolean clamp) {
        String v = s.trim();
        Long l = parseLong(v);
        if (l != null) return l;
        try {
            return millis(Instant.parse(v), clamp);
        } catch (DateTimeParseException ignored) {
            // try the next ISO form
        }
        try {
            return millis(OffsetDateTime.parse(v).toInstant(), clamp);
        } catch (DateTimeParseException ignored) {
            // try the next ISO form
        }
        try {
            return millis(LocalDateTime.parse(v).toInstant(ZoneOffset.UTC), clamp);
        } catch (DateTimeParseException ignored) {
            // try the next ISO form
        }
        try {
            return millis(LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant(), clamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private static Long millis(Instant t, boolean clamp) {
        if (clamp) return clampedMillis(t);
        return exactMillis(t);
    }

    /** Epoch millis of {@code t}, clamped to the long range instead of overflowing. */
    public static long clampedMillis(Instant t) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            return t.isAfter(Instant.EPOCH) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    private static Long exactMillis(Instant t) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            return null;
        }
    }

    /** The address of an IPv4 or IPv6 literal (see the class comment); null for anything else, never resolved. */
    public static InetAddress parseIp(String s) {
        String v = s.trim();
        boolean v4 = IPV4.matcher(v).matches();
        if (!v4 && (v.indexOf(':') < 0 || !IPV6_CHARS.matcher(v).matches())) return null;
        try {
            return InetAddress.getByName(v);
        } catch (UnknownHostException | SecurityException e) {
            return null;
        }
    }

    /** Whether {@code s} is an IP literal {@link #parseIp} accepts. */
    public static boolean isIp(String s) {
        return parseIp(s) != null;
    }

    /** The canonical text of an IP literal (dotted quad, or RFC 5952 IPv6); null when it is not one. */
    public static String canonicalIp(String s) {
        InetAddress a = parseIp(s);
        return a == null ? null : ipText(a);
    }

    /** The canonical text of an address: dotted quad, or RFC 5952 compressed lower-case IPv6. */
    public static String ipText(InetAddress a) {
        byte[] b = a.getAddress();
        if (b.length == 4) return a.getHostAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) groups[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) j++;
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) bestStart = -1; // RFC 5952 4.2.2: "::" never stands for a single group
        StringBuilder sb = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') sb.append(':');
            sb.append(Integer.toHexString(groups[i]));
        }
        return sb.toString();
    }

    /**
     * The 16-byte form of an address (IPv4 mapped into IPv6, {@code ::ffff:a.b.c.d}), whose unsigned byte order is
     * address order, as Lucene's {@code InetAddressPoint} and Elasticsearch sort them.
     */
    public static byte[] ipBytes(InetAddress a) {
        byte[] raw = a.getAddress();
        if (raw.length == 16) return raw;
        byte[] out = new byte[16];
        out[10] = (byte) 0xff;
        out[11] = (byte) 0xff;
        System.arraycopy(raw, 0, out, 12, 4);
        return out;
    }

    /**
     * A double as a keyword or bucket key: without trailing zeros and never in exponent notation ({@code 3.0 → "3"},
     * {@code 1.0E-5 → "0.00001"}); NaN and infinities as Java prints them.
     */
    public static String formatDouble(double d) {
        if (d == 0) return "0";
        if (!Double.isFinite(d)) return Double.toString(d);
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
