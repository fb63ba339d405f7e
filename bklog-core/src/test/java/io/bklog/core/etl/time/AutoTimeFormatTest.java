package io.bklog.core.etl.time;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code auto} on real log timestamps, user DateTimeFormatter patterns, and the syslog year rule. */
class AutoTimeFormatTest {

    private static final Instant NOW = Instant.parse("2026-12-31T23:59:30Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            // source | value as the log writes it | format recognised | instant (zone +08 where the value has none)
            "ISO 8601 (RFC 3339)      | 2015-10-18T18:01:47.978+02:00     | strict_date_time          | 2015-10-18T16:01:47.978Z",
            "RFC 5424 syslog          | 2003-10-11T22:14:15.003Z          | strict_date_time          | 2003-10-11T22:14:15.003Z",
            "Go RFC3339Nano           | 2024-03-01T10:00:00.123456789Z    | iso8601                   | 2024-03-01T10:00:00.123456789Z",
            "RFC 3164 syslog          | Dec 10 06:55:46                   | rfc3164                   | 2026-12-09T22:55:46Z",
            "RFC 3164, padded day     | Jan  5 01:02:03                   | rfc3164                   | 2026-01-04T17:02:03Z",
            "Apache access            | 17/May/2015:10:05:03 +0000        | dd/MMM/yyyy:HH:mm:ss Z    | 2015-05-17T10:05:03Z",
            "nginx access             | 06/Dec/2026:07:31:30 -0500        | dd/MMM/yyyy:HH:mm:ss Z    | 2026-12-06T12:31:30Z",
            "Apache 2.2 error         | Sun Dec 04 04:47:44 2005          | apache_error              | 2005-12-03T20:47:44Z",
            "Apache 2.4 error         | Thu Apr 27 10:39:46.719636 2017   | apache_error              | 2017-04-27T02:39:46.719636Z",
            "nginx error              | 2026/12/06 07:31:30               | nginx_error               | 2026-12-05T23:31:30Z",
            "Go log (Lmicroseconds)   | 2009/11/10 23:00:00.123456        | nginx_error               | 2009-11-10T15:00:00.123456Z",
            "HDFS                     | 081109 203615                     | yyMMdd HHmmss             | 2008-11-09T12:36:15Z",
            "log4j / Hadoop           | 2015-10-18 18:01:47,978           | yyyy-MM-dd HH:mm:ss,SSS   | 2015-10-18T10:01:47.978Z",
            "Python logging asctime   | 2003-07-08 16:49:45,896           | yyyy-MM-dd HH:mm:ss,SSS   | 2003-07-08T08:49:45.896Z",
            "MySQL / plain            | 2024-01-09 10:11:12               | yyyy-MM-dd HH:mm:ss       | 2024-01-09T02:11:12Z",
            "Spark                    | 17/06/09 20:10:40                 | yy/MM/dd HH:mm:ss         | 2017-06-09T12:10:40Z",
            "epoch seconds            | 1136185445                        | epoch_second              | 2006-01-02T07:04:05Z",
            "epoch millis             | 1136185445123                     | epoch_millis              | 2006-01-02T07:04:05.123Z",
            "epoch micros             | 1136185445123456                  | epoch_micros              | 2006-01-02T07:04:05.123456Z",
            "epoch nanos              | 1136185445123456789               | epoch_nanos               | 2006-01-02T07:04:05.123456789Z",
    })
    void recognisesCommonLogTimestamps(String source, String value, String format, String instant) throws Exception {
        TimeFormat auto = TimeFormats.get("auto");
        assertThat(auto.resolve(value).id()).as(source).isEqualTo(format);
        assertThat(auto.parse(value, ZoneOffset.ofHours(8), NOW)).as(source).isEqualTo(Instant.parse(instant));
        TimeParseResult r = TimeFormats.test(value, "auto", 8, CLOCK);
        assertThat(r.format()).isEqualTo(format);
    }

    @Test
    void autoRefusesWhatIsNoTimeAndSaysWhatItKnows() {
        assertThatThrownBy(() -> TimeFormats.get("auto").parse("not a time", ZoneOffset.UTC, NOW))
                .isInstanceOf(TimeParseException.class).hasMessageContaining("ISO 8601").hasMessageContaining("HDFS");
    }

    @Test
    void aShapeIsDetectedOnceThenReused() throws Exception {
        TimeFormat auto = TimeFormats.get("auto");
        TimeFormat first = auto.resolve("2031-02-03 04:05:06,007");
        for (int i = 0; i < 1000; i++) {
            assertThat(auto.resolve("2031-02-03 04:05:" + String.format("%02d", i % 60) + ",007")).isSameAs(first);
        }
    }

    @Test
    void anyDateTimeFormatterPatternIsAFormat() throws Exception {
        assertThat(TimeFormats.get("yyMMdd HHmmss").parse("081109 203615", ZoneOffset.UTC, NOW))
                .isEqualTo(Instant.parse("2008-11-09T20:36:15Z"));
        // DateTimeFormatter proper: full day names, 12-hour clock, zone ids
        assertThat(TimeFormats.get("EEEE, MMMM d, yyyy h:mm:ss a").parse("Sunday, December 4, 2005 4:47:44 PM",
                ZoneOffset.UTC, NOW)).isEqualTo(Instant.parse("2005-12-04T16:47:44Z"));
        assertThat(TimeFormats.get("yyyy-MM-dd HH:mm:ss VV").parse("2024-07-01 12:00:00 Europe/Paris",
                ZoneOffset.UTC, NOW)).isEqualTo(Instant.parse("2024-07-01T10:00:00Z"));
        assertThatThrownBy(() -> TimeFormats.get("HH:mm:ss")).hasMessageContaining("needs at least a month");
        assertThatThrownBy(() -> TimeFormats.get("yyyy-MM-dd HH:mm:ss qqqqqq"))
                .hasMessageContaining("unknown time format").hasMessageContaining("DateTimeFormatter");
    }

    @Test
    void aYearLessPatternTakesTheYearNearestNowNeverFarInTheFuture() throws Exception {
        TimeFormat f = TimeFormats.get("MM.dd HH:mm:ss");
        Instant jan1 = Instant.parse("2027-01-01T00:10:00Z");
        assertThat(f.parse("12.31 23:59:59", ZoneOffset.UTC, jan1)).isEqualTo(Instant.parse("2026-12-31T23:59:59Z"));
        // a line a few hours ahead of this host's clock (skew) is this year's, not last year's
        assertThat(f.parse("01.01 05:00:00", ZoneOffset.UTC, jan1)).isEqualTo(Instant.parse("2027-01-01T05:00:00Z"));
        // at the end of December a line of Jan 1 from a host whose clock is ahead is next year's
        assertThat(f.parse("01.01 00:00:10", ZoneOffset.UTC, NOW)).isEqualTo(Instant.parse("2027-01-01T00:00:10Z"));
        // beyond the skew: last year
        assertThat(f.parse("03.01 00:00:00", ZoneOffset.UTC, jan1)).isEqualTo(Instant.parse("2026-03-01T00:00:00Z"));
    }
}
