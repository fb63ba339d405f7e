package io.bklog.core.meta;

/**
 * A foreign-key check failed: the row refers to a row that does not exist, or a row that others still refer to
 * was deleted.
 */
public final class MetadataReferenceException extends MetadataException {
    public MetadataReferenceException(String message, Throwable cause) {
        super(message, cause);
    }
}
