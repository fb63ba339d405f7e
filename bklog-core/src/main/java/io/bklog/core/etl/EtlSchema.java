package io.bklog.core.etl;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The index-set mapping an ETL config produces: its stored fields with their types plus the built-ins the pipeline
 * adds ({@code log} as text, {@code dtEventTimeStamp}, failure marks, {@code path}, {@code gseIndex},
 * {@code serverIp}). Object fields and {@code __ext_json.*} keys are dynamic and not listed.
 */
public final class EtlSchema {

    private EtlSchema() {
    }

    public static List<FieldSpec> fields(EtlConfig config) {
        Map<String, FieldSpec> out = new LinkedHashMap<>();
        out.put(DocumentFields.TIME, FieldSpec.of(DocumentFields.TIME, FieldType.DATE));
        out.put(DocumentFields.LOG, FieldSpec.of(DocumentFields.LOG, FieldType.TEXT));
        out.put(DocumentFields.PARSE_FAILURE, FieldSpec.of(DocumentFields.PARSE_FAILURE, FieldType.BOOLEAN));
        out.put(DocumentFields.PARSE_FAILURE_REASON, FieldSpec.of(DocumentFields.PARSE_FAILURE_REASON, FieldType.TEXT));
        out.put(DocumentFields.TIME_MISSING, FieldSpec.of(DocumentFields.TIME_MISSING, FieldType.BOOLEAN));
        out.put(DocumentFields.TRUNCATED, FieldSpec.of(DocumentFields.TRUNCATED, FieldType.BOOLEAN));
        out.put(DocumentFields.INVALID_UTF8, FieldSpec.of(DocumentFields.INVALID_UTF8, FieldType.BOOLEAN));
        out.put(DocumentFields.PATH, FieldSpec.of(DocumentFields.PATH, FieldType.KEYWORD));
        out.put(DocumentFields.OFFSET, FieldSpec.of(DocumentFields.OFFSET, FieldType.LONG));
        out.put(DocumentFields.SERVER_IP, FieldSpec.of(DocumentFields.SERVER_IP, FieldType.KEYWORD));
        for (EtlField f : config.fields()) {
            if (f.isDelete() || f.fieldName() == null) continue;
            ValueType t = ValueType.parse(f.fieldType());
            FieldType ft = t == null ? FieldType.KEYWORD : switch (t) {
                case STRING -> FieldType.KEYWORD;
                case LONG -> FieldType.LONG;
                case DOUBLE -> FieldType.DOUBLE;
                case BOOLEAN -> FieldType.BOOLEAN;
                case IP -> FieldType.IP;
                case DATE -> FieldType.DATE;
                case OBJECT -> null;
            };
            if (ft != null) out.put(f.outputName(), FieldSpec.of(f.outputName(), ft));
        }
        return new ArrayList<>(out.values());
    }

    /** An index-set schema for {@code name} with the fields of {@code config}. */
    public static IndexSetSchema schema(String name, EtlConfig config) {
        return IndexSetSchema.of(name, fields(config));
    }
}
