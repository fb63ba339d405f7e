package io.bklog.core.etl;

import io.bklog.core.etl.time.TimeFormat;
import io.bklog.core.etl.time.TimeFormats;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks an {@link EtlConfig} the way bklog's serializers do, and more: regex/grok compile, time formats are known,
 * names are not reserved, delimiter columns are given and distinct, at most one time field. Every error names its
 * position ({@code fields[i].x}) and field.
 */
public final class EtlConfigValidator {

    private static final Set<String> EPOCH_FORMATS = Set.of("epoch_millis", "epoch_second", "epoch_minute",
            "epoch_micros", "epoch_nanos", "epoch", "unix time stamp(milliseconds)", "auto");

    private EtlConfigValidator() {
    }

    /** All problems found; empty when the config is valid. */
    public static List<EtlConfigError> validate(EtlConfig config) {
        List<EtlConfigError> errors = new ArrayList<>();
        EtlParams p = config.params();
        NamedRegex regex = null;
        if (config.type() == EtlType.REGEXP) {
            if (p.separatorRegexp() == null || p.separatorRegexp().isBlank()) {
                errors.add(new EtlConfigError("etl_params.separator_regexp", null,
                        (p.isGrok() ? "a grok expression" : "a regex") + " is required for bk_log_regexp"));
            } else {
                try {
                    regex = p.isGrok() ? NamedRegex.grok(p.separatorRegexp(), p.grokPatterns(), p.grokPatternSet())
                            : NamedRegex.regex(p.separatorRegexp());
                    if (regex.groups().isEmpty()) {
                        errors.add(new EtlConfigError("etl_params.separator_regexp", null,
                                "has no named group; name the parts to extract, e.g. (?P<level>\\w+) or %{WORD:level}"));
                    }
                } catch (IllegalArgumentException e) {
                    errors.add(new EtlConfigError("etl_params.separator_regexp", null, e.getMessage()));
                }
            }
        }
        if (config.type() == EtlType.DELIMITER && (p.separator() == null || p.separator().isEmpty())) {
            errors.add(new EtlConfigError("etl_params.separator", null, "a separator is required for bk_log_delimiter"));
        }
        if (p.pathRegexp() != null && !p.pathRegexp().isBlank()) {
            try {
                NamedRegex pr = NamedRegex.regex(p.pathRegexp());
                for (String g : pr.groups().keySet()) {
                    if (ReservedFields.isReserved(g)) {
                        errors.add(new EtlConfigError("etl_params.path_regexp", g, "group name '" + g + "' is reserved"
                                + " (reserved: " + ReservedFields.list() + "); rename the group, e.g. "
                                + ReservedFields.suggestedAlias(g)));
                    }
                }
            } catch (IllegalArgumentException e) {
                errors.add(new EtlConfigError("etl_params.path_regexp", null, e.getMessage()));
            }
        }
        boolean needsFields = config.type() == EtlType.DELIMITER
                || (config.type() == EtlType.JSON && !p.retainExtraJson());
        if (needsFields && config.fields().stream().noneMatch(f -> !f.isDelete())) {
            errors.add(new EtlConfigError("fields", null, "a field list is required for " + config.type().bklogName()
                    + (config.type() == EtlType.JSON ? " (or set retain_extra_json)" : "")));
        }
        if (config.type() == EtlType.TEXT && !config.fields().isEmpty()) {
            errors.add(new EtlConfigError("fields", null, "bk_log_text stores the line as-is and takes no fields"));
        }

        Set<String> outputs = new HashSet<>();
        Map<Integer, String> indexes = new HashMap<>();
        String timeField = null;
        for (int i = 0; i < config.fields().size(); i++) {
            EtlField f = config.fields().get(i);
            String at = "fields[" + i + "]";
            String name = f.fieldName();
            if (config.type() == EtlType.DELIMITER) {
                if (f.fieldIndex() == null) {
                    errors.add(new EtlConfigError(at + ".field_index", name, "every bk_log_delimiter field needs a "
                            + "field_index (1-based column)"));
                } else if (f.fieldIndex() < 1) {
                    errors.add(new EtlConfigError(at + ".field_index", name, "field_index " + f.fieldIndex()
                            + " must be >= 1 (columns are 1-based)"));
                } else {
                    String prev = indexes.putIfAbsent(f.fieldIndex(), name);
                    if (prev != null) {
                        errors.add(new EtlConfigError(at + ".field_index", name, "column " + f.fieldIndex()
                                + " is already mapped to field '" + prev + "'"));
                    }
                }
            }
            if (f.isDelete()) continue;
            if (name == null || name.isBlank()) {
                errors.add(new EtlConfigError(at + ".field_name", null, "field_name is required"));
                continue;
            }
            ValueType type = ValueType.parse(f.fieldType());
            if (type == null) {
                errors.add(new EtlConfigError(at + ".field_type", name, "unknown field_type '" + f.fieldType()
                        + "'; expected string, int, long, double, float, boolean, ip, date, object"));
            }
            String out = f.outputName();
            if (ReservedFields.isReserved(out)) {
                errors.add(new EtlConfigError(at + (f.alias() != null && !f.alias().isBlank() ? ".alias_name" : ".field_name"),
                        name, ReservedFields.reservedMessage(out)));
            } else if (!outputs.add(out.toLowerCase(Locale.ROOT))) {
                errors.add(new EtlConfigError(at, name, "two fields are stored under the name '" + out + "'"));
            }
            if (regex != null && !config.params().isGrok() && !regex.groups().containsKey(name)) {
                errors.add(new EtlConfigError(at + ".field_name", name, "not a named group of separator_regexp; groups: "
                        + String.join(", ", regex.groups().keySet())));
            }
            if (regex != null && config.params().isGrok() && !regex.groups().containsKey(name)) {
                errors.add(new EtlConfigError(at + ".field_name", name, "not captured by the grok expression; captures: "
                        + String.join(", ", regex.groups().keySet())));
            }
            if (f.timeZone() != null && (f.timeZone() < -12 || f.timeZone() > 14)) {
                errors.add(new EtlConfigError(at + ".time_zone", name, "time_zone " + f.timeZone()
                        + " out of range -12..14 (whole hours)"));
            }
            if (f.timeFormat() != null && !f.timeFormat().isBlank()) {
                Optional<TimeFormat> tf;
                try {
                    tf = Optional.of(TimeFormats.get(f.timeFormat()));
                } catch (IllegalArgumentException e) {
                    tf = Optional.empty();
                    errors.add(new EtlConfigError(at + ".time_format", name, e.getMessage()));
                }
                if (tf.isEmpty()) {
                    // reported above
                } else if (type == ValueType.LONG && !EPOCH_FORMATS.contains(tf.get().id().toLowerCase(Locale.ROOT))) {
                    errors.add(new EtlConfigError(at + ".time_format", name, "an int/long time field needs an epoch "
                            + "format (epoch_second, epoch_millis, epoch_micros, epoch_minute), not '" + f.timeFormat() + "'"));
                }
            }
            if (f.isTime()) {
                if (timeField != null) {
                    errors.add(new EtlConfigError(at + ".is_time", name, "only one time field is allowed; '" + timeField
                            + "' is already the time field"));
                }
                timeField = name;
                if (f.timeFormat() == null || f.timeFormat().isBlank()) {
                    errors.add(new EtlConfigError(at + ".time_format", name, "a time field needs a time_format"));
                }
                if (type == ValueType.BOOLEAN || type == ValueType.IP || type == ValueType.OBJECT) {
                    errors.add(new EtlConfigError(at + ".field_type", name, "a time field must be string, int, long, "
                            + "double or date, not " + f.fieldType()));
                }
            }
        }
        return errors;
    }

    /** Throws {@link EtlConfigException} listing every problem when the config is invalid. */
    public static void check(EtlConfig config) {
        List<EtlConfigError> errors = validate(config);
        if (!errors.isEmpty()) throw new EtlConfigException(errors);
    }
}
