package io.bklog.core.alert;

import java.util.Map;

/** Reading numbers out of a channel's string settings, with the setting named in the error; comparing settings. */
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

    /** Whether {@code keys} have the same values (trimmed; blank as missing) in both settings. */
    static boolean same(Map<String, String> before, Map<String, String> after, String... keys) {
        for (String k : keys) {
            if (!java.util.Objects.equals(norm(before.get(k)), norm(after.get(k)))) return false;
        }
        return true;
    }

    private static String norm(String v) {
        return v == null || v.isBlank() ? null : v.trim();
    }
}
