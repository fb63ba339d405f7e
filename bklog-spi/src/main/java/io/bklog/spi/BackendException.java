package io.bklog.spi;

/** A backend failed an operation (unreachable, refused, timed out). The message names the backend and what to do. */
public class BackendException extends RuntimeException {
    private final boolean retryable;

    public BackendException(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public BackendException(String message, Throwable cause) {
        this(message, true, cause);
    }

    public BackendException(String message) {
        this(message, true, null);
    }

    /** Whether the same call may succeed later. */
    public boolean retryable() {
        return retryable;
    }
}
