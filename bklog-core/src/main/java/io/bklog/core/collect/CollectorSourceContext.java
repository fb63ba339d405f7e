package io.bklog.core.collect;

import io.bklog.spi.Meters;
import io.bklog.spi.source.LineSink;
import io.bklog.spi.source.SourceContext;

import java.time.Clock;
import java.util.Objects;

/** The {@link SourceContext} the collector runtime gives a source: its collector, index set, clock, meters, sink. */
public record CollectorSourceContext(String collector, String space, String indexSet, Clock clock, Meters meters,
                                     LineSink sink) implements SourceContext {
    public CollectorSourceContext {
        Objects.requireNonNull(collector, "collector");
        Objects.requireNonNull(indexSet, "indexSet");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(meters, "meters");
        Objects.requireNonNull(sink, "sink");
        space = space == null ? "" : space;
    }

    @Override
    public String loggerName() {
        return "io.bklog.source." + collector.replaceAll("[^A-Za-z0-9_.-]", "_");
    }
}
