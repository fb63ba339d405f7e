package io.bklog.spi;

import java.util.Objects;

/** One field of an index set's mapping. */
public record FieldSpec(String name, FieldType type) {
    public FieldSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        if (name.isBlank()) throw new IllegalArgumentException("field name must not be blank");
    }

    public static FieldSpec of(String name, FieldType type) {
        return new FieldSpec(name, type);
    }
}
