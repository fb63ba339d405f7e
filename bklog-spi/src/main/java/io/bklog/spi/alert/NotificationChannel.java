package io.bklog.spi.alert;

/**
 * Sends one notification, once. The platform retries a {@link DeliveryException#retryable() retryable} failure with
 * backoff, up to the channel's attempts, then dead-letters the notification; it never calls {@link #send}
 * concurrently for the same notification. A notification may be sent again after a crash (at least once): use
 * {@link AlertNotification#id()} to drop duplicates. One call must return within the delivery's claim on the
 * notification (5 minutes, renewed before each attempt): bound its network waits, or another instance may send the
 * notification again meanwhile.
 */
public interface NotificationChannel {

    void send(AlertNotification notification) throws DeliveryException;

    /** How many attempts before the notification is dead-lettered; default 5. */
    default int maxAttempts() {
        return 5;
    }
}
