package io.bklog.core.etl.time;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code auto} against {@code DateTimeFormatter}: any local time written in a common log layout is recognised as that
 * layout and read back to the same instant (the zone applied where the layout has no offset), whatever shapes were
 * cached before.
 */
class AutoTimeFormatProperties {

    private static final Instant NOW = Instant.parse("2099-12-31T00:00:00Z");

    /** layout written with DateTimeFormatter → the id auto must report. */
    private static final String[][] LAYOUTS = {
            {"yyyy-MM-dd HH:mm:ss,SSS", "yyyy-MM-dd HH:mm:ss,SSS"},
            {"yyyy-MM-dd HH:mm:ss.SSS", "yyyy-MM-dd HH:mm:ss.SSS"},
            {"yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss"},
            {"dd/MMM/yyyy:HH:mm:ss Z", "dd/MMM/yyyy:HH:mm:ss Z"},
            {"EEE MMM dd HH:mm:ss yyyy", "apache_error"},
            {"EEE MMM dd HH:mm:ss.SSSSSS yyyy", "apache_error"},
            {"yyyy/MM/dd HH:mm:ss", "nginx_error"},
            {"yyMMdd HHmmss", "yyMMdd HHmmss"},
            {"yy/MM/dd HH:mm:ss", "yy/MM/dd HH:mm:ss"},
            {"yyyy-MM-dd'T'HH:mm:ss.SSSXXX", "strict_date_time"},
    };

    @Provide
    Arbitrary<LocalDateTime> times() {
        return Combinators.combine(Arbitraries.integers().between(2000, 2098), Arbitraries.integers().between(1, 12),
                Arbitraries.integers().between(1, 28), Arbitraries.integers().between(0, 23),
                Arbitraries.integers().between(0, 59), Arbitraries.integers().between(0, 59),
                Arbitraries.integers().between(0, 999_999))
                .as((y, mo, d, h, mi, s, micros) -> LocalDateTime.of(y, mo, d, h, mi, s, micros * 1000));
    }

    @Property(tries = 300)
    void anyTimeInACommonLayoutReadsBackToTheSameInstant(@ForAll("times") LocalDateTime t,
                                                          @ForAll("layouts") int layout,
                                                          @ForAll("zones") int zone) throws Exception {
        String pattern = LAYOUTS[layout][0];
        ZoneOffset offset = ZoneOffset.ofHours(zone);
        String value = DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(t.atOffset(offset));
        TimeFormat auto = TimeFormats.get("auto");
        assertThat(auto.resolve(value).id()).as(value).isEqualTo(LAYOUTS[layout][1]);
        Instant want = t.withNano(precision(pattern, t.getNano())).toInstant(offset);
        assertThat(auto.parse(value, offset, NOW)).as(value).isEqualTo(want);
    }

    private static int precision(String pattern, int nano) {
        if (pattern.contains("SSSSSS")) return nano;
        if (pattern.contains("SSS")) return nano / 1_000_000 * 1_000_000;
        return 0;
    }

    @Provide
    Arbitrary<Integer> layouts() {
        return Arbitraries.integers().between(0, LAYOUTS.length - 1);
    }

    @Provide
    Arbitrary<Integer> zones() {
        return Arbitraries.integers().between(-12, 14);
    }
}
