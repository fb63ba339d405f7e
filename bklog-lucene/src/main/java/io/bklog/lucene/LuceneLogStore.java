package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.BulkResult.ItemResult;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.AggregationResult;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MultiCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopFieldCollector;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TotalHitCountCollector;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The embedded default {@link LogStore} on Apache Lucene. Files under {@code dataDir}:
 * <pre>
 *   indexsets/{name}.json   the mapping of each index set
 *   indices/{index}/        one Lucene index per physical (daily) index, named by {@link IndexNames}
 *   aliases.json            aliases of physical indices
 *   wal/                    the write-ahead log (in write-ahead-log commit mode)
 * </pre>
 * Documents are visible to search within the refresh interval (default 500 ms) or at once after
 * {@link #refresh}; an acknowledged document survives a crash (see {@link CommitPolicy}).
 */
public final class LuceneLogStore implements LogStore {
    public static final String BACKEND = "lucene";
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_SEARCH_IDLE_AFTER = Duration.ofSeconds(30);
    public static final double DEFAULT_RAM_BUFFER_MB = 32;
    private static final Logger LOG = LoggerFactory.getLogger(LuceneLogStore.class);

    private final Path dataDir;
    private final Path indicesDir;
    private final Path setsDir;
    private final Path aliasesFile;
    private final Duration refreshInterval;
    private final long searchIdleNanos;
    private final CommitPolicy commitPolicy;
    private final double ramBufferMb;
    private final Analyzer analyzer = new TextAnalyzer();
    private final Map<String, IndexSetMapping> sets = new ConcurrentHashMap<>();
    private final Map<String, PhysicalIndex> indices = new ConcurrentHashMap<>();
    /** The index written to, per index set and day ({@code set/yyyyMMdd}). */
    private final Map<String, PhysicalIndex> current = new ConcurrentHashMap<>();
    /** index() holds the read lock; WAL generation rolls and index deletion hold the write lock. */
    private final ReentrantReadWriteLock ingestLock = new ReentrantReadWriteLock();
    private final Object structure = new Object();
    private final Object commitLock = new Object();
    private final WriteAheadLog wal;
    private final ScheduledExecutorService refresher;
    private final ScheduledExecutorService committer;
    private final AtomicBoolean commitScheduled = new AtomicBoolean();
    private volatile boolean closed;

    private LuceneLogStore(Builder b) {
        this.dataDir = b.dataDir;
        this.indicesDir = dataDir.resolve("indices");
        this.setsDir = dataDir.resolve("indexsets");
        this.aliasesFile = dataDir.resolve("aliases.json");
        this.refreshInterval = b.refreshInterval;
        this.searchIdleNanos = b.searchIdleAfter.toNanos();
        this.commitPolicy = b.commitPolicy;
        this.ramBufferMb = b.ramBufferMb;
        try {
            Files.createDirectories(indicesDir);
            Files.createDirectories(setsDir);
            loadIndexSets();
            openIndices();
            loadAliases();
            if (commitPolicy.writeAheadLog()) {
                wal = new WriteAheadLog(dataDir.resolve("wal"));
                replay();
            } else {
                wal = null;
            }
        } catch (IOException e) {
            closeQuietly();
            throw new BackendException("lucene store cannot open data dir " + dataDir + ": " + e.getMessage()
                    + "; check that the directory is writable and not used by another process", false, e);
        }
        refresher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bklog-lucene-refresh"));
        committer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bklog-lucene-commit"));
        long refreshMs = refreshInterval.toMillis();
        refresher.scheduleWithFixedDelay(this::refreshAll, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        if (wal != null) {
            long commitMs = commitPolicy.commitInterval().toMillis();
            committer.scheduleWithFixedDelay(this::periodicCommit, commitMs, commitMs, TimeUnit.MILLISECONDS);
        }
        LOG.info("lucene store opened dataDir={} indexSets={} indices={} commitMode={}", dataDir, sets.size(),
                indices.size(), wal != null ? "wal" : "every_batch");
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builder; {@link #dataDir} is required. */
    public static final class Builder {
        private Path dataDir;
        private Duration refreshInterval = DEFAULT_REFRESH_INTERVAL;
        private Duration searchIdleAfter = DEFAULT_SEARCH_IDLE_AFTER;
        private CommitPolicy commitPolicy = CommitPolicy.defaults();
        private double ramBufferMb = DEFAULT_RAM_BUFFER_MB;

        private Builder() {}

        /** Where indices, mappings and the write-ahead log live (required). */
        public Builder dataDir(Path dir) { this.dataDir = dir; return this; }

        /** How often new documents become searchable without {@link LogStore#refresh}; default 500 ms. */
        public Builder refreshInterval(Duration d) { this.refreshInterval = d; return this; }

        /**
         * An index not searched for this long is "search idle" (as Elasticsearch's {@code search.idle.after}): the
         * periodic refresh skips it, so ingest does not pay for near-real-time segments nobody reads, and the next
         * search refreshes it before running — it still sees every acknowledged document. Default 30 s.
         */
        public Builder searchIdleAfter(Duration d) { this.searchIdleAfter = d; return this; }

        /** Durability of acknowledged batches; default {@link CommitPolicy#defaults()}. */
        public Builder commitPolicy(CommitPolicy p) { this.commitPolicy = p; return this; }

        /** Indexing buffer per physical index before Lucene flushes a segment; default 32 MB. */
        public Builder ramBufferMb(double mb) { this.ramBufferMb = mb; return this; }

        public LuceneLogStore build() {
            if (dataDir == null) throw new IllegalArgumentException("lucene store needs a dataDir");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
            Objects.requireNonNull(searchIdleAfter, "searchIdleAfter");
            if (searchIdleAfter.isNegative()) throw new IllegalArgumentException("searchIdleAfter must be >= 0");
            Objects.requireNonNull(commitPolicy, "commitPolicy");
            if (refreshInterval.isNegative() || refreshInterval.isZero() || refreshInterval.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("refreshInterval must be in (0, 1s] so documents are searchable"
                        + " within one second, was " + refreshInterval);
            }
            if (ramBufferMb < 1) throw new IllegalArgumentException("ramBufferMb must be >= 1, was " + ramBufferMb);
            return new LuceneLogStore(this);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    @Override
    public String backendName() {
        return BACKEND;
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

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        ensureOpen();
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

    @Override
    public Set<String> indexSets() {
        return Set.copyOf(sets.keySet());
    }

    /** The mapping of an index set as stored. */
    public Optional<IndexSetSchema> schema(String indexSet) {
        return Optional.ofNullable(sets.get(indexSet)).map(IndexSetMapping::schema);
    }

    // ---------------------------------------------------------------- indexing

    @Override
    public BulkResult index(String indexSet, List<LogDocument> documents) {
        ensureOpen();
        IndexSetMapping m = sets.get(indexSet);
        if (m == null) {
            throw new IllegalArgumentException("index set '" + indexSet + "' does not exist; known: "
                    + new TreeSet<>(sets.keySet()) + " (call ensureIndexSet first)");
        }
        ItemResult[] results = new ItemResult[documents.size()];
        List<DocumentMapper.Prepared> ok = new ArrayList<>(documents.size());
        List<Integer> positions = new ArrayList<>(documents.size());
        for (int i = 0; i < documents.size(); i++) {
            LogDocument d = documents.get(i);
            try {
                ok.add(DocumentMapper.prepare(m, d));
                positions.add(i);
            } catch (IllegalArgumentException e) {
                results[i] = ItemResult.rejected(d.id(), e.getMessage());
            }
        }
        if (!ok.isEmpty()) {
            ingestLock.readLock().lock();
            try {
                ensureOpen();
                if (wal != null) {
                    List<WriteAheadLog.Entry> entries = new ArrayList<>(ok.size());
                    for (DocumentMapper.Prepared p : ok) entries.add(new WriteAheadLog.Entry(p.id(), p.timestamp(), p.source()));
                    wal.appendAndSync(WriteAheadLog.encode(indexSet, entries));
                }
                Set<PhysicalIndex> touched = write(m, ok, positions, results);
                if (wal == null) {
                    for (PhysicalIndex idx : touched) idx.writer.commit();
                }
            } catch (IOException | AlreadyClosedException e) {
                LOG.warn("lucene index failed indexSet={} docs={} error={}", indexSet, ok.size(), e.toString());
                for (int k = 0; k < positions.size(); k++) {
                    int i = positions.get(k);
                    if (results[i] == null || results[i].status() == BulkResult.Status.OK) {
                        results[i] = ItemResult.retryable(ok.get(k).id(), "lucene store failed: " + e.getMessage());
                    }
                }
            } finally {
                ingestLock.readLock().unlock();
            }
            if (wal != null && wal.bytesInGeneration() > commitPolicy.maxLogBytes()
                    && commitScheduled.compareAndSet(false, true)) {
                try {
                    committer.execute(this::periodicCommit);
                } catch (java.util.concurrent.RejectedExecutionException ignored) {
                    // closing: close() commits
                }
            }
        }
        return new BulkResult(List.of(results));
    }

    /** Adds or replaces documents in their daily indices; fills OK / REJECTED per item. */
    private Set<PhysicalIndex> write(IndexSetMapping m, List<DocumentMapper.Prepared> docs, List<Integer> positions,
                                     ItemResult[] results) throws IOException {
        Map<LocalDate, List<Integer>> byDay = new TreeMap<>();
        for (int k = 0; k < docs.size(); k++) {
            byDay.computeIfAbsent(IndexNames.dayOf(Instant.ofEpochMilli(docs.get(k).timestamp())), d -> new ArrayList<>())
                    .add(k);
        }
        Set<PhysicalIndex> touched = new LinkedHashSet<>();
        for (Map.Entry<LocalDate, List<Integer>> e : byDay.entrySet()) {
            PhysicalIndex target = writeIndex(m, e.getKey());
            touched.add(target);
            List<Term> ids = new ArrayList<>(e.getValue().size());
            for (int k : e.getValue()) {
                DocumentMapper.Prepared p = docs.get(k);
                Term id = new Term(DocumentMapper.ID, p.id());
                try {
                    target.writer.updateDocument(id, p.document());
                    results[positions.get(k)] = ItemResult.ok(p.id());
                    ids.add(id);
                } catch (IllegalArgumentException ex) {
                    results[positions.get(k)] = ItemResult.rejected(p.id(), ex.getMessage());
                }
            }
            deleteFromSiblings(m.name(), e.getKey(), target, ids);
        }
        return touched;
    }

    /** After a size rollover, a replayed id may live in an older index of the day: keep only the newest copy. */
    private void deleteFromSiblings(String set, LocalDate day, PhysicalIndex target, List<Term> ids) throws IOException {
        if (ids.isEmpty() || IndexNames.parse(target.name).map(p -> p.n() == 0).orElse(true)) return;
        Term[] terms = ids.toArray(Term[]::new);
        for (PhysicalIndex idx : indices.values()) {
            if (idx == target) continue;
            Optional<IndexNames.Parsed> p = IndexNames.parse(idx.name);
            if (p.isPresent() && !p.get().restored() && p.get().indexSet().equals(set) && p.get().day().equals(day)) {
                idx.writer.deleteDocuments(terms);
            }
        }
    }

    /** The index a day's documents go to, rolling over to {@code _n+1} once it passes the set's rolloverBytes. */
    private PhysicalIndex writeIndex(IndexSetMapping m, LocalDate day) throws IOException {
        String key = m.name() + "/" + IndexNames.DAY.format(day);
        PhysicalIndex idx = current.get(key);
        long limit = m.schema().rolloverBytes();
        if (idx != null && indices.get(idx.name) == idx && (limit <= 0 || idx.sizeBytes() <= limit)) return idx;
        synchronized (structure) {
            idx = current.get(key);
            if (idx != null && indices.get(idx.name) == idx && (limit <= 0 || idx.sizeBytes() <= limit)) return idx;
            int n = -1;
            PhysicalIndex latest = null;
            for (PhysicalIndex i : indices.values()) {
                Optional<IndexNames.Parsed> p = IndexNames.parse(i.name);
                if (p.isPresent() && !p.get().restored() && p.get().indexSet().equals(m.name())
                        && p.get().day().equals(day) && p.get().n() > n) {
                    n = p.get().n();
                    latest = i;
                }
            }
            if (latest == null || (limit > 0 && latest.sizeBytes() > limit)) {
                String name = IndexNames.daily(m.name(), day, n + 1);
                latest = openIndex(name);
                LOG.info("lucene index created index={} reason={}", name, n < 0 ? "new_day" : "rollover_bytes");
            }
            current.put(key, latest);
            return latest;
        }
    }

    private PhysicalIndex openIndex(String name) throws IOException {
        PhysicalIndex idx = PhysicalIndex.open(name, indicesDir.resolve(name), analyzer, ramBufferMb);
        indices.put(name, idx);
        return idx;
    }

    private void openIndices() throws IOException {
        try (Stream<Path> dirs = Files.list(indicesDir)) {
            for (Path d : dirs.filter(Files::isDirectory).toList()) {
                String name = d.getFileName().toString();
                if (name.startsWith(".")) {
                    LOG.warn("lucene store removes an unfinished restore dir={}", d);
                    deleteRecursively(d);
                    continue;
                }
                openIndex(name);
            }
        }
    }

    private void replay() throws IOException {
        List<WriteAheadLog.Batch> batches = wal.readExisting();
        long docs = 0;
        for (WriteAheadLog.Batch b : batches) {
            IndexSetMapping m = sets.get(b.indexSet());
            if (m == null) {
                LOG.warn("wal replay skips batch of unknown indexSet={} docs={}", b.indexSet(), b.entries().size());
                continue;
            }
            List<DocumentMapper.Prepared> prepared = new ArrayList<>(b.entries().size());
            List<Integer> positions = new ArrayList<>();
            for (WriteAheadLog.Entry e : b.entries()) {
                Document doc = DocumentMapper.fromLogged(m, e.id(), e.source());
                positions.add(prepared.size());
                prepared.add(new DocumentMapper.Prepared(e.id(), e.timestamp(), e.source(), doc));
            }
            write(m, prepared, positions, new ItemResult[prepared.size()]);
            docs += prepared.size();
        }
        commitIndices();
        List<Long> gens = wal.generations();
        if (gens.size() > 1) wal.deleteUpTo(gens.get(gens.size() - 2));
        if (!batches.isEmpty()) LOG.info("wal replayed batches={} docs={}", batches.size(), docs);
    }

    /**
     * Rewrites every live document of the index set's indices from its stored source with the current mapping
     * ({@code updateDocument} by id, each atomic), then commits: a field mapped later becomes searchable in documents
     * stored before. Reads a point-in-time view of each index, so documents written meanwhile are left as written.
     */
    @Override
    public void reindex(String indexSet, io.bklog.spi.SnapshotRepository.ProgressListener progress) {
        ensureOpen();
        IndexSetMapping m = sets.get(indexSet);
        if (m == null) throw new IllegalArgumentException("index set '" + indexSet + "' does not exist");
        List<PhysicalIndex> targets = indicesOf(List.of(indexSet), null, null);
        long total = 0;
        for (PhysicalIndex idx : targets) total += idx.writer.getDocStats().numDocs;
        long done = 0;
        progress.onProgress(0, "reindexing " + total + " documents of " + indexSet);
        for (PhysicalIndex idx : targets) {
            try {
                idx.searchers.maybeRefreshBlocking();
                IndexSearcher searcher = idx.searchers.acquire();
                try {
                    for (org.apache.lucene.index.LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                        org.apache.lucene.index.LeafReader reader = leaf.reader();
                        org.apache.lucene.util.Bits live = reader.getLiveDocs();
                        org.apache.lucene.index.SortedDocValues ids = reader.getSortedDocValues(DocumentMapper.ID);
                        org.apache.lucene.index.StoredFields stored = reader.storedFields();
                        for (int doc = 0; doc < reader.maxDoc(); doc++) {
                            if ((live != null && !live.get(doc)) || ids == null || !ids.advanceExact(doc)) continue;
                            String id = ids.lookupOrd(ids.ordValue()).utf8ToString();
                            BytesRef json = stored.document(doc, Set.of(DocumentMapper.SOURCE))
                                    .getBinaryValue(DocumentMapper.SOURCE);
                            byte[] source = java.util.Arrays.copyOfRange(json.bytes, json.offset,
                                    json.offset + json.length);
                            ingestLock.readLock().lock();
                            try {
                                ensureOpen();
                                idx.writer.updateDocument(new Term(DocumentMapper.ID, id),
                                        DocumentMapper.fromLogged(m, id, source));
                            } finally {
                                ingestLock.readLock().unlock();
                            }
                            if (++done % 10_000 == 0) {
                                progress.onProgress((double) done / Math.max(1, total), "reindexed " + done + " of "
                                        + total + " documents");
                            }
                        }
                    }
                } finally {
                    idx.searchers.release(searcher);
                }
                synchronized (commitLock) {
                    idx.writer.commit();
                }
                idx.searchers.maybeRefreshBlocking();
            } catch (IOException | AlreadyClosedException e) {
                throw new BackendException("lucene reindex of '" + idx.name + "' failed: " + e.getMessage(), e);
            }
        }
        LOG.info("lucene index set reindexed indexSet={} indices={} docs={}", indexSet, targets.size(), done);
        progress.onProgress(1, "reindexed " + done + " documents of " + indexSet);
    }

    @Override
    public void refresh(String indexSet) {
        ensureOpen();
        for (PhysicalIndex idx : indicesOf(List.of(indexSet), null, null)) {
            try {
                idx.searchers.maybeRefreshBlocking();
            } catch (IOException | AlreadyClosedException e) {
                throw new BackendException("lucene refresh of '" + idx.name + "' failed: " + e.getMessage(), e);
            }
        }
    }

    private void refreshAll() {
        long now = System.nanoTime();
        for (PhysicalIndex idx : indices.values()) {
            if (now - idx.lastSearchNanos >= searchIdleNanos) continue; // search idle: the next search refreshes
            try {
                idx.searchers.maybeRefresh();
            } catch (AlreadyClosedException ignored) {
                // deleted meanwhile
            } catch (IOException | RuntimeException e) {
                LOG.warn("lucene refresh failed index={} error={}", idx.name, e.toString());
            }
        }
    }

    // ---------------------------------------------------------------- commits

    private void periodicCommit() {
        commitScheduled.set(false);
        if (closed) return;
        try {
            commit();
        } catch (RuntimeException e) {
            LOG.warn("lucene periodic commit failed error={}", e.toString());
        }
    }

    /**
     * Commits every index to Lucene and drops the write-ahead-log generations the commit covers. Called
     * periodically, before a snapshot and on close.
     */
    public void commit() {
        synchronized (commitLock) {
            try {
                long covered = -1;
                if (wal != null) {
                    ingestLock.writeLock().lock();
                    try {
                        covered = wal.roll();
                    } finally {
                        ingestLock.writeLock().unlock();
                    }
                }
                commitIndices();
                if (wal != null) wal.deleteUpTo(covered);
            } catch (IOException e) {
                throw new BackendException("lucene commit failed: " + e.getMessage(), e);
            }
        }
    }

    private void commitIndices() throws IOException {
        for (PhysicalIndex idx : indices.values()) {
            try {
                if (idx.writer.hasUncommittedChanges()) idx.writer.commit();
            } catch (AlreadyClosedException ignored) {
                // deleted meanwhile
            }
        }
    }

    // ---------------------------------------------------------------- search

    @Override
    public SearchResult search(SearchRequest r) {
        try {
            return searchChecked(r);
        } catch (IndexSearcher.TooManyClauses e) {
            throw new SearchRequest.InvalidRequestException("the query has more than "
                    + IndexSearcher.getMaxClauseCount() + " clauses once expanded (each term, phrase or range on"
                    + " each field it searches counts); simplify the query", "keyword", e);
        }
    }

    private SearchResult searchChecked(SearchRequest r) {
        ensureOpen();
        long started = System.nanoTime();
        List<IndexSetMapping> mappings = r.indexSets().stream().map(sets::get).filter(Objects::nonNull).toList();
        Map<String, FieldType> types = new HashMap<>();
        for (IndexSetMapping m : mappings) m.types().forEach(types::putIfAbsent);
        String defaultTimeField = mappings.isEmpty() ? IndexSetSchema.DEFAULT_TIME_FIELD : mappings.get(0).timeField();
        List<PhysicalIndex> targets = indicesOf(r.indexSets(), r.from(), r.to());
        SearchSort sort = SearchSort.of(r, types, defaultTimeField);

        Query query = new QueryTranslator(types).translate(r.query());
        if (r.from() != null || r.to() != null) {
            long lo = r.from() == null ? Long.MIN_VALUE : millis(r.from());
            long hi = r.to() == null ? Long.MAX_VALUE : millis(r.to()) - 1;
            Set<String> timeFields = new LinkedHashSet<>();
            for (IndexSetMapping m : mappings) timeFields.add(m.timeField());
            BooleanQuery.Builder time = new BooleanQuery.Builder();
            for (String tf : timeFields) time.add(LongPoint.newRangeQuery(tf, lo, hi), Occur.SHOULD);
            query = new BooleanQuery.Builder().add(query, Occur.FILTER).add(time.build(), Occur.FILTER).build();
        }

        List<IndexSearcher> acquired = new ArrayList<>(targets.size());
        List<PhysicalIndex> held = new ArrayList<>(targets.size());
        try {
            for (PhysicalIndex idx : targets) {
                try {
                    long now = System.nanoTime();
                    if (now - idx.lastSearchNanos >= searchIdleNanos) idx.searchers.maybeRefreshBlocking();
                    idx.lastSearchNanos = now;
                    acquired.add(idx.searchers.acquire());
                    held.add(idx);
                } catch (AlreadyClosedException ignored) {
                    // deleted meanwhile
                }
            }
            IndexReader[] readers = acquired.stream().map(IndexSearcher::getIndexReader).toArray(IndexReader[]::new);
            try (MultiReader reader = new MultiReader(readers, false)) {
                return run(r, types, held, readers, reader, query, sort, started);
            }
        } catch (IOException e) {
            throw new BackendException("lucene search failed: " + e.getMessage(), e);
        } finally {
            for (int i = 0; i < acquired.size(); i++) {
                try {
                    held.get(i).searchers.release(acquired.get(i));
                } catch (IOException | AlreadyClosedException ignored) {
                    // the index was closed; its reader goes with it
                }
            }
        }
    }

    /** Epoch millis of a search bound, clamped (an Instant past the long range of millis matches as far as it can). */
    private static long millis(Instant t) {
        if (t.getEpochSecond() >= Long.MAX_VALUE / 1000 - 1) return Long.MAX_VALUE;
        if (t.getEpochSecond() <= Long.MIN_VALUE / 1000 + 1) return Long.MIN_VALUE + 1;
        return t.toEpochMilli();
    }

    private SearchResult run(SearchRequest r, Map<String, FieldType> types, List<PhysicalIndex> held,
                             IndexReader[] readers, MultiReader reader,
                             Query query, SearchSort sort, long started) throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        Map<String, AggregationCollector> aggs = new LinkedHashMap<>();
        r.aggregations().forEach((name, a) ->
                aggs.put(name, AggregationCollector.create(name, a, types.get(a.field()), r.from(), r.to())));
        int window = r.offset() + r.size();
        TopFieldCollector top = window > 0
                ? new TopFieldCollectorManager(sort.sort(), window, sort.after(r.searchAfter()), Integer.MAX_VALUE, false)
                        .newCollector()
                : null;
        TotalHitCountCollector counter = top == null ? new TotalHitCountCollector() : null;
        List<Collector> collectors = new ArrayList<>();
        collectors.add(top != null ? top : counter);
        collectors.addAll(aggs.values());
        searcher.search(query, MultiCollector.wrap(collectors));

        long total;
        List<SearchResult.Hit> hits = new ArrayList<>();
        if (top != null) {
            var docs = top.topDocs(r.offset(), r.size());
            total = docs.totalHits.value;
            int[] starts = new int[held.size()];
            int base = 0;
            for (int i = 0; i < held.size(); i++) {
                starts[i] = base;
                base += readers[i].maxDoc();
            }
            Highlighter highlighter = r.highlight() ? new Highlighter(types, r.query()) : null;
            var stored = searcher.storedFields();
            Set<String> sourceOnly = Set.of(DocumentMapper.SOURCE);
            for (ScoreDoc sd : docs.scoreDocs) {
                FieldDoc fd = (FieldDoc) sd;
                String index = held.get(ReaderUtil.subIndex(fd.doc, starts)).name;
                BytesRef json = stored.document(fd.doc, sourceOnly).getBinaryValue(DocumentMapper.SOURCE);
                Map<String, Object> source = Json.readMap(json.bytes, json.offset, json.length);
                String id = ((BytesRef) fd.fields[fd.fields.length - 1]).utf8ToString();
                Map<String, List<String>> highlights = highlighter == null || highlighter.isEmpty()
                        ? Map.of() : highlighter.highlight(source);
                hits.add(new SearchResult.Hit(index, id, select(source, r.fields()), highlights, sort.values(fd)));
            }
        } else {
            total = counter.getTotalHits();
        }
        Map<String, AggregationResult> results = new LinkedHashMap<>();
        aggs.forEach((name, c) -> results.put(name, c.result()));
        return new SearchResult(total, hits, results, (System.nanoTime() - started) / 1_000_000);
    }

    private static Map<String, Object> select(Map<String, Object> source, List<String> fields) {
        if (fields.isEmpty()) return source;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : fields) {
            if (source.containsKey(f)) out.put(f, source.get(f));
        }
        return out;
    }

    /**
     * Physical indices of the given index sets (their daily indices, {@code restore_} copies and indices aliased
     * to the set name) whose day overlaps {@code [from, to)}.
     */
    private List<PhysicalIndex> indicesOf(List<String> indexSets, Instant from, Instant to) {
        LocalDate first = from == null ? null : IndexNames.dayOf(from);
        LocalDate last = to == null ? null : IndexNames.dayOf(to.minusMillis(1));
        List<PhysicalIndex> out = new ArrayList<>();
        for (PhysicalIndex idx : indices.values()) {
            Optional<IndexNames.Parsed> p = IndexNames.parse(idx.name);
            boolean member = p.isPresent() && indexSets.contains(p.get().indexSet());
            for (String a : idx.aliases) member |= indexSets.contains(a);
            if (!member) continue;
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

    // ---------------------------------------------------------------- indices and aliases

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        ensureOpen();
        Pattern glob = globPattern(indexSetOrPattern);
        List<IndexInfo> out = new ArrayList<>();
        for (PhysicalIndex idx : indices.values()) {
            Optional<IndexNames.Parsed> p = IndexNames.parse(idx.name);
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

    @Override
    public void addAlias(String index, String alias) {
        ensureOpen();
        synchronized (structure) {
            PhysicalIndex idx = requireIndex(index);
            if (idx.aliases.add(alias)) saveAliases();
        }
    }

    @Override
    public void removeAlias(String index, String alias) {
        ensureOpen();
        synchronized (structure) {
            PhysicalIndex idx = indices.get(index);
            if (idx != null && idx.aliases.remove(alias)) saveAliases();
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
            if (idx != null) idx.aliases.addAll(aliases);
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

    @Override
    public void deleteIndices(Collection<String> names) {
        ensureOpen();
        synchronized (commitLock) {
            ingestLock.writeLock().lock();
            try {
                // first make the log forget them: a replay must not bring a deleted index back
                long covered = wal != null ? wal.roll() : -1;
                commitIndices();
                if (wal != null) wal.deleteUpTo(covered);
                synchronized (structure) {
                    boolean aliased = false;
                    for (String name : names) {
                        PhysicalIndex idx = indices.remove(name);
                        if (idx == null) continue;
                        current.values().remove(idx);
                        aliased |= !idx.aliases.isEmpty();
                        idx.abandon();
                        deleteRecursively(idx.path);
                        LOG.info("lucene index deleted index={}", name);
                    }
                    if (aliased) saveAliases();
                }
            } catch (IOException e) {
                throw new BackendException("lucene store cannot delete indices " + names + ": " + e.getMessage(), e);
            } finally {
                ingestLock.writeLock().unlock();
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ---------------------------------------------------------------- for DirectorySnapshotRepository

    boolean hasIndex(String name) {
        return indices.containsKey(name);
    }

    Path indicesDir() {
        return indicesDir;
    }

    /** Commits an index and pins that commit; its files are safe to copy until {@link #release}. */
    IndexCommit pin(String name) {
        ensureOpen();
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
        ensureOpen();
        synchronized (structure) {
            if (indices.containsKey(name)) throw new IllegalArgumentException("index '" + name + "' already exists");
            try {
                openIndex(name);
            } catch (IOException e) {
                throw new BackendException("lucene store cannot open restored index '" + name + "': "
                        + e.getMessage(), false, e);
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("lucene store at " + dataDir + " is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        refresher.shutdown();
        committer.shutdown();
        try {
            refresher.awaitTermination(30, TimeUnit.SECONDS);
            committer.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (commitLock) {
            ingestLock.writeLock().lock();
            try {
                closed = true;
                try {
                    commitIndices();
                    if (wal != null) {
                        long covered = wal.roll();
                        wal.deleteUpTo(covered);
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.warn("lucene final commit failed (the write-ahead log is kept for replay) error={}", e.toString());
                }
                closeQuietly();
            } finally {
                ingestLock.writeLock().unlock();
            }
        }
        LOG.info("lucene store closed dataDir={}", dataDir);
    }

    private void closeQuietly() {
        for (PhysicalIndex idx : indices.values()) {
            try {
                idx.close();
            } catch (IOException | RuntimeException e) {
                LOG.warn("lucene index close failed index={} error={}", idx.name, e.toString());
            }
        }
        indices.clear();
        current.clear();
        if (wal != null) {
            try {
                wal.close();
            } catch (IOException e) {
                LOG.warn("wal close failed error={}", e.toString());
            }
        }
    }
}
