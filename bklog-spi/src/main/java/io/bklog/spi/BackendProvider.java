package io.bklog.spi;

/**
 * Found by name through {@link java.util.ServiceLoader} (or installed explicitly): a name such as {@code lucene},
 * {@code elasticsearch}, {@code redis}, {@code kafka}, {@code memory}, and a factory from config.
 */
public interface BackendProvider {

    /** The name used in config ({@code store: elasticsearch}). */
    String name();

    /** Builds the backend; throws {@link IllegalArgumentException} naming a missing or bad setting. */
    Backend create(BackendConfig config);
}
