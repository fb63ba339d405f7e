package io.bklog.core.collect;

import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlConfigError;
import io.bklog.core.etl.EtlField;
import io.bklog.core.etl.NamedRegex;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The index set fields a collector's documents need, as bklog builds a result table from the ETL field list: each
 * stored ETL field with its type ({@code string} → keyword, {@code int}/{@code long} → long, {@code double} →
 * double, {@code boolean}, {@code ip}, {@code date}), each {@code path_regexp} group (keyword) and the fields the
 * source adds ({@code syslog}: hostname, program, severity...). Saving a collector adds the missing ones to its index
 * set, so its fields are searchable at once; a field the index set maps with another type is a validation error.
 */
final class CollectorMapping {
    static final Map<String, FieldType> SYSLOG_FIELDS;

    static {
        Map<String, FieldType> m = new LinkedHashMap<>();
        for (String k : List.of("hostname", "program", "pid", "msgid", "facility_label", "severity_label", "address")) {
            m.put(k, FieldType.KEYWORD);
        }
        for (String k : List.of("priority", "facility", "severity", "port")) m.put(k, FieldType.LONG);
        m.put("message", FieldType.TEXT);
        SYSLOG_FIELDS = Map.copyOf(m);
    }

    private CollectorMapping() {
    }

    /** The wanted fields by name with the config position they come from. */
    record Wanted(String path, String field, FieldType type) {
    }

    static List<Wanted> wanted(String sourceType, EtlConfig etl) {
        List<Wanted> out = new ArrayList<>();
        if (etl != null) {
            for (int i = 0; i < etl.fields().size(); i++) {
                EtlField f = etl.fields().get(i);
                if (f.isDelete() || f.fieldName() == null) continue;
                FieldType t = type(f.fieldType());
                if (t != null) out.add(new Wanted("fields[" + i + "].field_type", f.outputName(), t));
            }
            String pr = etl.params().pathRegexp();
            if (pr != null && !pr.isBlank()) {
                for (String g : NamedRegex.regex(pr).groups().keySet()) {
                    out.add(new Wanted("etl_params.path_regexp", g, FieldType.KEYWORD));
                }
            }
        }
        if (SyslogSourceFactory.TYPE.equals(sourceType)) {
            SYSLOG_FIELDS.entrySet().stream().sorted(Map.Entry.comparingByKey())
                    .forEach(e -> out.add(new Wanted("source_type", e.getKey(), e.getValue())));
        }
        return out;
    }

    private static FieldType type(String fieldType) {
        String t = fieldType == null ? "string" : fieldType.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "string", "keyword" -> FieldType.KEYWORD;
            case "text" -> FieldType.TEXT;
            case "int", "integer", "long" -> FieldType.LONG;
            case "double", "float" -> FieldType.DOUBLE;
            case "boolean", "bool" -> FieldType.BOOLEAN;
            case "ip" -> FieldType.IP;
            case "date", "time" -> FieldType.DATE;
            default -> null;
        };
    }

    /** Fields to add to {@code set}; conflicts go to {@code errors}. */
    static List<FieldSpec> missing(IndexSet set, List<Wanted> wanted, List<EtlConfigError> errors) {
        Map<String, FieldType> have = new LinkedHashMap<>();
        for (FieldSpec f : set.fields()) have.put(f.name(), f.type());
        Map<String, FieldSpec> add = new LinkedHashMap<>();
        for (Wanted w : wanted) {
            if (w.field().equals(set.timeField())) continue;
            FieldType h = have.get(w.field());
            if (h == null) {
                add.putIfAbsent(w.field(), FieldSpec.of(w.field(), w.type()));
            } else if (h != w.type() && !(isString(h) && isString(w.type()))) {
                errors.add(new EtlConfigError(w.path(), w.field(), "index set '" + set.name() + "' maps '"
                        + w.field() + "' as " + h.wireName() + ", not " + w.type().wireName()
                        + "; use that type or store the field under another name (alias_name)"));
            }
        }
        return new ArrayList<>(add.values());
    }

    private static boolean isString(FieldType t) {
        return t == FieldType.KEYWORD || t == FieldType.TEXT;
    }
}
