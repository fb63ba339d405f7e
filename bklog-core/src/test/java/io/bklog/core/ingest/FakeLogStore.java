package io.bklog.core.ingest;

import io.bklog.spi.BulkResult;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;

/** A store for ingest tests: keeps documents by index set and id; a hook decides each item's outcome. */
final class FakeLogStore implements LogStore {

    final Map<String, Map<String, LogDocument>> docs = new ConcurrentHashMap<>();
    final Map<String, IndexSetSchema> schemas = new ConcurrentHashMap<>();
    final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    /** (indexSet, doc) → result; null means OK */
    volatile BiFunction<String, LogDocument, BulkResult.ItemResult> hook = (s, d) -> null;

    @Override
    public String backendName() {
        return "fake";
    }

    @Override
    public void ensureIndexSet(IndexSetSchema schema) {
        schemas.put(schema.name(), schema);
    }

    @Override
    public Set<String> indexSets() {
        return schemas.keySet();
    }

    @Override
    public synchronized BulkResult index(String indexSet, List<LogDocument> documents) {
        batchSizes.add(documents.size());
        List<BulkResult.ItemResult> items = new ArrayList<>();
        for (LogDocument d : documents) {
            BulkResult.ItemResult r = hook.apply(indexSet, d);
            if (r == null) {
                docs.computeIfAbsent(indexSet, k -> new ConcurrentHashMap<>()).put(d.id(), d);
                r = BulkResult.ItemResult.ok(d.id());
            }
            items.add(r);
        }
        return new BulkResult(items);
    }

    List<LogDocument> stored(String indexSet) {
        return new ArrayList<>(docs.getOrDefault(indexSet, Map.of()).values());
    }

    int count(String indexSet) {
        return docs.getOrDefault(indexSet, Map.of()).size();
    }

    @Override
    public void refresh(String indexSet) {
    }

    @Override
    public SearchResult search(SearchRequest request) {
        throw new UnsupportedOperationException("fake store does not search");
    }

    @Override
    public List<IndexInfo> listIndices(String indexSetOrPattern) {
        return List.of();
    }

    @Override
    public void addAlias(String index, String alias) {
    }

    @Override
    public void removeAlias(String index, String alias) {
    }

    @Override
    public void deleteIndices(Collection<String> indices) {
    }
}
