package io.bklog.core.ops;

import io.bklog.spi.BackendException;
import io.bklog.spi.BlobStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A {@link BlobStore} in a local directory (a mounted disk, NFS): a key is a file below it. A blob is written to a
 * hidden temporary file, synced and moved into place atomically, then its directory is synced, so a listed blob is
 * always complete and a blob written after it (a backup's manifest) never survives a power loss without it.
 */
public final class DirectoryBlobStore implements BlobStore {
    private static final boolean WINDOWS = System.getProperty("os.name", "").startsWith("Windows");

    private final Path root;
    private final DirSync dirSync;

    /** Makes a directory's entries (a rename into it) durable. */
    @FunctionalInterface
    interface DirSync {
        void sync(Path dir) throws IOException;
    }

    public DirectoryBlobStore(Path root) {
        this(root, DirectoryBlobStore::fsyncDir);
    }

    /** For tests: {@code dirSync} is called with a blob's directory after the blob was moved into it. */
    DirectoryBlobStore(Path root, DirSync dirSync) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.dirSync = Objects.requireNonNull(dirSync, "dirSync");
    }

    /**
     * Fsyncs a directory so the renames into it survive a power loss, as Lucene's {@code IOUtils.fsync(dir, true)}
     * does; Windows cannot open a directory for that and is skipped.
     */
    static void fsyncDir(Path dir) throws IOException {
        if (WINDOWS) return;
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public String location() {
        return root.toString();
    }

    @Override
    public void verify() {
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".verify-", ".tmp");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            throw new BackendException("backup location " + root + " is not writable: " + e
                    + "; create the directory and give the bklog process write access", false, e);
        }
    }

    private Path file(String key) {
        return root.resolve(BlobStore.checkKey(key));
    }

    @Override
    public String put(String key, Path source) {
        try (InputStream in = Files.newInputStream(source)) {
            return write(key, in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + source, e);
        }
    }

    @Override
    public String put(String key, byte[] bytes) {
        return write(key, new java.io.ByteArrayInputStream(bytes));
    }

    private String write(String key, InputStream in) {
        Path target = file(key);
        Path tmp = null;
        try {
            createDirectories(target.getParent());
            tmp = Files.createTempFile(target.getParent(), ".put-", ".tmp");
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(tmp), digest)) {
                in.transferTo(out);
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            // the rename is durable only once its directory is: else a later blob (the manifest) could survive a
            // power loss that loses this one
            dirSync.sync(target.getParent());
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new BackendException("cannot write " + key + " to " + root + ": " + e, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: a hidden temp file is never listed
                }
            }
        }
    }

    /** Creates {@code dir} and its missing parents, syncing the directory each new one was made in. */
    private void createDirectories(Path dir) throws IOException {
        Path first = null;
        for (Path d = dir; d != null && !Files.isDirectory(d); d = d.getParent()) first = d;
        Files.createDirectories(dir);
        if (first == null || first.getParent() == null) return;
        for (Path d = first.getParent(); ; d = d.resolve(dir.getName(d.getNameCount()))) {
            dirSync.sync(d);
            if (d.getNameCount() + 1 >= dir.getNameCount()) break;
        }
    }

    @Override
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(Files.newInputStream(file(key)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new BackendException("cannot read " + key + " in " + root + ": " + e, e);
        }
    }

    @Override
    public Optional<Long> size(String key) {
        Path f = file(key);
        try {
            return Files.isRegularFile(f) ? Optional.of(Files.size(f)) : Optional.empty();
        } catch (IOException e) {
            throw new BackendException("cannot read " + key + " in " + root + ": " + e, e);
        }
    }

    @Override
    public List<String> list(String prefix) {
        if (!Files.isDirectory(root)) return List.of();
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile)
                    .map(p -> root.relativize(p).toString().replace(java.io.File.separatorChar, '/'))
                    .filter(k -> !k.startsWith(".") && !k.contains("/."))
                    .filter(k -> k.startsWith(prefix)).sorted().toList();
        } catch (IOException e) {
            throw new BackendException("cannot list " + root + ": " + e, e);
        }
    }

    @Override
    public void delete(String key) {
        Path f = file(key);
        try {
            Files.deleteIfExists(f);
            // drop directories left empty, up to the root
            for (Path d = f.getParent(); d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
                try (Stream<Path> s = Files.list(d)) {
                    if (s.findAny().isPresent()) break;
                }
                Files.delete(d);
            }
        } catch (IOException e) {
            throw new BackendException("cannot delete " + key + " in " + root + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return location();
    }
}
