package io.bklog.core.indexset;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;

/** Index sets kept in this process only (lost on restart); the default until a metadata database is configured. */
public final class InMemoryIndexSetRepository implements IndexSetRepository {
    private final ConcurrentSkipListMap<String, IndexSet> byName = new ConcurrentSkipListMap<>();

    @Override
    public Optional<IndexSet> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    @Override
    public List<IndexSet> list() {
        return List.copyOf(byName.values());
    }

    @Override
    public void save(IndexSet indexSet) {
        byName.put(indexSet.name(), indexSet);
    }
}
