package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.store.NativeFSLockFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The catalogue of a {@link LuceneLogStore}: index sets and their mappings ({@code indexsets/{name}.json}), the open
 * physical indices ({@code indices/{index}/}), the index each day of a set writes to (with size rollover) and the
 * aliases ({@code aliases.json}). Structural changes hold {@link #structure}; lookups are lock-free.
 */
final class IndexCatalog {
    private static final Logger LOG = LoggerFactory.getLogger(LuceneLogStore.class);

    private final Path dataDir;
    private final Path indicesDir;
    private final Path setsDir;
    private final Path aliasesFile;
    private final double ramBufferMb;
    private final Analyzer analyzer = new TextAnalyzer();
    private final Map<String, IndexSetMapping> sets = new ConcurrentHashMap<>();
    private final Map<String, PhysicalIndex> indices = new ConcurrentHashMap<>();
    /** The indices named after each index set (daily and restored), so a lookup never scans every index. */
    private final Map<String, Set<PhysicalIndex>> bySet = new ConcurrentHashMap<>();
    /** The indices that have aliases. */
    private final Set<PhysicalIndex> aliased = ConcurrentHashMap.newKeySet();
    /** The indices open now. */
    private final Set<PhysicalIndex> open = ConcurrentHashMap.newKeySet();
    private final PhysicalIndex.OpenListener openListener = new PhysicalIndex.OpenListener() {
        @Override
        public void opened(PhysicalIndex idx) {
            open.add(idx);
        }

        @Override
        public void closed(PhysicalIndex idx) {
            open.remove(idx);
        }
    };
    private Lock storeLock;
    /** The index written to, per index set and day ({@code set/yyyyMMdd}). */
    private final Map<String, PhysicalIndex> current = new ConcurrentHashMap<>();
    private final Object structure = new Object();

    private IndexCatalog(Path dataDir, double ramBufferMb) {
        this.dataDir = dataDir;
        this.indicesDir = dataDir.resolve("indices");
        this.setsDir = dataDir.resolve("indexsets");
        this.aliasesFile = dataDir.resolve("aliases.json");
        this.ramBufferMb = ramBufferMb;
    }

    /** Opens the catalogue under {@code dataDir}: every stored mapping, index and alias. */
    static IndexCatalog open(Path dataDir, double ramBufferMb) throws IOException {
        IndexCatalog c = new IndexCatalog(dataDir, ramBufferMb);
        try {
            Files.createDirectories(c.indicesDir);
            Files.createDirectories(c.setsDir);
            try (Directory d = FSDirectory.open(dataDir)) {
                c.storeLock = NativeFSLockFactory.INSTANCE.obtainLock(d, "store.lock");
            } catch (LockObtainFailedException e) {
                throw new IOException("another lucene store holds " + dataDir.resolve("store.lock"), e);
            }
            c.loadIndexSets();
            c.openIndices();
            c.loadAliases();
            return c;
        } catch (IOException | RuntimeException e) {
            c.closeQuietly();
            throw e;
        }
    }

    Path indicesDir() {
        return indicesDir;
    }

    int indexSetCount() {
        return sets.size();
    }

    int indexCount() {
        return indices.size();
    }

    /** The open physical indices (a live view). */
    Collection<PhysicalIndex> all() {
        return indices.values();
    }

    // ---------------------------------------------------------------- index sets

    private void loadIndexSets() throws IOException {
        try (Stream<Path> files = Files.list(setsDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).toList()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> json = Json.read(f, Map.class);
                IndexSetMapping m = IndexSetMapping.fromJson(json);
                sets.put(m.name(), m);
            }
        }
    }

    void ensureIndexSet(IndexSetSchema schema) {
        synchronized (structure) {
            IndexSetMapping old = sets.get(schema.name());
            IndexSetSchema merged = schema;
            if (old != null) {
                if (!old.timeField().equals(schema.timeField())) {
                    throw new IllegalArgumentException("index set '" + schema.name() + "' has time field '"
                            + old.timeField() + "'; it cannot change to '" + schema.timeField() + "'");
                }
                Map<String, FieldSpec> fields = new LinkedHashMap<>();
                for (FieldSpec f : old.schema().fields()) fields.put(f.name(), f);
                for (FieldSpec f : schema.fields()) {
                    FieldSpec prev = fields.get(f.name());
                    if (prev != null && prev.type() != f.type()) {
                        throw new IllegalArgumentException("field '" + f.name() + "' of index set '" + schema.name()
                                + "' is mapped as " + prev.type().wireName() + "; it cannot change to "
                                + f.type().wireName());
                    }
                    fields.putIfAbsent(f.name(), f);
                }
                merged = new IndexSetSchema(schema.name(), schema.timeField(), List.copyOf(fields.values()),
                        schema.shards(), schema.replicas(), schema.rolloverBytes());
            }
            IndexSetMapping m = IndexSetMapping.of(merged);
            try {
                Json.writeAtomically(setsDir.resolve(schema.name() + ".json"), m.toJson());
            } catch (IOException e) {
                throw new BackendException("lucene store cannot write the mapping of '" + schema.name() + "': "
                        + e.getMessage(), e);
            }
            sets.put(m.name(), m);
        }
    }

    Set<String> indexSets() {
        return Set.copyOf(sets.keySet());
    }

    /** The mapping of an index set, or null. */
    IndexSetMapping mapping(String indexSet) {
        return sets.get(indexSet);
    }

    /** The mapping of an index set; throws naming the known ones when it does not exist. */
    IndexSetMapping requireMapping(String indexSet) {
        IndexSetMapping m = sets.get(indexSet);
        if (m == null) {
            throw new IllegalArgumentException("index set '" + indexSet + "' does not exist; known: "
                    + new TreeSet<>(sets.keySet()) + " (call ensureIndexSet first)");
        }
        return m;
    }

    // ---------------------------------------------------------------- physical indices

    private void openIndices() throws IOException {
        try (Stream<Path> dirs = Files.list(indicesDir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith(".")) {
                    LOG.warn("lucene store removes an unfinished restore dir={}", d);
                    deleteRecursively(d);
                    continue;
                }
                openIndex(name, true);
            }
        }
    }

    /**
     * Adds the index {@code name} to the catalogue; {@code existing}: its directory holds an index already, so
     * nothing is read from disk now (a store with 150,000 indices opens in seconds), otherwise a new index is
     * created when the directory holds none.
     */
    private PhysicalIndex openIndex(String name, boolean existing) throws IOException {
        PhysicalIndex idx = PhysicalIndex.open(name, indicesDir.resolve(name), analyzer, ramBufferMb,
                SearchSort.indexSort(timeFieldOf(name)), openListener, existing);
        indices.put(name, idx);
        idx.parsed.ifPresent(p -> bySet.computeIfAbsent(p.indexSet(), k -> ConcurrentHashMap.newKeySet()).add(idx));
        return idx;
    }

    /** The time field of the index set an index belongs to (by its name), or the default one. */
    private String timeFieldOf(String index) {
        return IndexNames.parse(index).map(p -> sets.get(p.indexSet())).map(IndexSetMapping::timeField)
                .orElse(IndexSetSchema.DEFAULT_TIME_FIELD);
    }

    /** The index a day's documents go to, rolling over to {@code _n+1} once it passes the set's rolloverBytes. */
    PhysicalIndex writeIndex(IndexSetMapping m, LocalDate day) throws IOException {
        String key = m.name() + "/" + IndexNames.DAY.format(day);
        PhysicalIndex idx = current.get(key);
        long limit = m.schema().rolloverBytes();
        if (idx != null && indices.get(idx.name) == idx && (limit <= 0 || idx.sizeBytes() <= limit)) return idx;
        synchronized (structure) {
            idx = current.get(key);
            if (idx != null && indices.get(idx.name) == idx && (limit <= 0 || idx.sizeBytes() <= limit)) return idx;
            int n = -1;
            PhysicalIndex latest = null;
            for (PhysicalIndex i : bySet.getOrDefault(m.name(), Set.of())) {
                Optional<IndexNames.Parsed> p = i.parsed;
                if (p.isPresent() && !p.get().restored() && p.get().indexSet().equals(m.name())
                        && p.get().day().equals(day) && p.get().n() > n) {
                    n = p.get().n();
                    latest = i;
                }
            }
            if (latest == null || (limit > 0 && latest.sizeBytes() > limit)) {
                String name = IndexNames.daily(m.name(), day, n + 1);
                latest = openIndex(name, false);
                LOG.info("lucene index created index={} reason={}", name, n < 0 ? "new_day" : "rollover_bytes");
            }
            current.put(key, latest);
            return latest;
        }
    }

    /** The other (non-restored) indices of the same set and day as {@code target}. */
    List<PhysicalIndex> siblings(String set, LocalDate day, PhysicalIndex target) {
        List<PhysicalIndex> out = new ArrayList<>();
        for (PhysicalIndex idx : bySet.getOrDefault(set, Set.of())) {
            if (idx == target) continue;
            Optional<IndexNames.Parsed> p = idx.parsed;
            if (p.isPresent() && !p.get().restored() && p.get().indexSet().equals(set) && p.get().day().equals(day)) {
                out.add(idx);
            }
        }
        return out;
    }

    /**
     * Physical indices of the given index sets (their daily indices, {@code restore_} copies and indices aliased
     * to the set name) whose day overlaps {@code [from, to)}.
     */
    List<PhysicalIndex> indicesOf(List<String> indexSets, Instant from, Instant to) {
        LocalDate first = from == null ? null : IndexNames.dayOf(from);
        LocalDate last = to == null ? null : IndexNames.dayOf(to.minusMillis(1));
        Set<PhysicalIndex> candidates = new java.util.HashSet<>();
        for (String set : indexSets) candidates.addAll(bySet.getOrDefault(set, Set.of()));
        for (PhysicalIndex idx : aliased) {
            for (String a : idx.aliases) {
                if (indexSets.contains(a)) candidates.add(idx);
            }
        }
        List<PhysicalIndex> out = new ArrayList<>();
        for (PhysicalIndex idx : candidates) {
            if (indices.get(idx.name) != idx) continue;
            Optional<IndexNames.Parsed> p = idx.parsed;
            if (p.isPresent()) {
                LocalDate day = p.get().day();
                if (first != null && day.isBefore(first)) continue;
                if (last != null && day.isAfter(last)) continue;
            }
            out.add(idx);
        }
        out.sort(Comparator.comparing(i -> i.name));
        return out;
    }

    List<IndexInfo> listIndices(String indexSetOrPattern) {
        Pattern glob = globPattern(indexSetOrPattern);
        List<IndexInfo> out = new ArrayList<>();
        for (PhysicalIndex idx : indices.values()) {
            Optional<IndexNames.Parsed> p = idx.parsed;
            String set = p.map(IndexNames.Parsed::indexSet)
                    .orElseGet(() -> idx.aliases.stream().filter(sets::containsKey).findFirst().orElse(""));
            boolean match = glob.matcher(idx.name).matches() || glob.matcher(set).matches()
                    || idx.aliases.stream().anyMatch(a -> glob.matcher(a).matches());
            if (!match) continue;
            try {
                out.add(new IndexInfo(idx.name, set, idx.docCount(), idx.sizeBytes(), Set.copyOf(idx.aliases)));
            } catch (IOException | AlreadyClosedException e) {
                // deleted meanwhile
            }
        }
        out.sort(Comparator.comparing(IndexInfo::name));
        return out;
    }

    private static Pattern globPattern(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            if (c == '*') sb.append(".*");
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }

    /** Closes and deletes the named indices (missing names ignored); the caller made the write-ahead log forget them. */
    void delete(Collection<String> names) throws IOException {
        synchronized (structure) {
            boolean hadAliases = false;
            for (String name : names) {
                PhysicalIndex idx = indices.remove(name);
                if (idx == null) continue;
                idx.parsed.ifPresent(p -> bySet.getOrDefault(p.indexSet(), Set.of()).remove(idx));
                this.aliased.remove(idx);
                current.values().remove(idx);
                hadAliases |= !idx.aliases.isEmpty();
                idx.abandon();
                deleteRecursively(idx.path);
                LOG.info("lucene index deleted index={}", name);
            }
            if (hadAliases) saveAliases();
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ---------------------------------------------------------------- aliases

    void addAlias(String index, String alias) {
        synchronized (structure) {
            PhysicalIndex idx = requireIndex(index);
            aliased.add(idx);
            if (idx.aliases.add(alias)) saveAliases();
        }
    }

    void removeAlias(String index, String alias) {
        synchronized (structure) {
            PhysicalIndex idx = indices.get(index);
            if (idx != null && idx.aliases.remove(alias)) {
                if (idx.aliases.isEmpty()) aliased.remove(idx);
                saveAliases();
            }
        }
    }

    private PhysicalIndex requireIndex(String index) {
        PhysicalIndex idx = indices.get(index);
        if (idx == null) {
            throw new IllegalArgumentException("index '" + index + "' does not exist in the lucene store");
        }
        return idx;
    }

    private void loadAliases() throws IOException {
        if (!Files.exists(aliasesFile)) return;
        @SuppressWarnings("unchecked")
        Map<String, List<String>> all = Json.read(aliasesFile, Map.class);
        all.forEach((index, aliases) -> {
            PhysicalIndex idx = indices.get(index);
            if (idx != null && !aliases.isEmpty()) {
                idx.aliases.addAll(aliases);
                aliased.add(idx);
            }
        });
    }

    private void saveAliases() {
        Map<String, List<String>> all = new TreeMap<>();
        for (PhysicalIndex idx : indices.values()) {
            if (!idx.aliases.isEmpty()) all.put(idx.name, new ArrayList<>(new TreeSet<>(idx.aliases)));
        }
        try {
            Json.writeAtomically(aliasesFile, all);
        } catch (IOException e) {
            throw new BackendException("lucene store cannot write " + aliasesFile + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- for snapshots

    boolean hasIndex(String name) {
        return indices.containsKey(name);
    }

    /** Commits an index and pins that commit; its files are safe to copy until {@link #release}. */
    IndexCommit pin(String name) {
        PhysicalIndex idx = requireIndex(name);
        try {
            return idx.snapshot();
        } catch (IOException e) {
            throw new BackendException("lucene store cannot commit index '" + name + "': " + e.getMessage(), e);
        }
    }

    void release(String name, IndexCommit commit) {
        PhysicalIndex idx = indices.get(name);
        if (idx == null) return;
        try {
            idx.release(commit);
        } catch (IOException | AlreadyClosedException e) {
            LOG.warn("lucene store cannot release a snapshot commit index={} error={}", name, e.toString());
        }
    }

    /** Opens an index whose files were just placed under {@link #indicesDir()} (a restore). */
    void attach(String name) {
        synchronized (structure) {
            if (indices.containsKey(name)) throw new IllegalArgumentException("index '" + name + "' already exists");
            try {
                openIndex(name, true);
            } catch (IOException e) {
                throw new BackendException("lucene store cannot open restored index '" + name + "': "
                        + e.getMessage(), false, e);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /**
     * Closes (after a commit) every open index unused for {@code idleNanos}, and while more than {@code maxOpen} are
     * open, the least recently used ones among the rest that nobody holds. Returns how many it closed.
     */
    int closeIdle(long idleNanos, int maxOpen) {
        long now = System.nanoTime();
        List<PhysicalIndex> stillOpen = new ArrayList<>();
        int closed = 0;
        for (PhysicalIndex idx : List.copyOf(open)) {
            if (tryClose(idx, now, idleNanos)) closed++;
            else if (idx.isOpen()) stillOpen.add(idx);
        }
        return closed + closeLeastRecentlyUsed(stillOpen, now, maxOpen);
    }

    /** While more than {@code maxOpen} indices are open, closes the least recently used ones nobody holds. */
    int enforceMaxOpen(int maxOpen) {
        if (open.size() <= maxOpen) return 0;
        return closeLeastRecentlyUsed(new ArrayList<>(open), System.nanoTime(), maxOpen);
    }

    /**
     * While more than {@code maxOpen} indices are open, closes the least recently used read-only readers (the search
     * path: closing one costs no commit and no fsync; writers are left to the write path and the idle closer).
     */
    int enforceMaxOpenReaders(int maxOpen) {
        int excess = open.size() - maxOpen;
        if (excess <= 0) return 0;
        List<PhysicalIndex> readers = new ArrayList<>();
        for (PhysicalIndex idx : open) {
            if (idx.isReadOnlyOpen()) readers.add(idx);
        }
        return closeLeastRecentlyUsed(readers, System.nanoTime(), Math.max(0, readers.size() - excess));
    }

    private int closeLeastRecentlyUsed(List<PhysicalIndex> candidates, long now, int maxOpen) {
        int closed = 0;
        if (candidates.size() > maxOpen) {
            Map<PhysicalIndex, Long> used = new java.util.HashMap<>();
            for (PhysicalIndex idx : candidates) used.put(idx, idx.lastUsedNanos());
            candidates.sort(Comparator.comparingLong(used::get));
            for (int i = 0; i < candidates.size() - maxOpen; i++) {
                if (tryClose(candidates.get(i), now, 0)) closed++;
            }
        }
        return closed;
    }

    private static boolean tryClose(PhysicalIndex idx, long now, long idleNanos) {
        try {
            return idx.closeIfIdle(now, idleNanos);
        } catch (IOException | RuntimeException e) {
            LOG.warn("lucene index close failed index={} error={}", idx.name, e.toString());
            return false;
        }
    }

    /** How many indices are open now (with their writer, or read-only for searches). */
    int openCount() {
        return open.size();
    }

    /** How many indices have their writer open now. */
    int writerCount() {
        int n = 0;
        for (PhysicalIndex idx : open) {
            if (idx.ifOpen() != null) n++;
        }
        return n;
    }

    /** Closes every index (failures logged), leaving the catalogue empty. */
    void closeQuietly() {
        for (PhysicalIndex idx : indices.values()) {
            try {
                idx.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("lucene index close failed index={} error={}", idx.name, e.toString());
            }
        }
        indices.clear();
        bySet.clear();
        aliased.clear();
        current.clear();
        if (storeLock != null) {
            try {
                storeLock.close();
            } catch (IOException e) {
                LOG.warn("lucene store lock release failed error={}", e.toString());
            }
            storeLock = null;
        }
    }

    @Override
    public String toString() {
        return "lucene catalog at " + dataDir;
    }
}
