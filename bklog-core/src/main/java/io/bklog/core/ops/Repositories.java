package io.bklog.core.ops;

import io.bklog.spi.SnapshotRepository;

/** Finds the snapshot repository an archive config names. */
final class Repositories {
    private Repositories() {}

    static SnapshotRepository byName(SnapshotRepository configured, String name) {
        if (configured == null) {
            throw new OpsException("archive repository '" + name + "' is not available: this platform has no "
                    + "snapshot repository configured");
        }
        if (!configured.name().equals(name)) {
            throw new OpsException("archive repository '" + name + "' is not available; the configured snapshot "
                    + "repository is '" + configured.name() + "'");
        }
        return configured;
    }

    static SnapshotRepository required(SnapshotRepository configured, String what) {
        if (configured == null) {
            throw new OpsException(what + " needs a snapshot repository, and this platform has none configured");
        }
        return configured;
    }
}
