package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.SnapshotRepository;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Snapshots of a {@link LuceneLogStore}'s indices in a directory. A snapshot is a directory
 * {@code {path}/{snapshot}/} holding each index's committed Lucene files ({@code indices/{index}/}, hard-linked
 * when the repository is on the same file system — Lucene never rewrites a file — copied otherwise) and a
 * {@code manifest.json} with the SHA-256 and size of every file and the document count of every index. The manifest
 * is written last and the directory moved into place atomically, so a listed snapshot is always complete. Restore
 * verifies every checksum before it copies anything into the store.
 */
public final class DirectorySnapshotRepository implements SnapshotRepository {
    private static final Logger LOG = LoggerFactory.getLogger(DirectorySnapshotRepository.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.\\-]{0,254}");
    private static final String MANIFEST = "manifest.json";

    private final String name;
    private final Path root;
    private final LuceneLogStore store;
    private final Clock clock;

    private DirectorySnapshotRepository(Builder b) {
        this.name = b.name;
        this.root = b.path;
        this.store = b.store;
        this.clock = b.clock;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #path} and {@link #store} are required. */
    public static final class Builder {
        private String name = "fs";
        private Path path;
        private LuceneLogStore store;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** The repository name; default {@code fs}. */
        public Builder name(String n) { this.name = n; return this; }

        /** The directory holding the snapshots (created when missing). */
        public Builder path(Path p) { this.path = p; return this; }

        /** The store whose indices are snapshotted and restored into. */
        public Builder store(LuceneLogStore s) { this.store = s; return this; }

        /** Clock for snapshot start/end times; default UTC system clock. */
        public Builder clock(Clock c) { this.clock = c; return this; }

        public DirectorySnapshotRepository build() {
            if (path == null) throw new IllegalArgumentException("directory snapshot repository needs a path");
            if (store == null) throw new IllegalArgumentException("directory snapshot repository needs a lucene store");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(clock, "clock");
            return new DirectorySnapshotRepository(this);
        }
    }

    @Override
    public String name() {
        return name;
    }

    public Path path() {
        return root;
    }

    @Override
    public void verify() {
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".verify-", ".tmp");
            Files.writeString(probe, "bklog");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            throw new BackendException("snapshot repository '" + name + "' at " + root + " is not writable: " + e
                    + "; create the directory and give the bklog process write access", false, e);
        }
    }

    @Override
    public SnapshotInfo create(String snapshot, List<String> indices, ProgressListener progress) {
        checkName(snapshot);
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        Path dir = root.resolve(snapshot);
        if (Files.exists(dir.resolve(MANIFEST))) {
            throw new IllegalArgumentException("snapshot '" + snapshot + "' already exists in repository '" + name + "'");
        }
        List<String> selected = indices.isEmpty()
                ? store.listIndices("*").stream().map(io.bklog.spi.IndexInfo::name).toList() : List.copyOf(indices);
        for (String index : selected) {
            if (!store.hasIndex(index)) {
                throw new IllegalArgumentException("cannot snapshot index '" + index + "': it does not exist");
            }
        }
        long start = clock.millis();
        Path tmp = root.resolve(".tmp-" + snapshot);
        try {
            Files.createDirectories(root);
            IndexCatalog.deleteRecursively(tmp);
            if (Files.exists(dir)) IndexCatalog.deleteRecursively(dir); // a failed attempt without manifest
            Map<String, Object> indexEntries = new TreeMap<>();
            Map<String, Long> docCounts = new TreeMap<>();
            long size = 0;
            for (int i = 0; i < selected.size(); i++) {
                String index = selected.get(i);
                listener.onProgress((double) i / Math.max(1, selected.size()), "snapshot of index " + index);
                IndexCommit commit = store.pin(index);
                try {
                    Path source = store.indicesDir().resolve(index);
                    Path target = Files.createDirectories(tmp.resolve("indices").resolve(index));
                    Map<String, Object> files = new TreeMap<>();
                    for (String file : commit.getFileNames()) {
                        Path copy = target.resolve(file);
                        linkOrCopy(source.resolve(file), copy);
                        long length = Files.size(copy);
                        size += length;
                        files.put(file, Map.of("sha256", sha256(copy), "size", length));
                    }
                    long docs;
                    try (DirectoryReader reader = DirectoryReader.open(commit)) {
                        docs = reader.numDocs();
                    }
                    docCounts.put(index, docs);
                    indexEntries.put(index, Map.of("docCount", docs, "segments", commit.getSegmentsFileName(),
                            "files", files));
                } finally {
                    store.release(index, commit);
                }
            }
            long end = clock.millis();
            Map<String, Object> manifest = new LinkedHashMap<>();
            manifest.put("name", snapshot);
            manifest.put("repository", name);
            manifest.put("state", State.SUCCESS.name());
            manifest.put("startMillis", start);
            manifest.put("endMillis", end);
            manifest.put("sizeBytes", size);
            manifest.put("indices", indexEntries);
            Json.writeAtomically(tmp.resolve(MANIFEST), manifest);
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
            Json.fsyncDirectory(root);
            listener.onProgress(1.0, "snapshot " + snapshot + " done");
            LOG.info("snapshot created repository={} snapshot={} indices={} bytes={}", name, snapshot, selected.size(), size);
            return new SnapshotInfo(snapshot, State.SUCCESS, docCounts, size, start, end, null);
        } catch (IOException e) {
            try {
                IndexCatalog.deleteRecursively(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new BackendException("snapshot '" + snapshot + "' in repository '" + name + "' failed: " + e, e);
        }
    }

    private static void linkOrCopy(Path source, Path target) throws IOException {
        try {
            Files.createLink(target, source);
        } catch (UnsupportedOperationException | IOException e) {
            if (e instanceof FileAlreadyExistsException) throw (IOException) e;
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
        try (var ch = java.nio.channels.FileChannel.open(target, java.nio.file.StandardOpenOption.WRITE)) {
            ch.force(true);
        }
    }

    static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA-256", e);
        }
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Override
    public List<SnapshotInfo> list() {
        if (!Files.isDirectory(root)) return List.of();
        List<SnapshotInfo> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String n = d.getFileName().toString();
                if (n.startsWith(".")) continue;
                readManifest(n).ifPresent(m -> out.add(info(m)));
            }
        } catch (IOException e) {
            throw new BackendException("cannot list snapshot repository '" + name + "' at " + root + ": " + e, e);
        }
        out.sort(Comparator.comparingLong(SnapshotInfo::startMillis).thenComparing(SnapshotInfo::name));
        return out;
    }

    @Override
    public Optional<SnapshotInfo> get(String snapshot) {
        if (!NAME.matcher(snapshot).matches()) return Optional.empty();
        return readManifest(snapshot).map(DirectorySnapshotRepository::info);
    }

    private Optional<Map<String, Object>> readManifest(String snapshot) {
        Path f = root.resolve(snapshot).resolve(MANIFEST);
        if (!Files.exists(f)) return Optional.empty();
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = Json.read(f, Map.class);
            return Optional.of(m);
        } catch (IOException e) {
            throw new BackendException("manifest of snapshot '" + snapshot + "' in repository '" + name
                    + "' is unreadable: " + e, false, e);
        }
    }

    @SuppressWarnings("unchecked")
    private static SnapshotInfo info(Map<String, Object> m) {
        Map<String, Long> docCounts = new TreeMap<>();
        ((Map<String, Map<String, Object>>) m.get("indices")).forEach((index, entry) ->
                docCounts.put(index, ((Number) entry.get("docCount")).longValue()));
        return new SnapshotInfo((String) m.get("name"), State.valueOf((String) m.get("state")), docCounts,
                ((Number) m.get("sizeBytes")).longValue(), ((Number) m.get("startMillis")).longValue(),
                ((Number) m.get("endMillis")).longValue(), null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<String> restore(String snapshot, List<String> indices, String renamePrefix, ProgressListener progress) {
        checkName(snapshot);
        ProgressListener listener = progress == null ? ProgressListener.NONE : progress;
        String prefix = renamePrefix == null ? "" : renamePrefix;
        Map<String, Object> manifest = readManifest(snapshot).orElseThrow(() -> new IllegalArgumentException(
                "snapshot '" + snapshot + "' does not exist in repository '" + name + "'"));
        Map<String, Map<String, Object>> entries = (Map<String, Map<String, Object>>) manifest.get("indices");
        List<String> selected = indices.isEmpty() ? new ArrayList<>(new TreeMap<>(entries).keySet()) : List.copyOf(indices);
        for (String index : selected) {
            if (!entries.containsKey(index)) {
                throw new IllegalArgumentException("snapshot '" + snapshot + "' has no index '" + index + "'; it has "
                        + new TreeMap<>(entries).keySet());
            }
            if (store.hasIndex(prefix + index)) {
                throw new IllegalArgumentException("cannot restore '" + index + "' as '" + prefix + index
                        + "': that index exists; delete it or use another rename prefix");
            }
        }
        Path snapDir = root.resolve(snapshot).resolve("indices");
        long total = 0;
        for (String index : selected) {
            for (Map<String, Object> f : ((Map<String, Map<String, Object>>) entries.get(index).get("files")).values()) {
                total += ((Number) f.get("size")).longValue();
            }
        }
        // verify everything first: a corrupt snapshot restores nothing
        long done = 0;
        try {
            for (String index : selected) {
                Map<String, Map<String, Object>> files = (Map<String, Map<String, Object>>) entries.get(index).get("files");
                for (Map.Entry<String, Map<String, Object>> f : files.entrySet()) {
                    Path p = snapDir.resolve(index).resolve(f.getKey());
                    if (!Files.exists(p)) {
                        throw new BackendException("snapshot '" + snapshot + "' is corrupt: file " + index + "/"
                                + f.getKey() + " is missing", false, null);
                    }
                    String actual = sha256(p);
                    if (!actual.equals(f.getValue().get("sha256"))) {
                        throw new BackendException("snapshot '" + snapshot + "' is corrupt: checksum of " + index + "/"
                                + f.getKey() + " is " + actual + ", the manifest says " + f.getValue().get("sha256"),
                                false, null);
                    }
                    done += ((Number) f.getValue().get("size")).longValue();
                    listener.onProgress(0.5 * done / Math.max(1, total), "verified " + index + "/" + f.getKey());
                }
            }
            List<String> restored = new ArrayList<>();
            int i = 0;
            for (String index : selected) {
                String target = prefix + index;
                Path staging = store.indicesDir().resolve(".restoring-" + target);
                IndexCatalog.deleteRecursively(staging);
                Files.createDirectories(staging);
                Map<String, Map<String, Object>> files = (Map<String, Map<String, Object>>) entries.get(index).get("files");
                for (String file : files.keySet()) {
                    Files.copy(snapDir.resolve(index).resolve(file), staging.resolve(file));
                    try (var ch = java.nio.channels.FileChannel.open(staging.resolve(file),
                            java.nio.file.StandardOpenOption.WRITE)) {
                        ch.force(true);
                    }
                }
                Files.move(staging, store.indicesDir().resolve(target), StandardCopyOption.ATOMIC_MOVE);
                Json.fsyncDirectory(store.indicesDir());
                store.attach(target);
                restored.add(target);
                i++;
                listener.onProgress(0.5 + 0.5 * i / selected.size(), "restored " + target);
            }
            LOG.info("snapshot restored repository={} snapshot={} indices={}", name, snapshot, restored);
            return restored;
        } catch (IOException e) {
            throw new BackendException("restore of snapshot '" + snapshot + "' from repository '" + name + "' failed: "
                    + e, e);
        }
    }

    @Override
    public void delete(String snapshot) {
        if (!NAME.matcher(snapshot).matches()) return;
        try {
            IndexCatalog.deleteRecursively(root.resolve(snapshot));
        } catch (IOException e) {
            throw new BackendException("cannot delete snapshot '" + snapshot + "' from repository '" + name + "': "
                    + e, e);
        }
    }

    @Override
    public Optional<Map<String, Path>> files(String snapshot) {
        if (snapshot == null || !NAME.matcher(snapshot).matches()) return Optional.empty();
        Path dir = root.resolve(snapshot);
        if (!Files.isRegularFile(dir.resolve(MANIFEST))) return Optional.empty();
        Map<String, Path> out = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(f).toString().replace(java.io.File.separatorChar, '/'), f);
            }
        } catch (IOException e) {
            throw new BackendException("cannot list the files of snapshot '" + snapshot + "' in repository '" + name
                    + "': " + e, e);
        }
        return Optional.of(out);
    }

    /**
     * Verifies every file the snapshot's manifest lists (size and SHA-256) and moves {@code dir} into the repository
     * (copied when it is on another file system); a snapshot of that name that exists throws.
     */
    @Override
    @SuppressWarnings("unchecked")
    public void adopt(String snapshot, Path dir) {
        checkName(snapshot);
        Path target = root.resolve(snapshot);
        if (Files.exists(target.resolve(MANIFEST))) {
            throw new IllegalArgumentException("snapshot '" + snapshot + "' already exists in repository '" + name + "'");
        }
        try {
            Map<String, Object> manifest = Json.read(dir.resolve(MANIFEST), Map.class);
            if (!snapshot.equals(manifest.get("name"))) {
                throw new BackendException("cannot adopt snapshot '" + snapshot + "': its manifest names '"
                        + manifest.get("name") + "'", false, null);
            }
            Map<String, Map<String, Object>> entries = (Map<String, Map<String, Object>>) manifest.get("indices");
            for (var index : entries.entrySet()) {
                var files = (Map<String, Map<String, Object>>) index.getValue().get("files");
                for (var f : files.entrySet()) {
                    Path p = dir.resolve("indices").resolve(index.getKey()).resolve(f.getKey());
                    if (!Files.isRegularFile(p) || !sha256(p).equals(f.getValue().get("sha256"))) {
                        throw new BackendException("cannot adopt snapshot '" + snapshot + "': file " + index.getKey()
                                + "/" + f.getKey() + " is missing or its checksum differs from the manifest", false,
                                null);
                    }
                }
            }
            Files.createDirectories(root);
            if (Files.exists(target)) IndexCatalog.deleteRecursively(target); // a failed attempt without manifest
            try {
                Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException crossDevice) {
                Path tmp = root.resolve(".tmp-" + snapshot);
                IndexCatalog.deleteRecursively(tmp);
                try (Stream<Path> all = Files.walk(dir)) {
                    for (Path f : all.toList()) {
                        Path to = tmp.resolve(dir.relativize(f).toString());
                        if (Files.isDirectory(f)) Files.createDirectories(to); else Files.copy(f, to);
                    }
                }
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
                IndexCatalog.deleteRecursively(dir);
            }
            Json.fsyncDirectory(root);
            LOG.info("snapshot adopted repository={} snapshot={} indices={}", name, snapshot, entries.keySet());
        } catch (IOException e) {
            throw new BackendException("cannot adopt snapshot '" + snapshot + "' into repository '" + name + "': "
                    + e, e);
        }
    }

    private static void checkName(String snapshot) {
        if (snapshot == null || !NAME.matcher(snapshot).matches()) {
            throw new IllegalArgumentException("snapshot name '" + snapshot + "' must match " + NAME.pattern());
        }
    }
}
