package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** Reading {@code source_params} of the built-in sources, collecting problems as {@code "name: why"}. */
final class SourceParams {
    private final JsonNode params;
    private final List<String> problems;

    SourceParams(JsonNode params, List<String> problems) {
        this.params = params == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : params;
        this.problems = problems;
    }

    boolean isObject() {
        if (!params.isObject()) {
            problems.add("source_params: expected a JSON object");
            return false;
        }
        return true;
    }

    void unknown(Set<String> known) {
        for (Iterator<String> it = params.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!known.contains(k)) problems.add(k + ": unknown parameter; known: " + String.join(", ", known.stream().sorted().toList()));
        }
    }

    /** A list of strings (a single string is taken as a list of one); empty when absent or invalid. */
    List<String> strings(String name) {
        JsonNode v = params.get(name);
        List<String> out = new ArrayList<>();
        if (v == null || v.isNull()) return out;
        if (v.isTextual()) {
            out.add(v.asText());
            return out;
        }
        if (!v.isArray()) {
            problems.add(name + ": expected a list of strings");
            return out;
        }
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isTextual()) problems.add(name + "[" + i + "]: expected a string");
            else out.add(v.get(i).asText());
        }
        return out;
    }

    String string(String name, String def) {
        JsonNode v = params.get(name);
        if (v == null || v.isNull()) return def;
        if (!v.isTextual() && !v.isNumber()) {
            problems.add(name + ": expected a string");
            return def;
        }
        return v.asText();
    }

    boolean bool(String name, boolean def) {
        JsonNode v = params.get(name);
        if (v == null || v.isNull()) return def;
        if (!v.isBoolean()) {
            problems.add(name + ": expected true or false but found " + v);
            return def;
        }
        return v.asBoolean();
    }

    /** An integer within {@code [min, max]}; {@code def} when absent. */
    Integer integer(String name, Integer def, long min, long max) {
        JsonNode v = params.get(name);
        if (v == null || v.isNull()) return def;
        boolean ok = v.isIntegralNumber() && v.canConvertToLong() || v.isTextual() && v.asText().matches("-?\\d{1,18}");
        if (!ok) {
            problems.add(name + ": expected an integer but found " + v);
            return def;
        }
        long n = v.isTextual() ? Long.parseLong(v.asText()) : v.asLong();
        if (n < min || n > max) {
            problems.add(name + ": " + n + " is out of range " + min + ".." + max);
            return def;
        }
        return (int) n;
    }

    JsonNode node(String name) {
        return params.get(name);
    }
}
