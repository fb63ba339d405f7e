package io.bklog.server.config;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The Elasticsearch-compatible ingest endpoint ({@code es_compat.*}): {@code POST /_bulk} and the start-up calls of
 * Filebeat, Logstash, rsyslog and syslog-ng. See {@code docs/shipping.md}.
 *
 * @param enabled         serve the endpoint; default true
 * @param defaultIndexSet index set of bulk items whose index names no index set nor pattern; default none (such
 *                        items fail with {@code index_not_found_exception})
 * @param indexMapping    index name pattern ({@code *}, {@code ?}) → index set, tried in order, e.g.
 *                        {@code filebeat-*: app_logs}
 * @param clusterName     the {@code cluster_name} answered to {@code GET /}; default {@code bklog}
 * @param version         the Elasticsearch {@code version.number} answered; default {@value #DEFAULT_VERSION}. Beats
 *                        refuse a cluster older than themselves unless {@code allow_older_versions}: raise it for a
 *                        newer shipper
 * @param autoCreateIndex an index name that names no index set (nor pattern, nor default) makes one on first write,
 *                        in the writer's space, named as {@code EsIndexMapping.autoCreateName} says (Elasticsearch's
 *                        {@code action.auto_create_index}); default true, false answers such items 404
 * @param autoCreateIndexSpaces per space uid, overrides {@code autoCreateIndex} for the writers of that space
 *                        ({@code {team_a: false}}); default none
 */
public record EsCompatConfig(boolean enabled, String defaultIndexSet, Map<String, String> indexMapping,
                             String clusterName, String version, Boolean autoCreateIndex,
                             Map<String, Boolean> autoCreateIndexSpaces) {
    public static final String DEFAULT_VERSION = "8.19.21";

    public EsCompatConfig(boolean enabled, String defaultIndexSet, Map<String, String> indexMapping,
                          String clusterName, String version) {
        this(enabled, defaultIndexSet, indexMapping, clusterName, version, true, Map.of());
    }

    public EsCompatConfig(boolean enabled, String defaultIndexSet, Map<String, String> indexMapping,
                          String clusterName, String version, Boolean autoCreateIndex) {
        this(enabled, defaultIndexSet, indexMapping, clusterName, version, autoCreateIndex, Map.of());
    }

    /** Whether a writer of {@code space} makes an index set for an unknown index name. */
    public boolean autoCreateIndexIn(String space) {
        Boolean v = space == null ? null : autoCreateIndexSpaces.get(space);
        return v != null ? v : autoCreateIndex;
    }

    /** Whether a writer of any space may make index sets (the mapping offers creation only then). */
    public boolean autoCreateIndexAnywhere() {
        return autoCreateIndex || autoCreateIndexSpaces.containsValue(Boolean.TRUE);
    }

    public EsCompatConfig(boolean enabled, String defaultIndexSet, Map<String, String> indexMapping,
                          String clusterName) {
        this(enabled, defaultIndexSet, indexMapping, clusterName, DEFAULT_VERSION);
    }

    public EsCompatConfig {
        version = version == null || version.isBlank() ? DEFAULT_VERSION : version.strip();
        if (!version.matches("\\d+\\.\\d+\\.\\d+")) {
            throw new IllegalArgumentException("es_compat.version '" + version + "' is not like 8.19.21");
        }
        defaultIndexSet = defaultIndexSet == null ? "" : defaultIndexSet;
        indexMapping = indexMapping == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(indexMapping));
        clusterName = clusterName == null || clusterName.isBlank() ? "bklog" : clusterName;
        autoCreateIndex = autoCreateIndex == null || autoCreateIndex;
        autoCreateIndexSpaces = autoCreateIndexSpaces == null ? Map.of()
                : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(autoCreateIndexSpaces));
    }

    public static EsCompatConfig defaults() {
        return new EsCompatConfig(true, "", Map.of(), "bklog", DEFAULT_VERSION, true, Map.of());
    }
}
