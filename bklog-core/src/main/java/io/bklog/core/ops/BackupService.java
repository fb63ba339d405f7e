package io.bklog.core.ops;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bklog.core.meta.ArchivedSnapshot;
import io.bklog.core.meta.BackupRecord;
import io.bklog.core.meta.DumpSummary;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataDump;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.Space;
import io.bklog.spi.BlobStore;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.core.store.StorageTopology;
import io.bklog.core.store.StoreCluster;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.SnapshotRepository.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Full and incremental backups of a platform, their verification, retention and their restore into an empty
 * platform — from the backup location alone when the data dir is lost.
 *
 * <p>Where things go: the backup location is a {@link BlobStore} (a directory, default {@code {dataDir}/backups}, or
 * an S3-compatible bucket) holding one folder per backup with {@code manifest.json}, {@code manifest.json.sha256},
 * {@code metadata.jsonl} (a consistent {@link MetadataDump}) and, when the snapshot repository hands its snapshots
 * out as files (the embedded store's), the snapshot {@code bklog_backup_{id}} under {@code snapshot/}. So the
 * location holds everything a restore needs; the snapshot also stays in the repository, where a restore uses it
 * first. (An Elasticsearch repository keeps its snapshots in the cluster's repository: put that on durable storage.)
 * A full backup snapshots every index; an incremental one only the indices created or changed (document count
 * differs, or the index is of the parent's day or later) since its parent, and refers to its ancestors' snapshots for
 * the rest. Every backup carries a full metadata dump. Each backup is also recorded in {@code backup_records}.
 *
 * <p>A backup is first staged on local disk (the dump and the manifest), then uploaded, {@code manifest.json}
 * last: a backup whose upload was interrupted is never listed, and {@link #resume} finishes its upload (a store that
 * resumes a file, as S3's multipart upload does, keeps what was already sent).
 */
public final class BackupService {
    public static final String SNAPSHOT_PREFIX = "bklog_backup_";
    public static final String MANIFEST = "manifest.json";
    public static final String MANIFEST_SUM = "manifest.json.sha256";
    public static final String DUMP = "metadata.jsonl";
    /** The folder of a backup holding its snapshot's files. */
    public static final String SNAPSHOT_DIR = "snapshot/";

    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[a-z0-9][a-z0-9-]*");

    private final MetadataStore meta;
    private final LogStore store;
    private final StorageTopology topology;
    private final SnapshotRepository repository;
    private final BlobStore location;
    private final Path staging;
    private final Clock clock;

    public BackupService(MetadataStore meta, LogStore store, SnapshotRepository repository, Path location,
                         Clock clock) {
        this(meta, StorageTopology.single(store, repository), location, clock);
    }

    /** Backups in a local directory, staged in its hidden {@code .staging} folder. */
    public BackupService(MetadataStore meta, StorageTopology topology, Path location, Clock clock) {
        this(meta, topology, new DirectoryBlobStore(location),
                location.toAbsolutePath().normalize().resolve(".staging"), clock);
    }

    /**
     * @param topology the store and the platform's snapshot repository (backups of one storage cluster only)
     * @param location where the backups are kept
     * @param staging  a local directory where a backup is prepared before its upload (kept until it is uploaded)
     */
    public BackupService(MetadataStore meta, StorageTopology topology, BlobStore location, Path staging,
                         Clock clock) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.store = topology.store();
        this.repository = topology.repository().orElse(null);
        this.location = Objects.requireNonNull(location, "location");
        this.staging = Objects.requireNonNull(staging, "staging").toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Where the backups are, e.g. {@code /var/lib/bklog/backups} or {@code s3://bucket/prefix}. */
    public String location() {
        return location.location();
    }

    /** The store holding the backups. */
    public BlobStore store() {
        return location;
    }

    /** The result of {@link #verify}: empty {@code problems} means the backup can be restored. */
    public record Verification(String id, List<String> problems) {
        public Verification {
            problems = List.copyOf(problems);
        }

        public boolean ok() {
            return problems.isEmpty();
        }
    }

    public BackupManifest full() {
        return full(ProgressListener.NONE);
    }

    /** Snapshots every index and dumps the metadata. */
    public BackupManifest full(ProgressListener progress) {
        return take(BackupRecord.Kind.FULL, null, progress);
    }

    public BackupManifest incremental() {
        return incremental(ProgressListener.NONE);
    }

    /** Snapshots the indices created or changed since the newest backup, and dumps the metadata. */
    public BackupManifest incremental(ProgressListener progress) {
        List<BackupManifest> all = list();
        if (all.isEmpty()) {
            throw new OpsException("no backup in " + location() + " to build an incremental backup on; "
                    + "take a full backup first");
        }
        return take(BackupRecord.Kind.INCREMENTAL, all.get(all.size() - 1), progress);
    }

    private BackupManifest take(BackupRecord.Kind kind, BackupManifest parent, ProgressListener progress) {
        boolean routed = topology.isRouted();
        SnapshotRepository repo = routed ? null : Repositories.required(repository, "a backup");
        if (routed) {
            for (StoreCluster c : topology.clusters()) {
                if (c.snapshotRepository().isEmpty()) {
                    throw new OpsException("a backup needs a snapshot repository in every storage cluster, and "
                            + "cluster '" + c.name() + "' has none; configure its repository.name");
                }
            }
        }
        // an unreachable location or wrong credentials stop the backup before anything is written
        try {
            location.verify();
        } catch (RuntimeException e) {
            throw new OpsException("backup location " + location() + " is not usable, nothing was written: "
                    + e.getMessage(), e);
        }
        Instant now = clock.instant();
        String id = kind.wireName() + "-" + ID_TIME.format(now);
        Path dir = staging.resolve(id);
        if (location.size(id + "/" + MANIFEST).isPresent() || Files.exists(dir)) {
            throw new OpsException("backup " + id + " already exists in " + location());
        }
        // an older schema (before an upgrade) has no backup_records table and cannot use MetadataDump.export
        boolean current = meta.isSchemaCurrent();
        BackupRecord record = current ? meta.backupRecords().create(BackupRecord.started(id, kind,
                parent == null ? null : parent.id())) : null;
        boolean staged = false;
        try {
            Files.createDirectories(dir);
            for (String set : store.indexSets()) store.refresh(set);
            Map<String, Long> live = new TreeMap<>();
            for (IndexInfo i : store.listIndices("*")) {
                // with several clusters an index is snapshotted in the cluster of its index set (clusters sharing a
                // node both list it: it is kept once)
                if (IndexNames.parse(i.name()).filter(p -> !p.restored()).isPresent()) live.put(i.name(), i.docCount());
            }
            List<String> changed = new ArrayList<>();
            Map<String, BackupManifest.IndexEntry> entries = new TreeMap<>();
            for (var e : live.entrySet()) {
                BackupManifest.IndexEntry before = parent == null ? null : parent.indices().get(e.getKey());
                boolean unchanged = before != null && before.docCount() == e.getValue()
                        && IndexNames.parse(e.getKey()).orElseThrow().day()
                        .isBefore(IndexNames.dayOf(Instant.parse(parent.time())));
                if (unchanged) entries.put(e.getKey(), before); else changed.add(e.getKey());
            }
            String snapshot = null;
            Map<String, String> files = new LinkedHashMap<>();
            Map<String, BackupManifest.ClusterSnapshot> clusterSnapshots = new TreeMap<>();
            if (routed) {
                // one snapshot per cluster, in the cluster's own repository (a cluster snapshots only its indices)
                Map<String, List<String>> byCluster = new TreeMap<>();
                for (String index : changed) {
                    String set = IndexNames.parse(index).orElseThrow().indexSet();
                    byCluster.computeIfAbsent(topology.clusterOf(set).name(), c -> new ArrayList<>()).add(index);
                }
                int n = 0;
                for (var c : byCluster.entrySet()) {
                    SnapshotRepository r = clusterRepository(c.getKey());
                    String name = SNAPSHOT_PREFIX + id + "_" + c.getKey().toLowerCase(java.util.Locale.ROOT);
                    final int done = n;
                    SnapshotRepository.SnapshotInfo info = r.create(name, c.getValue(), (f, m) -> progress
                            .onProgress(0.5 * (done + f) / byCluster.size(), m));
                    if (info.state() != SnapshotRepository.State.SUCCESS) {
                        throw new OpsException("snapshot " + name + " of cluster " + c.getKey() + " ended "
                                + info.state() + (info.failure() == null ? "" : ": " + info.failure()));
                    }
                    for (String index : c.getValue()) {
                        entries.put(index, new BackupManifest.IndexEntry(info.docCounts().getOrDefault(index, 0L),
                                name, c.getKey()));
                    }
                    clusterSnapshots.put(c.getKey(), new BackupManifest.ClusterSnapshot(r.name(), name));
                    n++;
                }
            } else if (!changed.isEmpty()) {
                snapshot = SNAPSHOT_PREFIX + id;
                SnapshotRepository.SnapshotInfo info = repo.create(snapshot, changed,
                        (f, m) -> progress.onProgress(f * 0.5, m));
                if (info.state() != SnapshotRepository.State.SUCCESS) {
                    throw new OpsException("snapshot " + snapshot + " ended " + info.state()
                            + (info.failure() == null ? "" : ": " + info.failure()));
                }
                for (String index : changed) {
                    entries.put(index, new BackupManifest.IndexEntry(info.docCounts().getOrDefault(index, 0L),
                            snapshot));
                }
                for (var f : repo.files(snapshot).orElse(Map.of()).entrySet()) {
                    files.put(SNAPSHOT_DIR + f.getKey(), sha256(f.getValue()));
                }
            }
            progress.onProgress(0.55, "dumping metadata");
            String schemaVersion;
            try (OutputStream out = Files.newOutputStream(dir.resolve(DUMP))) {
                schemaVersion = current ? meta.dump().export(out).schemaVersion()
                        : exportOld(out);
            }
            List<String> archived = parent == null || !current ? List.of()
                    : meta.archivedSnapshots().listCreatedSince(Instant.parse(parent.time())).stream()
                    .filter(s -> ArchivedSnapshot.SUCCESS.equals(s.state())).map(ArchivedSnapshot::snapshotName)
                    .toList();
            files.put(DUMP, sha256(dir.resolve(DUMP)));
            BackupManifest manifest = new BackupManifest(id, kind.wireName(), parent == null ? null : parent.id(),
                    now.toString(), schemaVersion, repo == null ? null : repo.name(), snapshot, entries, archived,
                    files, clusterSnapshots);
            Files.write(dir.resolve(MANIFEST), JSON.writeValueAsBytes(manifest));
            staged = true;
            upload(manifest, dir, progress);
            if (record != null) meta.backupRecords().update(record.succeeded(JSON.valueToTree(manifest)));
            progress.onProgress(1.0, "backup " + id + " done");
            log.info("backup done id={} kind={} parent={} indices={} snapshotted={} docs={} location={}", id,
                    kind.wireName(), manifest.parent(), entries.size(), changed.size(), manifest.totalDocs(),
                    location());
            return manifest;
        } catch (IOException | RuntimeException e) {
            String why = e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString();
            if (staged) why += "; it is staged in " + dir + ": `bklog backup resume " + id + "` finishes the upload";
            if (record != null) {
                String w = why;
                meta.backupRecords().findById(id).ifPresent(r -> meta.backupRecords().update(r.failed(w)));
            }
            log.warn("backup failed id={} error={}", id, why);
            if (!staged) deleteStaging(dir);
            if (e instanceof OpsException o && !staged) throw o;
            throw new OpsException("backup " + id + " failed: " + why, e);
        }
    }

    /** The snapshot repository of a storage cluster; refused naming the cluster when it has none or is unknown. */
    private SnapshotRepository clusterRepository(String cluster) {
        for (StoreCluster c : topology.clusters()) {
            if (c.name().equals(cluster)) {
                return c.snapshotRepository().orElseThrow(() -> new OpsException("storage cluster '" + cluster
                        + "' has no snapshot repository"));
            }
        }
        throw new OpsException("storage cluster '" + cluster + "' of the backup is not configured here; configured: "
                + topology.clusterNames());
    }

    /** The repository holding the snapshot of an index entry: its cluster's, or the platform's with one cluster. */
    private SnapshotRepository repositoryOf(BackupManifest.IndexEntry e) {
        return e.cluster() == null ? repository : clusterRepository(e.cluster());
    }

    /**
     * Uploads a staged backup: every file whose blob is missing or whose content's SHA-256 differs from the
     * manifest's (a wrong blob is deleted, never kept), then {@code manifest.json.sha256}
     * and {@code manifest.json} last; removes the staging folder when done.
     */
    private void upload(BackupManifest m, Path dir, ProgressListener progress) throws IOException {
        Map<String, Path> snapshotFiles = m.snapshot() == null ? Map.of()
                : Repositories.required(repository, "a backup").files(m.snapshot()).orElse(Map.of());
        int i = 0;
        for (var f : m.files().entrySet()) {
            Path source = f.getKey().startsWith(SNAPSHOT_DIR)
                    ? snapshotFiles.get(f.getKey().substring(SNAPSHOT_DIR.length())) : dir.resolve(f.getKey());
            if (source == null || !Files.isRegularFile(source)) {
                throw new OpsException("cannot upload " + f.getKey() + " of backup " + m.id() + ": its local copy "
                        + "is gone (snapshot " + m.snapshot() + " deleted?); take a new backup");
            }
            String key = m.id() + "/" + f.getKey();
            if (!holds(key, Files.size(source), f.getValue())) {
                String sum = location.put(key, source);
                if (!sum.equals(f.getValue())) {
                    // a wrong blob must not stay: a resume would otherwise keep it and list the backup
                    try {
                        location.delete(key);
                    } catch (RuntimeException e) {
                        log.warn("cannot delete blob with wrong checksum key={} location={} error={}", key,
                                location(), e.toString());
                    }
                    throw new OpsException("upload of " + key + " to " + location() + " stored checksum " + sum
                            + ", expected " + f.getValue() + " (the file changed while it was read?)");
                }
            }
            progress.onProgress(0.6 + 0.38 * ++i / m.files().size(), "uploaded " + f.getKey());
        }
        byte[] manifest = Files.readAllBytes(dir.resolve(MANIFEST));
        location.put(m.id() + "/" + MANIFEST_SUM, (sha256(manifest) + "\n").getBytes(StandardCharsets.UTF_8));
        location.put(m.id() + "/" + MANIFEST, manifest);
        deleteStaging(dir);
    }

    /**
     * Whether the location already holds blob {@code key} with the expected content: of the expected size (a cheap
     * first check) and whose content hashes to the expected SHA-256, read back from the location.
     */
    private boolean holds(String key, long size, String sha256) {
        if (!location.size(key).equals(Optional.of(size))) return false;
        Optional<InputStream> in = location.open(key);
        if (in.isEmpty()) return false;
        try (InputStream s = in.get()) {
            return sha256(s).equals(sha256);
        } catch (IOException | RuntimeException e) {
            log.warn("cannot read back blob key={} location={} error={}; uploading it again", key, location(),
                    e.toString());
            return false;
        }
    }

    /**
     * Finishes the upload of a backup whose upload was interrupted (staged on this machine, not listed yet in the
     * location); what was uploaded already is kept.
     */
    public BackupManifest resume(String id, ProgressListener progress) {
        checkId(id);
        Path dir = staging.resolve(id);
        if (!Files.isRegularFile(dir.resolve(MANIFEST))) {
            if (location.size(id + "/" + MANIFEST).isPresent()) {
                throw new OpsException(io.bklog.core.ErrorCode.BAD_REQUEST, "backup " + id
                        + " is complete in " + location() + "; nothing to resume", "id");
            }
            throw new OpsException(io.bklog.core.ErrorCode.OPERATION_NOT_FOUND, "no staged backup '" + id + "' in "
                    + staging + " to resume; see `bklog backup list` or take a new backup", "id");
        }
        try {
            BackupManifest m = JSON.readValue(dir.resolve(MANIFEST).toFile(), BackupManifest.class);
            upload(m, dir, progress);
            if (meta.isSchemaCurrent()) {
                meta.backupRecords().findById(id).ifPresent(r ->
                        meta.backupRecords().update(r.succeeded(JSON.valueToTree(m))));
            }
            log.info("backup upload resumed and done id={} location={}", id, location());
            progress.onProgress(1.0, "backup " + id + " done");
            return m;
        } catch (IOException e) {
            throw new OpsException("resume of backup " + id + " failed: " + e, e);
        }
    }

    /** Ids of backups staged on this machine whose upload did not finish ({@link #resume} them). */
    public List<String> unfinished() {
        if (!Files.isDirectory(staging)) return List.of();
        try (Stream<Path> dirs = Files.list(staging)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve(MANIFEST)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + staging, e);
        }
    }

    static void deleteStaging(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            log.warn("cannot delete backup staging dir={} error={}", dir, e.toString());
        }
    }

    private String exportOld(OutputStream out) {
        SchemaDump.export(meta, out);
        return meta.schemaVersion().orElseThrow();
    }

    /** Every complete backup in the location, oldest first (read from the manifests: works on an empty platform). */
    public List<BackupManifest> list() {
        List<BackupManifest> out = new ArrayList<>();
        for (String key : location.list("")) {
            int slash = key.indexOf('/');
            if (slash > 0 && key.substring(slash + 1).equals(MANIFEST) && ID.matcher(key.substring(0, slash)).matches()) {
                try {
                    readManifest(key.substring(0, slash)).ifPresent(out::add);
                } catch (OpsException e) {
                    log.warn("backup manifest skipped id={} location={} error={}", key.substring(0, slash),
                            location(), e.getMessage());
                }
            }
        }
        out.sort((a, b) -> a.time().equals(b.time()) ? a.id().compareTo(b.id()) : a.time().compareTo(b.time()));
        return List.copyOf(out);
    }

    /**
     * The manifest in folder {@code id}; empty when there is none or it is unreadable. Throws when the manifest names
     * another backup: prune, verify and restore must never act on another backup's paths.
     */
    private Optional<BackupManifest> readManifest(String id) {
        Optional<InputStream> in = location.open(id + "/" + MANIFEST);
        if (in.isEmpty()) return Optional.empty();
        BackupManifest m;
        try (InputStream s = in.get()) {
            m = JSON.readValue(s, BackupManifest.class);
        } catch (IOException e) {
            log.warn("unreadable backup manifest id={} location={} error={}", id, location(), e.toString());
            return Optional.empty();
        }
        checkFolder(id, m);
        return Optional.of(m);
    }

    private void checkFolder(String id, BackupManifest m) {
        if (!id.equals(m.id())) {
            throw new OpsException("the " + MANIFEST + " of backup folder '" + id + "' in " + location()
                    + " names backup '" + m.id() + "'; a manifest must be in its own backup's folder");
        }
    }

    public BackupManifest get(String id) {
        checkExists(id);
        return readManifest(id).orElseThrow(() -> new OpsException("backup '" + id + "' has no readable "
                + MANIFEST + " in " + location()));
    }

    /** Opens the metadata dump of a backup. */
    public InputStream openDump(String id) {
        checkId(id);
        return location.open(id + "/" + DUMP).orElseThrow(() -> new OpsException("backup '" + id + "' has no "
                + DUMP + " in " + location()));
    }

    private static void checkId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw new OpsException(io.bklog.core.ErrorCode.BAD_REQUEST, "backup id '" + id
                    + "' is not valid; expected e.g. full-20260320-120000-000", "id");
        }
    }

    private void checkExists(String id) {
        checkId(id);
        if (location.size(id + "/" + MANIFEST).isEmpty()) {
            throw new OpsException(io.bklog.core.ErrorCode.OPERATION_NOT_FOUND, "no backup '" + id + "' in "
                    + location(), "id");
        }
    }

    /**
     * Checks a backup and the chain it builds on, reading the copy in the backup location: manifest checksum, the
     * checksum of every file (the dump and the snapshot files kept with the backup), and for a snapshot kept only in
     * the repository that it exists, succeeded and holds each index with the recorded document count.
     */
    public Verification verify(String id) {
        List<String> problems = new ArrayList<>();
        try {
            checkExists(id);
        } catch (RuntimeException e) {
            return new Verification(id, List.of(e.getMessage()));
        }
        Optional<BackupManifest> read = checkedManifest(id, problems);
        if (read.isEmpty()) return new Verification(id, problems);
        BackupManifest m = read.get();
        checkFiles(m, problems);
        Map<String, Optional<SnapshotRepository.SnapshotInfo>> inRepository = new LinkedHashMap<>();
        Map<String, Optional<BackupManifest>> owners = new LinkedHashMap<>();
        owners.put(m.id(), Optional.of(m));
        for (var e : m.indices().entrySet()) {
            String snapshot = e.getValue().snapshot();
            String owner = ownerOf(snapshot);
            Optional<BackupManifest> ownerManifest = owner == null ? Optional.empty()
                    : owners.computeIfAbsent(owner, o -> {
                        if (!ID.matcher(o).matches() || location.size(o + "/" + MANIFEST).isEmpty()) {
                            return Optional.empty();
                        }
                        List<String> ownerProblems = new ArrayList<>();
                        Optional<BackupManifest> om = checkedManifest(o, ownerProblems);
                        om.ifPresent(x -> checkFiles(x, ownerProblems));
                        ownerProblems.forEach(p -> problems.add("parent backup " + o + ": " + p));
                        return om;
                    });
            if (ownerManifest.filter(BackupService::holdsSnapshot).isPresent()) {
                continue; // the files and their checksums were checked above
            }
            if (e.getValue().cluster() != null) {
                SnapshotRepository r;
                try {
                    r = clusterRepository(e.getValue().cluster());
                } catch (OpsException x) {
                    problems.add("index " + e.getKey() + ": " + x.getMessage());
                    continue;
                }
                var info = inRepository.computeIfAbsent(e.getValue().cluster() + "/" + snapshot, k -> r.get(snapshot));
                checkSnapshot(snapshot, e.getKey(), e.getValue(), info, problems);
                continue;
            }
            if (repository == null) {
                problems.add("snapshot " + snapshot + " (index " + e.getKey() + ") is not in the backup location and"
                        + " no snapshot repository is configured");
                continue;
            }
            if (!repository.name().equals(m.repository())) {
                problems.add("index data is in repository '" + m.repository() + "' but the configured one is '"
                        + repository.name() + "'");
                break;
            }
            var info = inRepository.computeIfAbsent(snapshot, repository::get);
            checkSnapshot(snapshot, e.getKey(), e.getValue(), info, problems);
        }
        return new Verification(id, problems);
    }

    private static void checkSnapshot(String snapshot, String index, BackupManifest.IndexEntry entry,
                                      Optional<SnapshotRepository.SnapshotInfo> info, List<String> problems) {
        String where = entry.cluster() == null ? "" : " of cluster " + entry.cluster();
        if (info.isEmpty()) {
            problems.add("snapshot " + snapshot + where + " (index " + index + ") is missing");
        } else if (info.get().state() != SnapshotRepository.State.SUCCESS) {
            problems.add("snapshot " + snapshot + where + " is " + info.get().state());
        } else if (!Objects.equals(info.get().docCounts().get(index), entry.docCount())) {
            problems.add("snapshot " + snapshot + where + " holds " + info.get().docCounts().get(index) + " docs of "
                    + index + ", expected " + entry.docCount());
        }
    }

    /** The backup that took a snapshot {@code bklog_backup_{id}} or {@code bklog_backup_{id}_{cluster}}; null if none. */
    private static String ownerOf(String snapshot) {
        if (snapshot == null || !snapshot.startsWith(SNAPSHOT_PREFIX)) return null;
        String rest = snapshot.substring(SNAPSHOT_PREFIX.length());
        int cut = rest.indexOf('_');
        return cut < 0 ? rest : rest.substring(0, cut);
    }

    private static boolean holdsSnapshot(BackupManifest m) {
        return m.snapshot() != null && m.files().keySet().stream().anyMatch(k -> k.startsWith(SNAPSHOT_DIR));
    }

    /** The manifest of a backup after checking it against its checksum file; empty (with a problem) when not. */
    private Optional<BackupManifest> checkedManifest(String id, List<String> problems) {
        byte[] manifest;
        String expected;
        try {
            manifest = readBlob(id + "/" + MANIFEST);
            expected = new String(readBlob(id + "/" + MANIFEST_SUM), StandardCharsets.UTF_8).trim();
        } catch (IOException | RuntimeException e) {
            problems.add("cannot read " + MANIFEST + " or its checksum: " + e.getMessage());
            return Optional.empty();
        }
        String actual = sha256(manifest);
        if (!expected.equals(actual)) problems.add(MANIFEST + " checksum is " + actual + ", expected " + expected);
        BackupManifest m;
        try {
            m = JSON.readValue(manifest, BackupManifest.class);
        } catch (IOException e) {
            problems.add(MANIFEST + " is not a valid backup manifest");
            return Optional.empty();
        }
        try {
            checkFolder(id, m);
        } catch (OpsException e) {
            problems.add(e.getMessage());
            return Optional.empty();
        }
        return Optional.of(m);
    }

    private void checkFiles(BackupManifest m, List<String> problems) {
        for (var f : m.files().entrySet()) {
            Optional<InputStream> in = location.open(m.id() + "/" + f.getKey());
            if (in.isEmpty()) {
                problems.add("file " + f.getKey() + " is missing");
                continue;
            }
            String actual;
            try (InputStream s = in.get()) {
                actual = sha256(s);
            } catch (IOException | RuntimeException e) {
                problems.add("file " + f.getKey() + " cannot be read: " + e.getMessage());
                continue;
            }
            if (!actual.equals(f.getValue())) {
                problems.add("file " + f.getKey() + " checksum is " + actual + ", expected " + f.getValue());
            }
        }
    }

    private byte[] readBlob(String key) throws IOException {
        try (InputStream in = location.open(key).orElseThrow(() -> new IOException(key + " is missing"))) {
            return in.readAllBytes();
        }
    }

    /**
     * Deletes the backups older than the newest {@code keepFull} full backups (each with the incremental backups
     * built on it), oldest first: the manifest first (so a half-deleted backup is never listed), then its files, its
     * snapshot in the repository and its record. Returns the deleted ids.
     */
    public List<String> prune(int keepFull) {
        if (keepFull < 1) {
            throw new OpsException(io.bklog.core.ErrorCode.BAD_REQUEST, "keep must be at least 1, got " + keepFull,
                    "keep");
        }
        List<BackupManifest> all = list();
        List<BackupManifest> fulls = all.stream().filter(m -> BackupRecord.Kind.FULL.wireName().equals(m.kind()))
                .toList();
        if (fulls.size() <= keepFull) return List.of();
        BackupManifest oldestKept = fulls.get(fulls.size() - keepFull);
        java.util.Set<String> needed = new java.util.HashSet<>();
        for (BackupManifest m : all.subList(all.indexOf(oldestKept), all.size())) {
            m.indices().values().forEach(e -> needed.add(e.snapshot()));
        }
        List<String> deleted = new ArrayList<>();
        for (BackupManifest m : all.subList(0, all.indexOf(oldestKept))) {
            if (m.ownSnapshots().stream().anyMatch(needed::contains)) continue; // a kept backup still builds on it
            location.delete(m.id() + "/" + MANIFEST);
            for (String key : location.list(m.id() + "/")) location.delete(key);
            if (m.snapshot() != null && repository != null) repository.delete(m.snapshot());
            m.clusters().forEach((cluster, s) -> {
                try {
                    clusterRepository(cluster).delete(s.snapshot());
                } catch (RuntimeException e) {
                    log.warn("cannot delete backup snapshot snapshot={} cluster={} error={}", s.snapshot(), cluster,
                            e.toString());
                }
            });
            deleted.add(m.id());
        }
        log.info("backups pruned keep_full={} deleted={} location={}", keepFull, deleted, location());
        return deleted;
    }

    /** What a restore brought back. */
    public record RestoreResult(String id, String schemaVersion, long metadataRows, List<String> indices,
                                long docCount) {
        public RestoreResult {
            indices = List.copyOf(indices);
        }
    }

    public RestoreResult restore(String id) {
        return restore(id, ProgressListener.NONE);
    }

    /**
     * Restores a backup into an empty platform (no index set, no backed-up index in the store): verifies it first
     * and changes nothing when that fails; then imports the metadata dump, migrates it to this version, restores
     * every index under its original name from the snapshot holding it (the backup's own or an ancestor's; taken
     * from the backup location into the repository when the repository lacks it) and makes sure each index set
     * exists in the store.
     */
    public RestoreResult restore(String id, ProgressListener progress) {
        progress.onProgress(0.0, "verifying " + id);
        Verification v = verify(id);
        if (!v.ok()) {
            throw new OpsException("backup " + id + " failed verification, nothing was changed: "
                    + String.join("; ", v.problems()));
        }
        BackupManifest m = get(id);
        boolean perCluster = m.indices().values().stream().anyMatch(e -> e.cluster() != null);
        if (!m.indices().isEmpty() && !perCluster) Repositories.required(repository, "a restore of backup " + id);
        List<IndexSet> sets = meta.indexSets().list();
        if (!sets.isEmpty()) {
            throw new OpsException("restore of backup " + id + " needs an empty platform, but it has "
                    + sets.size() + " index sets (" + sets.get(0).name() + "...)");
        }
        List<String> present = store.listIndices("*").stream().map(IndexInfo::name)
                .filter(m.indices()::containsKey).toList();
        if (!present.isEmpty()) {
            throw new OpsException("restore of backup " + id + " needs an empty platform, but the store holds "
                    + present.size() + " of its indices (" + present.get(0) + "...)");
        }
        Map<String, List<String>> bySnapshot = new TreeMap<>();
        Map<String, BackupManifest.IndexEntry> entryOfSnapshot = new TreeMap<>();
        m.indices().forEach((index, e) -> {
            bySnapshot.computeIfAbsent(e.snapshot(), s -> new ArrayList<>()).add(index);
            entryOfSnapshot.putIfAbsent(e.snapshot(), e);
        });
        for (BackupManifest.IndexEntry e : entryOfSnapshot.values()) repositoryOf(e); // an unknown cluster: refused now
        Path restoreDir = staging.resolve(".restore-" + id);
        DumpSummary summary;
        try {
            // the dump imported is the one checked: a local copy whose checksum matches the manifest's
            progress.onProgress(0.02, "downloading metadata dump");
            Path dump = downloadDump(m, restoreDir);
            // bring the snapshots the repository lacks from the backup location first: a failure changes nothing
            for (String snapshot : bySnapshot.keySet()) {
                if (entryOfSnapshot.get(snapshot).cluster() != null) continue; // verified in its cluster's repository
                if (repository.get(snapshot).isEmpty()) {
                    progress.onProgress(0.03, "downloading snapshot " + snapshot);
                    download(snapshot);
                }
            }
            progress.onProgress(0.05, "importing metadata");
            try (InputStream in = Files.newInputStream(dump)) {
                summary = importMetadata(in);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the metadata dump of backup " + id, e);
            }
        } finally {
            deleteStaging(restoreDir);
        }
        meta.migrate();
        for (String state : List.of(io.bklog.core.meta.AsyncTask.PENDING, io.bklog.core.meta.AsyncTask.RUNNING)) {
            for (io.bklog.core.meta.AsyncTask t : meta.asyncTasks().listByStatus(state)) {
                // e.g. the backup task itself, dumped while it ran: it will never finish here
                meta.asyncTasks().update(t.failed("unfinished when backup " + id + " was taken; restored as failed"));
            }
        }
        meta.backupRecords().findById(id).ifPresent(r -> meta.backupRecords().update(r.succeeded(JSON.valueToTree(m))));
        List<String> restored = new ArrayList<>();
        int done = 0;
        for (var e : bySnapshot.entrySet()) {
            final int before = done;
            restored.addAll(repositoryOf(entryOfSnapshot.get(e.getKey())).restore(e.getKey(), e.getValue(), "",
                    (f, msg) -> progress.onProgress(
                    0.1 + 0.85 * (before + f * e.getValue().size()) / m.indices().size(), msg)));
            done += e.getValue().size();
        }
        for (IndexSet set : meta.indexSets().list()) {
            // the dump says which cluster each index set lives in: route it there before touching the store
            if (topology.isRouted()) topology.assign(set.name(), set.storageCluster());
            store.ensureIndexSet(set.schema());
            store.refresh(set.name());
        }
        progress.onProgress(1.0, "restored " + restored.size() + " indices");
        log.info("backup restored id={} indices={} docs={} metadata_rows={} location={}", id, restored.size(),
                m.totalDocs(), summary.totalRows(), location());
        return new RestoreResult(id, summary.schemaVersion(), summary.totalRows(), restored, m.totalDocs());
    }

    /**
     * Downloads the metadata dump of backup {@code m} into {@code dir}, hashing it on the way; refuses it when its
     * SHA-256 differs from the manifest's (nothing was changed then). Returns the local copy.
     */
    private Path downloadDump(BackupManifest m, Path dir) {
        String expected = m.files().get(DUMP);
        if (expected == null) {
            throw new OpsException("restore of backup " + m.id() + " refused, nothing was changed: its " + MANIFEST
                    + " lists no checksum for " + DUMP);
        }
        deleteStaging(dir);
        Path target = dir.resolve(DUMP);
        String actual;
        try {
            Files.createDirectories(dir);
            MessageDigest digest = digest();
            try (InputStream in = new DigestInputStream(openDump(m.id()), digest)) {
                Files.copy(in, target);
            }
            actual = HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new OpsException("cannot download the metadata dump of backup " + m.id() + " from " + location()
                    + ", nothing was changed: " + e, e);
        }
        if (!actual.equals(expected)) {
            throw new OpsException("restore of backup " + m.id() + " refused, nothing was changed: the " + DUMP
                    + " read from " + location() + " has checksum " + actual + ", expected " + expected
                    + " (it changed after verification?)");
        }
        return target;
    }

    /** Copies the files of snapshot {@code bklog_backup_{owner}} from the owner backup into the repository. */
    private void download(String snapshot) {
        String owner = ownerOf(snapshot);
        BackupManifest om = owner == null ? null : readManifest(owner).orElse(null);
        if (om == null || !holdsSnapshot(om)) {
            throw new OpsException("snapshot " + snapshot + " is neither in repository '" + repository.name()
                    + "' nor in the backup location " + location());
        }
        Path dir = staging.resolve(".download-" + snapshot);
        deleteStaging(dir);
        try {
            for (String file : om.files().keySet()) {
                if (!file.startsWith(SNAPSHOT_DIR)) continue;
                Path target = dir.resolve(file.substring(SNAPSHOT_DIR.length())).normalize();
                if (!target.startsWith(dir)) throw new OpsException("backup " + owner + " names a file outside it: " + file);
                Files.createDirectories(target.getParent());
                try (InputStream in = location.open(owner + "/" + file).orElseThrow(() ->
                        new OpsException("file " + file + " of backup " + owner + " is missing in " + location()))) {
                    Files.copy(in, target);
                }
            }
            repository.adopt(snapshot, dir);
            log.info("snapshot taken from the backup location snapshot={} backup={} location={}", snapshot, owner,
                    location());
        } catch (IOException e) {
            throw new OpsException("cannot download snapshot " + snapshot + " from " + location() + ": " + e, e);
        } finally {
            deleteStaging(dir);
        }
    }

    /**
     * Imports a dump. A platform made by {@code LogPlatform.builder()} already holds the default space; when that is
     * the only row, it is removed first (the dump brings it back) and put back if the import fails. The task history
     * of this platform ({@code async_tasks}, {@code task_runs}) is cleared first: the dump's replaces it.
     */
    private DumpSummary importMetadata(InputStream dump) {
        // task history of this platform (e.g. the status of the task running this restore) is replaced by the dump's
        int history = meta.asyncTasks().deleteAll() + meta.taskRuns().deleteAll();
        if (history > 0) log.info("task history cleared before import rows={}", history);
        List<Space> spaces = meta.spaces().list();
        Space builderDefault = spaces.size() == 1 ? spaces.get(0) : null;
        if (builderDefault != null) meta.spaces().delete(builderDefault);
        try {
            return meta.dump().importFrom(dump);
        } catch (RuntimeException e) {
            if (builderDefault != null && meta.spaces().findByUid(builderDefault.spaceUid()).isEmpty()) {
                meta.spaces().create(Space.of(builderDefault.spaceUid(), builderDefault.name()));
            }
            throw e;
        }
    }

    static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return sha256(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    static String sha256(InputStream in) throws IOException {
        try (DigestInputStream d = new DigestInputStream(in, digest())) {
            d.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(d.getMessageDigest().digest());
        }
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
