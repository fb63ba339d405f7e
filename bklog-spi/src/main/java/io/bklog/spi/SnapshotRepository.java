package io.bklog.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Snapshots of physical indices of one {@link LogStore}, kept in a repository (a directory, an Elasticsearch
 * snapshot repository). Snapshots are immutable and self-checking: restore verifies what it reads.
 */
public interface SnapshotRepository extends AutoCloseable {

    /** The repository name. */
    String name();

    /** Checks that the repository is reachable and writable; throws {@link BackendException} saying why not. */
    void verify();

    /** Takes a snapshot of the given indices and waits for it to finish. A name that exists throws. */
    SnapshotInfo create(String snapshot, List<String> indices, ProgressListener progress);

    List<SnapshotInfo> list();

    Optional<SnapshotInfo> get(String snapshot);

    /**
     * Restores indices of a snapshot into the store under {@code renamePrefix + originalName} (e.g.
     * {@code restore_}); an empty {@code indices} list restores all. Returns the restored index names. A target
     * index that exists throws.
     */
    List<String> restore(String snapshot, List<String> indices, String renamePrefix, ProgressListener progress);

    /** Deletes a snapshot; a missing one is ignored. */
    void delete(String snapshot);

    /**
     * The files of a finished snapshot on local disk, by path relative to the snapshot (e.g.
     * {@code manifest.json}, {@code indices/app_20260320_0/_0.cfs}), when this repository keeps snapshots as files
     * a backup may copy to another place; empty when the snapshot does not exist or the repository cannot hand its
     * snapshots out (an Elasticsearch repository lives in the cluster: put it on durable storage instead).
     */
    default java.util.Optional<Map<String, java.nio.file.Path>> files(String snapshot) {
        return java.util.Optional.empty();
    }

    /**
     * Takes in a snapshot whose {@link #files} were copied into {@code dir} (the directory is consumed): verifies it
     * and makes it a listed snapshot of this repository. A repository whose {@link #files} is always empty throws
     * {@link UnsupportedFeatureException}.
     */
    default void adopt(String snapshot, java.nio.file.Path dir) {
        throw new UnsupportedFeatureException("snapshot adopt", name());
    }

    @Override
    default void close() {
    }

    enum State { IN_PROGRESS, SUCCESS, PARTIAL, FAILED }

    /** A snapshot: its indices with their document counts, state, size and times (epoch millis). */
    record SnapshotInfo(String name, State state, Map<String, Long> docCounts, long sizeBytes, long startMillis,
                        long endMillis, String failure) {
        public SnapshotInfo {
            docCounts = Map.copyOf(docCounts);
        }

        public List<String> indices() {
            return docCounts.keySet().stream().sorted().toList();
        }
    }

    /** Progress of a long step, 0..1, with a short description. */
    @FunctionalInterface
    interface ProgressListener {
        ProgressListener NONE = (fraction, message) -> { };

        void onProgress(double fraction, String message);
    }
}
