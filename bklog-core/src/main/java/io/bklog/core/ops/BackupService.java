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
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.core.store.StorageTopology;
import io.bklog.spi.LogStore;
import io.bklog.spi.SnapshotRepository;
import io.bklog.spi.SnapshotRepository.ProgressListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
 * Full and incremental backups of a platform, their verification and their restore into an empty platform.
 *
 * <p>Where things go: the backup location (a directory, default {@code {dataDir}/backups}) holds one directory per
 * backup with {@code manifest.json}, {@code manifest.json.sha256} and {@code metadata.jsonl} (a consistent
 * {@link MetadataDump}); index data lives in the {@link SnapshotRepository} as the snapshot
 * {@code bklog_backup_{id}}. A full backup snapshots every index; an incremental one only the indices created or
 * changed (document count differs, or the index is of the parent's day or later) since its parent, and refers to
 * its ancestors' snapshots for the rest. Every backup carries a full metadata dump. Each backup is also recorded
 * in {@code backup_records}.
 */
public final class BackupService {
    public static final String SNAPSHOT_PREFIX = "bklog_backup_";
    public static final String MANIFEST = "manifest.json";
    public static final String MANIFEST_SUM = "manifest.json.sha256";
    public static final String DUMP = "metadata.jsonl";

    private static final Logger log = LoggerFactory.getLogger(BackupService.class);
    private static final DateTimeFormatter ID_TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS").withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final MetadataStore meta;
    private final LogStore store;
    private final StorageTopology topology;
    private final SnapshotRepository repository;
    private final Path location;
    private final Clock clock;

    public BackupService(MetadataStore meta, LogStore store, SnapshotRepository repository, Path location,
                         Clock clock) {
        this(meta, StorageTopology.single(store, repository), location, clock);
    }

    /** @param topology the store and the platform's snapshot repository (backups of one storage cluster only) */
    public BackupService(MetadataStore meta, StorageTopology topology, Path location, Clock clock) {
        this.meta = Objects.requireNonNull(meta, "meta");
        this.topology = Objects.requireNonNull(topology, "topology");
        this.store = topology.store();
        this.repository = topology.repository().orElse(null);
        this.location = Objects.requireNonNull(location, "location").toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public Path location() {
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
            throw new OpsException("no backup in " + location + " to build an incremental backup on; "
                    + "take a full backup first");
        }
        return take(BackupRecord.Kind.INCREMENTAL, all.get(all.size() - 1), progress);
    }

    private BackupManifest take(BackupRecord.Kind kind, BackupManifest parent, ProgressListener progress) {
        SnapshotRepository repo = Repositories.required(repository, "a backup");
        if (topology.clusters().size() > 1) {
            throw new OpsException("a backup of several storage clusters " + topology.clusters().stream()
                    .map(io.bklog.core.store.StoreCluster::name).toList() + " is not"
                    + " supported yet: one snapshot cannot hold indices of different clusters; archive each index"
                    + " set to its own cluster's snapshot repository (archive configs) instead");
        }
        Instant now = clock.instant();
        String id = kind.wireName() + "-" + ID_TIME.format(now);
        Path dir = location.resolve(id);
        if (Files.exists(dir)) throw new OpsException("backup " + id + " already exists in " + location);
        // an older schema (before an upgrade) has no backup_records table and cannot use MetadataDump.export
        boolean current = meta.isSchemaCurrent();
        BackupRecord record = current ? meta.backupRecords().create(BackupRecord.started(id, kind,
                parent == null ? null : parent.id())) : null;
        try {
            Files.createDirectories(dir);
            for (String set : store.indexSets()) store.refresh(set);
            Map<String, Long> live = new TreeMap<>();
            for (IndexInfo i : store.listIndices("*")) {
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
            if (!changed.isEmpty()) {
                snapshot = SNAPSHOT_PREFIX + id;
                SnapshotRepository.SnapshotInfo info = repo.create(snapshot, changed,
                        (f, m) -> progress.onProgress(f * 0.8, m));
                if (info.state() != SnapshotRepository.State.SUCCESS) {
                    throw new OpsException("snapshot " + snapshot + " ended " + info.state()
                            + (info.failure() == null ? "" : ": " + info.failure()));
                }
                for (String index : changed) {
                    entries.put(index, new BackupManifest.IndexEntry(info.docCounts().getOrDefault(index, 0L),
                            snapshot));
                }
            }
            progress.onProgress(0.85, "dumping metadata");
            String schemaVersion;
            try (OutputStream out = Files.newOutputStream(dir.resolve(DUMP))) {
                schemaVersion = current ? meta.dump().export(out).schemaVersion()
                        : exportOld(out);
            }
            List<String> archived = parent == null || !current ? List.of()
                    : meta.archivedSnapshots().listCreatedSince(Instant.parse(parent.time())).stream()
                    .filter(s -> ArchivedSnapshot.SUCCESS.equals(s.state())).map(ArchivedSnapshot::snapshotName)
                    .toList();
            Map<String, String> files = new LinkedHashMap<>();
            files.put(DUMP, sha256(dir.resolve(DUMP)));
            BackupManifest manifest = new BackupManifest(id, kind.wireName(), parent == null ? null : parent.id(),
                    now.toString(), schemaVersion, repo.name(), snapshot, entries, archived, files);
            byte[] json = JSON.writeValueAsBytes(manifest);
            Files.write(dir.resolve(MANIFEST), json);
            Files.writeString(dir.resolve(MANIFEST_SUM), sha256(dir.resolve(MANIFEST)) + "\n");
            if (record != null) meta.backupRecords().update(record.succeeded(JSON.valueToTree(manifest)));
            progress.onProgress(1.0, "backup " + id + " done");
            log.info("backup done id={} kind={} parent={} indices={} snapshotted={} docs={}", id, kind.wireName(),
                    manifest.parent(), entries.size(), changed.size(), manifest.totalDocs());
            return manifest;
        } catch (IOException | RuntimeException e) {
            String why = e instanceof UncheckedIOException u ? u.getCause().toString() : e.toString();
            if (record != null) {
                meta.backupRecords().findById(id).ifPresent(r -> meta.backupRecords().update(r.failed(why)));
            }
            log.warn("backup failed id={} error={}", id, why);
            if (e instanceof OpsException o) throw o;
            throw new OpsException("backup " + id + " failed: " + why, e);
        }
    }

    private String exportOld(OutputStream out) {
        SchemaDump.export(meta, out);
        return meta.schemaVersion().orElseThrow();
    }

    /** Every backup in the location, oldest first (read from the manifests, so it works on an empty platform). */
    public List<BackupManifest> list() {
        if (!Files.isDirectory(location)) return List.of();
        List<BackupManifest> out = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(location)) {
            for (Path d : dirs.sorted().toList()) {
                if (Files.isRegularFile(d.resolve(MANIFEST))) readManifest(d).ifPresent(out::add);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list backups in " + location, e);
        }
        out.sort((a, b) -> a.time().equals(b.time()) ? a.id().compareTo(b.id()) : a.time().compareTo(b.time()));
        return List.copyOf(out);
    }

    private Optional<BackupManifest> readManifest(Path dir) {
        try {
            return Optional.of(JSON.readValue(dir.resolve(MANIFEST).toFile(), BackupManifest.class));
        } catch (IOException e) {
            log.warn("unreadable backup manifest dir={} error={}", dir, e.toString());
            return Optional.empty();
        }
    }

    public BackupManifest get(String id) {
        Path dir = dirOf(id);
        return readManifest(dir).orElseThrow(() -> new OpsException("backup '" + id + "' has no readable "
                + MANIFEST + " in " + dir));
    }

    private Path dirOf(String id) {
        if (id == null || !id.matches("[a-z0-9][a-z0-9-]*")) {
            throw new OpsException(io.bklog.core.ErrorCode.BAD_REQUEST, "backup id '" + id
                    + "' is not valid; expected e.g. full-20260320-120000-000", "id");
        }
        Path dir = location.resolve(id);
        if (!Files.isDirectory(dir)) throw new OpsException(io.bklog.core.ErrorCode.OPERATION_NOT_FOUND, "no backup '" + id + "' in "
                + location, "id");
        return dir;
    }

    /**
     * Checks a backup and the chain it builds on: manifest checksum, the checksum of every file, and that every
     * snapshot it refers to exists, succeeded and holds each index with the recorded document count.
     */
    public Verification verify(String id) {
        List<String> problems = new ArrayList<>();
        Path dir;
        try {
            dir = dirOf(id);
        } catch (RuntimeException e) {
            return new Verification(id, List.of(e.getMessage()));
        }
        try {
            String expected = Files.readString(dir.resolve(MANIFEST_SUM)).trim();
            String actual = sha256(dir.resolve(MANIFEST));
            if (!expected.equals(actual)) problems.add(MANIFEST + " checksum is " + actual + ", expected " + expected);
        } catch (IOException | UncheckedIOException e) {
            problems.add("cannot read " + MANIFEST + " or its checksum: " + e.getMessage());
            return new Verification(id, problems);
        }
        Optional<BackupManifest> read = readManifest(dir);
        if (read.isEmpty()) {
            problems.add(MANIFEST + " is not a valid backup manifest");
            return new Verification(id, problems);
        }
        BackupManifest m = read.get();
        for (var f : m.files().entrySet()) {
            Path file = dir.resolve(f.getKey());
            if (!Files.isRegularFile(file)) {
                problems.add("file " + f.getKey() + " is missing");
                continue;
            }
            String actual = sha256(file);
            if (!actual.equals(f.getValue())) {
                problems.add("file " + f.getKey() + " checksum is " + actual + ", expected " + f.getValue());
            }
        }
        if (!m.indices().isEmpty()) {
            if (repository == null) {
                problems.add("no snapshot repository configured to hold the index data");
            } else if (!repository.name().equals(m.repository())) {
                problems.add("index data is in repository '" + m.repository() + "' but the configured one is '"
                        + repository.name() + "'");
            } else {
                Map<String, Optional<SnapshotRepository.SnapshotInfo>> snaps = new LinkedHashMap<>();
                for (var e : m.indices().entrySet()) {
                    var info = snaps.computeIfAbsent(e.getValue().snapshot(), repository::get);
                    if (info.isEmpty()) {
                        problems.add("snapshot " + e.getValue().snapshot() + " (index " + e.getKey() + ") is missing");
                    } else if (info.get().state() != SnapshotRepository.State.SUCCESS) {
                        problems.add("snapshot " + e.getValue().snapshot() + " is " + info.get().state());
                    } else if (!Objects.equals(info.get().docCounts().get(e.getKey()), e.getValue().docCount())) {
                        problems.add("snapshot " + e.getValue().snapshot() + " holds " + info.get().docCounts()
                                .get(e.getKey()) + " docs of " + e.getKey() + ", expected " + e.getValue().docCount());
                    }
                }
            }
        }
        return new Verification(id, problems);
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
     * every index under its original name from the snapshot holding it (the backup's own or an ancestor's) and
     * makes sure each index set exists in the store.
     */
    public RestoreResult restore(String id, ProgressListener progress) {
        progress.onProgress(0.0, "verifying " + id);
        Verification v = verify(id);
        if (!v.ok()) {
            throw new OpsException("backup " + id + " failed verification, nothing was changed: "
                    + String.join("; ", v.problems()));
        }
        BackupManifest m = get(id);
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
        progress.onProgress(0.05, "importing metadata");
        DumpSummary summary = importMetadata(dirOf(id).resolve(DUMP));
        meta.migrate();
        for (String state : List.of(io.bklog.core.meta.AsyncTask.PENDING, io.bklog.core.meta.AsyncTask.RUNNING)) {
            for (io.bklog.core.meta.AsyncTask t : meta.asyncTasks().listByStatus(state)) {
                // e.g. the backup task itself, dumped while it ran: it will never finish here
                meta.asyncTasks().update(t.failed("unfinished when backup " + id + " was taken; restored as failed"));
            }
        }
        meta.backupRecords().findById(id).ifPresent(r -> meta.backupRecords().update(r.succeeded(JSON.valueToTree(m))));
        Map<String, List<String>> bySnapshot = new TreeMap<>();
        m.indices().forEach((index, e) -> bySnapshot.computeIfAbsent(e.snapshot(), s -> new ArrayList<>()).add(index));
        List<String> restored = new ArrayList<>();
        int done = 0;
        for (var e : bySnapshot.entrySet()) {
            final int before = done;
            restored.addAll(repository.restore(e.getKey(), e.getValue(), "", (f, msg) -> progress.onProgress(
                    0.1 + 0.85 * (before + f * e.getValue().size()) / m.indices().size(), msg)));
            done += e.getValue().size();
        }
        for (IndexSet set : meta.indexSets().list()) {
            store.ensureIndexSet(set.schema());
            store.refresh(set.name());
        }
        progress.onProgress(1.0, "restored " + restored.size() + " indices");
        log.info("backup restored id={} indices={} docs={} metadata_rows={}", id, restored.size(), m.totalDocs(),
                summary.totalRows());
        return new RestoreResult(id, summary.schemaVersion(), summary.totalRows(), restored, m.totalDocs());
    }

    /**
     * Imports a dump. A platform made by {@code LogPlatform.builder()} already holds the default space; when that is
     * the only row, it is removed first (the dump brings it back) and put back if the import fails. The task history
     * of this platform ({@code async_tasks}, {@code task_runs}) is cleared first: the dump's replaces it.
     */
    private DumpSummary importMetadata(Path dump) {
        // task history of this platform (e.g. the status of the task running this restore) is replaced by the dump's
        int history = meta.asyncTasks().deleteAll() + meta.taskRuns().deleteAll();
        if (history > 0) log.info("task history cleared before import rows={}", history);
        List<Space> spaces = meta.spaces().list();
        Space builderDefault = spaces.size() == 1 ? spaces.get(0) : null;
        if (builderDefault != null) meta.spaces().delete(builderDefault);
        try (InputStream in = Files.newInputStream(dump)) {
            return meta.dump().importFrom(in);
        } catch (IOException | RuntimeException e) {
            if (builderDefault != null && meta.spaces().findByUid(builderDefault.spaceUid()).isEmpty()) {
                meta.spaces().create(Space.of(builderDefault.spaceUid(), builderDefault.name()));
            }
            if (e instanceof IOException io) throw new UncheckedIOException("cannot read " + dump, io);
            throw (RuntimeException) e;
        }
    }

    static String sha256(Path file) {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
