package io.bklog.core.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;

/**
 * The agent's data dir and files are its own: the dir {@code 0700}, its files {@code 0600} (buffered logs, offsets,
 * configs), where the file system has POSIX permissions. And the agent's identity, a UUID kept in
 * {@code agent-id}.
 */
final class AgentFiles {
    static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

    private AgentFiles() {
    }

    /** Creates {@code dir} (and parents) if needed and makes it {@code 0700}. */
    static Path privateDir(Path dir) {
        try {
            Files.createDirectories(dir);
            restrict(dir, DIR);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the agent's data dir " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Makes {@code file} {@code 0600} (no-op without POSIX permissions). */
    static void privateFile(Path file) {
        try {
            restrict(file, FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restrict " + file + " to its owner: " + e.getMessage(), e);
        }
    }

    private static void restrict(Path p, Set<PosixFilePermission> perms) throws IOException {
        // never through a link: only the agent's own files and dirs
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) return;
        if (!Files.getFileStore(p).supportsFileAttributeView("posix")) return;
        Files.setPosixFilePermissions(p, perms);
    }

    /** The agent's UUID from {@code {dataDir}/agent-id}, made and saved on the first start. */
    static String agentId(Path dataDir) {
        Path f = dataDir.resolve("agent-id");
        try {
            if (Files.exists(f)) {
                String id = Files.readString(f, StandardCharsets.US_ASCII).strip();
                UUID.fromString(id); // a corrupt file is refused, not silently replaced (ids would change)
                return id;
            }
            String id = UUID.randomUUID().toString();
            Path tmp = dataDir.resolve("agent-id.tmp");
            Files.writeString(tmp, id + "\n", StandardCharsets.US_ASCII, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.SYNC);
            privateFile(tmp);
            try {
                Files.move(tmp, f, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                Files.deleteIfExists(tmp);
                return Files.readString(f, StandardCharsets.US_ASCII).strip();
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the agent's identity " + f + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(f + " does not hold a UUID; restore it (the agent's document ids derive"
                    + " from it) or delete it to make a new identity", e);
        }
    }
}
