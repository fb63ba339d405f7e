package io.bklog.spi.source;

import io.bklog.spi.Meters;

import java.time.Clock;

/** What the platform gives a source it creates. */
public interface SourceContext {

    /** The collector's name: it names the source in document ids, metrics, threads and checkpoints. */
    String collector();

    /** The space the collector's index set belongs to. */
    String space();

    /** The index set the lines go to. */
    String indexSet();

    /** The clock for receive times and anything scheduled (tests inject theirs). */
    Clock clock();

    /** The platform's meters. */
    Meters meters();

    /** Where the lines go. */
    LineSink sink();

    /** The SLF4J logger name the source should log under, e.g. {@code io.bklog.source.kafka.app-json}. */
    default String loggerName() {
        return "io.bklog.source." + collector();
    }
}
