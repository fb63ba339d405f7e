package io.bklog.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The log store backend, or several named storage clusters.
 *
 * @param backend        a backend provider name ({@code lucene}, {@code memory}, {@code elasticsearch}, ...); blank =
 *                       {@code lucene} in the data dir
 * @param settings       the backend's settings, flat keys such as {@code hosts} or {@code repository.path}
 * @param clusters       several storage clusters by name, each a backend with its settings (instead of
 *                       {@code backend}); each index set names its cluster ({@code storage_cluster})
 * @param defaultCluster with {@code clusters}: where index sets without a {@code storage_cluster} go; blank = the
 *                       first cluster
 */
public record StoreConfig(String backend, Map<String, String> settings, Map<String, ClusterConfig> clusters,
                          String defaultCluster) {

    @JsonCreator
    public StoreConfig {
        backend = backend == null ? "" : backend.trim();
        settings = settings == null ? Map.of() : Map.copyOf(settings);
        clusters = clusters == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(clusters));
        defaultCluster = defaultCluster == null ? "" : defaultCluster.trim();
        if (!clusters.isEmpty() && (!backend.isEmpty() || !settings.isEmpty())) {
            throw new IllegalArgumentException("give either store.backend (one store) or store.clusters (several), not"
                    + " both; move the backend and its settings into a cluster");
        }
        for (Map.Entry<String, ClusterConfig> e : clusters.entrySet()) {
            if (e.getValue() == null || e.getValue().backend().isEmpty()) {
                throw new IllegalArgumentException("store.clusters." + e.getKey() + ".backend is missing; name a"
                        + " backend such as elasticsearch or lucene");
            }
            String named = e.getValue().settings().get("cluster");
            if (named != null && !named.equals(e.getKey())) {
                throw new IllegalArgumentException("store.clusters." + e.getKey() + ".settings.cluster is '" + named
                        + "' but the cluster is named '" + e.getKey() + "'; drop the setting");
            }
        }
        if (!defaultCluster.isEmpty() && !clusters.containsKey(defaultCluster)) {
            throw new IllegalArgumentException("store.default_cluster '" + defaultCluster + "' is not one of"
                    + " store.clusters " + clusters.keySet());
        }
    }

    public StoreConfig(String backend, Map<String, String> settings) {
        this(backend, settings, Map.of(), "");
    }

    public static StoreConfig defaults() {
        return new StoreConfig("", Map.of());
    }

    /**
     * One storage cluster of {@link StoreConfig#clusters()}.
     *
     * @param backend  a backend provider name
     * @param settings the backend's settings; {@code cluster} is set to the cluster's name
     */
    public record ClusterConfig(String backend, Map<String, String> settings) {
        public ClusterConfig {
            backend = backend == null ? "" : backend.trim();
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }

        /** The settings with {@code cluster} = the cluster's name. */
        public Map<String, String> settingsOf(String clusterName) {
            Map<String, String> s = new LinkedHashMap<>(settings);
            s.put("cluster", clusterName);
            return s;
        }
    }
}
