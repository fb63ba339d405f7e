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
    /** Keys the platform itself may give every backend ({@code cluster}: the storage cluster it serves). */
    public static final java.util.Set<String> PLATFORM_KEYS = java.util.Set.of("cluster");

    public BackendConfig {
        settings = Map.copyOf(settings);
    }

    public static BackendConfig of(Map<String, String> settings, Path dataDir) {
        return new BackendConfig(settings, dataDir);
    }

    /**
     * Refuses a setting the backend does not know, so a typo ({@code hots} for {@code hosts}) stops start-up instead
     * of being ignored: throws {@link IllegalArgumentException} naming the key, the backend and its known keys.
     * Keys in {@link #PLATFORM_KEYS} and keys starting with one of {@code prefixes} (passed through, such as
     * Kafka's {@code client.}) are accepted.
     */
    public void refuseUnknownKeys(String backend, java.util.Collection<String> known, String... prefixes) {
        for (String key : new java.util.TreeSet<>(settings.keySet())) {
            if (known.contains(key) || PLATFORM_KEYS.contains(key)) continue;
            boolean passed = false;
            for (String p : prefixes) passed |= key.startsWith(p);
            if (passed) continue;
            StringBuilder knownText = new StringBuilder(new java.util.TreeSet<>(known).toString());
            for (String p : prefixes) knownText.append(", ").append(p).append('*');
            throw new IllegalArgumentException("unknown setting '" + key + "' for backend '" + backend
                    + "'; its settings are " + knownText);
        }
    }

    /**
     * Runs {@code build} (a builder call that validates the value of setting {@code key}); an
     * {@link IllegalArgumentException} it throws is rethrown naming the key, so a bad setting is always named.
     */
    public static <T> T named(String key, java.util.function.Supplier<T> build) {
        try {
            return build.get();
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().contains("'" + key + "'")) throw e;
            throw new IllegalArgumentException("setting '" + key + "': " + e.getMessage(), e);
        }
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
