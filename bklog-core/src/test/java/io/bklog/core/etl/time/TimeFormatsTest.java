package io.bklog.core.etl.time;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeFormatsTest {

    /** 2006-01-02 15:04:05 at -07:00 */
    private static final Instant REF = Instant.parse("2006-01-02T22:04:05Z");

    static Stream<String> bklogIds() {
        return TimeFormats.bklogFormatIds().stream();
    }

    @Test
    void knowsThe27BklogFormatsInOrder() {
        assertThat(TimeFormats.bklogFormatIds()).hasSize(27);
        assertThat(TimeFormats.bklogFormatIds().get(0)).isEqualTo("yyyy-MM-dd HH:mm:ss");
        assertThat(TimeFormats.bklogFormatIds().get(26)).isEqualTo("epoch_second");
    }

    @ParameterizedTest
    @MethodSource("bklogIds")
    void parsesTheExampleOfEveryBklogFormat(String id) throws Exception {
        TimeFormat f = TimeFormats.get(id);
        Instant t = f.parse(f.example(), ZoneOffset.ofHours(-7), REF);
        if (f.isEpoch()) {
            assertThat(t).isEqualTo(Instant.parse("2006-01-02T07:04:05Z"));
        } else if (f.example().endsWith("Z")) {
            assertThat(t).isEqualTo(Instant.parse("2006-01-02T15:04:05Z"));
        } else {
            assertThat(t).isEqualTo(REF);
        }
    }

    @Test
    void formatsWithTheirOwnOffsetIgnoreTheConfiguredZone() throws Exception {
        TimeFormat f = TimeFormats.get("dd/MMM/yyyy:HH:mm:ss Z");
        assertThat(f.hasOwnOffset()).isTrue();
        assertThat(f.parse("02/Jan/2006:15:04:05 -0700", ZoneOffset.ofHours(8), REF)).isEqualTo(REF);
        TimeFormat local = TimeFormats.get("yyyy-MM-dd HH:mm:ss");
        assertThat(local.hasOwnOffset()).isFalse();
        assertThat(local.parse("2006-01-02 15:04:05", ZoneOffset.ofHours(8), REF))
                .isEqualTo(Instant.parse("2006-01-02T07:04:05Z"));
    }

    @Test
    void keepsSubMillisecondPrecision() throws Exception {
        Instant t = TimeFormats.get("yyyy-MM-dd HH:mm:ss.SSSSSS").parse("2006-01-02 15:04:05.123456", ZoneOffset.UTC, REF);
        assertThat(t.getNano()).isEqualTo(123_456_000);
    }

    @Test
    void autodetectsEpochUnitsByMagnitude() throws Exception {
        TimeFormat f = TimeFormats.get("epoch");
        Instant expected = Instant.parse("2006-01-02T07:04:05Z");
        assertThat(f.parse("1136185445", ZoneOffset.UTC, REF)).isEqualTo(expected);
        assertThat(f.parse("1136185445000", ZoneOffset.UTC, REF)).isEqualTo(expected);
        assertThat(f.parse("1136185445000000", ZoneOffset.UTC, REF)).isEqualTo(expected);
        assertThat(f.parse("1136185445000000000", ZoneOffset.UTC, REF)).isEqualTo(expected);
        assertThat(f.parse("1136185445.5", ZoneOffset.UTC, REF)).isEqualTo(expected.plusMillis(500));
    }

    @Test
    void parsesIso8601WithOrWithoutOffsetAndFraction() throws Exception {
        TimeFormat f = TimeFormats.get("iso8601");
        assertThat(f.parse("2006-01-02T15:04:05Z", ZoneOffset.UTC, REF)).isEqualTo(Instant.parse("2006-01-02T15:04:05Z"));
        assertThat(f.parse("2006-01-02T15:04:05.123456789+08:00", ZoneOffset.UTC, REF))
                .isEqualTo(Instant.parse("2006-01-02T07:04:05.123456789Z"));
        assertThat(f.parse("2006-01-02 15:04:05", ZoneOffset.ofHours(1), REF))
                .isEqualTo(Instant.parse("2006-01-02T14:04:05Z"));
        assertThat(TimeFormats.get("rfc3339").parse("2006-01-02T15:04:05.5-07:00", ZoneOffset.UTC, REF))
                .isEqualTo(REF.plusMillis(500));
    }

    @Test
    void infersTheSyslogYearAsTheLatestNotInTheFuture() throws Exception {
        TimeFormat f = TimeFormats.get("syslog");
        Instant now = Instant.parse("2024-01-01T00:10:00Z");
        assertThat(f.parse("Dec 31 23:59:59", ZoneOffset.UTC, now)).isEqualTo(Instant.parse("2023-12-31T23:59:59Z"));
        assertThat(f.parse("Jan  1 00:05:00", ZoneOffset.UTC, now)).isEqualTo(Instant.parse("2024-01-01T00:05:00Z"));
        assertThat(f.parse("Feb 29 10:00:00", ZoneOffset.UTC, now)).isEqualTo(Instant.parse("2020-02-29T10:00:00Z"));
    }

    @Test
    void rejectsValuesThatDoNotMatchWithTheReason() {
        TimeFormat f = TimeFormats.get("yyyy-MM-dd HH:mm:ss");
        assertThatThrownBy(() -> f.parse("2006/01/02 15:04:05", ZoneOffset.UTC, REF))
                .isInstanceOf(TimeParseException.class).hasMessageContaining("expected '-' at position 4");
        assertThatThrownBy(() -> f.parse("2006-02-30 15:04:05", ZoneOffset.UTC, REF))
                .isInstanceOf(TimeParseException.class);
        assertThatThrownBy(() -> f.parse("2006-01-02 15:04:05 extra", ZoneOffset.UTC, REF))
                .hasMessageContaining("end of value");
    }

    @Test
    void testApiReturnsInstantOrReason() {
        Clock clock = Clock.fixed(REF, ZoneOffset.UTC);
        TimeParseResult ok = TimeFormats.test("2006-01-02 15:04:05", "yyyy-MM-dd HH:mm:ss", 8, clock);
        assertThat(ok.ok()).isTrue();
        assertThat(ok.epochMillis()).contains(Instant.parse("2006-01-02T07:04:05Z").toEpochMilli());
        TimeParseResult bad = TimeFormats.test("nope", "yyyy-MM-dd HH:mm:ss", 8, clock);
        assertThat(bad.ok()).isFalse();
        assertThat(bad.reason()).contains("expected a digit");
        assertThat(TimeFormats.test("x", "no-such-format", 0, clock).reason()).contains("unknown time format");
        assertThat(TimeFormats.test("2006-01-02 15:04:05", "yyyy-MM-dd HH:mm:ss", 20, clock).reason())
                .contains("out of range");
    }

    @Test
    void findsIdsCaseInsensitively() {
        assertThat(TimeFormats.find("iso8601")).isPresent();
        assertThat(TimeFormats.find("EPOCH_MILLIS")).isPresent();
        assertThat(TimeFormats.find("nope")).isEmpty();
    }
}
