package io.bklog.core.ingest.source;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Which index set an Elasticsearch index name of a {@code _bulk} item goes to. In order:
 * <ol>
 *   <li>an index set of exactly that name ({@code app});</li>
 *   <li>the first configured pattern that matches ({@code *} and {@code ?} wildcards, e.g.
 *       {@code filebeat-* -> app_logs});</li>
 *   <li>a data stream name {@code <type>-<dataset>-<namespace>} ({@code logs-nginx.access-default}): the dataset
 *       with {@code .} and {@code -} as {@code _} ({@code nginx_access}) when such an index set exists;</li>
 *   <li>a versioned or dated name {@code <name>-<digits...>} ({@code filebeat-8.19.0}, {@code logstash-2026.12.05}):
 *       {@code <name>} when such an index set exists;</li>
 *   <li>the default index set, when configured;</li>
 *   <li>with {@code autoCreate} (Elasticsearch's {@code action.auto_create_index}), a new index set named by
 *       {@link #autoCreateName}: the data stream's dataset, the versioned name's stem, or the name itself, lower
 *       case with every other character than {@code a-z0-9_} as {@code _} ({@code sng-test} → {@code sng_test}).
 *       The original name keeps working for {@code _bulk} and search, as an alias.</li>
 * </ol>
 * Anything else is unknown: the item fails with {@code index_not_found_exception}. Immutable.
 *
 * @param patterns        index name pattern → index set name, tried in order
 * @param defaultIndexSet where names nothing else matches go; null or blank for none
 * @param autoCreate      make an index set for a name nothing else matches
 */
public record EsIndexMapping(Map<String, String> patterns, String defaultIndexSet, boolean autoCreate) {
    private static final Pattern DATA_STREAM = Pattern.compile("(logs|metrics|traces|synthetics)-(.+)-([^-]+)");
    private static final Pattern VERSIONED = Pattern.compile("([a-z][a-z0-9_]*)-\\d.*");

    public EsIndexMapping(Map<String, String> patterns, String defaultIndexSet) {
        this(patterns, defaultIndexSet, false);
    }

    public EsIndexMapping {
        patterns = patterns == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(patterns));
        defaultIndexSet = defaultIndexSet == null || defaultIndexSet.isBlank() ? null : defaultIndexSet;
    }

    /** No patterns, no default: only index set names and the conventions above. */
    public static EsIndexMapping none() {
        return new EsIndexMapping(Map.of(), null);
    }

    /**
     * The outcome of {@link #resolve}: the index set, or why there is none; {@code create} names the index set to make
     * first (auto-create), else null.
     */
    public record Resolution(Optional<String> indexSet, String reason, String create) {
        public Resolution(Optional<String> indexSet, String reason) {
            this(indexSet, reason, null);
        }
    }

    /**
     * The index set name an Elasticsearch index name stands for when it names none: a data stream
     * {@code logs-nginx.access-default} → {@code nginx_access}, a versioned or dated name {@code filebeat-8.19.0} →
     * {@code filebeat}, anything else lower case with each character outside {@code a-z0-9_} as {@code _}
     * ({@code sng-test} → {@code sng_test}); null for names that stand for none ({@code .kibana}, {@code _all}, empty).
     */
    public static String autoCreateName(String index) {
        if (index == null || index.isEmpty() || index.startsWith(".") || index.startsWith("_")
                || index.startsWith("-") || index.startsWith("+")) {
            return null;
        }
        String lower = index.toLowerCase(Locale.ROOT);
        var ds = DATA_STREAM.matcher(lower);
        String name = ds.matches() ? ds.group(2) : lower;
        var versioned = VERSIONED.matcher(name);
        if (!ds.matches() && versioned.matches()) name = versioned.group(1);
        name = name.replaceAll("[^a-z0-9_]", "_").replaceAll("^_+", "");
        if (name.length() > 128) name = name.substring(0, 128);
        return name.isEmpty() ? null : name;
    }

    /**
     * @param index  the index name of the item ({@code _index} or the path's)
     * @param exists whether an index set of that name exists (and the caller may write to it)
     */
    public Resolution resolve(String index, Predicate<String> exists) {
        if (exists.test(index)) return found(index);
        for (Map.Entry<String, String> p : patterns.entrySet()) {
            if (glob(p.getKey()).matcher(index).matches()) {
                if (exists.test(p.getValue())) return found(p.getValue());
                return new Resolution(Optional.empty(), "no such index [" + index + "]: it maps (pattern ["
                        + p.getKey() + "]) to index set [" + p.getValue() + "], which does not exist");
            }
        }
        String lower = index.toLowerCase(Locale.ROOT);
        var ds = DATA_STREAM.matcher(lower);
        if (ds.matches()) {
            String dataset = ds.group(2).replace('.', '_').replace('-', '_');
            if (exists.test(dataset)) return found(dataset);
        }
        var versioned = VERSIONED.matcher(lower);
        if (versioned.matches() && exists.test(versioned.group(1))) return found(versioned.group(1));
        if (defaultIndexSet != null) {
            if (exists.test(defaultIndexSet)) return found(defaultIndexSet);
            return new Resolution(Optional.empty(), "no such index [" + index + "]: the default index set ["
                    + defaultIndexSet + "] does not exist");
        }
        String auto = autoCreateName(index);
        if (auto != null && !auto.equals(index) && exists.test(auto)) return found(auto);
        if (autoCreate && auto != null) return new Resolution(Optional.of(auto), null, auto);
        return new Resolution(Optional.empty(), "no such index [" + index + "]: no index set of that name, no"
                + " es_compat.index_mapping pattern matches it, no es_compat.default_index_set is configured"
                + (auto == null ? " and it cannot name a new one" : " and es_compat.auto_create_index is off"));
    }

    private static Resolution found(String indexSet) {
        return new Resolution(Optional.of(indexSet), null);
    }

    private static Pattern glob(String glob) {
        StringBuilder re = new StringBuilder();
        for (String part : List.of(glob.split("(?=[*?])|(?<=[*?])"))) {
            switch (part) {
                case "*" -> re.append(".*");
                case "?" -> re.append('.');
                default -> re.append(Pattern.quote(part));
            }
        }
        return Pattern.compile(re.toString());
    }
}
