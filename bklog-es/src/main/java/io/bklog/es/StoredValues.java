package io.bklog.es;

import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code _source} value read back from Elasticsearch as the Java type of its mapped field type, with the parsing
 * of {@link FieldValues} (a document written by another client may hold {@code "42"} for a long field).
 */
final class StoredValues {
    private StoredValues() {}

    /** A stored value as the Java type of its field type (String, Long, Double, Boolean; lists element-wise). */
    static Object normalize(Object v, FieldType type) {
        if (v == null) return null;
        if (v instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object o : list) out.add(normalize(o, type));
            return out;
        }
        if (type == null) return asStored(v);
        return switch (type) {
            case KEYWORD, TEXT -> v instanceof String ? v : String.valueOf(v);
            case IP -> v instanceof String str ? orSelf(FieldValues.canonicalIp(str), v) : String.valueOf(v);
            case LONG -> v instanceof Number n ? (Object) n.longValue() : orSelf(FieldValues.parseLong(v.toString()), v);
            case DATE -> v instanceof Number n ? (Object) n.longValue()
                    : orSelf(FieldValues.parseDateMillis(v.toString()), v);
            case DOUBLE -> v instanceof Number n ? (Object) n.doubleValue()
                    : orSelf(FieldValues.parseDouble(v.toString()), v);
            case BOOLEAN -> v instanceof Boolean ? v : orSelf(FieldValues.parseBoolean(v.toString()), v);
        };
    }

    private static Object orSelf(Object parsed, Object self) {
        return parsed != null ? parsed : self;
    }

    /** Unmapped values keep their JSON type, with integers as Long and decimals as Double. */
    private static Object asStored(Object v) {
        if (v instanceof Integer || v instanceof Short || v instanceof Byte) return ((Number) v).longValue();
        if (v instanceof Float || v instanceof BigDecimal) return ((Number) v).doubleValue();
        if (v instanceof BigInteger b) return b.bitLength() < 64 ? (Object) b.longValue() : b.doubleValue();
        return v;
    }
}
