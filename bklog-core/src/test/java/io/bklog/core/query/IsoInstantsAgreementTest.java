package io.bklog.core.query;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** The hand-written reader of the usual shape never disagrees with the ISO formatter it stands in for. */
class IsoInstantsAgreementTest {

    /** What the formatter the fast path stands in for reads, or null when it refuses. */
    private static Instant slow(String s) {
        try {
            return ZonedDateTime.parse(s, DateTimeFormatter.ISO_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Test
    void readsWhatTheIsoFormatterReadsForTheUtcShape() {
        for (String s : List.of("2024-06-01T00:00:00Z", "2024-06-01T23:59:59.999Z", "2024-02-29T12:00:00.5Z",
                "2000-02-29T00:00:00Z", "1969-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
                "9999-12-31T23:59:59.999Z", "1600-03-01T00:00:00.000001Z")) {
            assertThat(IsoInstants.parseOffsetDateTime(s)).as(s).isEqualTo(slow(s)).isNotNull();
        }
        Random r = new Random(26);
        for (int i = 0; i < 20_000; i++) {
            Instant t = Instant.ofEpochSecond(r.nextLong(-62_167_219_200L, 253_402_300_799L), r.nextInt(1_000_000_000));
            String s = t.toString(); // ISO, 0, 3, 6 or 9 fraction digits, Z
            assertThat(IsoInstants.parseOffsetDateTime(s)).as(s).isEqualTo(t);
        }
    }

    @Test
    void answersAsTheFormatterOrLeavesTheShapeToIt() {
        for (String s : List.of("2023-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2024-04-31T00:00:00Z",
                "2024-13-01T00:00:00Z", "2024-00-01T00:00:00Z", "2024-06-01T24:00:00Z", "2024-06-01T10:60:00Z",
                "2024-06-01T10:00:60Z", "2024-06-01T10:00:00.Z", "2024-06-01T10:00:00.1234567890Z",
                "2024-06-01T10:00:00+08:00", "2024-06-01 10:00:00Z", "2024-06-01T10:00Z", "2024-06-01T10:00:00",
                "2024-06-01T10:00:00,5Z", "+2024-06-01T10:00:00Z", "2024-06-0aT10:00:00Z", "2024-06-01t10:00:00Z")) {
            Instant fast = IsoInstants.parseOffsetDateTime(s);
            if (fast != null) assertThat(fast).as(s).isEqualTo(slow(s));
            if (slow(s) == null) assertThat(fast).as(s).isNull();
        }
    }

    @Test
    void timeExpressionsAnswerTheSameThroughTheFastPath() {
        Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
        assertThat(TimeExpressions.parse("2024-06-01T10:00:00.123Z", clock))
                .isEqualTo(Instant.parse("2024-06-01T10:00:00.123Z"));
        assertThat(TimeExpressions.parse("2024-06-01T10:00:00+02:00", clock))
                .isEqualTo(Instant.parse("2024-06-01T08:00:00Z"));
        assertThat(io.bklog.core.indexset.DynamicTypes.isoDateMillis("2024-06-01T10:00:00.123Z"))
                .isEqualTo(Instant.parse("2024-06-01T10:00:00.123Z").toEpochMilli());
        assertThat(io.bklog.core.indexset.DynamicTypes.isoDateMillis("2023-02-29T00:00:00Z")).isNull();
    }
}
