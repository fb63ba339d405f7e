package io.bklog.spi;

/**
 * Found by name through {@link java.util.ServiceLoader} (or installed explicitly): a blob store kind such as
 * {@code s3}, and a factory from its settings ({@code backup.store.*} in YAML). The platform knows {@code dir}
 * (a local directory) itself.
 */
public interface BlobStoreProvider {

    /** The name used in config ({@code backup.store.type: s3}) and as URL scheme ({@code s3://bucket/prefix}). */
    String name();

    /** Builds the store; throws {@link IllegalArgumentException} naming a missing or bad setting. */
    BlobStore create(BackendConfig config);
}
