package io.bklog.core.alert;

import java.time.Instant;
import java.util.Map;

/**
 * A notification channel of a space: a name, a type ({@code webhook}, {@code email} or a third party's) and the
 * type's settings. Secret settings (a webhook's {@code secret}, SMTP {@code password}) are never shown back.
 */
public record AlertChannelConfig(Long id, String space, String name, String type, Map<String, String> settings,
                                 Instant createdAt, Instant updatedAt) {
    public AlertChannelConfig {
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }
}
