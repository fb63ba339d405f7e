package io.bklog.core.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.spi.BackendException;
import io.bklog.spi.BlobStore;
import io.bklog.spi.SnapshotRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Archive snapshots kept in a {@link BlobStore} (a directory on another disk, an S3 bucket) instead of the data dir.
 * It wraps the snapshot repository of a storage cluster that hands its snapshots out as files (the embedded Lucene
 * store's): a snapshot is taken there, uploaded under {@code {repository}/{snapshot}/} — every file, then
 * {@code snapshot.json} (its indices, document counts, size, times and each file's SHA-256) last, so a snapshot is
 * listed only once it is complete — and the local copy is deleted. A restore downloads the snapshot into the
 * repository (each file checked against its SHA-256), restores from there and deletes the local copy again. Same
 * name as the wrapped repository, so archive configs name it as before.
 *
 * <p>A repository that cannot hand its snapshots out (Elasticsearch keeps them in the cluster's repository) keeps
 * them where it is: those snapshots are simply not uploaded.
 */
public final class BlobArchiveRepository implements SnapshotRepository {
    /** The file listing a snapshot in the blob store, written last. */
    public static final String INFO = "snapshot.json";
    private static final String FILES = "files/";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,254}");
    private static final Logger log = LoggerFactory.getLogger(BlobArchiveRepository.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final SnapshotRepository local;
    private final BlobStore blobs;
    private final Path staging;

    /**
     * @param local   the cluster's repository, where snapshots are taken and restored from
     * @param blobs   where the snapshots are kept
     * @param staging a local directory for downloads (emptied after each restore)
     */
    public BlobArchiveRepository(SnapshotRepository local, BlobStore blobs, Path staging) {
        this.local = Objects.requireNonNull(local, "local");
        this.blobs = Objects.requireNonNull(blobs, "blobs");
        this.staging = Objects.requireNonNull(staging, "staging").toAbsolutePath().normalize();
    }

    /** The snapshot description stored as {@value #INFO}. */
    record Stored(String name, String state, Map<String, Long> docCounts, long sizeBytes, long startMillis,
                  long endMillis, Map<String, String> files) {
        SnapshotInfo info() {
            return new SnapshotInfo(name, State.valueOf(state), docCounts, sizeBytes, startMillis, endMillis, null);
        }
    }

    @Override
    public String name() {
        return local.name();
    }

    /** Where the snapshots are kept, for messages. */
    public String location() {
        return blobs.location() + " (" + prefix() + ")";
    }

    private String prefix() {
        return local.name() + "/";
    }

    private String key(String snapshot, String file) {
        return prefix() + snapshot + "/" + file;
    }

    @Override
    public void verify() {
        local.verify();
        blobs.verify();
    }

    @Override
    public SnapshotInfo create(String snapshot, List<String> indices, ProgressListener progress) {
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        SnapshotInfo info = local.create(snapshot, indices, (f, m) -> p.onProgress(f * 0.5, m));
        if (info.state() != State.SUCCESS) return info;
        Optional<Map<String, Path>> files = local.files(snapshot);
        if (files.isEmpty()) {
            log.info("archive snapshot kept in its repository (it hands out no files) snapshot={} repository={}",
                    snapshot, local.name());
            return info;
        }
        Map<String, String> sums = new TreeMap<>();
        int i = 0;
        for (var f : files.get().entrySet()) {
            String sum = blobs.put(key(snapshot, FILES + f.getKey()), f.getValue());
            String expected = BackupService.sha256(f.getValue());
            if (!sum.equals(expected)) {
                throw new BackendException("upload of " + f.getKey() + " of snapshot " + snapshot + " to "
                        + location() + " stored checksum " + sum + ", expected " + expected, true, null);
            }
            sums.put(f.getKey(), sum);
            p.onProgress(0.5 + 0.45 * ++i / files.get().size(), "uploaded " + f.getKey());
        }
        Stored stored = new Stored(snapshot, info.state().name(), info.docCounts(), info.sizeBytes(),
                info.startMillis(), info.endMillis(), sums);
        try {
            blobs.put(key(snapshot, INFO), JSON.writeValueAsBytes(stored));
        } catch (IOException e) {
            throw new BackendException("cannot write " + INFO + " of snapshot " + snapshot + ": " + e, e);
        }
        local.delete(snapshot);
        p.onProgress(1.0, "snapshot " + snapshot + " uploaded");
        log.info("archive snapshot uploaded snapshot={} files={} bytes={} location={}", snapshot, sums.size(),
                info.sizeBytes(), location());
        return info;
    }

    private Optional<Stored> stored(String snapshot) {
        if (snapshot == null || !NAME.matcher(snapshot).matches()) return Optional.empty();
        Optional<InputStream> in = blobs.open(key(snapshot, INFO));
        if (in.isEmpty()) return Optional.empty();
        try (InputStream s = in.get()) {
            return Optional.of(JSON.readValue(s, Stored.class));
        } catch (IOException e) {
            throw new BackendException(INFO + " of snapshot " + snapshot + " in " + location() + " is unreadable: "
                    + e, false, e);
        }
    }

    @Override
    public List<SnapshotInfo> list() {
        Map<String, SnapshotInfo> out = new TreeMap<>();
        local.list().forEach(s -> out.put(s.name(), s));
        for (String k : blobs.list(prefix())) {
            if (!k.endsWith("/" + INFO)) continue;
            String snapshot = k.substring(prefix().length(), k.length() - INFO.length() - 1);
            if (snapshot.contains("/")) continue;
            stored(snapshot).ifPresent(s -> out.putIfAbsent(snapshot, s.info()));
        }
        List<SnapshotInfo> all = new ArrayList<>(out.values());
        all.sort(Comparator.comparingLong(SnapshotInfo::startMillis).thenComparing(SnapshotInfo::name));
        return all;
    }

    @Override
    public Optional<SnapshotInfo> get(String snapshot) {
        Optional<SnapshotInfo> here = local.get(snapshot);
        return here.isPresent() ? here : stored(snapshot).map(Stored::info);
    }

    @Override
    public List<String> restore(String snapshot, List<String> indices, String renamePrefix, ProgressListener progress) {
        if (local.get(snapshot).isPresent()) return local.restore(snapshot, indices, renamePrefix, progress);
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        Stored stored = stored(snapshot).orElseThrow(() -> new IllegalArgumentException("snapshot '" + snapshot
                + "' is neither in repository '" + local.name() + "' nor in " + location()));
        Path dir = staging.resolve(snapshot);
        try {
            BackupService.deleteStaging(dir);
            int i = 0;
            for (var f : stored.files().entrySet()) {
                Path target = dir.resolve(f.getKey()).normalize();
                if (!target.startsWith(dir)) {
                    throw new BackendException("snapshot " + snapshot + " in " + location() + " names a file outside"
                            + " it: " + f.getKey(), false, null);
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = blobs.open(key(snapshot, FILES + f.getKey())).orElseThrow(() ->
                        new BackendException("file " + f.getKey() + " of snapshot " + snapshot + " is missing in "
                                + location(), false, null))) {
                    Files.copy(in, target);
                }
                String actual = BackupService.sha256(target);
                if (!actual.equals(f.getValue())) {
                    throw new BackendException("file " + f.getKey() + " of snapshot " + snapshot + " read from "
                            + location() + " has checksum " + actual + ", expected " + f.getValue(), false, null);
                }
                p.onProgress(0.4 * ++i / stored.files().size(), "downloaded " + f.getKey());
            }
            local.adopt(snapshot, dir);
        } catch (IOException e) {
            throw new BackendException("cannot download snapshot " + snapshot + " from " + location() + ": " + e, e);
        } finally {
            BackupService.deleteStaging(dir);
        }
        try {
            List<String> restored = local.restore(snapshot, indices, renamePrefix,
                    (f, m) -> p.onProgress(0.4 + 0.6 * f, m));
            log.info("archive snapshot restored from the blob store snapshot={} indices={} location={}", snapshot,
                    restored, location());
            return restored;
        } finally {
            local.delete(snapshot); // the blob store keeps it; the data dir keeps only the restored indices
        }
    }

    /** Deletes the snapshot from the blob store ({@value #INFO} first, so it is never listed half deleted) and locally. */
    @Override
    public void delete(String snapshot) {
        local.delete(snapshot);
        if (snapshot == null || !NAME.matcher(snapshot).matches()) return;
        blobs.delete(key(snapshot, INFO));
        for (String k : blobs.list(prefix() + snapshot + "/")) blobs.delete(k);
    }

    @Override
    public Optional<Map<String, Path>> files(String snapshot) {
        return local.files(snapshot);
    }

    @Override
    public void adopt(String snapshot, Path dir) {
        local.adopt(snapshot, dir);
    }

    @Override
    public String toString() {
        return "archive repository " + name() + " in " + location();
    }
}
