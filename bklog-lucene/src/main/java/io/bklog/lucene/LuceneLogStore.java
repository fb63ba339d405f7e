package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.SnapshotRepository;
import org.apache.lucene.index.IndexCommit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

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
 *
 * <p>A facade: the catalogue of index sets, indices and aliases is {@link IndexCatalog}, the write side (bulk, the
 * write-ahead log, commits, refresh, reindex, deletion) {@link StoreWriter}, the read side {@link StoreSearcher};
 * {@link DirectorySnapshotRepository} snapshots and restores through the package-private hooks at the end.
 */
public final class LuceneLogStore implements LogStore {
    static {
        LuceneClassInit.ensure(); // before any thread writes or searches: Lucene's class initialisers can deadlock
    }

    public static final String BACKEND = "lucene";
    public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMillis(500);
    public static final Duration DEFAULT_SEARCH_IDLE_AFTER = Duration.ofSeconds(30);
    public static final double DEFAULT_RAM_BUFFER_MB = 32;
    public static final Duration DEFAULT_INDEX_IDLE_AFTER = Duration.ofMinutes(5);
    public static final int DEFAULT_MAX_OPEN_INDICES = 500;
    /**
     * Index calls served at once by default: half the cores (at least 1, at most 8), leaving the other half to the
     * request threads that parse and map the documents. Measured on 2 cores with 4 clients, 2 indexing threads cost
     * more CPU per document than 1 (more, smaller segments to flush and merge): docs/benchmarks.md.
     */
    public static final int DEFAULT_INDEXING_THREADS = Math.max(1, Math.min(8,
            Runtime.getRuntime().availableProcessors() / 2));
    private static final Logger LOG = LoggerFactory.getLogger(LuceneLogStore.class);

    private final Path dataDir;
    private final IndexCatalog catalog;
    private final StoreWriter writer;

    /** Buffers the background flush thread wrote out (tests). */
    long backgroundFlushes() {
        return writer.backgroundFlushes();
    }
    private final StoreSearcher searcher;
    private final int indexingThreads;

    private LuceneLogStore(Builder b) {
        this.dataDir = b.dataDir;
        this.indexingThreads = b.indexingThreads;
        IndexCatalog opened = null;
        WriteAheadLog wal = null;
        try {
            opened = IndexCatalog.open(dataDir, b.ramBufferMb);
            if (b.commitPolicy.writeAheadLog()) wal = new WriteAheadLog(dataDir.resolve("wal"));
            this.writer = new StoreWriter(dataDir, opened, b.commitPolicy, b.searchIdleAfter, b.indexIdleAfter,
                    b.maxOpenIndices, wal);
        } catch (IOException e) {
            if (opened != null) opened.closeQuietly();
            StoreWriter.closeLog(wal);
            throw new BackendException("lucene store cannot open data dir " + dataDir + ": " + e.getMessage()
                    + "; check that the directory is writable and not used by another process", false, e);
        }
        this.catalog = opened;
        this.searcher = new StoreSearcher(catalog, b.searchIdleAfter, b.maxOpenIndices);
        writer.start(b.refreshInterval);
        LOG.info("lucene store opened dataDir={} indexSets={} indices={} commitMode={}", dataDir,
                catalog.indexSetCount(), catalog.indexCount(), writer.writeAheadLog() ? "wal" : "every_batch");
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
        private Duration indexIdleAfter = DEFAULT_INDEX_IDLE_AFTER;
        private int maxOpenIndices = DEFAULT_MAX_OPEN_INDICES;
        private int indexingThreads = DEFAULT_INDEXING_THREADS;

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

        /**
         * An index neither written nor searched for this long is closed (committed first): its writer, reader and
         * files are released until the next write or search opens it again (a few milliseconds). Default 5 min.
         */
        public Builder indexIdleAfter(Duration d) { this.indexIdleAfter = d; return this; }

        /**
         * At most this many indices stay open; past it the least recently used ones nobody is using are closed, so
         * thousands of index sets with daily indices hold few files and little heap. An index being written holds
         * its writer (about 2–7 files); an index only searched holds a read-only reader of its last commit
         * (memory-mapped: no open file). Default 500.
         */
        public Builder maxOpenIndices(int n) { this.maxOpenIndices = n; return this; }

        /**
         * How many {@link LogStore#index} calls the store serves well at once ({@link LogStore#concurrentWrites()}):
         * a batching writer keeps this many batches in flight, each indexed by its own thread into the same
         * {@code IndexWriter}s while their write-ahead-log records share fsyncs. Default half the cores, at least 1
         * and at most 8.
         */
        public Builder indexingThreads(int n) { this.indexingThreads = n; return this; }

        public LuceneLogStore build() {
            if (dataDir == null) throw new IllegalArgumentException("lucene store needs a dataDir");
            Objects.requireNonNull(refreshInterval, "refreshInterval");
            Objects.requireNonNull(searchIdleAfter, "searchIdleAfter");
            if (searchIdleAfter.isNegative()) throw new IllegalArgumentException("searchIdleAfter must be >= 0");
            Objects.requireNonNull(commitPolicy, "commitPolicy");
            checkRefreshInterval();
            checkRamBuffer();
            checkOpenIndices();
            checkIndexingThreads();
            return new LuceneLogStore(this);
        }

        Builder checkRefreshInterval() {
            if (refreshInterval.isNegative() || refreshInterval.isZero() || refreshInterval.compareTo(Duration.ofSeconds(1)) > 0) {
                throw new IllegalArgumentException("refreshInterval must be in (0, 1s] so documents are searchable"
                        + " within one second, was " + refreshInterval);
            }
            return this;
        }

        Builder checkOpenIndices() {
            Objects.requireNonNull(indexIdleAfter, "indexIdleAfter");
            if (indexIdleAfter.isNegative()) throw new IllegalArgumentException("indexIdleAfter must be >= 0");
            if (maxOpenIndices < 1) {
                throw new IllegalArgumentException("maxOpenIndices must be >= 1, was " + maxOpenIndices);
            }
            return this;
        }

        Builder checkIndexingThreads() {
            if (indexingThreads < 1 || indexingThreads > 64) {
                throw new IllegalArgumentException("indexingThreads must be in [1, 64], was " + indexingThreads);
            }
            return this;
        }

        Builder checkRamBuffer() {
            if (ramBufferMb < 1) throw new IllegalArgumentException("ramBufferMb must be >= 1, was " + ramBufferMb);
            return this;
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

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        writer.ensureOpen();
        catalog.ensureIndexSet(schema);
    }

    @Override
    public Set<String> indexSets() {
        return catalog.indexSets();
    }

    /** The mapping of an index set as stored. */
    public Optional<IndexSetSchema> schema(String indexSet) {
        return Optional.ofNullable(catalog.mapping(indexSet)).map(IndexSetMapping::schema);
    }

    // ---------------------------------------------------------------- writes

    @Override
    public BulkResult index(String indexSet, List<LogDocument> documents) {
        writer.ensureOpen();
        return writer.index(indexSet, documents);
    }

    /**
     * Calls may run at once (each holds the shared side of the ingest lock; Lucene's {@code IndexWriter} indexes
     * them on their own threads and the write-ahead log fsyncs their records together), so a batching writer keeps
     * this many in flight. Every call still answers only once its documents are durable; the writes of one id are
     * ordered by the caller (the batching sink never has two batches with the same id in flight).
     */
    @Override
    public int concurrentWrites() {
        return indexingThreads;
    }

    /**
     * Rewrites every live document of the index set from its stored source with the current mapping, then commits:
     * a field mapped later becomes searchable in documents stored before.
     */
    @Override
    public void reindex(String indexSet, SnapshotRepository.ProgressListener progress) {
        writer.ensureOpen();
        writer.reindex(indexSet, progress);
    }

    @Override
    public void refresh(String indexSet) {
        writer.ensureOpen();
        writer.refresh(indexSet);
    }

    /**
     * Commits every index to Lucene and drops the write-ahead-log generations the commit covers. Called
     * periodically, before a snapshot and on close.
     */
    public void commit() {
        writer.commit();
    }

    /**
     * Merges each index of the index set down to at most {@code maxSegments} segments and commits (Elasticsearch's
     * {@code _forcemerge}): for indices no longer written, such as yesterday's, it frees the space of deleted and
     * replaced documents and makes searches a little faster. Blocks until done.
     */
    public void forceMerge(String indexSet, int maxSegments) {
        writer.ensureOpen();
        writer.forceMerge(indexSet, maxSegments);
    }

    // ---------------------------------------------------------------- search

    @Override
    public SearchResult search(SearchRequest r) {
        writer.ensureOpen();
        return searcher.search(r);
    }

    // ---------------------------------------------------------------- indices and aliases

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        writer.ensureOpen();
        return catalog.listIndices(indexSetOrPattern);
    }

    @Override
    public void addAlias(String index, String alias) {
        writer.ensureOpen();
        catalog.addAlias(index, alias);
    }

    @Override
    public void removeAlias(String index, String alias) {
        writer.ensureOpen();
        catalog.removeAlias(index, alias);
    }

    @Override
    public void deleteIndices(Collection<String> names) {
        writer.ensureOpen();
        writer.deleteIndices(names);
    }

    /**
     * How many physical indices are open now: with their writer, or read-only for searches (the others hold no file
     * and no reader until used).
     */
    public int openIndexCount() {
        return catalog.openCount();
    }

    /** How many physical indices have their writer open now (a search of an index nobody writes opens none). */
    int openWriterCount() {
        return catalog.writerCount();
    }

    // ---------------------------------------------------------------- for DirectorySnapshotRepository

    boolean hasIndex(String name) {
        return catalog.hasIndex(name);
    }

    Path indicesDir() {
        return catalog.indicesDir();
    }

    /** Commits an index and pins that commit; its files are safe to copy until {@link #release}. */
    IndexCommit pin(String name) {
        writer.ensureOpen();
        return catalog.pin(name);
    }

    void release(String name, IndexCommit commit) {
        catalog.release(name, commit);
    }

    /** Opens an index whose files were just placed under {@link #indicesDir()} (a restore). */
    void attach(String name) {
        writer.ensureOpen();
        catalog.attach(name);
    }

    // ---------------------------------------------------------------- lifecycle

    @Override
    public void close() {
        if (writer.closed()) return;
        writer.close();
        LOG.info("lucene store closed dataDir={}", dataDir);
    }
}
