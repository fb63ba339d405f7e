package io.bklog.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * An error with a stable {@link ErrorCode}, the input {@code field} it concerns (may be null) and optional details
 * (line, column, position, ...). The server answers it as {@code {"error": code, "message", "field", ...details}}.
 */
public class BklogException extends RuntimeException {
    private final ErrorCode code;
    private final String field;
    private final Map<String, Object> details;

    public BklogException(ErrorCode code, String message, String field, Map<String, Object> details, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
        this.field = field;
        this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }

    public BklogException(ErrorCode code, String message, String field) {
        this(code, message, field, Map.of(), null);
    }

    public BklogException(ErrorCode code, String message) {
        this(code, message, null, Map.of(), null);
    }

    public ErrorCode code() { return code; }

    /** The request field the error concerns, e.g. {@code keyword}, {@code sort_list[0]}; empty when none. */
    public Optional<String> field() { return Optional.ofNullable(field); }

    /** Extra facts for the client: {@code line}, {@code column}, {@code position}, {@code existing}... */
    public Map<String, Object> details() { return details; }
}
