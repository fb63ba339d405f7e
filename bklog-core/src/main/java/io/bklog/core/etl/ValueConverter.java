package io.bklog.core.etl;

import com.google.common.net.InetAddresses;
import io.bklog.core.etl.time.TimeFormat;
import io.bklog.core.etl.time.TimeFormats;
import io.bklog.core.etl.time.TimeParseException;

import java.time.Instant;
import java.time.ZoneOffset;

/** Converts extracted values to a field's type; a failure says why. */
final class ValueConverter {

    static final class ConversionException extends Exception {
        ConversionException(String message) {
            super(message, null, false, false);
        }
    }

    private static final TimeFormat AUTO_EPOCH = TimeFormats.get("epoch");
    private static final TimeFormat ISO = TimeFormats.get("iso8601");

    private ValueConverter() {
    }

    static Object convert(Object v, ValueType type, TimeFormat format, ZoneOffset zone, Instant now)
            throws ConversionException {
        return switch (type) {
            case STRING, OBJECT -> v instanceof String ? v : v.toString();
            case LONG -> toLong(v);
            case DOUBLE -> toDouble(v);
            case BOOLEAN -> toBoolean(v);
            case IP -> toIp(v);
            case DATE -> toDate(v, format, zone, now).toEpochMilli();
        };
    }

    static Long toLong(Object v) throws ConversionException {
        if (v instanceof Long l) return l;
        if (v instanceof Integer i) return i.longValue();
        if (v instanceof Double d) {
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.2e18) return d.longValue();
            throw new ConversionException("'" + v + "' is not an integer");
        }
        String s = v.toString().trim();
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new ConversionException("'" + abbreviate(s) + "' is not an integer");
        }
    }

    static Double toDouble(Object v) throws ConversionException {
        if (v instanceof Double d) return d;
        if (v instanceof Number n) return n.doubleValue();
        String s = v.toString().trim();
        try {
            double d = Double.parseDouble(s);
            if (Double.isNaN(d) || Double.isInfinite(d)) throw new NumberFormatException();
            return d;
        } catch (NumberFormatException e) {
            throw new ConversionException("'" + abbreviate(s) + "' is not a number");
        }
    }

    static Boolean toBoolean(Object v) throws ConversionException {
        if (v instanceof Boolean b) return b;
        String s = v.toString().trim();
        if (s.equalsIgnoreCase("true") || s.equals("1")) return Boolean.TRUE;
        if (s.equalsIgnoreCase("false") || s.equals("0")) return Boolean.FALSE;
        throw new ConversionException("'" + abbreviate(s) + "' is not a boolean (true/false)");
    }

    static String toIp(Object v) throws ConversionException {
        String s = v.toString().trim();
        if (!InetAddresses.isInetAddress(s)) {
            throw new ConversionException("'" + abbreviate(s) + "' is not an IPv4/IPv6 address");
        }
        return InetAddresses.toAddrString(InetAddresses.forString(s));
    }

    /** A date value: with the field's format when given, else epoch (by magnitude) or ISO 8601. */
    static Instant toDate(Object v, TimeFormat format, ZoneOffset zone, Instant now) throws ConversionException {
        String s = v instanceof Double d ? java.math.BigDecimal.valueOf(d).toPlainString() : v.toString();
        try {
            if (format != null) return format.parse(s, zone, now);
            if (v instanceof Number) return AUTO_EPOCH.parse(s, zone, now);
            try {
                return ISO.parse(s, zone, now);
            } catch (TimeParseException e) {
                return AUTO_EPOCH.parse(s, zone, now);
            }
        } catch (TimeParseException e) {
            throw new ConversionException("'" + abbreviate(s) + "' is not a time"
                    + (format != null ? " in format " + format.id() : "") + ": " + e.getMessage());
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
