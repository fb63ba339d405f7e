package io.bklog.spi;

import java.util.Locale;

/** The field types every store indexes. */
public enum FieldType {
    /** exact value, aggregatable (bklog's {@code string}) */
    KEYWORD,
    /** analyzed full text (bklog's analyzed {@code string}, e.g. {@code log}) */
    TEXT,
    LONG,
    DOUBLE,
    BOOLEAN,
    /** IPv4/IPv6 address, kept as its canonical text */
    IP,
    /** epoch millis */
    DATE;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a type name, accepting bklog's aliases ({@code string}, {@code int}, {@code integer}, {@code float}). */
    public static FieldType parse(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        return switch (v) {
            case "keyword", "string" -> KEYWORD;
            case "text" -> TEXT;
            case "long", "int", "integer" -> LONG;
            case "double", "float" -> DOUBLE;
            case "boolean", "bool" -> BOOLEAN;
            case "ip" -> IP;
            case "date", "time" -> DATE;
            default -> throw new IllegalArgumentException(
                    "unknown field type '" + s + "'; known: keyword, text, long, double, boolean, ip, date");
        };
    }

    public boolean isNumeric() {
        return this == LONG || this == DOUBLE || this == DATE;
    }
}
