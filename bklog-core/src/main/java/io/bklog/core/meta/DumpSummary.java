package io.bklog.core.meta;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a metadata dump holds or what an import loaded.
 *
 * @param schemaVersion the schema version the rows belong to
 * @param rowCounts     rows per table, in dump order
 */
public record DumpSummary(String schemaVersion, Map<String, Long> rowCounts) {
    public DumpSummary {
        rowCounts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(rowCounts));
    }

    public long totalRows() {
        return rowCounts.values().stream().mapToLong(Long::longValue).sum();
    }
}
