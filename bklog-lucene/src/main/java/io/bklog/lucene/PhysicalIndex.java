package io.bklog.lucene;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexCommit;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.KeepOnlyLastCommitDeletionPolicy;
import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.index.SnapshotDeletionPolicy;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.Sort;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One physical index: a Lucene directory with its writer, near-real-time searcher manager and aliases. */
final class PhysicalIndex implements AutoCloseable {
    final String name;
    final Path path;
    final Directory directory;
    final IndexWriter writer;
    final SearcherManager searchers;
    final SnapshotDeletionPolicy snapshots;
    final Set<String> aliases = ConcurrentHashMap.newKeySet();
    /** When a search last read this index (System.nanoTime); the refresh thread skips search-idle indices. */
    volatile long lastSearchNanos = System.nanoTime() - Long.MAX_VALUE / 2;

    private PhysicalIndex(String name, Path path, Directory directory, IndexWriter writer, SnapshotDeletionPolicy snapshots)
            throws IOException {
        this.name = name;
        this.path = path;
        this.directory = directory;
        this.writer = writer;
        this.snapshots = snapshots;
        this.searchers = new SearcherManager(writer, true, false, null);
    }

    static IndexWriterConfig config(Analyzer analyzer, double ramBufferMb) {
        IndexWriterConfig c = new IndexWriterConfig(analyzer);
        c.setCodec(new Lucene912Codec(Lucene912Codec.Mode.BEST_COMPRESSION));
        c.setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND);
        c.setRAMBufferSizeMB(ramBufferMb);
        c.setCommitOnClose(true);
        return c;
    }

    /**
     * Opens (or creates) the index at {@code path}. A new index keeps its documents in {@code indexSort} (null: in
     * insertion order); an existing one keeps the order its segments were written in, since Lucene cannot change
     * it (indices written before index sorting stay unsorted, and still answer every search the same).
     */
    static PhysicalIndex open(String name, Path path, Analyzer analyzer, double ramBufferMb, Sort indexSort)
            throws IOException {
        Directory dir = FSDirectory.open(path);
        try {
            IndexWriterConfig c = config(analyzer, ramBufferMb);
            Sort sort = existingSort(dir, indexSort);
            if (sort != null) c.setIndexSort(sort);
            SnapshotDeletionPolicy snapshots = new SnapshotDeletionPolicy(new KeepOnlyLastCommitDeletionPolicy());
            c.setIndexDeletionPolicy(snapshots);
            IndexWriter writer = new IndexWriter(dir, c);
            if (!DirectoryReader.indexExists(dir)) writer.commit();
            return new PhysicalIndex(name, path, dir, writer, snapshots);
        } catch (IOException | RuntimeException e) {
            dir.close();
            throw e;
        }
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
        long total = writer.ramBytesUsed();
        try {
            for (String f : directory.listAll()) {
                try {
                    total += directory.fileLength(f);
                } catch (NoSuchFileException ignored) {
                    // deleted by a merge meanwhile
                }
            }
        } catch (IOException ignored) {
            // size is an estimate
        }
        return total;
    }

    long docCount() throws IOException {
        searchers.maybeRefreshBlocking();
        var s = searchers.acquire();
        try {
            return s.getIndexReader().numDocs();
        } finally {
            searchers.release(s);
        }
    }

    /** Commits and pins the commit until {@link #release}; its files stay on disk meanwhile. */
    IndexCommit snapshot() throws IOException {
        writer.commit();
        return snapshots.snapshot();
    }

    void release(IndexCommit commit) throws IOException {
        snapshots.release(commit);
        writer.deleteUnusedFiles();
    }

    @Override
    public void close() throws IOException {
        try {
            searchers.close();
        } finally {
            try {
                writer.close();
            } finally {
                directory.close();
            }
        }
    }

    /** Closes without committing (the directory is about to be deleted). */
    void abandon() throws IOException {
        try {
            searchers.close();
        } finally {
            try {
                writer.rollback();
            } finally {
                directory.close();
            }
        }
    }
}
