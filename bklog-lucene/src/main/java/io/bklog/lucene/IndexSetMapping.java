package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An index set's schema with its field types by name, as the store persists it. */
record IndexSetMapping(IndexSetSchema schema, Map<String, FieldType> types) {

    static IndexSetMapping of(IndexSetSchema schema) {
        Map<String, FieldType> types = new LinkedHashMap<>();
        for (FieldSpec f : schema.fields()) types.put(f.name(), f.type());
        return new IndexSetMapping(schema, Map.copyOf(types));
    }

    String name() {
        return schema.name();
    }

    String timeField() {
        return schema.timeField();
    }

    /** The persisted form: plain maps and lists. */
    Map<String, Object> toJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", schema.name());
        m.put("timeField", schema.timeField());
        m.put("shards", schema.shards());
        m.put("replicas", schema.replicas());
        m.put("rolloverBytes", schema.rolloverBytes());
        m.put("fields", schema.fields().stream()
                .map(f -> Map.of("name", f.name(), "type", f.type().wireName())).toList());
        return m;
    }

    @SuppressWarnings("unchecked")
    static IndexSetMapping fromJson(Map<String, Object> m) {
        List<Map<String, Object>> fields = (List<Map<String, Object>>) m.get("fields");
        IndexSetSchema schema = new IndexSetSchema((String) m.get("name"), (String) m.get("timeField"),
                fields.stream().map(f -> new FieldSpec((String) f.get("name"), FieldType.parse((String) f.get("type"))))
                        .toList(),
                ((Number) m.get("shards")).intValue(), ((Number) m.get("replicas")).intValue(),
                ((Number) m.get("rolloverBytes")).longValue());
        return of(schema);
    }
}
