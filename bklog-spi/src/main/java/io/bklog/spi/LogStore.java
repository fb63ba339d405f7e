package io.bklog.spi;

import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Where documents are stored and searched. A store keeps daily indices per index set, named by
 * {@link IndexNames}; everything above storage (query parsing, masking, context, export) is the core's job.
 * Every method may throw {@link BackendException} when the backend fails, and
 * {@link UnsupportedFeatureException} for what it cannot do.
 */
public interface LogStore extends AutoCloseable {

    /** The backend name, e.g. {@code memory}, {@code lucene}, {@code elasticsearch}. */
    String backendName();

    /**
     * Creates or updates the mapping of an index set (idempotent). New fields may be added; changing the type of an
     * existing field throws {@link IllegalArgumentException}.
     */
    void ensureIndexSet(IndexSetSchema schema);

    /** Index sets known to this store, by name. */
    Set<String> indexSets();

    /**
     * Stores documents of one index set, each into the daily index of its timestamp. Returns one result per
     * document, in order. A document with the id of a stored one replaces it (so a replay never duplicates). When
     * this returns, every OK document is durable and visible to {@link #search} after {@link #refresh}, or
     * within one second without it.
     */
    BulkResult index(String indexSet, List<LogDocument> documents);

    /** Makes everything indexed so far visible to search. */
    void refresh(String indexSet);

    SearchResult search(SearchRequest request);

    /** Physical indices whose name, index set or alias matches; {@code "*"} lists all. */
    List<IndexInfo> listIndices(String indexSetOrPattern);

    /** Adds an alias to a physical index; an index set name used as alias makes the index part of that set. */
    void addAlias(String index, String alias);

    void removeAlias(String index, String alias);

    /** Deletes physical indices; missing ones are ignored. */
    void deleteIndices(Collection<String> indices);

    /**
     * Indexes the stored documents of an index set again from their stored source, with its current mapping, so a
     * field mapped after documents were stored becomes searchable in them too. Reports progress between 0 and 1.
     * A store whose queries read the mapping at query time has nothing to do; the default cannot.
     *
     * @throws UnsupportedFeatureException when the store cannot
     */
    default void reindex(String indexSet, SnapshotRepository.ProgressListener progress) {
        throw new UnsupportedFeatureException("reindex", backendName());
    }

    /**
     * How many {@link #index} calls this store serves well at the same time: a batching writer keeps up to this many
     * batches in flight (a remote store answers faster with several bulks pipelined than one after another). Default
     * 1: one call at a time.
     */
    default int concurrentWrites() {
        return 1;
    }

    @Override
    default void close() {
    }
}
