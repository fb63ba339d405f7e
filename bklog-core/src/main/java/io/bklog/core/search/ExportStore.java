package io.bklog.core.search;

import io.bklog.spi.BlobStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where finished async export files are kept until they expire: the local data dir ({@link #local()}, the default:
 * only this instance can serve the download) or a shared {@link BlobStore} ({@link #shared}: a directory every
 * instance mounts, an S3 bucket), so any instance serves the download of an export another one ran. A job records the
 * reference {@link #keep} returned; a download {@link #open opens} it, the expiry {@link #delete deletes} it.
 */
public interface ExportStore {

    /** Where the files are, for messages: {@code the data dir}, {@code s3://bucket/exports}. */
    String location();

    /**
     * Keeps the finished file {@code file} (written under the data dir or a temporary directory) as {@code name};
     * returns the reference to record in the job. The local file may be moved or deleted.
     */
    String keep(String name, Path file);

    /** The file of a reference {@link #keep} returned; empty when it is gone. */
    Optional<Download> open(String reference);

    /** Deletes the file of a reference; a missing one is ignored. */
    void delete(String reference);

    /**
     * Whether this store holds the files of such references, so {@link #delete} really deletes them: the data dir
     * does not hold what a shared store kept (an instance without {@code export.store} next to ones with it).
     */
    default boolean holds(String reference) {
        return true;
    }

    /** A file being downloaded: its size and content (the caller closes it). */
    record Download(long sizeBytes, InputStream content) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }

    /** Files stay where they were written (under {@code {data_dir}/exports}); the reference is the absolute path. */
    static ExportStore local() {
        return Local.INSTANCE;
    }

    /** Files go to {@code blobs} under their name (the local copy is deleted); the reference is the blob key. */
    static ExportStore shared(BlobStore blobs) {
        Objects.requireNonNull(blobs, "blobs");
        return new ExportStore() {
            @Override
            public String location() {
                return blobs.location();
            }

            @Override
            public String keep(String name, Path file) {
                blobs.put(name, file);
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete the local copy " + file, e);
                }
                return name;
            }

            @Override
            public Optional<Download> open(String reference) {
                if (isPath(reference)) return local().open(reference); // written before the store was set
                Optional<Long> size = blobs.size(reference);
                if (size.isEmpty()) return Optional.empty();
                return blobs.open(reference).map(in -> new Download(size.get(), in));
            }

            @Override
            public void delete(String reference) {
                if (isPath(reference)) local().delete(reference); else blobs.delete(reference);
            }

            @Override
            public String toString() {
                return location();
            }
        };
    }

    /**
     * Whether a reference is a local file path ({@code .../exports/name.gz}, what {@link #local()} records) rather
     * than the bare name a shared store records.
     */
    static boolean isPath(String reference) {
        return Path.of(reference).getParent() != null;
    }

    /** The default: files under the data dir. */
    enum Local implements ExportStore {
        INSTANCE;

        @Override
        public String location() {
            return "the data dir";
        }

        @Override
        public String keep(String name, Path file) {
            return file.toAbsolutePath().toString();
        }

        @Override
        public Optional<Download> open(String reference) {
            if (!isPath(reference)) return Optional.empty(); // kept in a shared store this instance is not set up for
            Path p = Path.of(reference);
            try {
                long size = Files.size(p);
                return Optional.of(new Download(size, Files.newInputStream(p)));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read export file " + p, e);
            }
        }

        @Override
        public boolean holds(String reference) {
            return isPath(reference);
        }

        @Override
        public void delete(String reference) {
            if (!isPath(reference)) return;
            Path p = Path.of(reference);
            try {
                Files.deleteIfExists(p);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete export file " + p, e);
            }
        }
    }
}
