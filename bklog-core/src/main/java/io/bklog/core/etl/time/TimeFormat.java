package io.bklog.core.etl.time;

import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * One known time format (bklog's id, e.g. {@code yyyy-MM-dd HH:mm:ss} or {@code epoch_millis}), compiled once.
 * Immutable and thread-safe; obtain instances from {@link TimeFormats}.
 */
public final class TimeFormat {

    enum Epoch { SECOND, MILLIS, MICROS, NANOS, MINUTE, AUTO }

    private final String id;
    private final String example;
    private final TimePattern pattern;
    private final Epoch epoch;
    private final boolean nanosPrecision;

    private TimeFormat(String id, String example, TimePattern pattern, Epoch epoch, boolean nanosPrecision) {
        this.id = id;
        this.example = example;
        this.pattern = pattern;
        this.epoch = epoch;
        this.nanosPrecision = nanosPrecision;
    }

    static TimeFormat ofPattern(String id, String pattern, String example, boolean nanos) {
        return new TimeFormat(id, example, TimePattern.compile(pattern), null, nanos);
    }

    static TimeFormat ofEpoch(String id, Epoch unit, String example) {
        return new TimeFormat(id, example, null, unit, unit == Epoch.MICROS || unit == Epoch.NANOS);
    }

    /** The format id as bklog names it. */
    public String id() {
        return id;
    }

    /** An example value in this format (the reference instant 2006-01-02 15:04:05, offset -07:00 where shown). */
    public String example() {
        return example;
    }

    /** True for epoch formats ({@code epoch_second}, {@code epoch_millis}, ...): numeric field values are allowed. */
    public boolean isEpoch() {
        return epoch != null;
    }

    /** True when values carry their own offset (Z, rfc3339, ISO8601, epoch): the configured zone is ignored. */
    public boolean hasOwnOffset() {
        return epoch != null || pattern.hasOffset();
    }

    /** bklog stores these as {@code date_nanos} (sub-millisecond precision). */
    public boolean nanosPrecision() {
        return nanosPrecision;
    }

    /**
     * Parses {@code value}.
     *
     * @param zone offset for values without one (bklog's integer {@code time_zone} hours)
     * @param now  the current time, used to infer the year of year-less formats (syslog)
     */
    public Instant parse(CharSequence value, ZoneOffset zone, Instant now) throws TimeParseException {
        Objects.requireNonNull(zone, "zone");
        if (value == null || value.length() == 0) throw new TimeParseException("empty time value");
        CharSequence v = trim(value);
        if (epoch != null) return parseEpoch(v);
        TimePattern.Parsed p = pattern.parse(v);
        long sec;
        if (pattern.hasYear()) {
            sec = p.epochSecond(p.year(), zone);
        } else {
            sec = inferYear(p, zone, now);
        }
        return Instant.ofEpochSecond(sec, p.nano());
    }

    /** Syslog-style values have no year: the latest year that does not put the value in the future. */
    private static long inferYear(TimePattern.Parsed p, ZoneOffset zone, Instant now) throws TimeParseException {
        int year = LocalDate.ofInstant(now, p.offset() != null ? p.offset() : zone).getYear();
        TimeParseException last = null;
        for (int y = year; y > year - 8; y--) {
            try {
                long sec = p.epochSecond(y, zone);
                if (sec <= now.getEpochSecond()) return sec;
            } catch (TimeParseException e) {
                last = e; // Feb 29 in a non-leap year: try earlier years
            }
        }
        throw last != null ? last : new TimeParseException("no year puts the value in the past");
    }

    private Instant parseEpoch(CharSequence v) throws TimeParseException {
        int len = v.length();
        int i = 0;
        boolean neg = false;
        if (v.charAt(0) == '-' || v.charAt(0) == '+') {
            neg = v.charAt(0) == '-';
            i = 1;
        }
        long whole = 0;
        int intDigits = 0;
        while (i < len && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
            if (intDigits++ > 18) throw new TimeParseException("epoch value '" + v + "' has too many digits");
            whole = whole * 10 + (v.charAt(i) - '0');
            i++;
        }
        long fracNanos = 0;
        int fracDigits = 0;
        if (i < len && v.charAt(i) == '.') {
            i++;
            while (i < len && v.charAt(i) >= '0' && v.charAt(i) <= '9') {
                if (fracDigits < 9) {
                    fracNanos = fracNanos * 10 + (v.charAt(i) - '0');
                    fracDigits++;
                }
                i++;
            }
            for (int k = fracDigits; k < 9; k++) fracNanos *= 10;
        }
        if (intDigits == 0 || i != len) {
            throw new TimeParseException("expected an epoch number for " + id + " but found '" + v + "'");
        }
        Epoch unit = epoch;
        if (unit == Epoch.AUTO) {
            // by magnitude: seconds until year 5138, then millis, micros, nanos
            unit = whole < 100_000_000_000L ? Epoch.SECOND : whole < 100_000_000_000_000L ? Epoch.MILLIS
                    : whole < 100_000_000_000_000_000L ? Epoch.MICROS : Epoch.NANOS;
        }
        // fractions scale with the unit: 1.5 seconds, 1.5 millis, ...
        Instant t = switch (unit) {
            case SECOND -> Instant.ofEpochSecond(whole, fracNanos);
            case MINUTE -> Instant.ofEpochSecond(Math.multiplyExact(whole, 60L), 0).plusNanos(fracNanos * 60);
            case MILLIS -> Instant.ofEpochMilli(whole).plusNanos(fracNanos / 1000);
            case MICROS -> Instant.ofEpochSecond(whole / 1_000_000L, (whole % 1_000_000L) * 1000L + fracNanos / 1_000_000L);
            case NANOS -> Instant.ofEpochSecond(whole / 1_000_000_000L, whole % 1_000_000_000L);
            case AUTO -> throw new IllegalStateException();
        };
        if (neg) {
            t = Instant.ofEpochSecond(0).minusSeconds(t.getEpochSecond()).minusNanos(t.getNano());
        }
        return t;
    }

    private static CharSequence trim(CharSequence v) {
        int s = 0;
        int e = v.length();
        while (s < e && v.charAt(s) <= ' ') s++;
        while (e > s && v.charAt(e - 1) <= ' ') e--;
        return s == 0 && e == v.length() ? v : v.subSequence(s, e);
    }

    @Override
    public String toString() {
        return id;
    }
}
