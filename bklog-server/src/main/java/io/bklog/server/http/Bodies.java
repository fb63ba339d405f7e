package io.bklog.server.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.javalin.http.Context;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads request bodies; JSON errors become {@link ErrorCode#BAD_JSON} / {@link ErrorCode#BAD_REQUEST}. */
public final class Bodies {
    private static final TypeReference<List<Object>> LIST = new TypeReference<>() {};

    private final ObjectMapper json;

    public Bodies(ObjectMapper json) {
        this.json = json;
    }

    /** The body as {@code type}; an empty body gives {@code empty}. */
    public <T> T read(Context ctx, Class<T> type, T empty) {
        byte[] body = ctx.bodyAsBytes();
        if (isBlank(body)) return empty;
        T value;
        try {
            value = json.readValue(body, type);
        } catch (IOException e) {
            throw JsonErrors.of(e);
        }
        if (value == null) {
            throw new BklogException(ErrorCode.BAD_JSON, "the request body is the JSON null; send a JSON object (or"
                    + " no body for the defaults)", null);
        }
        return value;
    }

    /**
     * A batch of documents: a JSON array of objects, or JSON lines (objects one after another, usually one per line).
     * Any malformed text or non-object item refuses the whole batch with its line and column.
     */
    public List<Map<String, Object>> documents(Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        if (isBlank(body)) {
            throw new BklogException(ErrorCode.BAD_JSON, "the request body is empty; send a JSON array of objects or"
                    + " JSON lines (one object per line)", null);
        }
        try {
            return firstNonBlank(body) == '[' ? array(body) : lines(body);
        } catch (IOException e) {
            throw JsonErrors.of(e);
        }
    }

    private List<Map<String, Object>> array(byte[] body) throws IOException {
        List<Object> items = json.readValue(body, LIST);
        List<Map<String, Object>> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(object(items.get(i), "item " + i + " of the array", null));
        }
        return out;
    }

    private List<Map<String, Object>> lines(byte[] body) throws IOException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (MappingIterator<Object> it = json.readerFor(Object.class).readValues(body)) {
            while (it.hasNextValue()) {
                JsonLocation at = it.getParser().currentTokenLocation();
                Object v = it.nextValue();
                out.add(object(v, "the JSON value at line " + at.getLineNr() + ", column " + at.getColumnNr(), at));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(Object v, String where, JsonLocation at) {
        if (v instanceof Map<?, ?> m) return (Map<String, Object>) m;
        Map<String, Object> details = new LinkedHashMap<>();
        if (at != null) {
            details.put("line", at.getLineNr());
            details.put("column", at.getColumnNr());
        }
        throw new BklogException(ErrorCode.BAD_JSON, where + " is " + (v == null ? "null" : "a "
                + (v instanceof List ? "array" : v instanceof String ? "string" : v instanceof Number ? "number"
                : "boolean")) + ", not a JSON object; the whole batch was refused, nothing was stored",
                null, details, null);
    }

    private static boolean isBlank(byte[] body) {
        return firstNonBlank(body) < 0;
    }

    private static int firstNonBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') return b;
        }
        return -1;
    }

    /** Turns Jackson's exceptions into API errors. */
    static final class JsonErrors {
        private JsonErrors() {}

        static BklogException of(IOException e) {
            // a record that validates itself (an alert rule) says what is wrong, with its own code and field
            if (e.getCause() instanceof BklogException b) return b;
            if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
                String field = path(u);
                return new BklogException(ErrorCode.BAD_REQUEST, "unknown parameter '" + field + "'; known: "
                        + u.getKnownPropertyIds(), field, location(u), e);
            }
            if (e instanceof com.fasterxml.jackson.databind.JsonMappingException d) {
                String field = path(d);
                String why = d.getCause() instanceof IllegalArgumentException iae ? iae.getMessage()
                        : d.getOriginalMessage();
                return new BklogException(ErrorCode.BAD_REQUEST, "bad value for '" + field + "': " + why, field,
                        location(d), e);
            }
            if (e instanceof JacksonException j) {
                Map<String, Object> at = location(j);
                return new BklogException(ErrorCode.BAD_JSON, "the request body is not valid JSON"
                        + (at.isEmpty() ? "" : " at line " + at.get("line") + ", column " + at.get("column")) + ": "
                        + j.getOriginalMessage() + "; nothing was stored", null, at, e);
            }
            return new BklogException(ErrorCode.BAD_JSON, "cannot read the request body: " + e.getMessage(), null,
                    Map.of(), e);
        }

        private static Map<String, Object> location(JacksonException e) {
            JsonLocation l = e.getLocation();
            if (l == null || l.getLineNr() < 0) return Map.of();
            return Map.of("line", l.getLineNr(), "column", l.getColumnNr());
        }

        private static String path(com.fasterxml.jackson.databind.JsonMappingException d) {
            StringBuilder sb = new StringBuilder();
            for (var ref : d.getPath()) {
                if (ref.getFieldName() != null) {
                    if (!sb.isEmpty()) sb.append('.');
                    sb.append(ref.getFieldName());
                } else if (ref.getIndex() >= 0) {
                    sb.append('[').append(ref.getIndex()).append(']');
                }
            }
            return sb.isEmpty() ? "body" : sb.toString();
        }
    }
}
