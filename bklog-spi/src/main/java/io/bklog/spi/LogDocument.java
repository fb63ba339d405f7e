package io.bklog.spi;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * One log document. {@code fields} is flat (nested objects already flattened with dots); values are
 * {@link String}, {@link Long}, {@link Double}, {@link Boolean} or a {@link java.util.List} of those. The
 * timestamp is stored under the index set's time field (epoch millis). Indexing a document with the id of a stored
 * one replaces it; the ingest path gives ids that repeat only for a replay (see docs/ingest.md).
 *
 * <p>{@code freshId}: the id was made unique for this document just now ({@link #withFreshId}) and no store has seen
 * it, so a store may append the document without looking the id up (Elasticsearch's append-only path for ids it makes
 * itself). Every other document ({@code false}, the three-argument constructor, any copy or replay) replaces a stored
 * one with its id.
 */
public record LogDocument(String id, Instant timestamp, Map<String, Object> fields, boolean freshId) {

    /**
     * Field names no document may carry: Elasticsearch's metadata fields, which every store keeps for itself. The
     * ingest path refuses a document holding one (400) before anything is stored.
     */
    public static final Set<String> RESERVED_FIELDS = Set.of("_id", "_index", "_source", "_routing", "_type",
            "_ignored", "_seq_no", "_primary_term", "_version", "_field_names", "_doc_count", "_tier",
            "_nested_path", "_data_stream_timestamp", "_ignored_source", "_feature");

    public LogDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(timestamp, "timestamp");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public LogDocument(String id, Instant timestamp, Map<String, Object> fields) {
        this(id, timestamp, fields, false);
    }

    /** A document whose id was just made unique for it (a store may append it without an id lookup). */
    public static LogDocument withFreshId(String id, Instant timestamp, Map<String, Object> fields) {
        return new LogDocument(id, timestamp, fields, true);
    }

    public Object get(String field) {
        return fields.get(field);
    }
}
