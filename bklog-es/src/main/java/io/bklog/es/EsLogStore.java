package io.bklog.es;

import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.SnapshotRepository;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The Elasticsearch 8 {@link LogStore}. Per index set it keeps a composable index template ({@link EsMappings}) and
 * daily indices named as bklog names them ({@code v2_{set}_{yyyyMMdd}_{n}}) with a write alias
 * {@code write_{yyyyMMdd}_{set}}, a read alias {@code {set}_{yyyyMMdd}_read} and an alias equal to the index set name,
 * through which searches go (so {@code restore_} copies and indices aliased to the set are searched with it). A day's
 * index rolls over to {@code _{n+1}} when it passes the schema's {@code rolloverBytes}.
 *
 * <p>{@link #index} sends one bulk request (refresh: none) and waits for it; items Elasticsearch could not take now
 * are retried per the {@link BulkRetryPolicy} and then reported {@code RETRYABLE}; mapping and parsing errors are
 * {@code REJECTED} with Elasticsearch's reason. Searches translate the query AST to query DSL ({@link EsQueries}).
 *
 * <p>A facade: index sets, indices and aliases are {@link EsIndexSets}, the write side (bulk with retry, daily
 * indices and rollover, reindex, refresh) {@link EsBulkWriter}, the read side {@link EsSearcher}; snapshots are
 * {@link EsSnapshotRepository}.
 */
public final class EsLogStore implements LogStore {
    public static final String BACKEND_NAME = "elasticsearch";
    /** bulks a batching writer keeps in flight by default ({@link Builder#concurrentBulks}) */
    public static final int DEFAULT_CONCURRENT_BULKS = 4;

    private final EsConnection connection;
    private final boolean ownsConnection;
    private final EsIndexSets indexSets;
    private final EsBulkWriter writer;
    private final EsSearcher searcher;
    private final int concurrentBulks;

    private EsLogStore(Builder b) {
        this.ownsConnection = b.connection == null;
        this.connection = b.connection != null ? b.connection
                : EsConnection.connect(b.hosts, b.connectTimeout, b.requestTimeout);
        EsHttp http = new EsHttp(connection);
        this.indexSets = new EsIndexSets(connection, http, b.templatePrefix);
        this.writer = new EsBulkWriter(connection, http, indexSets, b.retryPolicy);
        this.searcher = new EsSearcher(connection, http, indexSets);
        this.concurrentBulks = b.concurrentBulks;
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public String backendName() {
        return BACKEND_NAME;
    }

    public EsConnection connection() {
        return connection;
    }

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        indexSets.ensureIndexSet(schema);
    }

    @Override
    public Set<String> indexSets() {
        return indexSets.indexSets();
    }

    /** The schema of an index set as this store knows it (cached, else read back from its template). */
    public IndexSetSchema schema(String indexSet) {
        return indexSets.schema(indexSet);
    }

    /** Several bulks in flight keep Elasticsearch's write threads busy; see {@link Builder#concurrentBulks}. */
    @Override
    public int concurrentWrites() {
        return concurrentBulks;
    }

    @Override
    public BulkResult index(String indexSet, List<LogDocument> documents) {
        return writer.index(indexSet, documents);
    }

    /**
     * Indexes every document of the index set again into its own physical index, with its id and {@code _source},
     * so Elasticsearch applies the current mapping to it.
     */
    @Override
    public void reindex(String indexSet, SnapshotRepository.ProgressListener progress) {
        writer.reindex(indexSet, progress);
    }

    @Override
    public void refresh(String indexSet) {
        writer.refresh(indexSet);
    }

    @Override
    public SearchResult search(SearchRequest request) {
        return searcher.search(request);
    }

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        return indexSets.listIndices(indexSetOrPattern);
    }

    @Override
    public void addAlias(String index, String alias) {
        indexSets.addAlias(index, alias);
    }

    @Override
    public void removeAlias(String index, String alias) {
        indexSets.removeAlias(index, alias);
    }

    @Override
    public void deleteIndices(Collection<String> indices) {
        indexSets.deleteIndices(indices, writer::forget);
    }

    @Override
    public void close() {
        if (ownsConnection) connection.close();
    }

    /**
     * Builder with defaults: hosts {@code http://127.0.0.1:9200}, connect timeout 5 s, request timeout 60 s,
     * {@link BulkRetryPolicy#DEFAULT}, template prefix {@code bklog_}, {@value #DEFAULT_CONCURRENT_BULKS} bulks in
     * flight.
     */
    public static final class Builder {
        private List<String> hosts = List.of("http://127.0.0.1:9200");
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration requestTimeout = Duration.ofSeconds(60);
        private BulkRetryPolicy retryPolicy = BulkRetryPolicy.DEFAULT;
        private String templatePrefix = "bklog_";
        private EsConnection connection;
        private int concurrentBulks = DEFAULT_CONCURRENT_BULKS;

        private Builder() {}

        /**
         * How many bulk requests the platform's batching sink keeps in flight to this store (default
         * {@value #DEFAULT_CONCURRENT_BULKS}): one at a time leaves Elasticsearch's write threads idle while each
         * answer travels back and the next batch is built.
         */
        public Builder concurrentBulks(int n) {
            if (n < 1 || n > 64) throw new IllegalArgumentException("concurrentBulks must be 1..64, was " + n);
            this.concurrentBulks = n;
            return this;
        }

        /** Nodes to talk to, {@code http://host:port}. */
        public Builder hosts(List<String> hosts) {
            this.hosts = List.copyOf(hosts);
            return this;
        }

        public Builder hosts(String... hosts) {
            return hosts(List.of(hosts));
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "connectTimeout");
            return this;
        }

        public Builder requestTimeout(Duration d) {
            this.requestTimeout = Objects.requireNonNull(d, "requestTimeout");
            return this;
        }

        public Builder bulkRetry(BulkRetryPolicy p) {
            this.retryPolicy = Objects.requireNonNull(p, "bulkRetry");
            return this;
        }

        /**
         * Prefix of the index template names ({@code {prefix}{indexSet}}), so several deployments can share a
         * cluster's template namespace. Physical index names follow {@link IndexNames} and are not prefixed.
         */
        public Builder indexPrefix(String prefix) {
            if (prefix == null || !prefix.matches("[a-z0-9_\\-]*")) {
                throw new IllegalArgumentException("indexPrefix must match [a-z0-9_-]*, was '" + prefix + "'");
            }
            this.templatePrefix = prefix;
            return this;
        }

        /** Shares an existing connection (not closed by the store); hosts and timeouts are then ignored. */
        public Builder connection(EsConnection c) {
            this.connection = c;
            return this;
        }

        public EsLogStore build() {
            if (connection == null && hosts.isEmpty()) {
                throw new IllegalArgumentException("at least one Elasticsearch host is required");
            }
            return new EsLogStore(this);
        }
    }
}
