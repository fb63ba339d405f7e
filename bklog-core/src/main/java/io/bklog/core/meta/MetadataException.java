package io.bklog.core.meta;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;

import java.util.Map;

/**
 * Base of every error the metadata layer throws; the message always names the row and what to do. Its code is
 * {@link ErrorCode#BACKEND_UNAVAILABLE}, as the server answers a metadata failure no service turned into a more
 * precise code (the services catch the subclasses they expect, e.g. {@link DuplicateNameException}, and throw
 * their own code).
 */
public class MetadataException extends BklogException {
    public MetadataException(String message) {
        this(message, null);
    }

    public MetadataException(String message, Throwable cause) {
        super(ErrorCode.BACKEND_UNAVAILABLE, message, null, Map.of(), cause);
    }
}
