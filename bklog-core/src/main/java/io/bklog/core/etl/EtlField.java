package io.bklog.core.etl;

/**
 * One field of an ETL field list (bklog's {@code fields[]}).
 *
 * @param fieldName  name in the source: JSON key (dotted path for nested keys), regex group name; for delimiter a
 *                   label for column {@code fieldIndex}
 * @param fieldType  {@code string}, {@code int}, {@code long}, {@code double}, {@code float}, {@code boolean},
 *                   {@code ip}, {@code date}, {@code object}/{@code flattened}/{@code nested} (kept flattened);
 *                   null means string
 * @param alias      stored name when not blank (bklog's {@code alias_name}); else {@code fieldName}
 * @param isTime     this field is the log time (at most one)
 * @param timeFormat a {@link io.bklog.core.etl.time.TimeFormats} id, required when {@code isTime}
 * @param timeZone   whole hours (-12..14) for formats without their own offset; null means 0
 * @param fieldIndex 1-based column for {@link EtlType#DELIMITER}
 * @param isDelete   column is parsed but not stored
 */
public record EtlField(String fieldName, String fieldType, String alias, boolean isTime, String timeFormat,
                       Integer timeZone, Integer fieldIndex, boolean isDelete) {

    /** The name the value is stored under. */
    public String outputName() {
        return alias != null && !alias.isBlank() ? alias : fieldName;
    }

    public static EtlField of(String name, String type) {
        return new EtlField(name, type, null, false, null, null, null, false);
    }

    public static EtlField column(int index, String name, String type) {
        return new EtlField(name, type, null, false, null, null, index, false);
    }

    public static EtlField time(String name, String format, Integer zoneHours) {
        return new EtlField(name, "string", null, true, format, zoneHours, null, false);
    }

    public EtlField withIndex(int index) {
        return new EtlField(fieldName, fieldType, alias, isTime, timeFormat, timeZone, index, isDelete);
    }

    public EtlField withAlias(String newAlias) {
        return new EtlField(fieldName, fieldType, newAlias, isTime, timeFormat, timeZone, fieldIndex, isDelete);
    }

    public EtlField deleted() {
        return new EtlField(fieldName, fieldType, alias, isTime, timeFormat, timeZone, fieldIndex, true);
    }
}
