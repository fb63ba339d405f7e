package io.bklog.core.collect;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.etl.EtlConfig;
import io.bklog.core.etl.EtlConfigError;
import io.bklog.core.etl.EtlConfigValidator;
import io.bklog.core.etl.EtlType;
import io.bklog.core.ingest.FilterCondition;
import io.bklog.core.ingest.LineFilter;
import io.bklog.core.ingest.MultilineConfig;
import io.bklog.core.meta.CollectorConfig;
import io.bklog.core.regex.SafePattern;
import io.bklog.core.regex.UserRegex;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The processing parts of a collector config, read and checked: the ETL ({@code etl_config} + {@code etl_params} +
 * {@code fields}), multi-line ({@code multiline_pattern}, {@code multiline_max_lines}, {@code multiline_timeout}) and
 * collection filters. {@link #errors()} lists every problem with its position ({@code etl_params.separator_regexp},
 * {@code fields[2].time_format}, {@code multiline.multiline_pattern}, {@code filters[1].word}...); the other parts are
 * null when they have errors.
 *
 * <p>Filters are either bklog's {@code conditions} object ({@code {"type": "match", "match_type": "include",
 * "match_content": "ERROR"}} or {@code {"type": "separator", "separator": "|", "separator_filters": [{"fieldindex",
 * "word", "op", "logic_op"}]}}), or a list of {@code {"fieldindex", "word", "op", "logic_op"}} whose column
 * conditions split the line by {@code etl_params.separator}. Operators: {@code include}, {@code exclude}, {@code eq},
 * {@code neq}, {@code regex}, {@code nregex} (and bklog's legacy {@code =}, {@code !=}); {@code and} joins the
 * previous condition, {@code or} starts a new group.
 */
public record CollectorSettings(EtlConfig etl, MultilineConfig multiline, LineFilter filter,
                                List<EtlConfigError> errors) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Set<String> OPS = Set.of("include", "exclude", "eq", "neq", "regex", "nregex", "=", "!=");
    private static final Set<String> MULTILINE_KEYS = Set.of("multiline_pattern", "multiline_max_lines",
            "multiline_timeout");

    public CollectorSettings {
        errors = List.copyOf(errors);
    }

    public boolean ok() {
        return errors.isEmpty();
    }

    public static CollectorSettings of(CollectorConfig c) {
        return of(c.etlConfig(), c.etlParams(), c.fields(), c.multiline(), c.filters());
    }

    /** Reads the parts; JSON nulls mean "none". */
    @SuppressWarnings("unchecked")
    public static CollectorSettings of(String etlConfig, JsonNode etlParams, JsonNode fields, JsonNode multiline,
                                       JsonNode filters) {
        List<EtlConfigError> errors = new ArrayList<>();
        EtlConfig etl = null;
        if (etlConfig == null || etlConfig.isBlank()) {
            errors.add(new EtlConfigError("etl_config", null, "required: bk_log_text, bk_log_json, bk_log_delimiter"
                    + " or bk_log_regexp"));
        } else {
            Map<String, Object> m = new java.util.LinkedHashMap<>();
            m.put("etl_config", etlConfig);
            if (etlParams != null && !etlParams.isNull()) m.put("etl_params", JSON.convertValue(etlParams, Object.class));
            if (fields != null && !fields.isNull()) m.put("fields", JSON.convertValue(fields, Object.class));
            try {
                etl = EtlConfig.fromMap(m);
            } catch (IllegalArgumentException e) {
                String msg = e.getMessage();
                String path = msg.startsWith("fields") ? msg.substring(0, Math.max(6, msg.indexOf(':')))
                        : msg.startsWith("etl_params") ? msg.substring(0, Math.max(10, msg.indexOf(':')))
                        : knownType(etlConfig) ? "etl_params" : "etl_config";
                errors.add(new EtlConfigError(path, null, msg));
            }
            if (etl != null) errors.addAll(EtlConfigValidator.validate(etl));
        }
        MultilineConfig ml = multiline(multiline, errors);
        String separator = etl != null && etl.type() == EtlType.DELIMITER ? etl.params().separator() : null;
        LineFilter filter = filter(filters, separator, errors);
        boolean ok = errors.isEmpty();
        return new CollectorSettings(ok ? etl : null, ok ? ml : null, ok ? filter : null, errors);
    }

    private static boolean knownType(String name) {
        try {
            EtlType.parse(name);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static MultilineConfig multiline(JsonNode m, List<EtlConfigError> errors) {
        if (m == null || m.isNull() || (m.isObject() && m.isEmpty())) return null;
        if (!m.isObject()) {
            errors.add(new EtlConfigError("multiline", null, "expected an object {multiline_pattern,"
                    + " multiline_max_lines, multiline_timeout}"));
            return null;
        }
        int before = errors.size();
        m.fieldNames().forEachRemaining(k -> {
            if (!MULTILINE_KEYS.contains(k)) {
                errors.add(new EtlConfigError("multiline." + k, null, "unknown parameter; known: "
                        + String.join(", ", MULTILINE_KEYS.stream().sorted().toList())));
            }
        });
        JsonNode p = m.get("multiline_pattern");
        SafePattern pattern = null;
        if (p == null || p.isNull() || p.asText().isEmpty()) {
            errors.add(new EtlConfigError("multiline.multiline_pattern", null, "required: the regex of an event's"
                    + " first line, e.g. ^\\d{4}-\\d{2}-\\d{2}"));
        } else {
            try {
                pattern = SafePattern.compile(p.asText());
            } catch (UserRegex.InvalidRegexException e) {
                errors.add(new EtlConfigError("multiline.multiline_pattern", null, "not a valid regex: "
                        + e.getMessage() + (e.index() >= 0 ? " near index " + e.index() : "") + " of '"
                        + p.asText() + "'"));
            }
        }
        Integer max = intIn(m, "multiline_max_lines", 1, MultilineConfig.MAX_LINES_LIMIT, errors);
        Integer timeout = intIn(m, "multiline_timeout", 1, (int) MultilineConfig.TIMEOUT_LIMIT.toSeconds(), errors);
        if (errors.size() > before) return null;
        return new MultilineConfig(pattern, max == null ? MultilineConfig.DEFAULT_MAX_LINES : max,
                timeout == null ? MultilineConfig.DEFAULT_TIMEOUT : Duration.ofSeconds(timeout));
    }

    private static Integer intIn(JsonNode m, String key, int min, int max, List<EtlConfigError> errors) {
        JsonNode v = m.get(key);
        if (v == null || v.isNull()) return null;
        if (!v.isIntegralNumber() && !(v.isTextual() && v.asText().matches("\\d{1,9}"))) {
            errors.add(new EtlConfigError("multiline." + key, null, "expected an integer but found " + v));
            return null;
        }
        int n = v.asInt();
        if (n < min || n > max) {
            errors.add(new EtlConfigError("multiline." + key, null, n + " is out of range " + min + ".." + max
                    + (key.endsWith("timeout") ? " (seconds)" : "")));
            return null;
        }
        return n;
    }

    private static LineFilter filter(JsonNode f, String etlSeparator, List<EtlConfigError> errors) {
        if (f == null || f.isNull() || (f.isContainerNode() && f.isEmpty())) return LineFilter.NONE;
        int before = errors.size();
        List<FilterCondition> conditions = new ArrayList<>();
        String separator = etlSeparator;
        String prefix;
        JsonNode items;
        if (f.isObject()) {
            String type = text(f.get("type"), "none");
            switch (type) {
                case "none":
                    return LineFilter.NONE;
                case "match": {
                    String op = text(f.get("match_type"), "include").toLowerCase(Locale.ROOT);
                    String content = text(f.get("match_content"), "");
                    checkCondition("filters", op, content, -1, "match_type", "match_content", null, errors);
                    if (errors.size() > before) return null;
                    if (content.isEmpty()) return LineFilter.NONE;
                    return LineFilter.of(List.of(FilterCondition.line(op, content)), null);
                }
                case "separator":
                    separator = text(f.get("separator"), null);
                    items = f.get("separator_filters");
                    prefix = "filters.separator_filters";
                    if (items != null && !items.isNull() && !items.isArray()) {
                        errors.add(new EtlConfigError(prefix, null, "expected a list of {fieldindex, word, op, logic_op}"));
                        return null;
                    }
                    if (items != null && items.size() > 0 && (separator == null || separator.isEmpty())) {
                        errors.add(new EtlConfigError("filters.separator", null, "required with separator_filters"));
                    }
                    break;
                default:
                    errors.add(new EtlConfigError("filters.type", null, "'" + type + "' must be match, separator or none"));
                    return null;
            }
        } else if (f.isArray()) {
            items = f;
            prefix = "filters";
        } else {
            errors.add(new EtlConfigError("filters", null, "expected bklog's conditions object or a list of"
                    + " {fieldindex, word, op, logic_op}"));
            return null;
        }
        if (items != null) {
            for (int i = 0; i < items.size(); i++) {
                JsonNode c = items.get(i);
                String at = prefix + "[" + i + "]";
                if (!c.isObject()) {
                    errors.add(new EtlConfigError(at, null, "expected an object {fieldindex, word, op, logic_op}"));
                    continue;
                }
                int index = FilterCondition.WHOLE_LINE;
                JsonNode idx = c.get("fieldindex");
                if (idx != null && !idx.isNull() && !(idx.isTextual() && idx.asText().isBlank())) {
                    if (idx.isIntegralNumber() || idx.isTextual() && idx.asText().trim().matches("-?\\d{1,9}")) {
                        index = idx.isTextual() ? Integer.parseInt(idx.asText().trim()) : idx.asInt();
                        if (index != FilterCondition.WHOLE_LINE && index < 1) {
                            errors.add(new EtlConfigError(at + ".fieldindex", null, index + " must be -1 (the whole"
                                    + " line) or a 1-based column"));
                            continue;
                        }
                    } else {
                        errors.add(new EtlConfigError(at + ".fieldindex", null, "expected an integer but found " + idx));
                        continue;
                    }
                }
                String op = text(c.get("op"), "include").trim().toLowerCase(Locale.ROOT);
                String word = text(c.get("word"), "");
                String logic = text(c.get("logic_op"), "and").trim().toLowerCase(Locale.ROOT);
                if (!logic.equals("and") && !logic.equals("or")) {
                    errors.add(new EtlConfigError(at + ".logic_op", null, "'" + logic + "' must be and or or"));
                }
                checkCondition(at, op, word, index, "op", "word", separator, errors);
                if (errors.size() == before) conditions.add(new FilterCondition(index, op, word, logic));
            }
        }
        if (errors.size() > before) return null;
        try {
            return LineFilter.of(conditions, separator);
        } catch (IllegalArgumentException e) {
            errors.add(new EtlConfigError("filters", null, e.getMessage()));
            return null;
        }
    }

    private static void checkCondition(String at, String op, String word, int index, String opKey, String wordKey,
                                       String separator, List<EtlConfigError> errors) {
        if (!OPS.contains(op)) {
            errors.add(new EtlConfigError(at + "." + opKey, null, "unknown operator '" + op + "'; expected include,"
                    + " exclude, eq, neq, regex or nregex"));
        }
        if (word.length() > 255) {
            errors.add(new EtlConfigError(at + "." + wordKey, null, word.length() + " characters; at most 255"));
        }
        if ((op.equals("regex") || op.equals("nregex")) && !word.isEmpty()) {
            try {
                UserRegex.compile(word);
            } catch (UserRegex.InvalidRegexException e) {
                errors.add(new EtlConfigError(at + "." + wordKey, null, "not a valid regex: " + e.getMessage()
                        + (e.index() >= 0 ? " near index " + e.index() : "") + " of '" + word + "'"));
            }
        }
        if (index != FilterCondition.WHOLE_LINE && (separator == null || separator.isEmpty())) {
            errors.add(new EtlConfigError(at + ".fieldindex", null, "column " + index + " needs a separator: use"
                    + " etl_config bk_log_delimiter with etl_params.separator, or bklog's conditions object with"
                    + " type separator"));
        }
    }

    private static String text(JsonNode n, String def) {
        return n == null || n.isNull() ? def : n.asText();
    }
}
