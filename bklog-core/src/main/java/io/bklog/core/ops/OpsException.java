package io.bklog.core.ops;

/** An operation (retention, restore, backup, upgrade) could not be done; the message says what and why. */
public class OpsException extends RuntimeException {
    public OpsException(String message) {
        super(message);
    }

    public OpsException(String message, Throwable cause) {
        super(message, cause);
    }
}
