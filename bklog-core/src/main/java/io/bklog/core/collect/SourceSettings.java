package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** A collector's {@code source_params} as the source SPI's settings map and back (the built-in sources read JSON). */
public final class SourceSettings {
    private static final ObjectMapper JSON = new ObjectMapper();

    private SourceSettings() {
    }

    /** The params as a map of JSON values; null for params that are not an object (a problem of their own). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> toMap(JsonNode params) {
        if (params == null || params.isNull() || params.isMissingNode()) return new LinkedHashMap<>();
        if (!params.isObject()) return null;
        return JSON.convertValue(params, LinkedHashMap.class);
    }

    /** The settings as JSON, for factories that parse JSON. */
    public static JsonNode toJson(Map<String, Object> settings) {
        return settings == null ? NullNode.getInstance() : JSON.valueToTree(settings);
    }
}
