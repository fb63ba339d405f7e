package io.bklog.spi;

/** The ingest buffer is at its bound; nothing of the refused batch was appended. Retry after a back-off. */
public class BufferFullException extends RuntimeException {
    public BufferFullException(String message) {
        super(message);
    }
}
