package io.bklog.spi.source;

import java.util.Objects;

/**
 * One problem of a source's settings, naming the key ({@code topic}, {@code paths[1]}, {@code properties.x}).
 *
 * @param key     the setting at fault, as given in the settings map
 * @param message what is wrong and what is expected
 */
public record SettingProblem(String key, String message) {

    public SettingProblem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /** Reads {@code "key: message"}; a text without a key is a problem of {@code ""} (the settings as a whole). */
    public static SettingProblem parse(String text) {
        int colon = text.indexOf(": ");
        if (colon > 0 && text.substring(0, colon).matches("[A-Za-z0-9_.\\[\\]-]+")) {
            return new SettingProblem(text.substring(0, colon), text.substring(colon + 2));
        }
        return new SettingProblem("", text);
    }

    @Override
    public String toString() {
        return key.isEmpty() ? message : key + ": " + message;
    }
}
