package io.bklog.core.search;

import java.util.Map;

/**
 * An error of the Elasticsearch-compatible surface, answered in Elasticsearch's shape
 * {@code {"error": {"root_cause", "type", "reason", ...details}, "status"}} with Elasticsearch's {@code type}
 * ({@code index_not_found_exception}, {@code parsing_exception}, ...), so ES clients surface it as they would
 * Elasticsearch's own.
 */
public final class EsCompatException extends RuntimeException {
    private final int status;
    private final String type;
    private final Map<String, Object> details;

    public EsCompatException(int status, String type, String reason, Map<String, Object> details) {
        super(reason);
        this.status = status;
        this.type = type;
        this.details = details == null ? Map.of() : Map.copyOf(details);
    }

    public EsCompatException(int status, String type, String reason) {
        this(status, type, reason, Map.of());
    }

    /** {@code 404 index_not_found_exception} for an index name, as Elasticsearch words it. */
    public static EsCompatException indexNotFound(String index) {
        return new EsCompatException(404, "index_not_found_exception", "no such index [" + index + "]",
                Map.of("resource.type", "index_or_alias", "resource.id", index, "index_uuid", "_na_", "index", index));
    }

    public int status() {
        return status;
    }

    public String type() {
        return type;
    }

    /** Extra keys of the error object ({@code index}, {@code resource.id}...). */
    public Map<String, Object> details() {
        return details;
    }
}
