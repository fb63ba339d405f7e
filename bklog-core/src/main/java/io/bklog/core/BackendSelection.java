package io.bklog.core;

import java.util.Map;
import java.util.Objects;

/**
 * A backend chosen by name, with its settings: {@code store: {backend: lucene, settings: {...}}} in YAML, or
 * {@link LogPlatformBuilder#backend(String, Map)} in code. The name is a {@link io.bklog.spi.BackendProvider#name()}.
 */
public record BackendSelection(String name, Map<String, String> settings) {
    public BackendSelection {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) throw new IllegalArgumentException("backend name must not be blank");
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public static BackendSelection of(String name) {
        return new BackendSelection(name, Map.of());
    }
}
