package io.bklog.core.etl.time;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.time.temporal.TemporalQueries;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

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
    /** a user's pattern {@link TimePattern} cannot read, parsed by {@code DateTimeFormatter} */
    private final DateTimeFormatter formatter;
    private final boolean formatterHasYear;
    private final boolean formatterHasOffset;
    /** {@code auto}: the formats tried, in order, and the format found per value shape */
    private final List<TimeFormat> candidates;
    private final ConcurrentHashMap<String, TimeFormat> byShape;

    /** How far in the future a year-less value may lie (clock skew between hosts) before it is taken as last year's. */
    static final Duration YEAR_INFERENCE_SKEW = Duration.ofDays(1);
    private static final int MAX_SHAPES = 1024;
    private static final int MAX_SHAPE_LENGTH = 64;
    private static final TimeFormat NO_MATCH = new TimeFormat("none", "", null, Epoch.AUTO, false, null, List.of());

    private TimeFormat(String id, String example, TimePattern pattern, Epoch epoch, boolean nanosPrecision) {
        this(id, example, pattern, epoch, nanosPrecision, null, null);
    }

    private TimeFormat(String id, String example, TimePattern pattern, Epoch epoch, boolean nanosPrecision,
                       DateTimeFormatter formatter, List<TimeFormat> candidates) {
        this.id = id;
        this.example = example;
        this.pattern = pattern;
        this.epoch = epoch;
        this.nanosPrecision = nanosPrecision;
        this.formatter = formatter;
        String letters = formatter == null ? "" : unquotedLetters(id);
        this.formatterHasYear = letters.indexOf('y') >= 0 || letters.indexOf('u') >= 0;
        this.formatterHasOffset = letters.matches(".*[XxZOV].*");
        this.candidates = candidates;
        this.byShape = candidates == null ? null : new ConcurrentHashMap<>();
    }

    /**
     * A format given as a {@code DateTimeFormatter} pattern ({@code yyMMdd HHmmss}, {@code EEE MMM dd HH:mm:ss yyyy},
     * {@code MM.dd HH:mm:ss}...): read by the allocation-free {@link TimePattern} when its letters allow, else by
     * {@code DateTimeFormatter} (case-insensitive, English names). A year-less pattern takes its year as syslog does.
     *
     * @throws IllegalArgumentException the pattern is not a valid pattern, or lacks a month, a day or an hour
     */
    static TimeFormat ofUserPattern(String pattern) {
        try {
            TimePattern tp = TimePattern.compile(pattern, true);
            if (!tp.hasDateAndHour()) throw new IllegalArgumentException(needs(pattern));
            boolean nanos = pattern.contains("SSSS") || pattern.contains("[.S]");
            return new TimeFormat(pattern, pattern, tp, null, nanos);
        } catch (IllegalArgumentException fast) {
            if (fast.getMessage() != null && fast.getMessage().startsWith("time pattern")) throw fast;
        }
        DateTimeFormatter f;
        try {
            f = new DateTimeFormatterBuilder().parseCaseInsensitive().appendPattern(pattern).toFormatter(Locale.ENGLISH);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + pattern + "' is neither a known time format nor a valid"
                    + " DateTimeFormatter pattern: " + e.getMessage());
        }
        String letters = unquotedLetters(pattern);
        if (!letters.matches(".*[ML].*") || letters.indexOf('d') < 0 || !letters.matches(".*[HhKk].*")) {
            throw new IllegalArgumentException(needs(pattern));
        }
        return new TimeFormat(pattern, pattern, null, null, letters.contains("SSSS") || letters.contains("n"), f,
                null);
    }

    private static String needs(String pattern) {
        return "time pattern '" + pattern + "' needs at least a month (MM or MMM), a day (dd) and an hour (HH)";
    }

    /** {@code auto}: recognises the common log timestamps, trying {@code candidates} once per value shape. */
    static TimeFormat auto(String id, String example, List<TimeFormat> candidates) {
        return new TimeFormat(id, example, null, null, true, null, List.copyOf(candidates));
    }

    private static String unquotedLetters(String pattern) {
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '\'') quoted = !quoted;
            else if (!quoted && Character.isLetter(c)) b.append(c);
        }
        return b.toString();
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
        return epoch != null && candidates == null;
    }

    /** True for {@code auto}: the format is recognised per value ({@link #resolve}). */
    public boolean isAuto() {
        return candidates != null;
    }

    /** True when values carry their own offset (Z, rfc3339, ISO8601, epoch): the configured zone is ignored. */
    public boolean hasOwnOffset() {
        if (candidates != null) return false;
        if (formatter != null) return formatterHasOffset;
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
        if (candidates != null) return detect(v, zone, now).instant();
        if (epoch != null) return parseEpoch(v);
        TimePattern.Parsed p = formatter != null ? parseWithFormatter(v) : pattern.parse(v);
        boolean hasYear = formatter != null ? formatterHasYear : pattern.hasYear();
        long sec;
        if (hasYear) {
            sec = p.epochSecond(p.year(), zone);
        } else {
            sec = inferYear(p, zone, now);
        }
        return Instant.ofEpochSecond(sec, p.nano());
    }

    /** A value read by {@code auto}: the instant and the format recognised. */
    public record Detected(Instant instant, TimeFormat format) {
    }

    /**
     * Parses {@code value} and says with which format: for {@code auto} the format cached for the value's shape is
     * tried first (one parse), the candidates only for a new shape or a value the cached one refuses.
     */
    public Detected detect(CharSequence value, ZoneOffset zone, Instant now) throws TimeParseException {
        if (candidates == null) return new Detected(parse(value, zone, now), this);
        CharSequence v = trim(value);
        if (v.length() == 0) throw new TimeParseException("empty time value");
        String shape = shape(v);
        TimeFormat known = shape == null ? null : byShape.get(shape);
        if (known != null && known != NO_MATCH) {
            try {
                return new Detected(known.parse(v, zone, now), known);
            } catch (TimeParseException e) {
                // the shape's format refuses this value (a day out of range...): try the others
            }
        }
        TimeFormat f = resolve(v);
        return new Detected(f.parse(v, zone, now), f);
    }

    /**
     * The concrete format of {@code value}: this one, or for {@code auto} the first candidate that reads a value of
     * the same shape (digits, letters and punctuation), found once per shape and cached.
     *
     * @throws TimeParseException {@code auto} recognises no format in the value
     */
    public TimeFormat resolve(CharSequence value) throws TimeParseException {
        if (candidates == null) return this;
        CharSequence v = trim(value);
        if (v.length() == 0) throw new TimeParseException("empty time value");
        String shape = shape(v);
        TimeFormat known = shape == null ? null : byShape.get(shape);
        if (known == NO_MATCH) throw unrecognised(v);
        if (known != null && known.accepts(v)) return known;
        for (TimeFormat c : candidates) {
            if (c.accepts(v)) {
                if (shape != null && known == null && byShape.size() < MAX_SHAPES) byShape.putIfAbsent(shape, c);
                return c;
            }
        }
        if (shape != null && known == null && byShape.size() < MAX_SHAPES) byShape.putIfAbsent(shape, NO_MATCH);
        throw unrecognised(v);
    }

    private TimeParseException unrecognised(CharSequence v) {
        return new TimeParseException("'" + v + "' is none of the time formats auto recognises (ISO 8601, RFC 3164,"
                + " RFC 5424, Apache, nginx, HDFS, log4j, Go, Python, epoch); give its time_format");
    }

    /** Whether {@code v} reads in this format (the year and zone do not matter here). */
    private boolean accepts(CharSequence v) {
        try {
            if (epoch != null) {
                // auto tells the epoch units apart by their digits: 10 (s), 13 (ms), 16 (µs), 19 (ns), ±1
                int digits = 0;
                while (digits < v.length() && Character.isDigit(v.charAt(digits))) digits++;
                int want = switch (epoch) {
                    case SECOND -> 10;
                    case MILLIS -> 13;
                    case MICROS -> 16;
                    case NANOS -> 19;
                    default -> -1;
                };
                if (want > 0 && Math.abs(digits - want) > 1) return false;
                if (want != 10 && digits < v.length()) return false; // a fraction only on seconds
                parseEpoch(v);
                return true;
            }
            TimePattern.Parsed p = formatter != null ? parseWithFormatter(v) : pattern.parse(v);
            p.epochSecond(p.year() == Integer.MIN_VALUE ? 2000 : p.year(), ZoneOffset.UTC);
            return true;
        } catch (TimeParseException e) {
            return false;
        }
    }

    /** Digits → 9, letters → a, the rest as is; null for values too long to be a time. */
    private static String shape(CharSequence v) {
        if (v.length() > MAX_SHAPE_LENGTH) return null;
        char[] out = new char[v.length()];
        for (int i = 0; i < out.length; i++) {
            char c = v.charAt(i);
            out[i] = c >= '0' && c <= '9' ? '9' : Character.isLetter(c) ? 'a' : c;
        }
        return new String(out);
    }

    private TimePattern.Parsed parseWithFormatter(CharSequence v) throws TimeParseException {
        TemporalAccessor t;
        try {
            t = formatter.parse(v);
        } catch (DateTimeParseException e) {
            throw new TimeParseException(e.getMessage() + " (pattern " + id + ")");
        }
        try {
            int year = t.isSupported(ChronoField.YEAR) ? t.get(ChronoField.YEAR) : Integer.MIN_VALUE;
            int month = t.get(ChronoField.MONTH_OF_YEAR);
            int day = t.get(ChronoField.DAY_OF_MONTH);
            LocalTime lt = t.query(TemporalQueries.localTime());
            if (lt == null) lt = LocalTime.of(t.isSupported(ChronoField.HOUR_OF_DAY) ? t.get(ChronoField.HOUR_OF_DAY) : 0,
                    t.isSupported(ChronoField.MINUTE_OF_HOUR) ? t.get(ChronoField.MINUTE_OF_HOUR) : 0,
                    t.isSupported(ChronoField.SECOND_OF_MINUTE) ? t.get(ChronoField.SECOND_OF_MINUTE) : 0,
                    t.isSupported(ChronoField.NANO_OF_SECOND) ? t.get(ChronoField.NANO_OF_SECOND) : 0);
            ZoneOffset off = t.query(TemporalQueries.offset());
            ZoneId zone = t.query(TemporalQueries.zone());
            if (off == null && zone != null) {
                int y = year == Integer.MIN_VALUE ? 2000 : year;
                off = zone.getRules().getOffset(LocalDateTime.of(LocalDate.of(y, month, Math.min(day, 28)), lt));
            }
            return new TimePattern.Parsed(year, month, day, lt.getHour(), lt.getMinute(), lt.getSecond(), lt.getNano(), off);
        } catch (DateTimeException | ArithmeticException e) {
            throw new TimeParseException("'" + v + "' lacks a date or time in pattern " + id + ": " + e.getMessage());
        }
    }

    /**
     * Year-less values (syslog's {@code Dec 10 06:55:46}) take the year that puts them nearest to {@code now}
     * without lying more than {@link #YEAR_INFERENCE_SKEW} in the future, as syslog daemons do: in early January a
     * {@code Dec 31} line is last year's, and a line a few hours ahead of a slow clock is still this year's.
     */
    private static long inferYear(TimePattern.Parsed p, ZoneOffset zone, Instant now) throws TimeParseException {
        int year = LocalDate.ofInstant(now, p.offset() != null ? p.offset() : zone).getYear();
        long limit = now.plus(YEAR_INFERENCE_SKEW).getEpochSecond();
        TimeParseException last = null;
        Long best = null;
        for (int y = year + 1; y > year - 8; y--) {
            try {
                long sec = p.epochSecond(y, zone);
                if (sec > limit) continue;
                if (best == null || Math.abs(sec - now.getEpochSecond()) < Math.abs(best - now.getEpochSecond())) {
                    best = sec;
                }
                if (sec <= now.getEpochSecond()) break; // earlier years are only farther
            } catch (TimeParseException e) {
                last = e; // Feb 29 in a non-leap year: try earlier years
            }
        }
        if (best != null) return best;
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
