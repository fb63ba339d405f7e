package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MultilineTest {

    static final class MutableClock extends Clock {
        Instant now = Instant.parse("2024-01-01T00:00:00Z");

        @Override public ZoneId getZone() { return ZoneOffset.UTC; }
        @Override public Clock withZone(ZoneId zone) { return this; }
        @Override public Instant instant() { return now; }
    }

    private static final MultilineConfig CONFIG = new MultilineConfig(Pattern.compile("^\\d{4}-"), 3, Duration.ofSeconds(2));

    private static SourceLine line(String src, long off, String text) {
        return SourceLine.of(src, off, text, Instant.EPOCH);
    }

    @Test
    void joinsContinuationLinesUntilTheNextFirstLine() {
        MultilineAggregator agg = new MultilineAggregator(CONFIG, new MutableClock());
        List<SourceLine> out = agg.offer(List.of(line("a", 0, "2024-01-01 boom"), line("a", 1, "  at x"),
                line("a", 2, "2024-01-01 next")));
        assertThat(out).singleElement().satisfies(e -> {
            assertThat(e.text()).isEqualTo("2024-01-01 boom\n  at x");
            assertThat(e.offset()).isZero();
        });
        assertThat(agg.flushAll()).extracting(SourceLine::text).containsExactly("2024-01-01 next");
    }

    @Test
    void cutsAnEventAtMaxLines() {
        MultilineAggregator agg = new MultilineAggregator(CONFIG, new MutableClock());
        List<SourceLine> out = agg.offer(List.of(line("a", 0, "2024 x"), line("a", 1, "1"), line("a", 2, "2"),
                line("a", 3, "3")));
        assertThat(out).extracting(SourceLine::text).containsExactly("2024 x\n1\n2");
    }

    @Test
    void flushesAQuietStreamAfterTheTimeout() {
        MutableClock clock = new MutableClock();
        MultilineAggregator agg = new MultilineAggregator(CONFIG, clock);
        agg.offer(List.of(line("a", 0, "2024-01-01 x"), line("b", 0, "2024-01-01 y")));
        clock.now = clock.now.plusMillis(1999);
        assertThat(agg.flushExpired()).isEmpty();
        agg.offer(List.of(line("b", 1, "more")));
        clock.now = clock.now.plusMillis(1);
        assertThat(agg.flushExpired()).extracting(SourceLine::text).containsExactly("2024-01-01 x");
        clock.now = clock.now.plusSeconds(2);
        assertThat(agg.flushExpired()).extracting(SourceLine::text).containsExactly("2024-01-01 y\nmore");
        assertThat(agg.pendingStreams()).isZero();
    }

    @Test
    void keepsStreamsApart() {
        MultilineAggregator agg = new MultilineAggregator(CONFIG, new MutableClock());
        agg.offer(List.of(line("a", 0, "2024 a1"), line("b", 0, "2024 b1"), line("a", 1, "a2"), line("b", 1, "b2")));
        assertThat(agg.flushAll()).extracting(SourceLine::text).containsExactlyInAnyOrder("2024 a1\na2", "2024 b1\nb2");
    }

    @Test
    void debugSplitsASample() {
        assertThat(MultilineJoiner.debug("2024 a\nx\n2024 b", MultilineConfig.of("^\\d{4}", 10, 5)))
                .containsExactly("2024 a\nx", "2024 b");
    }

    @Test
    void enforcesBklogLimits() {
        assertThatThrownBy(() -> MultilineConfig.of("^x", 5001, 1)).hasMessageContaining("5000");
        assertThatThrownBy(() -> MultilineConfig.of("^x", 10, 11)).hasMessageContaining("10 s");
        assertThatThrownBy(() -> MultilineConfig.of("(", 10, 1)).hasMessageContaining("not a valid regex");
    }
}
