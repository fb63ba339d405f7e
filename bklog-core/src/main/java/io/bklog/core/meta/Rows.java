package io.bklog.core.meta;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

/** Normalisation shared by the row records' compact constructors, so a row reads back equal to what was saved. */
final class Rows {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Rows() {
    }

    /** Millisecond precision, as stored. */
    static Instant ms(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.MILLIS);
    }

    /** A canonical, private copy of a JSON value (numbers re-read the way the database returns them). */
    static JsonNode json(JsonNode node, JsonNode whenNull) {
        if (node == null || node.isNull() || node.isMissingNode()) return whenNull;
        try {
            return MAPPER.readTree(MAPPER.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("invalid JSON value: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode object(JsonNode node) {
        return json(node, JsonNodeFactory.instance.objectNode());
    }

    static JsonNode array(JsonNode node) {
        return json(node, JsonNodeFactory.instance.arrayNode());
    }

    static JsonNode nullable(JsonNode node) {
        return json(node, NullNode.getInstance());
    }

    static List<String> strings(List<String> list) {
        return list == null ? List.of() : List.copyOf(list);
    }

    static String required(String value, String what) {
        // missing is the caller's input, as blank is: an IllegalArgumentException (a 400), not a NullPointerException
        if (value == null) throw new IllegalArgumentException(what + " is required");
        if (value.isBlank()) throw new IllegalArgumentException(what + " must not be blank");
        return value;
    }

    static String max(String value, int max, String what) {
        if (value != null && value.length() > max) {
            throw new IllegalArgumentException(what + " is " + value.length() + " characters long; at most " + max
                    + " are allowed");
        }
        return value;
    }
}
