package io.bklog.spi;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Files kept by key in a place that outlives the data dir: a directory, an S3-compatible bucket under a prefix.
 * Backups, exported snapshots of the embedded store and export files live there. Keys are relative
 * {@code /}-separated paths ({@code full-20260320-120000-000/manifest.json}); a key never starts with {@code /} nor
 * holds {@code ..}.
 *
 * <p>A blob is visible only once it is complete: a write that fails or is interrupted leaves either the old blob
 * or none, never a part. An implementation may resume an interrupted write of the same key from the same file
 * (S3 multipart upload: the parts already uploaded with a matching checksum are kept).
 */
public interface BlobStore extends AutoCloseable {

    /** Where the blobs are, for messages: {@code /var/lib/bklog/backups}, {@code s3://bucket/prefix}. */
    String location();

    /** Checks that the store is reachable and writable; throws {@link BackendException} saying why not. */
    void verify();

    /**
     * Writes the content of {@code file} as {@code key} (replacing a blob of that key) and returns its SHA-256 in
     * hex, as checked by the store while it was written.
     */
    String put(String key, Path file);

    /** Writes {@code bytes} as {@code key}; returns their SHA-256 in hex. */
    String put(String key, byte[] bytes);

    /** Reads a blob; empty when there is none of that key. */
    Optional<InputStream> open(String key);

    /** The size of a blob in bytes; empty when there is none of that key. */
    Optional<Long> size(String key);

    /** Every key starting with {@code prefix} ({@code ""} = all), sorted. */
    List<String> list(String prefix);

    /** Deletes a blob; a missing one is ignored. */
    void delete(String key);

    @Override
    default void close() {
    }

    /** Refuses a key that is empty, absolute or climbs out with {@code ..}. */
    static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.contains("\\")
                || ("/" + key + "/").contains("/../") || ("/" + key + "/").contains("/./") || key.contains("//")) {
            throw new IllegalArgumentException("blob key '" + key + "' must be a relative path without '.', '..' "
                    + "or empty segments");
        }
        return key;
    }
}
