package io.bklog.spi.alert;

import java.util.Map;

/**
 * Makes channels of one type ({@code webhook}, {@code email}, or a third party's) from a channel's settings, as an
 * admin saved them. Found by {@link #type()}; a type already taken by a built-in channel is refused.
 */
public interface NotificationChannelFactory {

    /** The type name used in channel configs, lower case ({@code webhook}). */
    String type();

    /**
     * Checks the settings and returns the channel. Throws {@link IllegalArgumentException} naming the bad setting;
     * the platform answers it as a 400 when the channel is saved.
     */
    NotificationChannel create(Map<String, String> settings);

    /** Setting names whose values are secrets (never shown back by the API); default none. */
    default java.util.Set<String> secretSettings() {
        return java.util.Set.of();
    }

    /**
     * Whether two settings of a channel send its secrets to the same place (for a webhook its url, for e-mail its
     * server and user). An update that leaves a secret empty keeps the stored one only then; otherwise the platform
     * asks for the secret again. Default: every setting that is not a secret is unchanged.
     */
    default boolean sameDestination(Map<String, String> before, Map<String, String> after) {
        java.util.Set<String> secrets = secretSettings();
        java.util.Set<String> keys = new java.util.HashSet<>(before.keySet());
        keys.addAll(after.keySet());
        keys.removeAll(secrets);
        return keys.stream().allMatch(k -> java.util.Objects.equals(before.get(k), after.get(k)));
    }
}
