package io.bklog.core.ingest;

import io.bklog.spi.source.SourceLine;

import java.util.List;

/**
 * Where a source hands its lines. Returns false when the lines were refused whole (backpressure): the source keeps
 * them and retries. {@code lines -> pipeline.submit(lines).accepted()} adapts an {@link IngestPipeline}.
 */
@FunctionalInterface
public interface LineHandler {
    boolean accept(List<SourceLine> lines);

    static LineHandler of(IngestPipeline pipeline) {
        return lines -> pipeline.submit(lines).accepted();
    }

    /** A source SPI sink: lines it does not accept (retryable or rejected) are kept by the source and offered again. */
    static LineHandler of(io.bklog.spi.source.LineSink sink) {
        return lines -> sink.accept(lines).accepted();
    }
}
