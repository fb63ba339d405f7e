package io.bklog.core.ingest;

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
}
