package io.bklog.spi;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One log document. {@code fields} is flat (nested objects already flattened with dots); values are
 * {@link String}, {@link Long}, {@link Double}, {@link Boolean} or a {@link java.util.List} of those. The
 * timestamp is stored under the index set's time field (epoch millis); {@code id} is deterministic, so
 * indexing the same document twice keeps one copy.
 */
public record LogDocument(String id, Instant timestamp, Map<String, Object> fields) {
    public LogDocument {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(timestamp, "timestamp");
        fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }

    public Object get(String field) {
        return fields.get(field);
    }
}
