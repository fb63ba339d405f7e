package io.bklog.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.bklog.spi.BufferedDocument;
import io.bklog.spi.LogDocument;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The record value of the Kafka ingest buffer: JSON {@code {"v":1,"indexSet","key","document":{"id","timestamp",
 * "fields"}}} with the exact Java types kept — integers read back as {@link Long}, decimals (also NaN and
 * infinities) as {@link Double}, plus {@link String}, {@link Boolean}, {@code null} and {@link List}s of those. The
 * timestamp is an ISO-8601 instant (nanosecond precision kept). Streaming Jackson, no data binding. Thread-safe.
 */
final class DocumentCodec {

    static final int VERSION = 1;

    private final JsonFactory json = JsonFactory.builder()
            .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    /** @throws IllegalArgumentException naming the field whose value has a type a document may not hold */
    byte[] encode(BufferedDocument d) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("v", VERSION);
            g.writeStringField("indexSet", d.indexSet());
            g.writeStringField("key", d.key());
            g.writeObjectFieldStart("document");
            LogDocument doc = d.document();
            g.writeStringField("id", doc.id());
            g.writeStringField("timestamp", doc.timestamp().toString());
            g.writeObjectFieldStart("fields");
            for (Map.Entry<String, Object> e : doc.fields().entrySet()) {
                g.writeFieldName(e.getKey());
                writeValue(g, doc.id(), e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void writeValue(JsonGenerator g, String id, String field, Object v) throws IOException {
        if (v == null) g.writeNull();
        else if (v instanceof String s) g.writeString(s);
        else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) g.writeNumber(((Number) v).longValue());
        else if (v instanceof Double || v instanceof Float) g.writeNumber(((Number) v).doubleValue());
        else if (v instanceof Boolean b) g.writeBoolean(b);
        else if (v instanceof List<?> list) {
            g.writeStartArray();
            for (Object item : list) {
                if (item instanceof List) throw badType(id, field, item, "a list inside a list");
                writeValue(g, id, field, item);
            }
            g.writeEndArray();
        } else throw badType(id, field, v, v.getClass().getName());
    }

    private static IllegalArgumentException badType(String id, String field, Object v, String what) {
        return new IllegalArgumentException("field '" + field + "' of document '" + id + "' holds " + what
                + " (" + v + "); expected String, Long, Double, Boolean or a List of those");
    }

    /** @throws IllegalArgumentException saying what is wrong with the record (it goes to the dead-letter topic) */
    BufferedDocument decode(byte[] value) {
        if (value == null) throw new IllegalArgumentException("empty record value (null)");
        try (JsonParser p = json.createParser(value)) {
            expect(p.nextToken(), JsonToken.START_OBJECT, "record");
            String indexSet = null;
            String key = null;
            LogDocument doc = null;
            int version = -1;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "v" -> version = p.getIntValue();
                    case "indexSet" -> indexSet = text(p, t, name);
                    case "key" -> key = text(p, t, name);
                    case "document" -> doc = readDocument(p, t);
                    default -> p.skipChildren();
                }
            }
            if (version != VERSION) throw new IllegalArgumentException("unknown record version " + version + ", expected " + VERSION);
            if (indexSet == null) throw new IllegalArgumentException("record has no 'indexSet'");
            if (doc == null) throw new IllegalArgumentException("record has no 'document'");
            return new BufferedDocument(indexSet, key, doc);
        } catch (IOException e) {
            throw new IllegalArgumentException("record is not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()), e);
        }
    }

    private static LogDocument readDocument(JsonParser p, JsonToken t) throws IOException {
        expect(t, JsonToken.START_OBJECT, "document");
        String id = null;
        Instant ts = null;
        Map<String, Object> fields = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            switch (name) {
                case "id" -> id = text(p, v, "document.id");
                case "timestamp" -> {
                    try {
                        ts = Instant.parse(text(p, v, "document.timestamp"));
                    } catch (DateTimeParseException e) {
                        throw new IllegalArgumentException("document.timestamp is not an ISO-8601 instant: " + e.getParsedString());
                    }
                }
                case "fields" -> {
                    expect(v, JsonToken.START_OBJECT, "document.fields");
                    while (p.nextToken() == JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        fields.put(field, readValue(p, p.nextToken(), field, true));
                    }
                }
                default -> p.skipChildren();
            }
        }
        if (id == null) throw new IllegalArgumentException("document has no 'id'");
        if (ts == null) throw new IllegalArgumentException("document '" + id + "' has no 'timestamp'");
        return new LogDocument(id, ts, fields);
    }

    private static Object readValue(JsonParser p, JsonToken t, String field, boolean listAllowed) throws IOException {
        switch (t) {
            case VALUE_STRING: return p.getText();
            case VALUE_NUMBER_INT:
                if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                    throw new IllegalArgumentException("field '" + field + "' holds an integer out of the Long range: " + p.getText());
                }
                return p.getLongValue();
            case VALUE_NUMBER_FLOAT: return p.getDoubleValue();
            case VALUE_TRUE: return Boolean.TRUE;
            case VALUE_FALSE: return Boolean.FALSE;
            case VALUE_NULL: return null;
            case START_ARRAY:
                if (listAllowed) {
                    List<Object> list = new ArrayList<>();
                    JsonToken item;
                    while ((item = p.nextToken()) != JsonToken.END_ARRAY) list.add(readValue(p, item, field, false));
                    return list;
                }
                // fall through: a list inside a list
            default:
                throw new IllegalArgumentException("field '" + field + "' holds " + t + "; expected a string, number, boolean or a list of those");
        }
    }

    private static String text(JsonParser p, JsonToken t, String what) throws IOException {
        if (t == JsonToken.VALUE_NULL) return null;
        expect(t, JsonToken.VALUE_STRING, what);
        return p.getText();
    }

    private static void expect(JsonToken got, JsonToken want, String what) {
        if (got != want) throw new IllegalArgumentException(what + ": expected " + want + ", found " + got);
    }
}
