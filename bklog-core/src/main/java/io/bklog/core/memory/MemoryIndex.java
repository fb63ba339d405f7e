package io.bklog.core.memory;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** One physical index of the in-memory store: documents by id, aliases, size. Guarded by the store's lock. */
final class MemoryIndex {

    private final String name;
    private final String indexSet;
    private final Map<String, MemoryDocument> docs = new LinkedHashMap<>();
    private final Set<String> aliases = new TreeSet<>();
    private long sizeBytes;

    MemoryIndex(String name, String indexSet) {
        this.name = name;
        this.indexSet = indexSet;
    }

    String name() {
        return name;
    }

    /** The index set the index was created for (for a restored copy: the set of the original). */
    String indexSet() {
        return indexSet;
    }

    Set<String> aliases() {
        return aliases;
    }

    Collection<MemoryDocument> documents() {
        return docs.values();
    }

    MemoryDocument get(String id) {
        return docs.get(id);
    }

    void put(MemoryDocument d) {
        MemoryDocument old = docs.put(d.id(), d);
        if (old != null) sizeBytes -= old.sizeBytes();
        sizeBytes += d.sizeBytes();
    }

    void putAll(List<MemoryDocument> ds) {
        ds.forEach(this::put);
    }

    long docCount() {
        return docs.size();
    }

    long sizeBytes() {
        return sizeBytes;
    }
}
