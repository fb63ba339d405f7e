package io.bklog.core.query;

import io.bklog.core.indexset.DynamicTypes;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The hand-written reader of the usual shipper time gives what the formatter gives, or leaves the string to it. */
class IsoInstantsTest {
    private static final Clock TOKYO = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneId.of("Asia/Tokyo"));

    @Test
    void readsTheUsualShapeAsTheFormatterDoes() {
        for (String s : List.of("2024-06-01T00:00:00Z", "2024-06-01T00:00:00.010Z", "2024-06-01T23:59:59.999999999Z",
                "2024-02-29T12:30:45.1+05:30", "1999-12-31T23:59:59-08:00", "2024-06-01T00:00:00.123456+00:00",
                "2024-06-01T00:00:00-00:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z",
                "2024-06-01T10:00:00+18:00", "2024-06-01T10:00:00-18:00")) {
            Instant expected = OffsetDateTime.parse(s).toInstant();
            assertThat(IsoInstants.parseOffsetDateTime(s)).as(s).isEqualTo(expected);
            assertThat(TimeExpressions.parse(s, TOKYO)).as(s).isEqualTo(expected);
            assertThat(DynamicTypes.isoDateMillis(s)).as(s).isEqualTo(expected.toEpochMilli());
        }
    }

    @Test
    void leavesEveryOtherShapeToTheFormatter() {
        for (String s : List.of("2024-06-01", "2024-06-01T00:00:00", "2024-06-01T00:00Z", "2024-06-01 00:00:00Z",
                "2024-06-01T00:00:00+0800", "2024-06-01T00:00:00.Z", "2024-06-01T00:00:00.1234567890Z",
                "2024-02-30T00:00:00Z", "2024-13-01T00:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T00:60:00Z",
                "2024-06-01T00:00:60Z", "2024-06-01T00:00:00+19:00", "2024-06-01T00:00:00Zx", "2024-06-0aT00:00:00Z",
                "2024-06-01T00:00:00,5Z", "+2024-06-01T00:00:00Z")) {
            assertThat(IsoInstants.parseOffsetDateTime(s)).as(s).isNull();
        }
        // and the formatter's answers stand: zone-less times are read in the clock's zone, a bad date is named
        assertThat(TimeExpressions.parse("2024-06-01T09:00:00", TOKYO)).isEqualTo(Instant.parse("2024-06-01T00:00:00Z"));
        assertThat(DynamicTypes.isoDateMillis("2024-06-01T00:00:00,5Z"))
                .isEqualTo(Instant.parse("2024-06-01T00:00:00.500Z").toEpochMilli());
        assertThatThrownBy(() -> TimeExpressions.parse("2024-02-30T00:00:00Z", TOKYO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2024-02-30");
        assertThat(DynamicTypes.isoDateMillis("2024-06-01T08:00:00+0800")).isEqualTo(
                Instant.parse("2024-06-01T00:00:00Z").toEpochMilli());
        assertThat(DynamicTypes.isoDateMillis("2024-02-30T00:00:00Z")).isNull();
    }
}
