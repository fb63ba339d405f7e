package io.bklog.core.ops;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;

import java.util.Map;

/**
 * An operation (retention, restore, backup, upgrade) could not be done; the message says what and why. Its code is
 * {@link ErrorCode#OPERATION_REFUSED} unless given ({@link ErrorCode#OPERATION_NOT_FOUND} for an unknown backup or
 * restore, {@link ErrorCode#BAD_REQUEST} for a bad argument), the same an HTTP caller gets.
 */
public class OpsException extends BklogException {
    public OpsException(String message) {
        this(message, null);
    }

    public OpsException(String message, Throwable cause) {
        super(ErrorCode.OPERATION_REFUSED, message, null, Map.of(), cause);
    }

    /** An error of another code, naming the argument {@code field} it concerns (may be null). */
    public OpsException(ErrorCode code, String message, String field) {
        super(code, message, field, Map.of(), null);
    }
}
