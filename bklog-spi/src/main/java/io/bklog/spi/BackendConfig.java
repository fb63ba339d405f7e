package io.bklog.spi;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Settings of one backend as flat string keys (YAML keys below the backend's section, e.g. {@code hosts},
 * {@code repository.path}), plus the platform's data directory.
 */
public record BackendConfig(Map<String, String> settings, Path dataDir) {
    public BackendConfig {
        settings = Map.copyOf(settings);
    }

    public static BackendConfig of(Map<String, String> settings, Path dataDir) {
        return new BackendConfig(settings, dataDir);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(settings.get(key)).filter(v -> !v.isBlank());
    }

    public String get(String key, String defaultValue) {
        return get(key).orElse(defaultValue);
    }

    public String require(String key) {
        return get(key).orElseThrow(() -> new IllegalArgumentException(
                "missing setting '" + key + "'; given: " + new TreeMap<>(settings).keySet()));
    }

    public int getInt(String key, int defaultValue) {
        return get(key).map(v -> parse(key, v, Integer::parseInt)).orElse(defaultValue);
    }

    public long getLong(String key, long defaultValue) {
        return get(key).map(v -> parse(key, v, Long::parseLong)).orElse(defaultValue);
    }

    public boolean getBoolean(String key, boolean defaultValue) {
        return get(key).map(Boolean::parseBoolean).orElse(defaultValue);
    }

    /** A duration as ISO-8601 ({@code PT30S}) or a number with unit {@code ms}, {@code s}, {@code m}, {@code h}. */
    public Duration getDuration(String key, Duration defaultValue) {
        return get(key).map(v -> parse(key, v, BackendConfig::parseDuration)).orElse(defaultValue);
    }

    public static Duration parseDuration(String v) {
        String s = v.trim().toLowerCase(java.util.Locale.ROOT);
        if (s.startsWith("p")) return Duration.parse(s.toUpperCase(java.util.Locale.ROOT));
        if (s.endsWith("ms")) return Duration.ofMillis(Long.parseLong(s.substring(0, s.length() - 2).trim()));
        if (s.endsWith("s")) return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        if (s.endsWith("m")) return Duration.ofMinutes(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        if (s.endsWith("h")) return Duration.ofHours(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        if (s.endsWith("d")) return Duration.ofDays(Long.parseLong(s.substring(0, s.length() - 1).trim()));
        return Duration.ofMillis(Long.parseLong(s));
    }

    private static <T> T parse(String key, String v, java.util.function.Function<String, T> f) {
        try {
            return f.apply(v);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("setting '" + key + "' has a bad value '" + v + "': " + e.getMessage(), e);
        }
    }
}
