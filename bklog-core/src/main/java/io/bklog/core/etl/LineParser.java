package io.bklog.core.etl;

import java.time.Instant;

/**
 * A compiled ETL config: turns lines into documents. Thread-safe and reusable; never throws for a bad line (the
 * failure is recorded in the document, the line is kept).
 */
public interface LineParser {

    /** The config this parser was compiled from. */
    EtlConfig config();

    /**
     * Parses a line.
     *
     * @param path       file path for {@code path_regexp} (may be null)
     * @param ingestTime used when the line carries no (valid) time
     */
    ParsedDocument parse(String line, String path, Instant ingestTime);

    /** Parses a line without a path, with the parser's clock as ingest time. */
    ParsedDocument parse(String line);
}
