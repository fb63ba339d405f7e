package io.bklog.es;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexInfo;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The catalogue side of an {@link EsLogStore}: index sets as composable index templates ({@link EsMappings}) with
 * their schemas cached, physical indices and their aliases, and index deletion.
 */
final class EsIndexSets {
    private static final Logger log = LoggerFactory.getLogger(EsLogStore.class);

    private final EsConnection connection;
    private final ObjectMapper json;
    private final EsHttp http;
    private final String templatePrefix;
    private final Map<String, IndexSetSchema> schemas = new ConcurrentHashMap<>();
    /** The node refused the newer index settings once (before 8.14): templates go without them from then on. */
    private volatile boolean olderNode;

    EsIndexSets(EsConnection connection, EsHttp http, String templatePrefix) {
        this.connection = connection;
        this.json = connection.mapper();
        this.http = http;
        this.templatePrefix = templatePrefix;
    }

    void ensureIndexSet(IndexSetSchema schema) {
        Objects.requireNonNull(schema, "schema");
        IndexSetSchema existing = loadSchema(schema.name());
        IndexSetSchema merged = schema;
        List<FieldSpec> added = schema.fields();
        if (existing != null) {
            Map<String, FieldSpec> byName = new LinkedHashMap<>();
            existing.fields().forEach(f -> byName.put(f.name(), f));
            List<FieldSpec> newOnes = new ArrayList<>();
            for (FieldSpec f : schema.fields()) {
                FieldSpec old = byName.get(f.name());
                if (old != null && old.type() != f.type()) {
                    throw new IllegalArgumentException("index set '" + schema.name() + "': field '" + f.name()
                            + "' is mapped as " + old.type().wireName() + " and cannot change to " + f.type().wireName()
                            + "; add a new field instead");
                }
                if (old == null) {
                    byName.put(f.name(), f);
                    newOnes.add(f);
                }
            }
            merged = new IndexSetSchema(schema.name(), existing.timeField(), List.copyOf(byName.values()),
                    schema.shards(), schema.replicas(), schema.rolloverBytes());
            added = newOnes;
        }
        ObjectNode body = json.createObjectNode();
        body.putArray("index_patterns").add(IndexNames.PREFIX + schema.name() + "_*");
        // a longer set name wins over a shorter one whose pattern also matches (v2_app_* vs v2_app_x_*)
        body.put("priority", 100 + schema.name().length());
        ObjectNode template = body.putObject("template");
        template.set("settings", EsMappings.settings(json, merged));
        template.set("mappings", EsMappings.mappings(json, merged));
        body.putObject("_meta").put("bklog_index_set", schema.name());
        if (olderNode) template.set("settings", EsMappings.forOlderNodes((ObjectNode) template.get("settings")));
        try {
            perform("PUT", "/_index_template/" + templateName(schema.name()), body);
        } catch (IllegalArgumentException e) {
            if (olderNode || !EsMappings.refusedNewerSetting(e.getMessage())) throw e;
            // an older 8.x node: its best_compression is DEFLATE already, and it keeps its own merge policy;
            // remembered, so later templates go without them at once
            template.set("settings", EsMappings.forOlderNodes((ObjectNode) template.get("settings")));
            perform("PUT", "/_index_template/" + templateName(schema.name()), body);
            olderNode = true;
            log.info("es-index-set-older-node-settings indexSet={} reason=\"{}\"", schema.name(), e.getMessage());
        }
        if (existing != null) {
            ObjectNode props = EsMappings.internalProperties(json);
            for (FieldSpec f : added) props.set(f.name(), EsMappings.property(json, f.type()));
            ObjectNode mapping = json.createObjectNode();
            mapping.set("properties", props);
            perform("PUT", "/" + IndexNames.PREFIX + schema.name() + "_*/_mapping?allow_no_indices=true", mapping);
            if (existing.replicas() != merged.replicas()) {
                // replicas, unlike shards, is a dynamic setting: the set's existing indices follow at once
                // (only the set's own indices: v2_app_* also matches the indices of a set app_x)
                List<String> own = new ArrayList<>();
                JsonNode cat = performOrNull("GET", "/_cat/indices/" + IndexNames.PREFIX + schema.name()
                        + "_*?h=index&format=json&expand_wildcards=open");
                if (cat != null) {
                    for (JsonNode i : cat) {
                        String index = i.path("index").asText();
                        IndexNames.parse(index).filter(p -> p.indexSet().equals(schema.name()) && !p.restored())
                                .ifPresent(p -> own.add(index));
                    }
                }
                ObjectNode settings = json.createObjectNode();
                settings.putObject("index").put("number_of_replicas", merged.replicas());
                for (int i = 0; i < own.size(); i += 50) { // 50 names a request keep the URL short
                    perform("PUT", "/" + String.join(",", own.subList(i, Math.min(own.size(), i + 50)))
                            + "/_settings", settings);
                }
                log.info("es-index-set-replicas indexSet={} from={} to={} indices={}", schema.name(),
                        existing.replicas(), merged.replicas(), own.size());
            }
        }
        schemas.put(schema.name(), merged);
        log.info("es-index-set-ensured indexSet={} fields={} added={}", schema.name(), merged.fields().size(),
                added.size());
    }

    Set<String> indexSets() {
        Set<String> out = new TreeSet<>(schemas.keySet());
        JsonNode r = performOrNull("GET", "/_index_template/" + templatePrefix + "*");
        if (r != null) {
            for (JsonNode t : r.path("index_templates")) {
                String set = t.path("index_template").path("_meta").path("bklog_index_set").asText("");
                if (!set.isEmpty()) out.add(set);
            }
        }
        return out;
    }

    /** The schema of an index set as this store knows it (cached, else read back from its template). */
    public IndexSetSchema schema(String indexSet) {
        IndexSetSchema s = loadSchema(indexSet);
        if (s == null) {
            throw new IllegalArgumentException("index set '" + indexSet + "' does not exist in Elasticsearch "
                    + connection.hosts() + "; create it with ensureIndexSet first");
        }
        return s;
    }

    /** The schema of an index set (cached, else read back from its template), or null. */
    IndexSetSchema loadSchema(String indexSet) {
        IndexSetSchema cached = schemas.get(indexSet);
        if (cached != null) return cached;
        JsonNode r = performOrNull("GET", "/_index_template/" + templateName(indexSet));
        if (r == null) return null;
        for (JsonNode t : r.path("index_templates")) {
            JsonNode mappings = t.path("index_template").path("template").path("mappings");
            IndexSetSchema s = EsMappings.schemaOf(indexSet, mappings);
            schemas.put(indexSet, s);
            return s;
        }
        return null;
    }

    private final Map<String, Map<String, FieldType>> fieldTypes = new ConcurrentHashMap<>();

    Map<String, FieldType> fieldTypes(IndexSetSchema schema) {
        Map<String, FieldType> cached = fieldTypes.get(schema.name());
        if (cached != null && cached.size() == schema.fields().size()) return cached;
        Map<String, FieldType> m = new HashMap<>();
        schema.fields().forEach(f -> m.put(f.name(), f.type()));
        fieldTypes.put(schema.name(), m);
        return m;
    }

    private String templateName(String indexSet) {
        return templatePrefix + indexSet;
    }

    List<IndexInfo> listIndices(String indexSetOrPattern) {
        String pattern = indexSetOrPattern == null || indexSetOrPattern.isBlank() ? "*" : indexSetOrPattern;
        JsonNode aliasesByIndex = perform("GET", "/_alias", null);
        JsonNode stats = perform("GET", "/_stats/docs,store?level=indices", null).path("indices");
        Set<String> sets = indexSets();
        Pattern glob = glob(pattern);
        List<IndexInfo> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = aliasesByIndex.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String index = e.getKey();
            if (index.startsWith(".")) continue;
            Set<String> aliases = new TreeSet<>();
            e.getValue().path("aliases").fieldNames().forEachRemaining(aliases::add);
            String set = IndexNames.parse(index).map(IndexNames.Parsed::indexSet)
                    .orElseGet(() -> aliases.stream().filter(sets::contains).findFirst().orElse(""));
            boolean match = glob.matcher(index).matches() || (!set.isEmpty() && glob.matcher(set).matches())
                    || aliases.stream().anyMatch(a -> glob.matcher(a).matches());
            if (!match) continue;
            JsonNode st = stats.path(index);
            long docs = st.path("primaries").path("docs").path("count").asLong(0);
            long bytes = st.path("total").path("store").path("size_in_bytes").asLong(0);
            out.add(new IndexInfo(index, set, docs, bytes, aliases));
        }
        out.sort(java.util.Comparator.comparing(IndexInfo::name));
        return out;
    }

    private static Pattern glob(String pattern) {
        StringBuilder sb = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            if (c == '*') sb.append(".*");
            else if (c == '?') sb.append('.');
            else sb.append(Pattern.quote(String.valueOf(c)));
        }
        return Pattern.compile(sb.toString());
    }

    void addAlias(String index, String alias) {
        ObjectNode actions = json.createObjectNode();
        actions.putArray("actions").addObject().putObject("add").put("index", index).put("alias", alias);
        perform("POST", "/_aliases", actions);
    }

    void removeAlias(String index, String alias) {
        ObjectNode actions = json.createObjectNode();
        actions.putArray("actions").addObject().putObject("remove").put("index", index).put("alias", alias)
                .put("must_exist", false);
        try {
            perform("POST", "/_aliases", actions);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().contains("index_not_found_exception")
                    && !e.getMessage().contains("aliases_not_found_exception")) {
                throw e;
            }
        }
    }

    /** Deletes concrete indices (missing ones ignored), telling {@code deleted} each name asked for. */
    void deleteIndices(Collection<String> indices, java.util.function.Consumer<String> deleted) {
        List<String> names = new ArrayList<>(new LinkedHashSet<>(indices));
        for (int i = 0; i < names.size(); i += 50) {
            List<String> chunk = names.subList(i, Math.min(names.size(), i + 50));
            for (String n : chunk) {
                if (n.isBlank() || n.contains("*") || n.contains(",")) {
                    throw new IllegalArgumentException("deleteIndices takes concrete index names, got '" + n + "'");
                }
            }
            perform("DELETE", "/" + String.join(",", chunk) + "?ignore_unavailable=true&allow_no_indices=true"
                    + "&expand_wildcards=none", null);
            chunk.forEach(deleted);
        }
    }

    private JsonNode perform(String method, String path, JsonNode body) {
        return http.perform(method, path, body);
    }

    private JsonNode performOrNull(String method, String path) {
        return http.performOrNull(method, path);
    }

}
