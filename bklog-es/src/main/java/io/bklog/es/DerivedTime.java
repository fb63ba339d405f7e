package io.bklog.es;

import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The event time, kept once when a shipper's time field is a copy of it. A {@code _bulk} document brings its time as
 * {@code @timestamp} and the platform adds the index set's time field ({@code dtEventTimeStamp} by default) with the
 * same instant; both mapped as dates, Elasticsearch would parse and index the instant twice (points and doc values
 * of two fields; docs/benchmarks.md, issue 26). A date field is written as epoch millis ({@link FieldValues#convert}), so the two hold the same number. When one
 * of {@link #SOURCES} is mapped as a date and holds the time field's millis, the document is written with the time
 * field only, and the source field's place in {@code _source} holds {@value EsMappings#TIME_FROM}{@code : <its name>}
 * instead (a keyword with doc values only, not indexed: the same value in every such document, close to nothing on
 * disk). A query on that field also matches the time field of the documents so marked ({@link EsQueries}); a sort or
 * an aggregation on it reads the field itself when no matched document is marked, the time field when all are, and
 * otherwise a search-time field ({@link #SCRIPT}) that takes the time field's value for the marked ones
 * ({@link EsSearcher}); a hit read back gets the field again, same value, same place ({@link #restore}). Every other document keeps its
 * fields as they came (a {@code @timestamp} of another instant, a list, a field mapped as a keyword...).
 */
final class DerivedTime {
    /** the shipper time fields the platform copies into the time field ({@code _bulk}'s time conventions) */
    static final List<String> SOURCES = List.of("@timestamp", "time", "timestamp");
    /** prefix of the search-time date field that stands for a source field in sorts and aggregations */
    static final String RUNTIME_PREFIX = "__time_of_";

    private DerivedTime() {}

    /**
     * The field of {@link #SOURCES} in {@code fields} that is a copy of the time field {@code timeField} holding
     * {@code millis}, both mapped as dates in {@code types}; null when none is.
     */
    static String sourceOf(Map<String, Object> fields, Map<String, FieldType> types, String timeField, long millis) {
        if (types.get(timeField) != FieldType.DATE) return null;
        for (String k : SOURCES) {
            if (k.equals(timeField) || types.get(k) != FieldType.DATE) continue;
            Object v = fields.get(k);
            if (v == null || v instanceof List<?>) continue;
            try {
                if (FieldValues.convert(k, FieldType.DATE, v) instanceof Long l && l == millis) return k;
            } catch (IllegalArgumentException e) {
                return null; // the document is refused for it anyway
            }
        }
        return null;
    }

    /**
     * Gives a stored source its time field copy back, in the marker's place, with the value of the first of
     * {@code timeFields} it holds; removes the marker.
     */
    static Map<String, Object> restore(Map<String, Object> source, Iterable<String> timeFields) {
        if (!(source.get(EsMappings.TIME_FROM) instanceof String from)) {
            source.remove(EsMappings.TIME_FROM);
            return source;
        }
        Object time = null;
        for (String tf : timeFields) {
            time = source.get(tf);
            if (time != null) break;
        }
        if (time == null || source.containsKey(from)) {
            source.remove(EsMappings.TIME_FROM);
            return source;
        }
        Map<String, Object> out = new LinkedHashMap<>(source.size() * 2);
        for (Map.Entry<String, Object> e : source.entrySet()) {
            if (e.getKey().equals(EsMappings.TIME_FROM)) out.put(from, time);
            else out.put(e.getKey(), e.getValue());
        }
        return out;
    }

    /** Whether {@code field} may be kept in a time field: queries, sorts and aggregations on it need a look there. */
    static boolean isSource(String field, Map<String, FieldType> fields, Iterable<String> timeFields) {
        if (!SOURCES.contains(field) || fields.get(field) != FieldType.DATE) return false;
        for (String tf : timeFields) {
            if (!tf.equals(field) && fields.get(tf) == FieldType.DATE) return true;
        }
        return false;
    }

    /** The name of the search-time field standing for {@code field}. */
    static String runtimeName(String field) {
        return RUNTIME_PREFIX + field;
    }

    /**
     * Painless for the search-time date field standing for {@code field}: its own values, else, in a document marked
     * as keeping it in the time field, the time field's. {@code params.f}: the field; {@code params.t}: the time
     * fields.
     */
    static final String SCRIPT = "String f = params.f; if (doc.containsKey(f) && doc[f].size() > 0) {"
            + " for (def v : doc[f]) { emit(v.toInstant().toEpochMilli()); } return; }"
            + " String m = '" + EsMappings.TIME_FROM + "';"
            + " if (!doc.containsKey(m) || doc[m].size() == 0 || doc[m].value != f) { return; }"
            + " for (String t : params.t) { if (doc.containsKey(t) && doc[t].size() > 0) {"
            + " for (def v : doc[t]) { emit(v.toInstant().toEpochMilli()); } return; } }";

    /** The time fields among {@code timeFields} other than {@code field}, for {@link #SCRIPT}'s {@code params.t}. */
    static List<String> timeFieldsFor(String field, Iterable<String> timeFields) {
        List<String> out = new ArrayList<>();
        for (String tf : timeFields) {
            if (!tf.equals(field)) out.add(tf);
        }
        return out;
    }
}
