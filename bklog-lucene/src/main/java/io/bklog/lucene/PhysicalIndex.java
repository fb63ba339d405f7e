package io.bklog.lucene;

import io.bklog.spi.IndexNames;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * One physical index: a Lucene directory, its aliases and — only while it is used — either its writer and
 * near-real-time searcher manager ({@link Lucene}) or, for a search of an index nobody writes, a read-only reader of
 * its last commit. {@link #use} opens the writer on demand and holds it until {@link #done}; {@link #acquireReader}
 * gives a search the writer's near-real-time reader when the writer is open and otherwise the read-only reader (no
 * writer, no lock, no commit: a closed index is committed, see {@link #closeIfIdle}). An index nobody used for a
 * while is closed, so an idle index costs no open file and no heap beyond this object.
 */
final class PhysicalIndex implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LuceneLogStore.class);
    final String name;
    final Path path;
    /** The index set, day and number read from the name; empty for a foreign name. */
    final Optional<IndexNames.Parsed> parsed;
    final Set<String> aliases = ConcurrentHashMap.newKeySet();
    /** When a search last read this index (System.nanoTime); the refresh thread skips search-idle indices. */
    volatile long lastSearchNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    /** Commit user data key: how the index writes ids. */
    private static final String ID_FORMAT = "bklog.id_format";
    private static final String PACKED = "packed";

    private final Analyzer analyzer;
    private final double ramBufferMb;
    private final Sort indexSort;
    private final OpenListener listener;
    private Lucene lucene;
    /** The read-only reader of the last commit, while the writer is closed and a search used it recently. */
    private DirectoryReader readOnly;
    private int users;
    private int pins;
    private long lastUsedNanos = System.nanoTime();
    private boolean closed;

    /** The open side of an index: writer, searcher manager and the deletion policy pinning snapshot commits. */
    static final class Lucene {
        final Directory directory;
        final IndexWriter writer;
        final SearcherManager searchers;
        final SnapshotDeletionPolicy snapshots;
        /** Whether ids are written packed ({@link DocumentMapper#idBytes}): indices created before stay as text. */
        final boolean packedIds;
        /**
         * The time field when the index keeps points for it (created before the time field lost them: every
         * document needs the same structures for a field, so its new documents get them too), else null.
         */
        final String timePoints;

        private Lucene(Directory directory, IndexWriter writer, SnapshotDeletionPolicy snapshots, boolean packedIds,
                       String timeField) throws IOException {
            this.directory = directory;
            this.writer = writer;
            this.snapshots = snapshots;
            this.packedIds = packedIds;
            this.searchers = new SearcherManager(writer, true, false, null);
            this.timePoints = timeField != null && hasPoints(searchers, timeField) ? timeField : null;
        }

        /**
         * Whether the index's documents index {@code field} with points (written before the time field lost them),
         * as the near-real-time reader just opened says (a field has the same structures in every document of an
         * index).
         */
        private static boolean hasPoints(SearcherManager searchers, String field) throws IOException {
            org.apache.lucene.search.IndexSearcher s = searchers.acquire();
            try {
                org.apache.lucene.index.FieldInfo fi = org.apache.lucene.index.FieldInfos
                        .getMergedFieldInfos(s.getIndexReader()).fieldInfo(field);
                return fi != null && fi.getPointDimensionCount() > 0;
            } finally {
                searchers.release(s);
            }
        }

        void close(boolean commit) throws IOException {
            try {
                searchers.close();
            } finally {
                try {
                    if (commit) writer.close();
                    else writer.rollback();
                } finally {
                    directory.close();
                }
            }
        }
    }

    /** Told when an index opens or closes (the catalogue keeps the set of open indices). */
    interface OpenListener {
        void opened(PhysicalIndex idx);

        void closed(PhysicalIndex idx);

        OpenListener NONE = new OpenListener() {
            @Override
            public void opened(PhysicalIndex idx) {}

            @Override
            public void closed(PhysicalIndex idx) {}
        };
    }

    private PhysicalIndex(String name, Path path, Analyzer analyzer, double ramBufferMb, Sort indexSort,
                          OpenListener listener) {
        this.name = name;
        this.listener = listener;
        this.path = path;
        this.parsed = IndexNames.parse(name);
        this.analyzer = analyzer;
        this.ramBufferMb = ramBufferMb;
        this.indexSort = indexSort;
    }

    /**
     * How far past {@code ramBufferMb} an index's buffer may grow before the indexing thread flushes it itself: up
     * to that the store's flush thread writes it out ({@link #flushBytes}), so indexing does not wait for a flush.
     */
    static final double WRITER_FLUSH_FACTOR = 2;

    /** The buffered bytes at which the store's flush thread writes this index's largest buffer out. */
    long flushBytes() {
        return (long) (ramBufferMb * 1024 * 1024);
    }

    static IndexWriterConfig config(Analyzer analyzer, double ramBufferMb) {
        IndexWriterConfig c = new IndexWriterConfig(analyzer);
        c.setCodec(new Lucene912Codec(Lucene912Codec.Mode.BEST_COMPRESSION));
        c.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        // the store's flush thread writes a buffer out once it holds ramBufferMb (StoreWriter#flushFull), while
        // indexing goes on into a fresh one; the writer itself flushes in the indexing thread only past twice that
        c.setRAMBufferSizeMB(ramBufferMb * WRITER_FLUSH_FACTOR);
        c.setCommitOnClose(true);
        return c;
    }

    /**
     * The index at {@code path}, opened for writing when it does not exist yet and otherwise left closed until
     * {@link #use} or {@link #acquireReader} ({@code existing}: the caller knows the directory holds one; it is not
     * read now). A new index keeps its documents in {@code indexSort} (null: in insertion order); an existing one
     * keeps the order its segments were written in, since Lucene cannot change it (indices written before index
     * sorting stay unsorted, and still answer every search the same).
     */
    static PhysicalIndex open(String name, Path path, Analyzer analyzer, double ramBufferMb, Sort indexSort,
                              OpenListener listener, boolean existing) throws IOException {
        PhysicalIndex idx = new PhysicalIndex(name, path, analyzer, ramBufferMb, indexSort, listener);
        // an existing directory is not read until used: one without a commit yet (a crash before its first)
        // opens its writer on first use, as a search of it does (acquireReader)
        boolean exists = existing;
        if (!exists) {
            try (Directory dir = FSDirectory.open(path)) {
                exists = DirectoryReader.indexExists(dir);
            }
        }
        if (!exists) {
            idx.use();
            idx.done();
        }
        return idx;
    }

    private Lucene openLucene() throws IOException {
        Directory dir = FSDirectory.open(path);
        try {
            IndexWriterConfig c = config(analyzer, ramBufferMb);
            Sort sort = existingSort(dir, indexSort);
            if (sort != null) c.setIndexSort(sort);
            SnapshotDeletionPolicy snapshots = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
            c.setIndexDeletionPolicy(snapshots);
            boolean packedIds = !DirectoryReader.indexExists(dir)
                    || PACKED.equals(SegmentInfos.readLatestCommit(dir).getUserData().get(ID_FORMAT));
            String timeField = indexSort == null ? null : indexSort.getSort()[0].getField();
            IndexWriter writer = new IndexWriter(dir, c);
            try {
                // a new index has no commit until its first one (periodic, or as it closes); each says how ids are
                if (packedIds) writer.setLiveCommitData(Map.of(ID_FORMAT, PACKED).entrySet());
                return new Lucene(dir, writer, snapshots, packedIds, timeField);
            } catch (IOException | RuntimeException e) {
                writer.rollback();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** Opens the index when it is closed and holds it open until the matching {@link #done}. */
    synchronized Lucene use() throws IOException {
        if (closed) throw new AlreadyClosedException("lucene index " + name + " is closed");
        if (lucene == null) {
            lucene = openLucene();
            // the writer's near-real-time reader serves searches from now on; searches still holding the
            // read-only reader keep it until they release it (reference counted)
            boolean wasOpen = dropReadOnly();
            if (!wasOpen) listener.opened(this);
        }
        users++;
        lastUsedNanos = System.nanoTime();
        return lucene;
    }

    /** A reader held by a search until {@link #close}; from the writer when it is open, else read-only. */
    static final class HeldReader implements AutoCloseable {
        final IndexReader reader;
        private final Runnable release;

        private HeldReader(IndexReader reader, Runnable release) {
            this.reader = reader;
            this.release = release;
        }

        @Override
        public void close() {
            release.run();
        }
    }

    /**
     * A reader for a search. When the writer is open: its near-real-time reader, refreshed first when
     * {@code refresh} says so. Otherwise the read-only reader of the last commit, opened on first use and kept
     * (it counts as open for {@link #closeIfIdle} and the most-open limit): opening it costs a fraction of a
     * millisecond of CPU where opening a writer took tens of milliseconds, and takes no lock, so a search of many
     * idle indices stays cheap.
     */
    HeldReader acquireReader(boolean refresh) throws IOException {
        DirectoryReader ro;
        Lucene l;
        synchronized (this) {
            if (closed) throw new AlreadyClosedException("lucene index " + name + " is closed");
            lastUsedNanos = System.nanoTime();
            l = lucene;
            if (l != null) {
                users++;
                ro = null;
            } else {
                if (readOnly == null) {
                    readOnly = openReadOnly();
                    if (readOnly == null) {
                        // no commit yet (created but never committed): the writer creates the first one
                        l = use();
                    } else {
                        listener.opened(this);
                    }
                }
                ro = l == null ? readOnly : null;
                if (ro != null) ro.incRef();
            }
        }
        if (ro != null) {
            return new HeldReader(ro, () -> {
                try {
                    ro.decRef();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
        try {
            if (refresh) l.searchers.maybeRefreshBlocking();
            IndexSearcher s = l.searchers.acquire();
            Lucene held = l;
            return new HeldReader(s.getIndexReader(), () -> {
                try {
                    held.searchers.release(s);
                } catch (IOException | AlreadyClosedException ignored) {
                    // the index was deleted; its reader goes with it
                } finally {
                    done();
                }
            });
        } catch (IOException | RuntimeException e) {
            done();
            throw e;
        }
    }

    /** The last commit, read-only, or null when the index has none; the directory closes with the reader. */
    private DirectoryReader openReadOnly() throws IOException {
        Directory dir = FSDirectory.open(path);
        try {
            if (!DirectoryReader.indexExists(dir)) {
                dir.close();
                return null;
            }
            DirectoryReader r = DirectoryReader.open(dir);
            r.getReaderCacheHelper().addClosedListener(key -> dir.close());
            return r;
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
    }

    /** Drops this index's reference to the read-only reader (held ones stay valid); whether there was one. */
    private boolean dropReadOnly() {
        DirectoryReader r = readOnly;
        if (r == null) return false;
        readOnly = null;
        try {
            r.decRef();
        } catch (IOException | RuntimeException e) {
            // a reader only reads: nothing is lost, and the index opens again on its next use
            LOG.warn("lucene read-only reader close failed index={} error={}", name, e.toString());
        }
        return true;
    }

    synchronized void done() {
        users--;
        lastUsedNanos = System.nanoTime();
    }

    /**
     * As {@link #use}, but only while the writer is open: null (nothing held, nothing opened) when it is not, so a
     * background task does not reopen an index the idle close just committed and closed.
     */
    synchronized Lucene useIfOpen() {
        if (closed || lucene == null) return null;
        users++;
        return lucene;
    }

    /** The open side when the index is open, else null; not held, so it may close meanwhile (AlreadyClosed). */
    synchronized Lucene ifOpen() {
        return lucene;
    }

    /** Whether only the read-only reader is open (no writer). */
    synchronized boolean isReadOnlyOpen() {
        return lucene == null && readOnly != null;
    }

    synchronized boolean isOpen() {
        return lucene != null || readOnly != null;
    }

    /** When the index was last used (System.nanoTime). */
    synchronized long lastUsedNanos() {
        return lastUsedNanos;
    }

    /** Commits and closes the open side when nobody holds it, no snapshot pins it and it was idle for {@code idle}. */
    synchronized boolean closeIfIdle(long now, long idleNanos) throws IOException {
        if (lucene == null && readOnly != null && now - lastUsedNanos >= idleNanos) {
            // searches still holding it keep it until they release it
            try {
                dropReadOnly();
            } finally {
                listener.closed(this);
            }
            return true;
        }
        if (lucene == null || users > 0 || pins > 0 || now - lastUsedNanos < idleNanos) return false;
        // closed while holding the monitor: a commit of all indices (ifOpen) waits until this one is committed.
        // Committed before closing, and the index stays open when that fails: a failed close would roll back what
        // it had not committed, and a closed index is skipped by the store's commit, which then drops the
        // write-ahead-log generations holding those lines.
        lucene.writer.commit();
        try {
            lucene.close(true);
        } finally {
            lucene = null;
            listener.closed(this);
        }
        return true;
    }

    /** The sort of the index's segments, {@code wanted} when it has none yet, null when any segment is unsorted. */
    private static Sort existingSort(Directory dir, Sort wanted) throws IOException {
        if (!DirectoryReader.indexExists(dir)) return wanted;
        Sort found = wanted;
        for (SegmentCommitInfo si : SegmentInfos.readLatestCommit(dir)) {
            Sort s = si.info.getIndexSort();
            if (s == null) return null;
            found = s;
        }
        return found;
    }

    /** Bytes on disk plus what the writer buffers in memory. */
    long sizeBytes() {
        Lucene l = ifOpen();
        long total = 0;
        try {
            if (l != null) total += l.writer.ramBytesUsed();
        } catch (AlreadyClosedException ignored) {
            // closed meanwhile: its buffer is on disk now
        }
        try (Stream<Path> files = Files.list(path)) {
            for (Path f : files.toList()) {
                try {
                    total += Files.size(f);
                } catch (NoSuchFileException ignored) {
                    // deleted by a merge meanwhile
                }
            }
        } catch (IOException ignored) {
            // size is an estimate
        }
        return total;
    }

    /** Live documents: from the near-real-time reader when open, else from the last commit (nothing is opened). */
    long docCount() throws IOException {
        synchronized (this) {
            if (lucene == null) {
                try (Directory dir = FSDirectory.open(path)) {
                    if (!DirectoryReader.indexExists(dir)) return 0;
                    long n = 0;
                    for (SegmentCommitInfo si : SegmentInfos.readLatestCommit(dir)) {
                        n += si.info.maxDoc() - si.getDelCount() - si.getSoftDelCount();
                    }
                    return n;
                }
            }
        }
        Lucene l = use();
        try {
            l.searchers.maybeRefreshBlocking();
            var s = l.searchers.acquire();
            try {
                return s.getIndexReader().numDocs();
            } finally {
                l.searchers.release(s);
            }
        } finally {
            done();
        }
    }

    /** Commits and pins the commit until {@link #release}; its files stay on disk and the index open meanwhile. */
    IndexCommit snapshot() throws IOException {
        Lucene l = use();
        try {
            l.writer.commit();
            IndexCommit c = l.snapshots.snapshot();
            synchronized (this) {
                pins++;
            }
            return c;
        } finally {
            done();
        }
    }

    void release(IndexCommit commit) throws IOException {
        Lucene l = use();
        try {
            l.snapshots.release(commit);
            synchronized (this) {
                pins--;
            }
            l.writer.deleteUnusedFiles();
        } finally {
            done();
        }
    }

    /** Commits and closes; the index cannot be used again. */
    @Override
    public synchronized void close() throws IOException {
        closed = true;
        if (lucene == null && dropReadOnly()) listener.closed(this);
        if (lucene != null) {
            try {
                lucene.close(true);
            } finally {
                lucene = null;
                listener.closed(this);
            }
        }
    }

    /** Closes without committing (the directory is about to be deleted). */
    synchronized void abandon() throws IOException {
        closed = true;
        if (lucene == null && dropReadOnly()) listener.closed(this);
        if (lucene != null) {
            try {
                lucene.close(false);
            } finally {
                lucene = null;
                listener.closed(this);
            }
        }
    }
}
