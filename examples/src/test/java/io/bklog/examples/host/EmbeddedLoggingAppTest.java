package io.bklog.examples.host;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;

class EmbeddedLoggingAppTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T12:00:00Z"), ZoneOffset.UTC);

    @Test
    void hostAppSearchesAndAggregatesItsOwnEventsInTheEmbeddedStore(@TempDir Path dir) {
        EmbeddedLoggingApp.Report report = new EmbeddedLoggingApp(dir, CLOCK).run();

        assertThat(report.store()).isEqualTo("lucene");
        assertThat(report.ingested()).isEqualTo(20);
        // events 0, 5, 10, 15 are declined payments; newest first
        assertThat(report.errorTotal()).isEqualTo(4);
        assertThat(report.errorMessages()).containsExactly(
                "order 1015 payment declined for alice",
                "order 1010 payment declined for bob",
                "order 1005 payment declined for carol",
                "order 1000 payment declined for alice");
        // failed requests: 4 declined payments (402) and events 7 and 14 timed out (504)
        assertThat(report.failedByLevel()).containsExactly(
                java.util.Map.entry("ERROR", 4L), java.util.Map.entry("WARN", 2L));
        assertThat(report.failedLatency().count()).isEqualTo(6);
        assertThat(report.failedLatency().min()).isEqualTo(120.0);
        assertThat(report.failedLatency().max()).isEqualTo(3000.0);
        assertThat(report.failedLatency().sum()).isEqualTo(120 + 125 + 130 + 135 + 6000.0);
        assertThat(report.distinctUsers()).isEqualTo(3);
    }

    @Test
    void rerunOnTheSameDataDirKeepsOneCopyOfEachEvent(@TempDir Path dir) {
        new EmbeddedLoggingApp(dir, CLOCK).run();
        EmbeddedLoggingApp.Report again = new EmbeddedLoggingApp(dir, CLOCK).run();

        assertThat(again.errorTotal()).as("the same batch under the same idempotency key replaces, never duplicates").isEqualTo(4);
        assertThat(again.failedLatency().count()).isEqualTo(6);
    }
}
