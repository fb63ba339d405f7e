package io.bklog.core.query;

import java.time.Clock;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.temporal.TemporalUnit;

/**
 * Parses the time expressions a search accepts for its start and end:
 * <ul>
 *   <li>ISO 8601 with an offset or zone ({@code 2024-01-31T10:00:00Z}, {@code 2024-01-31T18:00:00+08:00}), without
 *       one ({@code 2024-01-31T10:00:00}, read in the clock's zone), or a date ({@code 2024-01-31}, its start);</li>
 *   <li>bklog's {@code yyyy-MM-dd HH:mm:ss} (optionally {@code .SSS}), in the clock's zone;</li>
 *   <li>epoch seconds (10 digits) or epoch milliseconds (13 digits);</li>
 *   <li>date math as in Elasticsearch: {@code now}, {@code now-15m}, {@code now+1h}, {@code now-7d/d},
 *       {@code 2024-01-31||+1M/M}: any number of {@code +N unit} / {@code -N unit} steps and {@code /unit}
 *       roundings (down, in the clock's zone). Units: {@code y} years, {@code M} months, {@code w} weeks (rounding
 *       to Monday), {@code d} days, {@code h}/{@code H} hours, {@code m} minutes, {@code s} seconds.</li>
 * </ul>
 * A time must lie between {@link #MIN} and {@link #MAX} (years 0000 to 9999, as Elasticsearch's date formats):
 * anything further is refused here rather than overflowing epoch milliseconds in a store.
 */
public final class TimeExpressions {
    private static final String EXPECTED = "expected ISO 8601 (2024-01-31T10:00:00Z, 2024-01-31T18:00:00+08:00, "
            + "2024-01-31), yyyy-MM-dd HH:mm:ss, epoch seconds (10 digits) or milliseconds (13 digits), "
            + "or date math (now, now-15m, now-1h, now-7d/d)";
    private static final DateTimeFormatter SPACED = new DateTimeFormatterBuilder()
            .append(DateTimeFormatter.ISO_LOCAL_DATE).appendLiteral(' ').append(DateTimeFormatter.ISO_LOCAL_TIME)
            .toFormatter();

    /** The earliest time accepted: 0000-01-01T00:00:00Z. */
    public static final Instant MIN = Instant.parse("0000-01-01T00:00:00Z");
    /** The latest time accepted: 9999-12-31T23:59:59.999Z. */
    public static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999Z");

    private TimeExpressions() {}

    /**
     * @throws IllegalArgumentException naming the expression, what is wrong and the accepted forms
     */
    public static Instant parse(String expression, Clock clock) {
        if (expression == null || expression.isBlank()) {
            throw new IllegalArgumentException("time expression is empty; " + EXPECTED);
        }
        String s = expression.trim();
        ZoneId zone = clock.getZone();
        Instant t;
        if (s.startsWith("now")) {
            t = math(s, 3, clock.instant().atZone(zone)).toInstant();
        } else {
            int anchorEnd = s.indexOf("||");
            t = anchorEnd < 0 ? absolute(s, s, zone)
                    : math(s, anchorEnd + 2, inRange(absolute(s.substring(0, anchorEnd), s, zone), s)
                            .atZone(zone)).toInstant();
        }
        return inRange(t, s);
    }

    private static Instant inRange(Instant t, String s) {
        if (t.isBefore(MIN) || t.isAfter(MAX)) {
            throw new IllegalArgumentException("time '" + s + "' is out of range: " + t + " is not between " + MIN
                    + " and " + MAX + " (years 0000 to 9999)");
        }
        return t;
    }

    private static Instant absolute(String s, String whole, ZoneId zone) {
        if (allDigits(s)) {
            if (s.length() == 10) return Instant.ofEpochSecond(Long.parseLong(s));
            if (s.length() == 13) return Instant.ofEpochMilli(Long.parseLong(s));
            throw new IllegalArgumentException("cannot parse time '" + whole + "': an epoch value needs 10 digits "
                    + "(seconds) or 13 digits (milliseconds), not " + s.length());
        }
        Instant fast = IsoInstants.parseOffsetDateTime(s); // the usual shipper shape, without the formatter
        if (fast != null) return fast;
        try {
            if (s.length() == 10) return LocalDate.parse(s).atStartOfDay(zone).toInstant();
            if (s.length() > 10 && s.charAt(10) == ' ') return LocalDateTime.parse(s, SPACED).atZone(zone).toInstant();
            Object parsed = DateTimeFormatter.ISO_DATE_TIME.parseBest(s, ZonedDateTime::from, LocalDateTime::from);
            if (parsed instanceof ZonedDateTime z) return z.toInstant();
            return ((LocalDateTime) parsed).atZone(zone).toInstant();
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("cannot parse time '" + whole + "' (" + e.getMessage() + "); "
                    + EXPECTED, e);
        }
    }

    /** Whether {@code s} is one or more ASCII digits (a loop: this runs for every ingested document's time). */
    private static boolean allDigits(String s) {
        if (s.isEmpty()) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        return true;
    }

    private static ZonedDateTime math(String s, int from, ZonedDateTime anchor) {
        ZonedDateTime t = anchor;
        int i = from;
        while (i < s.length()) {
            char op = s.charAt(i);
            if (op != '+' && op != '-' && op != '/') {
                throw mathError(s, i, "'+', '-' or '/'");
            }
            i++;
            if (op == '/') {
                if (i >= s.length()) throw mathError(s, i, "a unit (y M w d h H m s)");
                t = round(t, s.charAt(i));
                if (t == null) throw mathError(s, i, "a unit (y M w d h H m s)");
                i++;
                continue;
            }
            int digits = i;
            while (i < s.length() && Character.isDigit(s.charAt(i)) && i - digits < 9) i++;
            long amount = digits == i ? 1 : Long.parseLong(s.substring(digits, i));
            if (i >= s.length()) throw mathError(s, i, "a unit (y M w d h H m s)");
            TemporalUnit unit = unit(s.charAt(i));
            if (unit == null) throw mathError(s, i, "a unit (y M w d h H m s)");
            i++;
            try {
                t = op == '+' ? t.plus(amount, unit) : t.minus(amount, unit);
            } catch (DateTimeException | ArithmeticException e) {
                throw new IllegalArgumentException("time expression '" + s + "' is out of range: " + e.getMessage(), e);
            }
        }
        return t;
    }

    private static IllegalArgumentException mathError(String s, int at, String expected) {
        String found = at >= s.length() ? "end of input" : "'" + s.charAt(at) + "'";
        return new IllegalArgumentException("cannot parse time expression '" + s + "': expected " + expected
                + " at position " + at + " but found " + found + "; " + EXPECTED);
    }

    private static TemporalUnit unit(char c) {
        return switch (c) {
            case 'y' -> ChronoUnit.YEARS;
            case 'M' -> ChronoUnit.MONTHS;
            case 'w' -> ChronoUnit.WEEKS;
            case 'd' -> ChronoUnit.DAYS;
            case 'h', 'H' -> ChronoUnit.HOURS;
            case 'm' -> ChronoUnit.MINUTES;
            case 's' -> ChronoUnit.SECONDS;
            default -> null;
        };
    }

    private static ZonedDateTime round(ZonedDateTime t, char unit) {
        return switch (unit) {
            case 'y' -> t.withDayOfYear(1).truncatedTo(ChronoUnit.DAYS);
            case 'M' -> t.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS);
            case 'w' -> t.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)).truncatedTo(ChronoUnit.DAYS);
            case 'd' -> t.truncatedTo(ChronoUnit.DAYS);
            case 'h', 'H' -> t.truncatedTo(ChronoUnit.HOURS);
            case 'm' -> t.truncatedTo(ChronoUnit.MINUTES);
            case 's' -> t.truncatedTo(ChronoUnit.SECONDS);
            default -> null;
        };
    }
}
