/**
 * The source SPI: what a collector source (file, syslog, Kafka, a third party's) implements, with the JDK only. A
 * {@link io.bklog.spi.source.SourceFactory} validates a collector's settings and creates a
 * {@link io.bklog.spi.source.Source}; the source reads and hands {@link io.bklog.spi.source.SourceLine}s to the
 * {@link io.bklog.spi.source.LineSink} of its {@link io.bklog.spi.source.SourceContext}, and commits its position
 * only once the sink's {@link io.bklog.spi.source.Receipt#stored()} says the lines are stored. Every source passes
 * {@code io.bklog.testkit.source.SourceContract}.
 */
package io.bklog.spi.source;
