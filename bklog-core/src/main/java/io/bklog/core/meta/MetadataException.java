package io.bklog.core.meta;

/** Base of every error the metadata layer throws; the message always names the row and what to do. */
public class MetadataException extends RuntimeException {
    public MetadataException(String message) {
        super(message);
    }

    public MetadataException(String message, Throwable cause) {
        super(message, cause);
    }
}
