package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.BulkResult;
import io.bklog.spi.BulkResult.ItemResult;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SnapshotRepository;
import org.apache.lucene.document.Document;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The write side of a {@link LuceneLogStore}: bulk indexing into daily indices, the write-ahead log and its replay,
 * commits (per batch, or periodic with the log), near-real-time refresh, reindex and index deletion, and the three
 * background threads ({@code bklog-lucene-refresh}, {@code bklog-lucene-commit}, {@code bklog-lucene-flush}) it
 * owns until {@link #close}.
 *
 * <p>{@code index} holds the read lock of {@link #ingestLock}; rolling a log generation, deleting indices and
 * closing hold its write lock; commits are serialised on {@link #commitLock}.
 */
final class StoreWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LuceneLogStore.class);

    private final Path dataDir;
    private final IndexCatalog catalog;
    private final CommitPolicy commitPolicy;
    private final long searchIdleNanos;
    private final Duration indexIdleAfter;
    private final int maxOpenIndices;
    private final WriteAheadLog wal;
    /** index() holds the read lock; WAL generation rolls and index deletion hold the write lock. */
    private final ReentrantReadWriteLock ingestLock = new ReentrantReadWriteLock();
    private final Object commitLock = new Object();
    private final AtomicBoolean commitScheduled = new AtomicBoolean();
    /**
     * Set once an index call failed: part of its batch may be in Lucene and a retry would add those documents again,
     * so from then on fresh ids are written as replacements too (as Elasticsearch stops its append-only path for a
     * retried request).
     */
    private volatile boolean appendUnsafe;
    private ScheduledExecutorService refresher;
    private ScheduledExecutorService committer;
    /**
     * Writes full indexing buffers out ({@link #flushFull}) so the indexing thread goes on into a fresh buffer
     * instead of flushing (sorting and encoding a segment) while its batch, and every request behind it, waits.
     */
    private volatile ExecutorService flusher;
    /** Indices whose buffer passed {@link PhysicalIndex#flushBytes} and that the flush thread has not seen since. */
    private final Set<PhysicalIndex> fullBuffers = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicLong backgroundFlushes = new java.util.concurrent.atomic.AtomicLong();
    private volatile boolean closed;

    /** A writer over {@code catalog}; with a write-ahead log ({@code wal} not null) it replays what it holds. */
    StoreWriter(Path dataDir, IndexCatalog catalog, CommitPolicy commitPolicy, Duration searchIdleAfter,
                Duration indexIdleAfter, int maxOpenIndices, WriteAheadLog wal) throws IOException {
        this.dataDir = dataDir;
        this.catalog = catalog;
        this.commitPolicy = commitPolicy;
        this.searchIdleNanos = searchIdleAfter.toNanos();
        this.indexIdleAfter = indexIdleAfter;
        this.maxOpenIndices = maxOpenIndices;
        this.wal = wal;
        if (wal != null) replay();
    }

    /** Starts the periodic refresh and, with a write-ahead log, the periodic commit. */
    void start(Duration refreshInterval) {
        refresher = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bklog-lucene-refresh"));
        committer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bklog-lucene-commit"));
        flusher = Executors.newSingleThreadExecutor(r -> daemon(r, "bklog-lucene-flush"));
        long refreshMs = refreshInterval.toMillis();
        refresher.scheduleWithFixedDelay(this::refreshAll, refreshMs, refreshMs, TimeUnit.MILLISECONDS);
        long idleCheckMs = Math.max(50, Math.min(1_000, indexIdleAfter.toMillis() / 2));
        committer.scheduleWithFixedDelay(this::closeIdleIndices, idleCheckMs, idleCheckMs, TimeUnit.MILLISECONDS);
        if (wal != null) {
            long commitMs = commitPolicy.commitInterval().toMillis();
            committer.scheduleWithFixedDelay(this::periodicCommit, commitMs, commitMs, TimeUnit.MILLISECONDS);
        }
    }

    private void closeIdleIndices() {
        if (closed) return;
        try {
            int n = catalog.closeIdle(indexIdleAfter.toNanos(), maxOpenIndices);
            if (n > 0) LOG.debug("lucene closed idle indices count={} open={}", n, catalog.openCount());
        } catch (RuntimeException e) {
            LOG.warn("lucene idle index close failed error={}", e.toString());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    boolean writeAheadLog() {
        return wal != null;
    }

    boolean closed() {
        return closed;
    }

    void ensureOpen() {
        if (closed) throw new IllegalStateException("lucene store at " + dataDir + " is closed");
    }

    // ---------------------------------------------------------------- indexing

    BulkResult index(String indexSet, List<LogDocument> documents) {
        IndexSetMapping m = catalog.requireMapping(indexSet);
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
                boolean written = false;
                try {
                    write(m, ok, positions, results, wal == null);
                    written = true;
                } finally {
                    if (!written) appendUnsafe = true; // whatever failed, a retry must not append twice
                }
            } catch (IOException | AlreadyClosedException e) {
                appendUnsafe = true;
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
            catalog.enforceMaxOpen(maxOpenIndices);
            if (wal != null && wal.bytesInGeneration() > commitPolicy.maxLogBytes()
                    && commitScheduled.compareAndSet(false, true)) {
                try {
                    committer.execute(this::periodicCommit);
                } catch (RejectedExecutionException ignored) {
                    // closing: close() commits
                }
            }
        }
        return new BulkResult(List.of(results));
    }

    /** Adds or replaces documents in their daily indices (then commits them when asked); fills OK / REJECTED. */
    private void write(IndexSetMapping m, List<DocumentMapper.Prepared> docs, List<Integer> positions,
                       ItemResult[] results, boolean commit) throws IOException {
        // the UTC day of each document (IndexNames.dayOf) from its epoch millis, without a LocalDate per document
        Map<Long, List<Integer>> byDay = new TreeMap<>();
        long lastDay = Long.MIN_VALUE;
        List<Integer> lastList = null;
        for (int k = 0; k < docs.size(); k++) {
            long day = Math.floorDiv(docs.get(k).timestamp(), 86_400_000L);
            if (day != lastDay) {
                lastDay = day;
                lastList = byDay.computeIfAbsent(day, d -> new ArrayList<>());
            }
            lastList.add(k);
        }
        for (Map.Entry<Long, List<Integer>> e : byDay.entrySet()) {
            LocalDate day = LocalDate.ofEpochDay(e.getKey());
            PhysicalIndex target = catalog.writeIndex(m, day);
            PhysicalIndex.Lucene lucene = target.use();
            try {
                List<String> ids = new ArrayList<>(e.getValue().size());
                for (int k : e.getValue()) {
                    DocumentMapper.Prepared p = docs.get(k);
                    Term id = DocumentMapper.addId(p.document(), p.id(), lucene);
                    try {
                        if (p.append() && !appendUnsafe) {
                            // a fresh id is in no index: no delete-by-term to buffer and apply at every flush
                            lucene.writer.addDocument(p.document());
                        } else {
                            lucene.writer.updateDocument(id, p.document());
                            ids.add(p.id());
                        }
                        results[positions.get(k)] = ItemResult.ok(p.id());
                    } catch (IllegalArgumentException ex) {
                        results[positions.get(k)] = ItemResult.rejected(p.id(), ex.getMessage());
                    }
                }
                deleteFromSiblings(m.name(), day, target, ids, commit);
                if (commit) lucene.writer.commit();
                else if (lucene.writer.ramBytesUsed() >= target.flushBytes()) scheduleFlush(target);
            } finally {
                target.done();
            }
        }
    }

    /** After a size rollover, a replayed id may live in an older index of the day: keep only the newest copy. */
    private void deleteFromSiblings(String set, LocalDate day, PhysicalIndex target, List<String> ids, boolean commit)
            throws IOException {
        if (ids.isEmpty() || target.parsed.map(p -> p.n() == 0).orElse(true)) return;
        for (PhysicalIndex idx : catalog.siblings(set, day, target)) {
            PhysicalIndex.Lucene lucene = idx.use();
            try {
                Term[] terms = new Term[ids.size()];
                for (int i = 0; i < terms.length; i++) {
                    terms[i] = new Term(DocumentMapper.ID, DocumentMapper.idBytes(ids.get(i), lucene.packedIds));
                }
                lucene.writer.deleteDocuments(terms);
                if (commit) lucene.writer.commit();
            } finally {
                idx.done();
            }
        }
    }

    private void replay() throws IOException {
        List<WriteAheadLog.Batch> batches = wal.readExisting();
        long docs = 0;
        for (WriteAheadLog.Batch b : batches) {
            IndexSetMapping m = catalog.mapping(b.indexSet());
            if (m == null) {
                LOG.warn("wal replay skips batch of unknown indexSet={} docs={}", b.indexSet(), b.entries().size());
                continue;
            }
            List<DocumentMapper.Prepared> prepared = new ArrayList<>(b.entries().size());
            List<Integer> positions = new ArrayList<>();
            for (WriteAheadLog.Entry e : b.entries()) {
                Document doc = DocumentMapper.fromLogged(m, e.source(), e.timestamp());
                positions.add(prepared.size());
                prepared.add(new DocumentMapper.Prepared(e.id(), e.timestamp(), e.source(), doc, false));
            }
            write(m, prepared, positions, new ItemResult[prepared.size()], false);
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
    void reindex(String indexSet, SnapshotRepository.ProgressListener progress) {
        IndexSetMapping m = catalog.mapping(indexSet);
        if (m == null) throw new IllegalArgumentException("index set '" + indexSet + "' does not exist");
        List<PhysicalIndex> targets = catalog.indicesOf(List.of(indexSet), null, null);
        long total = 0;
        for (PhysicalIndex idx : targets) {
            try {
                total += idx.docCount();
            } catch (IOException | AlreadyClosedException e) {
                // deleted meanwhile: counted as nothing
            }
        }
        long done = 0;
        progress.onProgress(0, "reindexing " + total + " documents of " + indexSet);
        for (PhysicalIndex idx : targets) {
            PhysicalIndex.Lucene lucene;
            try {
                lucene = idx.use();
            } catch (IOException | AlreadyClosedException e) {
                throw new BackendException("lucene reindex of '" + idx.name + "' failed: " + e.getMessage(), e);
            }
            try {
                lucene.searchers.maybeRefreshBlocking();
                IndexSearcher searcher = lucene.searchers.acquire();
                try {
                    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
                        LeafReader reader = leaf.reader();
                        Bits live = reader.getLiveDocs();
                        SortedDocValues ids = reader.getSortedDocValues(DocumentMapper.ID);
                        StoredFields stored = reader.storedFields();
                        for (int doc = 0; doc < reader.maxDoc(); doc++) {
                            if ((live != null && !live.get(doc)) || ids == null || !ids.advanceExact(doc)) continue;
                            String id = DocumentMapper.idString(ids.lookupOrd(ids.ordValue()));
                            BytesRef json = stored.document(doc, Set.of(DocumentMapper.SOURCE))
                                    .getBinaryValue(DocumentMapper.SOURCE);
                            Map<String, Object> source = DocumentMapper.storedSource(json, reader, doc);
                            ingestLock.readLock().lock();
                            try {
                                ensureOpen();
                                Document rewritten = DocumentMapper.reindexed(m, source);
                                lucene.writer.updateDocument(DocumentMapper.addId(rewritten, id, lucene),
                                        rewritten);
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
                    lucene.searchers.release(searcher);
                }
                synchronized (commitLock) {
                    lucene.writer.commit();
                }
                lucene.searchers.maybeRefreshBlocking();
            } catch (IOException | AlreadyClosedException e) {
                throw new BackendException("lucene reindex of '" + idx.name + "' failed: " + e.getMessage(), e);
            } finally {
                idx.done();
            }
        }
        LOG.info("lucene index set reindexed indexSet={} indices={} docs={}", indexSet, targets.size(), done);
        progress.onProgress(1, "reindexed " + done + " documents of " + indexSet);
    }

    void forceMerge(String indexSet, int maxSegments) {
        if (maxSegments < 1) throw new IllegalArgumentException("maxSegments must be >= 1, was " + maxSegments);
        catalog.requireMapping(indexSet);
        for (PhysicalIndex idx : catalog.indicesOf(List.of(indexSet), null, null)) {
            try {
                PhysicalIndex.Lucene lucene = idx.use();
                try {
                    lucene.writer.forceMerge(maxSegments);
                } finally {
                    idx.done();
                }
            } catch (IOException | AlreadyClosedException e) {
                throw new BackendException("lucene force merge of '" + idx.name + "' failed: " + e.getMessage(), e);
            }
        }
        commit();
        refresh(indexSet);
    }

    // ---------------------------------------------------------------- flushes

    private void scheduleFlush(PhysicalIndex idx) {
        ExecutorService f = flusher;
        if (f == null || !fullBuffers.add(idx)) return; // not started (replay), or already waiting for the thread
        try {
            f.execute(() -> flushFull(idx));
        } catch (RejectedExecutionException e) {
            fullBuffers.remove(idx); // closing: the close commits every buffer
        }
    }

    /**
     * Writes the index's largest buffers out as segments while it holds more than {@link PhysicalIndex#flushBytes}
     * (Lucene's {@code flushNextBuffer}: the indexing thread takes a fresh buffer meanwhile). Lucene still flushes in
     * the indexing thread past {@link PhysicalIndex#WRITER_FLUSH_FACTOR} times that, should this thread fall behind,
     * so memory stays bounded. A flush that fails closes the writer as it would in the indexing thread: the next
     * batch is answered retryable and the write-ahead log keeps everything since the last commit.
     */
    private void flushFull(PhysicalIndex idx) {
        fullBuffers.remove(idx);
        if (closed) return;
        // as a batch does: deleting indices, rolling the log and closing (write lock) wait for the flush, and a flush
        // waits for none of them (skipped: the next full buffer schedules it again)
        if (!ingestLock.readLock().tryLock()) return;
        try {
            PhysicalIndex.Lucene lucene = idx.useIfOpen(); // held: the idle close waits; a closed index stays closed
            if (lucene == null) return;
            try {
                long limit = idx.flushBytes();
                for (int i = 0; i < 4 && lucene.writer.ramBytesUsed() >= limit; i++) {
                    if (!lucene.writer.flushNextBuffer()) break; // nothing left to take: the rest is being flushed
                    backgroundFlushes.incrementAndGet();
                }
            } finally {
                idx.done();
            }
        } catch (AlreadyClosedException ignored) {
            // deleted meanwhile
        } catch (IOException | RuntimeException e) {
            LOG.warn("lucene flush failed index={} error={}", idx.name, e.toString());
        } finally {
            ingestLock.readLock().unlock();
        }
    }

    /** Buffers the flush thread has written out (tests). */
    long backgroundFlushes() {
        return backgroundFlushes.get();
    }

    // ---------------------------------------------------------------- refresh

    void refresh(String indexSet) {
        for (PhysicalIndex idx : catalog.indicesOf(List.of(indexSet), null, null)) {
            PhysicalIndex.Lucene lucene = idx.ifOpen(); // a closed index opens on its next use, with every commit
            if (lucene == null) continue;
            try {
                lucene.searchers.maybeRefreshBlocking();
            } catch (AlreadyClosedException ignored) {
                // closed meanwhile: committed, so the next use sees everything
            } catch (IOException e) {
                throw new BackendException("lucene refresh of '" + idx.name + "' failed: " + e.getMessage(), e);
            }
        }
    }

    private void refreshAll() {
        long now = System.nanoTime();
        for (PhysicalIndex idx : catalog.all()) {
            if (now - idx.lastSearchNanos >= searchIdleNanos) continue; // search idle: the next search refreshes
            PhysicalIndex.Lucene lucene = idx.ifOpen();
            if (lucene == null) continue;
            try {
                lucene.searchers.maybeRefresh();
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

    /** Commits every index and drops the write-ahead-log generations the commit covers. */
    void commit() {
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
        for (PhysicalIndex idx : catalog.all()) {
            PhysicalIndex.Lucene lucene = idx.ifOpen(); // a closed index committed as it closed
            if (lucene == null) continue;
            try {
                if (lucene.writer.hasUncommittedChanges()) lucene.writer.commit();
            } catch (AlreadyClosedException e) {
                // deleted meanwhile; but a writer a failure closed lost what it had not committed: keep the log
                if (lucene.writer.getTragicException() != null) {
                    throw new IOException("lucene index " + idx.name + " failed", lucene.writer.getTragicException());
                }
            }
        }
    }

    // ---------------------------------------------------------------- deletion

    void deleteIndices(Collection<String> names) {
        synchronized (commitLock) {
            ingestLock.writeLock().lock();
            try {
                // first make the log forget them: a replay must not bring a deleted index back
                long covered = wal != null ? wal.roll() : -1;
                commitIndices();
                if (wal != null) wal.deleteUpTo(covered);
                catalog.delete(names);
            } catch (IOException e) {
                throw new BackendException("lucene store cannot delete indices " + names + ": " + e.getMessage(), e);
            } finally {
                ingestLock.writeLock().unlock();
            }
        }
    }

    // ---------------------------------------------------------------- lifecycle

    /** Stops the background threads, commits, empties the log and closes every index and the log. */
    @Override
    public void close() {
        if (closed) return;
        if (refresher != null) refresher.shutdown();
        if (committer != null) committer.shutdown();
        if (flusher != null) flusher.shutdown();
        try {
            if (refresher != null) refresher.awaitTermination(30, TimeUnit.SECONDS);
            if (committer != null) committer.awaitTermination(30, TimeUnit.SECONDS);
            if (flusher != null) flusher.awaitTermination(30, TimeUnit.SECONDS);
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
                catalog.closeQuietly();
                closeLog(wal);
            } finally {
                ingestLock.writeLock().unlock();
            }
        }
    }

    static void closeLog(WriteAheadLog wal) {
        if (wal == null) return;
        try {
            wal.close();
        } catch (IOException e) {
            LOG.warn("wal close failed error={}", e.toString());
        }
    }
}
