package io.bklog.core.etl.time;

import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * A date-time layout compiled once into fixed tokens and parsed without allocation-heavy
 * {@link java.time.format.DateTimeFormatter} machinery. Pattern letters follow {@code DateTimeFormatter}:
 * {@code yyyy yy MM MMM dd d HH mm ss S..S} plus {@code Z}/{@code ZZ}/{@code X} for an offset (accepts {@code Z},
 * {@code +hh:mm}, {@code +hhmm}, {@code +hh}), {@code [.S]} for an optional fraction of any length (dot or comma),
 * {@code [Z]} for an optional offset, and {@code 'T'} quoted literals. Immutable and thread-safe.
 */
final class TimePattern {

    private enum Kind { YEAR4, YEAR2, MONTH2, MONTH_NAME, DAY_NAME, DAY2, DAY_PADDED, HOUR2, MINUTE2, SECOND2, FRACTION, FRACTION_OPT,
        OFFSET, OFFSET_OPT, LITERAL, DATE_TIME_SEP }

    private record Token(Kind kind, int width, char literal) {
    }

    private static final String[] DAYS = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    private static final String[] MONTHS = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};

    private final String pattern;
    private final Token[] tokens;
    private final boolean hasYear;
    private final boolean hasOffset;

    private TimePattern(String pattern, Token[] tokens) {
        this.pattern = pattern;
        this.tokens = tokens;
        boolean y = false;
        boolean o = false;
        for (Token t : tokens) {
            y |= t.kind == Kind.YEAR4 || t.kind == Kind.YEAR2;
            o |= t.kind == Kind.OFFSET;
        }
        this.hasYear = y;
        this.hasOffset = o;
    }

    String pattern() {
        return pattern;
    }

    boolean hasYear() {
        return hasYear;
    }

    /** Whether the text always carries its own offset (then the configured time zone is ignored). */
    boolean hasOffset() {
        return hasOffset;
    }

    static TimePattern compile(String pattern) {
        return compile(pattern, false);
    }

    /**
     * @param strict read letters exactly as {@code DateTimeFormatter} does: {@code Y} (week-based year) and
     *               {@code D} (day of year) are refused instead of taken as year and day of month
     */
    static TimePattern compile(String pattern, boolean strict) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = pattern.length();
        while (i < n) {
            char c = pattern.charAt(i);
            if (c == '\'') {
                int end = pattern.indexOf('\'', i + 1);
                if (end < 0) throw new IllegalArgumentException("unclosed quote in time pattern '" + pattern + "'");
                for (int k = i + 1; k < end; k++) out.add(new Token(Kind.LITERAL, 1, pattern.charAt(k)));
                i = end + 1;
                continue;
            }
            if (pattern.startsWith("[.S]", i)) {
                out.add(new Token(Kind.FRACTION_OPT, 0, '.'));
                i += 4;
                continue;
            }
            if (pattern.startsWith("[Z]", i)) {
                out.add(new Token(Kind.OFFSET_OPT, 0, 'Z'));
                i += 3;
                continue;
            }
            if (pattern.startsWith("[T]", i)) {
                out.add(new Token(Kind.DATE_TIME_SEP, 0, 'T'));
                i += 3;
                continue;
            }
            if (Character.isLetter(c)) {
                int j = i;
                while (j < n && pattern.charAt(j) == c) j++;
                int w = j - i;
                if (strict && (c == 'Y' || c == 'D')) {
                    throw new IllegalArgumentException("unsupported letters '" + pattern.substring(i, j)
                            + "' in time pattern '" + pattern + "'");
                }
                Kind kind = switch (c) {
                    case 'E' -> w == 3 ? Kind.DAY_NAME : null;
                    case 'y', 'Y', 'u' -> w == 2 ? Kind.YEAR2 : w == 4 ? Kind.YEAR4 : null;
                    case 'M' -> w == 2 ? Kind.MONTH2 : w == 3 ? Kind.MONTH_NAME : null;
                    case 'd', 'D' -> w == 2 ? Kind.DAY2 : w == 1 ? Kind.DAY_PADDED : null;
                    case 'H' -> w == 2 ? Kind.HOUR2 : null;
                    case 'm' -> w == 2 ? Kind.MINUTE2 : null;
                    case 's' -> w == 2 ? Kind.SECOND2 : null;
                    case 'S' -> w <= 9 ? Kind.FRACTION : null;
                    case 'Z', 'X', 'x' -> w <= 3 ? Kind.OFFSET : null;
                    default -> null;
                };
                if (kind == null) {
                    throw new IllegalArgumentException("unsupported letters '" + pattern.substring(i, j)
                            + "' in time pattern '" + pattern + "'");
                }
                out.add(new Token(kind, w, c));
                i = j;
                continue;
            }
            out.add(new Token(Kind.LITERAL, 1, c));
            i++;
        }
        return new TimePattern(pattern, out.toArray(new Token[0]));
    }

    /** Parsed fields; year is {@code Integer.MIN_VALUE} when the pattern has none. */
    record Parsed(int year, int month, int day, int hour, int minute, int second, int nano, ZoneOffset offset) {
        long epochSecond(int y, ZoneOffset fallback) throws TimeParseException {
            try {
                long days = LocalDate.of(y, month, day).toEpochDay();
                ZoneOffset off = offset != null ? offset : fallback;
                return days * 86400L + hour * 3600L + minute * 60L + second - off.getTotalSeconds();
            } catch (DateTimeException e) {
                throw new TimeParseException(e.getMessage());
            }
        }
    }

    Parsed parse(CharSequence s) throws TimeParseException {
        int pos = 0;
        int len = s.length();
        int year = Integer.MIN_VALUE, month = 1, day = 1, hour = 0, minute = 0, second = 0, nano = 0;
        ZoneOffset offset = null;
        for (Token t : tokens) {
            switch (t.kind) {
                case YEAR4 -> { year = digits(s, pos, 4); pos += 4; }
                case YEAR2 -> { year = 2000 + digits(s, pos, 2); pos += 2; }
                case MONTH2 -> { month = digits(s, pos, 2); pos += 2; }
                case MONTH_NAME -> { month = monthName(s, pos); pos += 3; }
                case DAY_NAME -> { dayName(s, pos); pos += 3; }
                case DAY2 -> { day = digits(s, pos, 2); pos += 2; }
                case DAY_PADDED -> {
                    if (pos < len && s.charAt(pos) == ' ') pos++;
                    if (pos + 1 < len && isDigit(s.charAt(pos)) && isDigit(s.charAt(pos + 1))) {
                        day = digits(s, pos, 2);
                        pos += 2;
                    } else {
                        day = digits(s, pos, 1);
                        pos += 1;
                    }
                }
                case HOUR2 -> { hour = digits(s, pos, 2); pos += 2; }
                case MINUTE2 -> { minute = digits(s, pos, 2); pos += 2; }
                case SECOND2 -> { second = digits(s, pos, 2); pos += 2; }
                case FRACTION -> { nano = fraction(s, pos, t.width); pos += t.width; }
                case FRACTION_OPT -> {
                    if (pos < len && (s.charAt(pos) == '.' || s.charAt(pos) == ',')) {
                        int start = ++pos;
                        while (pos < len && pos - start < 9 && isDigit(s.charAt(pos))) pos++;
                        if (pos == start) throw fail(s, start, "digits of a fraction");
                        nano = fraction(s, start, pos - start);
                        while (pos < len && isDigit(s.charAt(pos))) pos++; // finer than nanos: truncated
                    }
                }
                case OFFSET -> {
                    int[] p = {pos};
                    offset = offset(s, p);
                    pos = p[0];
                }
                case OFFSET_OPT -> {
                    if (pos < len) {
                        int[] p = {pos};
                        offset = offset(s, p);
                        pos = p[0];
                    }
                }
                case DATE_TIME_SEP -> {
                    if (pos < len && (s.charAt(pos) == 'T' || s.charAt(pos) == 't' || s.charAt(pos) == ' ')) pos++;
                    else throw fail(s, pos, "'T' or a space between date and time");
                }
                case LITERAL -> {
                    if (pos >= len || s.charAt(pos) != t.literal) throw fail(s, pos, "'" + t.literal + "'");
                    pos++;
                }
            }
        }
        if (pos != len) throw fail(s, pos, "end of value");
        if (month < 1 || month > 12) throw new TimeParseException("month " + month + " out of range 1-12");
        if (hour > 23 || minute > 59 || second > 60) {
            throw new TimeParseException("time of day " + hour + ":" + minute + ":" + second + " out of range");
        }
        if (second == 60) second = 59; // leap second
        return new Parsed(year, month, day, hour, minute, second, nano, offset);
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private TimeParseException fail(CharSequence s, int pos, String expected) {
        String found = pos >= s.length() ? "end of value" : "'" + s.charAt(pos) + "'";
        return new TimeParseException("expected " + expected + " at position " + pos + " but found " + found
                + " (pattern " + pattern + ")");
    }

    private int digits(CharSequence s, int pos, int n) throws TimeParseException {
        if (pos + n > s.length()) throw fail(s, s.length(), n + " digits");
        int v = 0;
        for (int i = pos; i < pos + n; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) throw fail(s, i, "a digit");
            v = v * 10 + (c - '0');
        }
        return v;
    }

    private int fraction(CharSequence s, int pos, int n) throws TimeParseException {
        int v = digits(s, pos, n);
        for (int i = n; i < 9; i++) v *= 10;
        return v;
    }

    private int monthName(CharSequence s, int pos) throws TimeParseException {
        if (pos + 3 > s.length()) throw fail(s, s.length(), "a month name");
        for (int m = 0; m < 12; m++) {
            String name = MONTHS[m];
            if (Character.toLowerCase(s.charAt(pos)) == name.charAt(0)
                    && Character.toLowerCase(s.charAt(pos + 1)) == name.charAt(1)
                    && Character.toLowerCase(s.charAt(pos + 2)) == name.charAt(2)) {
                return m + 1;
            }
        }
        throw fail(s, pos, "a month name (Jan..Dec)");
    }

    private void dayName(CharSequence s, int pos) throws TimeParseException {
        if (pos + 3 > s.length()) throw fail(s, s.length(), "a day name");
        for (String name : DAYS) {
            if (Character.toLowerCase(s.charAt(pos)) == name.charAt(0)
                    && Character.toLowerCase(s.charAt(pos + 1)) == name.charAt(1)
                    && Character.toLowerCase(s.charAt(pos + 2)) == name.charAt(2)) {
                return;
            }
        }
        throw fail(s, pos, "a day name (Mon..Sun)");
    }

    /** Whether the pattern has a month, a day of month and an hour (what a log time needs at least). */
    boolean hasDateAndHour() {
        boolean m = false, d = false, h = false;
        for (Token t : tokens) {
            m |= t.kind == Kind.MONTH2 || t.kind == Kind.MONTH_NAME;
            d |= t.kind == Kind.DAY2 || t.kind == Kind.DAY_PADDED;
            h |= t.kind == Kind.HOUR2;
        }
        return m && d && h;
    }

    private ZoneOffset offset(CharSequence s, int[] p) throws TimeParseException {
        int pos = p[0];
        int len = s.length();
        if (pos >= len) throw fail(s, pos, "an offset (Z, +hh:mm, +hhmm)");
        char c = s.charAt(pos);
        if (c == 'Z' || c == 'z') {
            p[0] = pos + 1;
            return ZoneOffset.UTC;
        }
        if (c != '+' && c != '-') throw fail(s, pos, "an offset (Z, +hh:mm, +hhmm)");
        int sign = c == '-' ? -1 : 1;
        pos++;
        int h = digits(s, pos, 2);
        pos += 2;
        int m = 0;
        if (pos < len && s.charAt(pos) == ':') {
            m = digits(s, pos + 1, 2);
            pos += 3;
        } else if (pos + 1 < len && isDigit(s.charAt(pos))) {
            m = digits(s, pos, 2);
            pos += 2;
        }
        p[0] = pos;
        try {
            return ZoneOffset.ofHoursMinutes(sign * h, sign * m);
        } catch (DateTimeException e) {
            throw new TimeParseException("offset out of range: " + e.getMessage());
        }
    }
}
