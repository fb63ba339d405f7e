package io.bklog.spi;

/**
 * The buffer did not confirm an append in time (the Kafka broker did not acknowledge within its delivery timeout,
 * the producer stayed blocked): unlike its parent, PART OF THE BATCH MAY HAVE BEEN APPENDED. A line source backs off
 * and retries as for {@link BufferFullException} (its ids repeat, so a record that did land is not stored twice); a
 * request answers its items retryable, never "nothing taken".
 */
public class BufferTimeoutException extends BufferFullException {
    public BufferTimeoutException(String message, Throwable cause) {
        super(message);
        initCause(cause);
    }
}
