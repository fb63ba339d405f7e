package io.bklog.core.alert;

import java.util.Map;

/** Reading numbers out of a channel's string settings, with the setting named in the error. */
final class ChannelSettings {
    private ChannelSettings() {}

    static int integer(Map<String, String> s, String key, int dflt, int min, int max) {
        String v = s.get(key);
        if (v == null || v.isBlank()) return dflt;
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("settings." + key + " must be a whole number, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException("settings." + key + " must be " + min + ".." + max + ", got " + n);
        }
        return n;
    }
}
