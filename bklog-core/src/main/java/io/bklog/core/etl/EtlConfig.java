package io.bklog.core.etl;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A clean (ETL) configuration as bklog models it: {@code etl_config} + {@code etl_params} + {@code fields}.
 * Immutable. Build it in code ({@link #of}) or from bklog's JSON shape ({@link #fromMap}, {@link #fromJson}).
 */
public record EtlConfig(EtlType type, EtlParams params, List<EtlField> fields) {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    public EtlConfig {
        Objects.requireNonNull(type, "type");
        params = params == null ? EtlParams.DEFAULTS : params;
        fields = fields == null ? List.of() : List.copyOf(fields);
    }

    public static EtlConfig text() {
        return new EtlConfig(EtlType.TEXT, EtlParams.DEFAULTS, List.of());
    }

    public static EtlConfig of(EtlType type, EtlParams params, List<EtlField> fields) {
        return new EtlConfig(type, params, fields);
    }

    /** By name: bklog names or short ones; {@code grok} sets {@code is_grok}. */
    public static EtlConfig of(String typeName, EtlParams params, List<EtlField> fields) {
        EtlParams p = params == null ? EtlParams.DEFAULTS : params;
        if (EtlType.isGrokName(typeName) && !p.isGrok()) p = p.toBuilder().isGrok(true).build();
        return new EtlConfig(EtlType.parse(typeName), p, fields);
    }

    public static EtlConfig fromJson(String json) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = MAPPER.readValue(json, Map.class);
            return fromMap(m);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("etl config is not valid JSON: " + e.getOriginalMessage());
        }
    }

    /**
     * From bklog's request shape: {@code {"etl_config": "bk_log_json", "etl_params": {...}, "fields": [{"field_name",
     * "field_type", "alias_name", "is_time", "option": {"time_format", "time_zone"}, "field_index", "is_delete"}]}}.
     * {@code alias}, top-level {@code time_format}/{@code time_zone} and {@code grok_patterns} are accepted too.
     */
    public static EtlConfig fromMap(Map<String, ?> m) {
        String typeName = str(m, "etl_config", "etl_config");
        Map<String, ?> p = map(m.get("etl_params"), "etl_params");
        EtlParams.Builder b = EtlParams.builder();
        if (p != null) {
            b.separatorRegexp(str(p, "separator_regexp", "etl_params.separator_regexp"))
                    .isGrok(bool(p, "is_grok", false))
                    .separator(str(p, "separator", "etl_params.separator"))
                    .retainOriginalText(bool(p, "retain_original_text", true))
                    .retainExtraJson(bool(p, "retain_extra_json", false))
                    .enableRetainContent(bool(p, "enable_retain_content", true))
                    .recordParseFailure(bool(p, "record_parse_failure", true))
                    .pathRegexp(str(p, "path_regexp", "etl_params.path_regexp"))
                    .grokPatternSet(str(p, "grok_pattern_set", "etl_params.grok_pattern_set"));
            Map<String, ?> gp = map(p.get("grok_patterns"), "etl_params.grok_patterns");
            if (gp != null) {
                Map<String, String> patterns = new java.util.LinkedHashMap<>();
                gp.forEach((k, v) -> patterns.put(k, String.valueOf(v)));
                b.grokPatterns(patterns);
            }
        }
        List<EtlField> fields = new ArrayList<>();
        Object fl = m.get("fields");
        if (fl != null) {
            if (!(fl instanceof List<?> list)) throw new IllegalArgumentException("fields: expected a list");
            for (int i = 0; i < list.size(); i++) {
                Map<String, ?> f = map(list.get(i), "fields[" + i + "]");
                if (f == null) throw new IllegalArgumentException("fields[" + i + "]: expected an object");
                String where = "fields[" + i + "]";
                Map<String, ?> option = map(f.get("option"), where + ".option");
                String tf = str(f, "time_format", where);
                Object tz = f.get("time_zone");
                if (option != null) {
                    if (tf == null) tf = str(option, "time_format", where + ".option");
                    if (tz == null) tz = option.get("time_zone");
                }
                String alias = str(f, "alias_name", where);
                if (alias == null) alias = str(f, "alias", where);
                fields.add(new EtlField(str(f, "field_name", where), str(f, "field_type", where), alias,
                        bool(f, "is_time", false), tf, integer(tz, where + ".time_zone"),
                        integer(f.get("field_index"), where + ".field_index"), bool(f, "is_delete", false)));
            }
        }
        return of(typeName, b.build(), fields);
    }

    private static String str(Map<String, ?> m, String key, String where) {
        Object v = m.get(key);
        if (v == null) return null;
        if (v instanceof Map || v instanceof List) {
            throw new IllegalArgumentException(where + "." + key + ": expected a string");
        }
        return String.valueOf(v);
    }

    private static boolean bool(Map<String, ?> m, String key, boolean def) {
        Object v = m.get(key);
        if (v == null) return def;
        if (v instanceof Boolean b) return b;
        String s = String.valueOf(v).trim();
        if (s.equalsIgnoreCase("true") || s.equals("1")) return true;
        if (s.equalsIgnoreCase("false") || s.equals("0")) return false;
        throw new IllegalArgumentException(key + ": expected true or false but found '" + v + "'");
    }

    private static Integer integer(Object v, String where) {
        if (v == null || (v instanceof String s && s.isBlank())) return null;
        if (v instanceof Number n) return n.intValue();
        try {
            return Integer.parseInt(String.valueOf(v).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": expected an integer but found '" + v + "'");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, ?> map(Object v, String where) {
        if (v == null) return null;
        if (v instanceof Map<?, ?> m) return (Map<String, ?>) m;
        throw new IllegalArgumentException(where + ": expected an object");
    }
}
