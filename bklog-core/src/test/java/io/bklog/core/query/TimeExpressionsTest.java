package io.bklog.core.query;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

import static io.bklog.core.query.TimeExpressions.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TimeExpressionsTest {
    private final Clock utc = Clock.fixed(Instant.parse("2024-03-14T15:09:26.535Z"), ZoneOffset.UTC);
    private final Clock shanghai = Clock.fixed(Instant.parse("2024-03-14T15:09:26.535Z"), ZoneId.of("Asia/Shanghai"));

    @Test
    void isoWithZoneOrOffset() {
        assertThat(parse("2024-01-31T10:00:00Z", utc)).isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
        assertThat(parse("2024-01-31T18:00:00.250+08:00", utc)).isEqualTo(Instant.parse("2024-01-31T10:00:00.250Z"));
        assertThat(parse("2024-01-31T18:00:00+08:00[Asia/Shanghai]", utc))
                .isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
    }

    @Test
    void localTimesAreInTheClocksZone() {
        assertThat(parse("2024-01-31T18:00:00", shanghai)).isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
        assertThat(parse("2024-01-31 18:00:00", shanghai)).isEqualTo(Instant.parse("2024-01-31T10:00:00Z"));
        assertThat(parse("2024-01-31 18:00:00.5", utc)).isEqualTo(Instant.parse("2024-01-31T18:00:00.500Z"));
        assertThat(parse("2024-01-31", shanghai)).isEqualTo(Instant.parse("2024-01-30T16:00:00Z"));
    }

    @Test
    void epochSecondsAndMillis() {
        assertThat(parse("1136185445", utc)).isEqualTo(Instant.ofEpochSecond(1136185445L));
        assertThat(parse("1136185445000", utc)).isEqualTo(Instant.ofEpochMilli(1136185445000L));
    }

    @Test
    void relativeToNow() {
        assertThat(parse("now", utc)).isEqualTo(utc.instant());
        assertThat(parse("now-15m", utc)).isEqualTo(Instant.parse("2024-03-14T14:54:26.535Z"));
        assertThat(parse("now-1h", utc)).isEqualTo(Instant.parse("2024-03-14T14:09:26.535Z"));
        assertThat(parse("now-7d", utc)).isEqualTo(Instant.parse("2024-03-07T15:09:26.535Z"));
        assertThat(parse("now-30s", utc)).isEqualTo(Instant.parse("2024-03-14T15:08:56.535Z"));
        assertThat(parse("now+1M", utc)).isEqualTo(Instant.parse("2024-04-14T15:09:26.535Z"));
    }

    @Test
    void roundingDownInTheClocksZone() {
        assertThat(parse("now/d", utc)).isEqualTo(Instant.parse("2024-03-14T00:00:00Z"));
        assertThat(parse("now/d", shanghai)).isEqualTo(Instant.parse("2024-03-13T16:00:00Z"));
        assertThat(parse("now-1d/d", utc)).isEqualTo(Instant.parse("2024-03-13T00:00:00Z"));
        assertThat(parse("now/w", utc)).isEqualTo(Instant.parse("2024-03-11T00:00:00Z"));
        assertThat(parse("now/M", utc)).isEqualTo(Instant.parse("2024-03-01T00:00:00Z"));
        assertThat(parse("now/h", utc)).isEqualTo(Instant.parse("2024-03-14T15:00:00Z"));
        assertThat(parse("2024-01-31||+1d/d", utc)).isEqualTo(Instant.parse("2024-02-01T00:00:00Z"));
    }

    @Test
    void badExpressionsSayWhatIsWrong() {
        assertThatThrownBy(() -> parse("now-15x", utc)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot parse time expression 'now-15x': expected a unit (y M w d h H m s) "
                        + "at position 6 but found 'x'");
        assertThatThrownBy(() -> parse("12345", utc)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot parse time '12345': an epoch value needs 10 digits (seconds) or 13 digits "
                        + "(milliseconds), not 5");
        assertThatThrownBy(() -> parse("yesterday", utc)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot parse time 'yesterday'")
                .hasMessageContaining("expected ISO 8601");
        assertThatThrownBy(() -> parse(" ", utc)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("time expression is empty");
        assertThatThrownBy(() -> parse("2024-13-01", utc)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("cannot parse time '2024-13-01'");
    }

    @Test
    void timesOutsideYears0To9999AreRefusedNotOverflowed() {
        for (String s : new String[] {"now-999999999y", "now-99999999d", "+999999999-12-31T23:59:59Z",
                "-999999999-01-01T00:00:00Z", "+10000-01-01T00:00:00Z", "now+8000y", "2024-01-01||-3000y",
                "+999999999-12-31T23:59:59Z||-1d", "-999999999-01-01T00:00:00"}) {
            assertThatThrownBy(() -> parse(s, shanghai)).as(s).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'" + s + "'");
        }
        assertThat(parse("9999-12-31T23:59:59Z", utc)).isEqualTo(Instant.parse("9999-12-31T23:59:59Z"));
        assertThat(parse("0000-01-01T00:00:00Z", utc)).isEqualTo(TimeExpressions.MIN);
    }
}
