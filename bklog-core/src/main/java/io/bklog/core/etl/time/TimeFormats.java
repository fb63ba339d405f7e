package io.bklog.core.etl.time;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The time formats bklog knows, by id: the 27 of its field-date-format list (in order), the ids its V3→V4
 * converter accepts, and a few conveniences ({@code epoch} autodetect, {@code iso8601}, {@code apache},
 * {@code syslog}). Lookup is exact first, then case-insensitive.
 */
public final class TimeFormats {

    /** bklog's default format (of {@code dtEventTimeStamp}). */
    public static final String DEFAULT_FORMAT = "yyyy-MM-dd HH:mm:ss";

    private static final Map<String, TimeFormat> FORMATS = new LinkedHashMap<>();
    private static final Map<String, TimeFormat> BY_LOWER = new LinkedHashMap<>();
    private static final List<String> BKLOG_IDS;

    static {
        // the 27 bklog formats, in bklog's order
        p("yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "2006-01-02 15:04:05", false);
        p("yyyy-MM-dd HH:mm:ss,SSS", "yyyy-MM-dd HH:mm:ss,SSS", "2006-01-02 15:04:05,000", false);
        p("yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss.SSS", "2006-01-02 15:04:05.000", false);
        p("yyyy-MM-dd HH:mm:ss.SSSSSS", "yyyy-MM-dd HH:mm:ss.SSSSSS", "2006-01-02 15:04:05.000000", true);
        p("yyyy-MM-dd+HH:mm:ss", "yyyy-MM-dd'+'HH:mm:ss", "2006-01-02+15:04:05", false);
        p("MM/dd/yyyy HH:mm:ss", "MM/dd/yyyy HH:mm:ss", "01/02/2006 15:04:05", false);
        p("yyyyMMddHHmmss", "yyyyMMddHHmmss", "20060102150405", false);
        p("yyyyMMdd HHmmss", "yyyyMMdd HHmmss", "20060102 150405", false);
        p("yyyyMMdd HHmmss.SSS", "yyyyMMdd HHmmss.SSS", "20060102 150405.000", false);
        p("dd/MMM/yyyy:HH:mm:ss", "dd/MMM/yyyy:HH:mm:ss", "02/Jan/2006:15:04:05", false);
        p("dd/MMM/yyyy:HH:mm:ssZ", "dd/MMM/yyyy:HH:mm:ssZ", "02/Jan/2006:15:04:05-0700", false);
        p("dd/MMM/yyyy:HH:mm:ss Z", "dd/MMM/yyyy:HH:mm:ss Z", "02/Jan/2006:15:04:05 -0700", false);
        p("dd/MMM/yyyy:HH:mm:ssZZ", "dd/MMM/yyyy:HH:mm:ssZZ", "02/Jan/2006:15:04:05-07:00", false);
        p("dd/MMM/yyyy:HH:mm:ss ZZ", "dd/MMM/yyyy:HH:mm:ss ZZ", "02/Jan/2006:15:04:05 -07:00", false);
        p("rfc3339", "yyyy-MM-dd'T'HH:mm:ss[.S]Z", "2006-01-02T15:04:05-07:00", false);
        p("date_hour_minute_second", "yyyy-MM-dd'T'HH:mm:ss", "2006-01-02T15:04:05", false);
        p("date_hour_minute_second_millis", "yyyy-MM-dd'T'HH:mm:ss.SSS", "2006-01-02T15:04:05.000", false);
        p("basic_date_time_no_millis", "yyyyMMdd'T'HHmmssZ", "20060102T150405-0700", false);
        p("basic_date_time_micros", "yyyyMMdd'T'HHmmss.SSSSSSZ", "20060102T150405.000000-0700", true);
        p("strict_date_time", "yyyy-MM-dd'T'HH:mm:ss.SSSZZ", "2006-01-02T15:04:05.000-07:00", false);
        p("YYYY-MM-DDTHH:mm:ss.SSSSSSZ", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ", "2006-01-02T15:04:05.000000Z", true);
        p("ISO8601", "yyyy-MM-dd'T'HH:mm:ss[.S]Z", "2006-01-02T15:04:05.000-0700", false);
        p("strict_date_time_no_millis", "yyyy-MM-dd'T'HH:mm:ssZ", "2006-01-02T15:04:05-0700", false);
        p("strict_date_time_micros", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZZ", "2006-01-02T15:04:05.000000-07:00", true);
        e("epoch_micros", TimeFormat.Epoch.MICROS, "1136185445000000");
        e("epoch_millis", TimeFormat.Epoch.MILLIS, "1136185445000");
        e("epoch_second", TimeFormat.Epoch.SECOND, "1136185445");
        BKLOG_IDS = List.copyOf(FORMATS.keySet());

        // ids bklog's V3→V4 converter also accepts
        e("epoch_minute", TimeFormat.Epoch.MINUTE, "18936424");
        p("yy-MM-dd HH:mm:ss.SSSSSS", "yy-MM-dd HH:mm:ss.SSSSSS", "06-01-02 15:04:05.000000", true);
        p("yyyy-MM-ddTHH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "2006-01-02T15:04:05", false);
        p("yyyy-MM-ddTHH:mm:ss.SSS", "yyyy-MM-dd'T'HH:mm:ss.SSS", "2006-01-02T15:04:05.000", false);
        p("yyyy-MM-ddTHH:mm:ss.SSSSSS", "yyyy-MM-dd'T'HH:mm:ss.SSSSSS", "2006-01-02T15:04:05.000000", true);
        p("yyyy-MM-ddTHH:mm:ssZ", "yyyy-MM-dd'T'HH:mm:ssZ", "2006-01-02T15:04:05-0700", false);
        p("yyyy-MM-ddTHH:mm:ss.SSSZ", "yyyy-MM-dd'T'HH:mm:ss.SSSZ", "2006-01-02T15:04:05.000-0700", false);
        p("yyyy-MM-ddTHH:mm:ss.SSSSSSZ", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZ", "2006-01-02T15:04:05.000000-0700", true);
        p("yyyy-MM-ddTHH:mm:ss.SSSSSSZZ", "yyyy-MM-dd'T'HH:mm:ss.SSSSSSZZ", "2006-01-02T15:04:05.000000-07:00", true);
        p("yyyyMMdd HH:mm:ss.SSSSSS", "yyyyMMdd HH:mm:ss.SSSSSS", "20060102 15:04:05.000000", true);
        p("YYYYMMdd HH:mm:ss.SSSSSS", "yyyyMMdd HH:mm:ss.SSSSSS", "20060102 15:04:05.000000", true);
        p("yyyyMMddTHHmmssZ", "yyyyMMdd'T'HHmmssZ", "20060102T150405-0700", false);
        p("yyyyMMddTHHmmss.SSSSSSZ", "yyyyMMdd'T'HHmmss.SSSSSSZ", "20060102T150405.000000-0700", true);
        p("yyyy.MM.dd-HH.mm.ss:SSS", "yyyy.MM.dd-HH.mm.ss:SSS", "2006.01.02-15.04.05:000", false);
        p("basic_date_time", "yyyyMMdd'T'HHmmss.SSSZ", "20060102T150405.000-0700", false);
        e("Unix Time Stamp(milliseconds)", TimeFormat.Epoch.MILLIS, "1136185445000");

        // conveniences
        e("epoch", TimeFormat.Epoch.AUTO, "1136185445 | 1136185445000 | 1136185445000000 | 1136185445000000000");
        e("epoch_nanos", TimeFormat.Epoch.NANOS, "1136185445000000000");
        p("iso8601", "yyyy-MM-dd[T]HH:mm:ss[.S][Z]", "2006-01-02T15:04:05.123456789+08:00 (offset optional)", true);
        p("apache", "dd/MMM/yyyy:HH:mm:ss Z", "02/Jan/2006:15:04:05 -0700", false);
        p("syslog", "MMM d HH:mm:ss", "Jan  2 15:04:05", false);
        p("rfc3164", "MMM d HH:mm:ss", "Jan  2 15:04:05", false);
        p("apache_error", "EEE MMM d HH:mm:ss[.S] yyyy", "Mon Jan 02 15:04:05 2006 | Mon Jan 02 15:04:05.000000 2006",
                true);
        p("nginx_error", "yyyy/MM/dd HH:mm:ss[.S]", "2006/01/02 15:04:05 (Go log: 2006/01/02 15:04:05.000000)", true);
        p("yyMMdd HHmmss", "yyMMdd HHmmss", "060102 150405 (HDFS)", false);
        p("yy/MM/dd HH:mm:ss", "yy/MM/dd HH:mm:ss", "06/01/02 15:04:05 (Spark)", false);
        p("rfc1123", "EEE, d MMM yyyy HH:mm:ss Z", "Mon, 02 Jan 2006 15:04:05 -0700", false);

        // auto: the common log timestamps, the most specific first (the preview names the one that matched)
        List<TimeFormat> auto = new java.util.ArrayList<>();
        for (String id : List.of("yyyy-MM-dd HH:mm:ss,SSS", "yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss.SSSSSS",
                "yyyy-MM-dd HH:mm:ss", "strict_date_time", "YYYY-MM-DDTHH:mm:ss.SSSSSSZ", "iso8601",
                "dd/MMM/yyyy:HH:mm:ss Z", "dd/MMM/yyyy:HH:mm:ssZ", "dd/MMM/yyyy:HH:mm:ss", "apache_error",
                "nginx_error", "rfc3164", "yyMMdd HHmmss", "yy/MM/dd HH:mm:ss", "rfc1123", "yyyyMMddHHmmss",
                "epoch_second", "epoch_millis", "epoch_micros", "epoch_nanos")) {
            auto.add(FORMATS.get(id));
        }
        for (String id : BKLOG_IDS) {
            TimeFormat f = FORMATS.get(id);
            if (!f.isEpoch() && !auto.contains(f)) auto.add(f);
        }
        put(TimeFormat.auto("auto", "any of: ISO 8601 / RFC 3339 / RFC 5424, RFC 3164 (syslog), Apache access and"
                + " error, nginx access and error, HDFS (yyMMdd HHmmss), log4j and Python (yyyy-MM-dd HH:mm:ss,SSS),"
                + " Go, epoch s/ms/µs/ns", auto));
    }

    /** User patterns compiled so far (bounded). */
    private static final Map<String, TimeFormat> USER_PATTERNS = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int MAX_USER_PATTERNS = 1000;

    private TimeFormats() {
    }

    private static void p(String id, String pattern, String example, boolean nanos) {
        put(TimeFormat.ofPattern(id, pattern, example, nanos));
    }

    private static void e(String id, TimeFormat.Epoch unit, String example) {
        put(TimeFormat.ofEpoch(id, unit, example));
    }

    private static void put(TimeFormat f) {
        FORMATS.put(f.id(), f);
        BY_LOWER.putIfAbsent(f.id().toLowerCase(Locale.ROOT), f);
    }

    /**
     * The format with this id (exact, then case-insensitive), else {@code id} read as a {@code DateTimeFormatter}
     * pattern; empty when it is neither ({@link #get} says why).
     */
    public static Optional<TimeFormat> find(String id) {
        try {
            return Optional.of(get(id));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * The format with this id, else {@code id} read as a {@code DateTimeFormatter} pattern; throws naming the known
     * ids and why the pattern does not read.
     */
    public static TimeFormat get(String id) {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("a time format is required");
        TimeFormat f = FORMATS.get(id);
        if (f == null) f = BY_LOWER.get(id.trim().toLowerCase(Locale.ROOT));
        if (f == null) f = USER_PATTERNS.get(id);
        if (f != null) return f;
        try {
            f = TimeFormat.ofUserPattern(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown time format '" + id + "' (" + e.getMessage() + "); give one of "
                    + String.join(", ", FORMATS.keySet()) + ", or a DateTimeFormatter pattern such as yyMMdd HHmmss");
        }
        if (USER_PATTERNS.size() < MAX_USER_PATTERNS) USER_PATTERNS.putIfAbsent(id, f);
        return f;
    }

    /** The 27 formats of bklog's list, in its order. */
    public static List<String> bklogFormatIds() {
        return BKLOG_IDS;
    }

    /** Every known format, by id, in a stable order. */
    public static Map<String, TimeFormat> all() {
        return Collections.unmodifiableMap(FORMATS);
    }

    /** bklog's integer {@code time_zone} (hours, -12..+14) as an offset; null means UTC. */
    public static ZoneOffset zone(Integer hours) {
        if (hours == null) return ZoneOffset.UTC;
        if (hours < -12 || hours > 14) {
            throw new IllegalArgumentException("time_zone " + hours + " out of range -12..14 (whole hours)");
        }
        return ZoneOffset.ofHours(hours);
    }

    /**
     * The time-format test API (bklog's parse-test endpoint): parses {@code value} as {@code format} in
     * {@code timeZone} hours. Never throws for bad input: the result carries the reason.
     */
    public static TimeParseResult test(String value, String format, Integer timeZone, Clock clock) {
        Optional<TimeFormat> f;
        try {
            f = Optional.of(get(format));
        } catch (IllegalArgumentException e) {
            return TimeParseResult.failed(value, format, e.getMessage());
        }
        ZoneOffset zone;
        try {
            zone = zone(timeZone);
        } catch (IllegalArgumentException e) {
            return TimeParseResult.failed(value, format, e.getMessage());
        }
        try {
            TimeFormat concrete = f.get().resolve(value);
            Instant t = concrete.parse(value, zone, clock.instant());
            return TimeParseResult.parsed(value, concrete.id(), t);
        } catch (TimeParseException e) {
            return TimeParseResult.failed(value, f.get().id(), e.getMessage());
        }
    }

    public static TimeParseResult test(String value, String format, Integer timeZone) {
        return test(value, format, timeZone, Clock.systemUTC());
    }
}
