package io.bklog.lucene;

import io.bklog.spi.FieldType;

import java.math.BigDecimal;
import java.math.RoundingMode;
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
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** Converts document and query values to a field type's canonical form. */
final class FieldValues {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(%[\\w.]+)?");
    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,19}");

    private FieldValues() {}

    /**
     * The value of a document field normalized to its mapped type (a list stays a list); throws
     * {@link IllegalArgumentException} naming the field, type and value when it does not convert.
     */
    static Object normalize(String field, FieldType type, Object value) {
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object v : list) {
                if (v != null) out.add(normalizeOne(field, type, v));
            }
            return out;
        }
        return normalizeOne(field, type, value);
    }

    private static Object normalizeOne(String field, FieldType type, Object value) {
        Object out = switch (type) {
            case KEYWORD, TEXT -> value instanceof String s ? s : asText(value);
            case LONG -> value instanceof Long l ? l : toLong(value);
            case DATE -> value instanceof Long l ? l : toDate(value);
            case DOUBLE -> value instanceof Number n ? Double.valueOf(n.doubleValue()) : toDouble(value);
            case BOOLEAN -> value instanceof Boolean b ? b : toBoolean(value);
            case IP -> value instanceof String s ? canonicalIp(s).orElse(null) : null;
        };
        if (out == null) {
            throw new IllegalArgumentException("field '" + field + "' is mapped as " + type.wireName()
                    + " but the document has value '" + value + "' (" + value.getClass().getSimpleName() + ")");
        }
        return out;
    }

    private static String asText(Object v) {
        if (v instanceof Double d && d == Math.rint(d) && !Double.isInfinite(d)) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        return String.valueOf(v);
    }

    private static Long toLong(Object v) {
        if (v instanceof Number n) {
            double d = n.doubleValue();
            return d == Math.rint(d) && !Double.isInfinite(d) ? n.longValue() : null;
        }
        return parseLong(String.valueOf(v)).orElse(null);
    }

    private static Long toDate(Object v) {
        if (v instanceof Number n) return n.longValue();
        return parseDate(String.valueOf(v)).orElse(null);
    }

    private static Double toDouble(Object v) {
        try {
            return Double.parseDouble(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static Boolean toBoolean(Object v) {
        return parseBoolean(String.valueOf(v)).orElse(null);
    }

    static Optional<Boolean> parseBoolean(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) return Optional.of(Boolean.TRUE);
        if (v.equals("false")) return Optional.of(Boolean.FALSE);
        return Optional.empty();
    }

    /** An integer value; a decimal with no fraction is accepted. */
    static Optional<Long> parseLong(String s) {
        String v = s.trim();
        if (INTEGER.matcher(v).matches()) {
            try {
                return Optional.of(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return parseDecimal(v).flatMap(d -> {
            try {
                return Optional.of(d.longValueExact());
            } catch (ArithmeticException e) {
                return Optional.empty();
            }
        });
    }

    static Optional<BigDecimal> parseDecimal(String s) {
        try {
            return Optional.of(new BigDecimal(s.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Epoch millis or ISO-8601 (instant, offset date-time, local date-time or date read as UTC). */
    static Optional<Long> parseDate(String s) {
        String v = s.trim();
        if (INTEGER.matcher(v).matches()) return parseLong(v);
        try {
            return Optional.of(millis(Instant.parse(v)));
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return Optional.of(millis(OffsetDateTime.parse(v).toInstant()));
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return Optional.of(millis(LocalDateTime.parse(v).toInstant(ZoneOffset.UTC)));
        } catch (DateTimeParseException ignored) {
            // try the next form
        }
        try {
            return Optional.of(millis(LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant()));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /**
     * Epoch millis of {@code t}, clamped to the long range: a year such as +999999999 is past every stored date (a
     * range bound on it matches as far as a long reaches) instead of an overflow.
     */
    static long millis(Instant t) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            return t.isAfter(Instant.EPOCH) ? Long.MAX_VALUE : Long.MIN_VALUE;
        }
    }

    /** A numeric bound for a long/date field, rounded inward so that {@code [lower, upper]} is inclusive. */
    static Optional<Long> longBound(FieldType type, String s, boolean lower, boolean inclusive) {
        if (type == FieldType.DATE) {
            Optional<Long> d = parseDate(s);
            if (d.isPresent()) {
                long v = d.get();
                if (inclusive) return d;
                return lower ? (v == Long.MAX_VALUE ? Optional.empty() : Optional.of(v + 1))
                        : (v == Long.MIN_VALUE ? Optional.empty() : Optional.of(v - 1));
            }
        }
        return parseDecimal(s).map(d -> {
            BigDecimal r;
            if (lower) {
                r = inclusive ? d.setScale(0, RoundingMode.CEILING) : d.setScale(0, RoundingMode.FLOOR).add(BigDecimal.ONE);
            } else {
                r = inclusive ? d.setScale(0, RoundingMode.FLOOR) : d.setScale(0, RoundingMode.CEILING).subtract(BigDecimal.ONE);
            }
            if (r.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) return Long.MAX_VALUE;
            if (r.compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) < 0) return Long.MIN_VALUE;
            return r.longValue();
        });
    }

    /** The address of an IP literal (never a host name lookup). */
    static Optional<InetAddress> parseIp(String s) {
        String v = s.trim();
        if (!IPV4.matcher(v).matches() && !IPV6.matcher(v).matches()) return Optional.empty();
        if (IPV4.matcher(v).matches()) {
            for (String part : v.split("\\.")) {
                if (Integer.parseInt(part) > 255) return Optional.empty();
            }
        }
        try {
            return Optional.of(InetAddress.getByName(v));
        } catch (UnknownHostException | SecurityException e) {
            return Optional.empty();
        }
    }

    /** The canonical text of an IP literal: dotted quad, or RFC 5952 compressed lower-case IPv6. */
    static Optional<String> canonicalIp(String s) {
        return parseIp(s).map(FieldValues::ipText);
    }

    /**
     * The doc value of an IP: its 16-byte {@link org.apache.lucene.document.InetAddressPoint} encoding, so doc-value
     * order (sort, terms ties) is address order, as in Elasticsearch; empty when the text is not an IP literal.
     */
    static Optional<org.apache.lucene.util.BytesRef> ipDocValue(String text) {
        return parseIp(text).map(a -> new org.apache.lucene.util.BytesRef(
                org.apache.lucene.document.InetAddressPoint.encode(a)));
    }

    /** The canonical text of an IP doc value written by {@link #ipDocValue}. */
    static String ipFromDocValue(org.apache.lucene.util.BytesRef b) {
        byte[] bytes = java.util.Arrays.copyOfRange(b.bytes, b.offset, b.offset + b.length);
        return ipText(org.apache.lucene.document.InetAddressPoint.decode(bytes));
    }

    /** Orders IP texts by address (unsigned bytes of their 16-byte encoding); non-IP text sorts last, as text. */
    static final java.util.Comparator<String> IP_ORDER = (x, y) -> {
        Optional<org.apache.lucene.util.BytesRef> a = ipDocValue(x);
        Optional<org.apache.lucene.util.BytesRef> b = ipDocValue(y);
        if (a.isPresent() && b.isPresent()) return a.get().compareTo(b.get());
        if (a.isPresent() != b.isPresent()) return a.isPresent() ? -1 : 1;
        return x.compareTo(y);
    };

    static String ipText(InetAddress a) {
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
        if (bestLen < 2) bestStart = -1;
        StringBuilder sb = new StringBuilder();
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
}
