package io.bklog.core.ops;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free bytes where restored data will land; {@link #of(Path)} reads the file system. */
@FunctionalInterface
public interface DiskSpace {
    long freeBytes();

    /** The usable space of the file system holding {@code dir} (its nearest existing ancestor). */
    static DiskSpace of(Path dir) {
        return () -> {
            Path p = dir.toAbsolutePath();
            while (p != null && !Files.exists(p)) p = p.getParent();
            if (p == null) throw new OpsException("cannot read free disk space: no part of " + dir + " exists");
            try {
                return Files.getFileStore(p).getUsableSpace();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read free disk space of " + p, e);
            }
        };
    }
}
