package io.bklog.spi;

/**
 * The ingest buffer is at its bound; nothing of the refused batch was appended. Retry after a back-off. The subclass
 * {@link BufferTimeoutException} is the exception: the buffer could not confirm in time and part may have landed.
 */
public class BufferFullException extends RuntimeException {
    public BufferFullException(String message) {
        super(message);
    }
}
