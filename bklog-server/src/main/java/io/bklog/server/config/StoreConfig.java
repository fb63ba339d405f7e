package io.bklog.server.config;

import java.util.Map;

/**
 * The log store backend.
 *
 * @param backend  a backend provider name ({@code lucene}, {@code memory}, {@code elasticsearch}, ...); blank =
 *                 {@code lucene} in the data dir
 * @param settings the backend's settings, flat keys such as {@code hosts} or {@code repository.path}
 */
public record StoreConfig(String backend, Map<String, String> settings) {
    public StoreConfig {
        backend = backend == null ? "" : backend.trim();
        settings = settings == null ? Map.of() : Map.copyOf(settings);
    }

    public static StoreConfig defaults() {
        return new StoreConfig("", Map.of());
    }
}
