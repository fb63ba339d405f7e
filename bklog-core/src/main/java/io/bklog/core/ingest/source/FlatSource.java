package io.bklog.core.ingest.source;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.bklog.core.meta.IndexSet;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a {@code _bulk} item's source in one pass with a streaming parser straight into the flat fields
 * {@link io.bklog.core.DirectIngest#flatDocument} takes (nested objects joined with dots, nulls left out, integers as
 * {@code Long}, decimals as {@code Double}, an object or array inside an array as its canonical JSON), with
 * {@link EsBulkService#conventions} applied to the flat fields: the same fields, values and order that reading the
 * source into a {@code Map}, applying the conventions and flattening it give, without the {@code Map} in between.
 *
 * <p>Answers null whenever that equivalence is not plain, and the caller then takes the old path, which also gives
 * the errors: a source that is not a JSON object or not valid JSON, a key repeated within one object (the mapper
 * keeps the last, whole subtree included) or a flat name two paths make ({@code a.b} and {@code a: {b}}), an integer
 * beyond {@code long}, and an ECS {@code log} object replaced by a {@code message} next to top-level keys that start
 * with {@code log.} or a time field under {@code log.}. Thread-safe.
 */
final class FlatSource {
    /** The mapper the old path reads sources with: arrays' objects are read with it, as they were. */
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    private static final JsonFactory FACTORY = JSON.getFactory();
    /**
     * Put for a key whose value leaves no field (null, an object): a repeated key, or a dotted name that another
     * path also makes, then shows as a put over an existing entry, which sends the source to the old path. Removed
     * before the conventions.
     */
    private static final Object PLACEHOLDER = new Object();
    private static final String[] TIME_CONVENTIONS = EsBulkService.TIME_CONVENTIONS.toArray(String[]::new);
    private static final String[] TEXT_CONVENTIONS = EsBulkService.TEXT_CONVENTIONS.toArray(String[]::new);

    private FlatSource() {}

    /** What one read saw: top-level keys the conventions depend on (even with a null value), placeholders put. */
    private static final class State {
        final String timeField;
        boolean timeFieldKey;
        boolean logObject;
        boolean dottedLogKey;
        int placeholders;

        State(String timeField) {
            this.timeField = timeField;
        }
    }

    /**
     * The flat fields of {@code source} with the shipper conventions of {@code set} applied, or null when the caller
     * must read it the old way (see the class comment).
     */
    static LinkedHashMap<String, Object> read(String source, IndexSet set) {
        State st = new State(set.timeField());
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        try (JsonParser p = FACTORY.createParser(source)) {
            if (p.nextToken() != JsonToken.START_OBJECT) return null;
            if (!object(p, "", out, st, true)) return null;
            if (p.nextToken() != null) return null; // something after the object: the old path refuses it
        } catch (IOException | RuntimeException e) {
            return null; // bad JSON, a parser limit: the old path decides and words the error
        }
        if (st.placeholders > 0) out.values().removeIf(v -> v == PLACEHOLDER);
        return conventions(out, st) ? out : null;
    }

    /** Reads the fields of the object the parser is in (after its START_OBJECT); false: take the old path. */
    private static boolean object(JsonParser p, String prefix, Map<String, Object> out, State st, boolean top)
            throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            String key = prefix.isEmpty() ? name : prefix + name;
            JsonToken v = p.nextToken();
            if (top) {
                if (name.equals(st.timeField)) st.timeFieldKey = true;
                if (name.startsWith(EsBulkService.TEXT_FIELD + ".")) st.dottedLogKey = true;
                if (v == JsonToken.START_OBJECT && name.equals(EsBulkService.TEXT_FIELD)) st.logObject = true;
            }
            switch (v) {
                case START_OBJECT -> {
                    if (!placeholder(key, out, st) || !object(p, key + ".", out, st, false)) return false;
                }
                case START_ARRAY -> {
                    List<Object> values = new ArrayList<>();
                    JsonToken e;
                    while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                        if (e == null) return false;
                        if (e == JsonToken.START_OBJECT || e == JsonToken.START_ARRAY) {
                            Object o = JSON.readValue(p, Object.class); // as the mapper reads it, then canonical
                            values.add(CANONICAL.writeValueAsString(o));
                        } else if (e != JsonToken.VALUE_NULL) {
                            Object s = scalar(p, e);
                            if (s == null) return false;
                            values.add(s);
                        }
                    }
                    if (out.put(key, values) != null) return false;
                }
                case VALUE_NULL -> {
                    if (!placeholder(key, out, st)) return false;
                }
                default -> {
                    Object s = scalar(p, v);
                    if (s == null || out.put(key, s) != null) return false;
                }
            }
        }
        return t == JsonToken.END_OBJECT;
    }

    /** Marks a key that leaves no field; false when the key was there already (take the old path). */
    private static boolean placeholder(String key, Map<String, Object> out, State st) {
        st.placeholders++;
        return out.put(key, PLACEHOLDER) == null;
    }

    /** A scalar as the old path has it after flattening; null: take the old path. */
    private static Object scalar(JsonParser p, JsonToken t) throws IOException {
        return switch (t) {
            case VALUE_STRING -> p.getText();
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NUMBER_INT -> switch (p.getNumberType()) {
                case INT -> (long) p.getIntValue();
                case LONG -> p.getLongValue();
                default -> null; // beyond long: rare, the old path keeps its own rules
            };
            case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
            default -> null;
        };
    }

    /**
     * {@link EsBulkService#conventions} on the flat fields: the time field from {@code @timestamp}, {@code time},
     * {@code timestamp} when the source has no top-level key of that name, {@code log} from {@code message},
     * {@code msg}, {@code MESSAGE} unless it is a string. False: take the old path.
     */
    private static boolean conventions(LinkedHashMap<String, Object> fields, State st) {
        if (!st.timeFieldKey) {
            for (String k : TIME_CONVENTIONS) {
                Object v = fields.get(k);
                if (k.equals("@timestamp") && v instanceof String s) {
                    fields.put(st.timeField, s);
                    break;
                }
                Long ms = EsBulkService.epochMillis(v);
                if (ms != null) {
                    fields.put(st.timeField, ms);
                    break;
                }
            }
        }
        String log = EsBulkService.TEXT_FIELD;
        if (fields.get(log) instanceof String) return true;
        for (String k : TEXT_CONVENTIONS) {
            if (fields.get(k) instanceof String m) {
                fields.remove(log); // a scalar or an array: replaced, at the end (as the old path puts it)
                if (st.logObject) {
                    // the ECS log object's fields go after the others, then log itself
                    if (st.dottedLogKey || st.timeField.startsWith(log + ".")) return false;
                    List<Map.Entry<String, Object>> ecs = new ArrayList<>();
                    for (Iterator<Map.Entry<String, Object>> i = fields.entrySet().iterator(); i.hasNext(); ) {
                        Map.Entry<String, Object> e = i.next();
                        if (e.getKey().startsWith(log + ".")) {
                            ecs.add(Map.entry(e.getKey(), e.getValue()));
                            i.remove();
                        }
                    }
                    for (Map.Entry<String, Object> e : ecs) fields.put(e.getKey(), e.getValue());
                }
                fields.put(log, m);
                return true;
            }
        }
        return true;
    }
}
