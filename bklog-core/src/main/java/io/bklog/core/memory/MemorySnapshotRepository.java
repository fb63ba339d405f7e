package io.bklog.core.memory;

import io.bklog.spi.BackendException;
import io.bklog.spi.SnapshotRepository;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Snapshots of a {@link MemoryLogStore}'s indices, kept in memory: a snapshot holds a copy of each index's documents
 * as they were when it was taken (documents are immutable, so later writes never change it).
 */
public final class MemorySnapshotRepository implements SnapshotRepository {

    private static final Logger log = LoggerFactory.getLogger(MemorySnapshotRepository.class);

    private final String name;
    private final MemoryLogStore store;
    private final Clock clock;
    private final Map<String, Snapshot> snapshots = new ConcurrentHashMap<>();

    private record Snapshot(SnapshotInfo info, Map<String, List<MemoryDocument>> docs, Map<String, String> indexSets) {}

    public MemorySnapshotRepository(String name, MemoryLogStore store) {
        this(name, store, Clock.systemUTC());
    }

    public MemorySnapshotRepository(String name, MemoryLogStore store, Clock clock) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("repository name must not be blank");
        this.name = name;
        this.store = Objects.requireNonNull(store, "store");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void verify() {
        if (snapshots == null) throw new BackendException("memory snapshot repository '" + name + "' is closed");
    }

    @Override
    public synchronized SnapshotInfo create(String snapshot, List<String> indices, ProgressListener progress) {
        if (snapshot == null || snapshot.isBlank()) throw new IllegalArgumentException("snapshot name must not be blank");
        if (snapshots.containsKey(snapshot)) {
            throw new IllegalArgumentException("snapshot '" + snapshot + "' already exists in repository '" + name + "'");
        }
        if (indices.isEmpty()) throw new IllegalArgumentException("snapshot '" + snapshot + "' names no index");
        for (String index : indices) {
            if (!store.hasIndex(index)) {
                throw new IllegalArgumentException("cannot snapshot '" + snapshot + "': no index named '" + index + "'");
            }
        }
        long start = clock.millis();
        Map<String, List<MemoryDocument>> docs = new LinkedHashMap<>();
        Map<String, String> sets = new LinkedHashMap<>();
        Map<String, Long> counts = new LinkedHashMap<>();
        long size = 0;
        int done = 0;
        for (String index : indices) {
            List<MemoryDocument> copy = store.copyDocuments(index);
            docs.put(index, copy);
            sets.put(index, store.indexSetOf(index));
            counts.put(index, (long) copy.size());
            size += copy.stream().mapToLong(MemoryDocument::sizeBytes).sum();
            progress.onProgress((double) ++done / indices.size(), "copied " + index);
        }
        SnapshotInfo info = new SnapshotInfo(snapshot, State.SUCCESS, counts, Math.max(size, 1), start,
                Math.max(start, clock.millis()), null);
        snapshots.put(snapshot, new Snapshot(info, docs, sets));
        log.info("snapshot created repository={} snapshot={} indices={} docs={}", name, snapshot, indices.size(),
                counts.values().stream().mapToLong(Long::longValue).sum());
        return info;
    }

    @Override
    public List<SnapshotInfo> list() {
        return snapshots.values().stream().map(Snapshot::info)
                .sorted(java.util.Comparator.comparing(SnapshotInfo::startMillis).thenComparing(SnapshotInfo::name))
                .toList();
    }

    @Override
    public Optional<SnapshotInfo> get(String snapshot) {
        return Optional.ofNullable(snapshots.get(snapshot)).map(Snapshot::info);
    }

    @Override
    public synchronized List<String> restore(String snapshot, List<String> indices, String renamePrefix,
                                             ProgressListener progress) {
        Snapshot s = snapshots.get(snapshot);
        if (s == null) {
            throw new IllegalArgumentException("no snapshot '" + snapshot + "' in repository '" + name + "'");
        }
        List<String> wanted = indices.isEmpty() ? new ArrayList<>(s.docs().keySet()) : indices;
        String prefix = renamePrefix == null ? "" : renamePrefix;
        for (String index : wanted) {
            if (!s.docs().containsKey(index)) {
                throw new IllegalArgumentException("snapshot '" + snapshot + "' has no index '" + index
                        + "'; it has " + s.info().indices());
            }
            if (store.hasIndex(prefix + index)) {
                throw new IllegalArgumentException("cannot restore into '" + prefix + index
                        + "': the index exists; delete it or use another prefix");
            }
        }
        List<String> restored = new ArrayList<>();
        for (String index : wanted) {
            String target = prefix + index;
            store.createIndexWith(target, s.indexSets().get(index), s.docs().get(index));
            restored.add(target);
            progress.onProgress((double) restored.size() / wanted.size(), "restored " + target);
        }
        log.info("snapshot restored repository={} snapshot={} indices={}", name, snapshot, restored);
        return restored;
    }

    @Override
    public void delete(String snapshot) {
        if (snapshots.remove(snapshot) != null) {
            log.info("snapshot deleted repository={} snapshot={}", name, snapshot);
        }
    }
}
