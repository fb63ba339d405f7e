package io.bklog.spi;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a store needs to know about an index set: its name (unique in the store; {@code [a-z0-9_]+}), its
 * time field and its fields. Physical indices are daily, named by {@link IndexNames}.
 *
 * @param rolloverBytes a new {@code _n+1} index is started for the day once the current one passes this size
 *                      (0 = never by size)
 */
public record IndexSetSchema(String name, String timeField, List<FieldSpec> fields, int shards, int replicas,
                             long rolloverBytes) {

    public static final String DEFAULT_TIME_FIELD = "dtEventTimeStamp";
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_]{0,127}");

    public IndexSetSchema {
        Objects.requireNonNull(name, "name");
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("index set name '" + name + "' must match " + NAME.pattern());
        }
        timeField = timeField == null || timeField.isBlank() ? DEFAULT_TIME_FIELD : timeField;
        Map<String, FieldSpec> byName = new LinkedHashMap<>();
        for (FieldSpec f : fields) {
            FieldSpec prev = byName.put(f.name(), f);
            if (prev != null && prev.type() != f.type()) {
                throw new IllegalArgumentException("field '" + f.name() + "' declared twice with types "
                        + prev.type().wireName() + " and " + f.type().wireName());
            }
        }
        FieldSpec time = byName.get(timeField);
        if (time == null) {
            byName.put(timeField, new FieldSpec(timeField, FieldType.DATE));
        } else if (time.type() != FieldType.DATE) {
            throw new IllegalArgumentException("time field '" + timeField + "' must be of type date");
        }
        fields = List.copyOf(byName.values());
        if (shards < 1) throw new IllegalArgumentException("shards must be >= 1");
        if (replicas < 0) throw new IllegalArgumentException("replicas must be >= 0");
        if (rolloverBytes < 0) throw new IllegalArgumentException("rolloverBytes must be >= 0");
    }

    public static IndexSetSchema of(String name, List<FieldSpec> fields) {
        return new IndexSetSchema(name, DEFAULT_TIME_FIELD, fields, 1, 0, 0);
    }

    public Optional<FieldSpec> field(String fieldName) {
        for (FieldSpec f : fields) {
            if (f.name().equals(fieldName)) return Optional.of(f);
        }
        return Optional.empty();
    }

    public IndexSetSchema withFields(List<FieldSpec> newFields) {
        return new IndexSetSchema(name, timeField, newFields, shards, replicas, rolloverBytes);
    }
}
