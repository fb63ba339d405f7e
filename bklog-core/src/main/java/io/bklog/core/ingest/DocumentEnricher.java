package io.bklog.core.ingest;

import java.util.Map;

/**
 * Adds fields to a document at the point ingest has made it (after ETL, before it is buffered or stored), e.g. the
 * pattern id of log clustering ({@code __pattern}). Called on ingest threads: must be fast and never block on I/O.
 */
@FunctionalInterface
public interface DocumentEnricher {
    DocumentEnricher NONE = (indexSet, fields) -> { };

    /** Adds to (or changes) {@code fields} of one document of {@code indexSet}. */
    void enrich(String indexSet, Map<String, Object> fields);
}
