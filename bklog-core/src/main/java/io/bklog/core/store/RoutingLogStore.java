package io.bklog.core.store;

import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.UnsupportedFeatureException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * A {@link LogStore} over several named storage clusters ({@link StoreCluster}): every operation on one index set
 * (ensure, index, refresh, search, list its indices, aliases and deletion of its indices) goes to the store of the
 * index set's cluster; the calls that span index sets ({@link #indexSets()}, {@link #listIndices} with a pattern)
 * ask every cluster and merge the answers.
 *
 * <p>Which cluster an index set lives in: the one {@linkplain #assign assigned} to it, else the one the
 * {@code resolver} names (the index set's {@code storage_cluster} in the metadata database, so an index set created
 * by another instance is found), else the {@linkplain #defaultCluster() default cluster}. Physical index names are
 * routed by the index set they name ({@link IndexNames#parse}); a name that is none of ours is sent to every
 * cluster.
 *
 * <p>A search over index sets of different clusters is refused with {@link UnsupportedFeatureException}: hits and
 * aggregations are not merged across clusters. The router owns none of the stores: {@link #close()} closes nothing,
 * the stores' owners (the platform's backends) close them.
 */
public final class RoutingLogStore implements LogStore {
    private static final Logger log = LoggerFactory.getLogger(RoutingLogStore.class);
    public static final String BACKEND = "routing";

    private final Map<String, StoreCluster> clusters;
    private final String defaultCluster;
    private final Function<String, Optional<String>> resolver;
    private final Map<String, String> assigned = new ConcurrentHashMap<>();

    /**
     * @param clusters       the clusters, at least one; names unique
     * @param defaultCluster where index sets without a cluster go; must be one of {@code clusters}
     * @param resolver       the recorded cluster of an index set by name (empty = none recorded, or the default)
     */
    public RoutingLogStore(List<StoreCluster> clusters, String defaultCluster,
                           Function<String, Optional<String>> resolver) {
        if (clusters.isEmpty()) throw new IllegalArgumentException("a routing store needs at least one cluster");
        Map<String, StoreCluster> byName = new LinkedHashMap<>();
        for (StoreCluster c : clusters) {
            if (byName.put(c.name(), c) != null) {
                throw new IllegalArgumentException("storage cluster '" + c.name() + "' is configured twice");
            }
        }
        this.clusters = java.util.Collections.unmodifiableMap(byName);
        this.defaultCluster = Objects.requireNonNull(defaultCluster, "defaultCluster");
        if (!byName.containsKey(defaultCluster)) {
            throw new IllegalArgumentException("default cluster '" + defaultCluster + "' is not one of the configured"
                    + " clusters " + byName.keySet());
        }
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** A router that knows the clusters of index sets only from {@link #assign}. */
    public RoutingLogStore(List<StoreCluster> clusters, String defaultCluster) {
        this(clusters, defaultCluster, name -> Optional.empty());
    }

    /** The cluster names, in configuration order. */
    public Set<String> clusterNames() {
        return clusters.keySet();
    }

    public Map<String, StoreCluster> clusters() {
        return clusters;
    }

    public String defaultCluster() {
        return defaultCluster;
    }

    /** The cluster named, if configured. */
    public Optional<StoreCluster> cluster(String name) {
        return Optional.ofNullable(clusters.get(name));
    }

    /**
     * Routes an index set to a cluster from now on (null = the default cluster); call before
     * {@link #ensureIndexSet}. Throws {@link IllegalArgumentException} for an unknown cluster.
     */
    public void assign(String indexSet, String cluster) {
        String c = cluster == null || cluster.isBlank() ? defaultCluster : cluster;
        if (!clusters.containsKey(c)) {
            throw new IllegalArgumentException("unknown storage cluster '" + c + "'; configured: "
                    + String.join(", ", clusters.keySet()));
        }
        String before = assigned.put(indexSet, c);
        if (!c.equals(before)) log.debug("index set routed index_set={} cluster={}", indexSet, c);
    }

    /** Forgets an index set's assignment (its recorded cluster, or the default, applies again). */
    public void unassign(String indexSet) {
        assigned.remove(indexSet);
    }

    /** The cluster an index set's operations go to. */
    public StoreCluster clusterOf(String indexSet) {
        String name = assigned.get(indexSet);
        if (name == null) {
            name = resolver.apply(indexSet).filter(n -> !n.isBlank()).orElse(defaultCluster);
            StoreCluster c = clusters.get(name);
            if (c == null) {
                throw new IllegalStateException("index set '" + indexSet + "' is recorded in storage cluster '" + name
                        + "', which is not configured; configured: " + String.join(", ", clusters.keySet()));
            }
            assigned.putIfAbsent(indexSet, name);
            return c;
        }
        return clusters.get(name);
    }

    private LogStore storeOf(String indexSet) {
        return clusterOf(indexSet).store();
    }

    @Override
    public int concurrentWrites() {
        return clusters.values().stream().mapToInt(c -> c.store().concurrentWrites()).max().orElse(1);
    }

    @Override
    public String backendName() {
        Set<String> names = new TreeSet<>();
        clusters.values().forEach(c -> names.add(c.store().backendName()));
        return names.size() == 1 ? names.iterator().next() : String.join("+", names);
    }

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        storeOf(schema.name()).ensureIndexSet(schema);
    }

    @Override
    public Set<String> indexSets() {
        Set<String> all = new TreeSet<>();
        for (StoreCluster c : clusters.values()) all.addAll(c.store().indexSets());
        return all;
    }

    @Override
    public BulkResult index(String indexSet, List<LogDocument> documents) {
        return storeOf(indexSet).index(indexSet, documents);
    }

    @Override
    public void refresh(String indexSet) {
        storeOf(indexSet).refresh(indexSet);
    }

    @Override
    public void reindex(String indexSet, io.bklog.spi.SnapshotRepository.ProgressListener progress) {
        storeOf(indexSet).reindex(indexSet, progress);
    }

    @Override
    public SearchResult search(SearchRequest request) {
        Map<String, List<String>> byCluster = new TreeMap<>();
        for (String set : request.indexSets()) {
            byCluster.computeIfAbsent(clusterOf(set).name(), k -> new ArrayList<>()).add(set);
        }
        if (byCluster.size() > 1) {
            throw new UnsupportedFeatureException("search over index sets of several storage clusters " + byCluster
                    + "; search each cluster's index sets separately", BACKEND);
        }
        return clusters.get(byCluster.keySet().iterator().next()).store().search(request);
    }

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        Optional<StoreCluster> one = routeOfName(indexSetOrPattern);
        if (one.isPresent()) return one.get().store().listIndices(indexSetOrPattern);
        List<IndexInfo> all = new ArrayList<>();
        for (StoreCluster c : clusters.values()) all.addAll(c.store().listIndices(indexSetOrPattern));
        all.sort(Comparator.comparing(IndexInfo::name));
        return all;
    }

    @Override
    public void addAlias(String index, String alias) {
        clusterOfIndex(index).store().addAlias(index, alias);
    }

    @Override
    public void removeAlias(String index, String alias) {
        clusterOfIndex(index).store().removeAlias(index, alias);
    }

    @Override
    public void deleteIndices(Collection<String> indices) {
        Map<String, List<String>> byCluster = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String index : indices) {
            Optional<String> set = IndexNames.parse(index).map(IndexNames.Parsed::indexSet);
            if (set.isPresent()) {
                byCluster.computeIfAbsent(clusterOf(set.get()).name(), k -> new ArrayList<>()).add(index);
            } else {
                unknown.add(index);
            }
        }
        byCluster.forEach((cluster, list) -> clusters.get(cluster).store().deleteIndices(list));
        if (!unknown.isEmpty()) {
            for (StoreCluster c : clusters.values()) c.store().deleteIndices(unknown);
        }
    }

    /** The cluster of a plain index set name or physical index name; empty for a pattern or a foreign name. */
    private Optional<StoreCluster> routeOfName(String name) {
        if (name == null || name.isEmpty() || name.contains("*") || name.contains("?") || name.contains(",")) {
            return Optional.empty();
        }
        Optional<IndexNames.Parsed> parsed = IndexNames.parse(name);
        if (parsed.isPresent()) return Optional.of(clusterOf(parsed.get().indexSet()));
        if (assigned.containsKey(name) || resolver.apply(name).isPresent()) return Optional.of(clusterOf(name));
        for (StoreCluster c : clusters.values()) {
            if (c.store().indexSets().contains(name)) return Optional.of(c);
        }
        return Optional.empty();
    }

    /** The cluster holding a physical index: by its name when it is one of ours, else the first that lists it. */
    private StoreCluster clusterOfIndex(String index) {
        Optional<IndexNames.Parsed> parsed = IndexNames.parse(index);
        if (parsed.isPresent()) return clusterOf(parsed.get().indexSet());
        for (StoreCluster c : clusters.values()) {
            if (c.store().listIndices(index).stream().anyMatch(i -> i.name().equals(index))) return c;
        }
        return clusters.get(defaultCluster);
    }

    /** Closes nothing: the stores belong to whoever opened them. */
    @Override
    public void close() {
    }
}
