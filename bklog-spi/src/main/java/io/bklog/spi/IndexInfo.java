package io.bklog.spi;

import java.util.Set;

/** A physical index: its name, the index set it belongs to, documents, bytes on disk and aliases. */
public record IndexInfo(String name, String indexSet, long docCount, long sizeBytes, Set<String> aliases) {
    public IndexInfo {
        aliases = Set.copyOf(aliases);
    }
}
