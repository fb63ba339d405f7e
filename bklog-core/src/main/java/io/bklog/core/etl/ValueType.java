package io.bklog.core.etl;

import java.util.Locale;

/** What an ETL field's value is converted to. */
enum ValueType {
    STRING, LONG, DOUBLE, BOOLEAN, IP, DATE, OBJECT;

    static ValueType parse(String fieldType) {
        if (fieldType == null || fieldType.isBlank()) return STRING;
        return switch (fieldType.trim().toLowerCase(Locale.ROOT)) {
            case "string", "keyword", "text" -> STRING;
            case "int", "integer", "long" -> LONG;
            case "double", "float" -> DOUBLE;
            case "boolean", "bool" -> BOOLEAN;
            case "ip" -> IP;
            case "date", "time" -> DATE;
            case "object", "nested", "flattened" -> OBJECT;
            default -> null;
        };
    }
}
