package io.bklog.core.patterns;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The log clustering settings of one index set (docs/patterns.md), as stored with it.
 *
 * @param enabled   whether ingest assigns each document a pattern ({@code __pattern})
 * @param field     the field whose text is mined; default {@code log}, the raw line
 * @param maskers   variables masked before mining, wire names ({@code number, ip, id, hex, path, uuid, timestamp});
 *                  default all
 * @param precision 0 (coarse) .. 1 (fine); default 0.5
 */
public record PatternConfig(boolean enabled, String field, List<String> maskers, double precision) {
    /** The keyword field holding each document's pattern id. */
    public static final String PATTERN_FIELD = "__pattern";
    /** The search-only field matching documents whose pattern has a label ({@code __pattern_label:"disk full"}). */
    public static final String LABEL_FIELD = "__pattern_label";
    public static final String DEFAULT_FIELD = "log";
    public static final double DEFAULT_PRECISION = 0.5;
    private static final List<String> OFF_MASKERS = wire(EnumSet.allOf(PatternSettings.Masker.class));
    private static final PatternConfig OFF = new PatternConfig(false, DEFAULT_FIELD, OFF_MASKERS, DEFAULT_PRECISION);

    public PatternConfig {
        field = field == null || field.isBlank() ? DEFAULT_FIELD : field;
        maskers = maskers == null ? OFF_MASKERS : List.copyOf(maskers);
    }

    /** Clustering off, every other setting its default. */
    public static PatternConfig off() {
        return OFF;
    }

    /** On with every default. */
    public static PatternConfig on() {
        return new PatternConfig(true, DEFAULT_FIELD, null, DEFAULT_PRECISION);
    }

    /** What the miner takes. */
    public PatternSettings settings() {
        Set<PatternSettings.Masker> set = EnumSet.noneOf(PatternSettings.Masker.class);
        for (String m : maskers) set.add(PatternSettings.Masker.valueOf(m.toUpperCase(Locale.ROOT)));
        return new PatternSettings(field, set, precision);
    }

    /** Whether switching from this to {@code next} changes which pattern a line gets (a re-mine is due). */
    public boolean miningChangedBy(PatternConfig next) {
        return next.enabled() && (!enabled || !field.equals(next.field()) || !Set.copyOf(maskers).equals(
                Set.copyOf(next.maskers())) || precision != next.precision());
    }

    private static List<String> wire(Set<PatternSettings.Masker> maskers) {
        return maskers.stream().map(m -> m.name().toLowerCase(Locale.ROOT)).toList();
    }

    /**
     * What a caller asks for (API, library, YAML); every component may be null: default on create, unchanged on
     * update.
     */
    public record Spec(Boolean enabled, String field, List<String> maskers, Double precision) {
        public static Spec on() {
            return new Spec(true, null, null, null);
        }
    }

    /**
     * The settings after applying {@code spec} to {@code current}, checked against the index set's fields: the field
     * must exist and be text or keyword, maskers known, precision within 0..1. Errors are
     * {@link ErrorCode#INVALID_INDEX_SET} naming {@code patterns.field}, {@code patterns.maskers[i]} or
     * {@code patterns.precision}.
     */
    public static PatternConfig resolve(PatternConfig current, Spec spec, List<FieldSpec> fields) {
        PatternConfig base = current == null ? OFF : current;
        if (spec == null) return base;
        boolean enabled = spec.enabled() != null ? spec.enabled() : base.enabled();
        String field = spec.field() != null && !spec.field().isBlank() ? spec.field().trim() : base.field();
        double precision = spec.precision() != null ? spec.precision() : base.precision();
        List<String> maskers = base.maskers();
        if (spec.maskers() != null) {
            List<String> out = new ArrayList<>();
            for (int i = 0; i < spec.maskers().size(); i++) {
                String m = spec.maskers().get(i) == null ? "" : spec.maskers().get(i).trim().toLowerCase(Locale.ROOT);
                boolean known = EnumSet.allOf(PatternSettings.Masker.class).stream()
                        .anyMatch(k -> k.name().equalsIgnoreCase(m));
                if (!known) {
                    throw invalid("patterns.maskers[" + i + "] '" + spec.maskers().get(i) + "' is no masker; maskers are "
                            + String.join(", ", OFF_MASKERS), "patterns.maskers[" + i + "]");
                }
                if (!out.contains(m)) out.add(m);
            }
            maskers = out;
        }
        if (Double.isNaN(precision) || precision < 0 || precision > 1) {
            throw invalid("patterns.precision must be within 0 (coarse) .. 1 (fine), got " + precision,
                    "patterns.precision");
        }
        FieldSpec f = fields.stream().filter(x -> x.name().equals(field)).findFirst().orElse(null);
        if (enabled && f == null) {
            throw invalid("patterns.field '" + field + "' is not a field of the index set; fields: "
                    + String.join(", ", fields.stream().map(FieldSpec::name).toList()), "patterns.field");
        }
        if (f != null && f.type() != FieldType.TEXT && f.type() != FieldType.KEYWORD) {
            throw invalid("patterns.field '" + field + "' is " + f.type().wireName() + "; patterns are mined from a"
                    + " text or keyword field", "patterns.field");
        }
        return new PatternConfig(enabled, field, maskers, precision);
    }

    private static BklogException invalid(String message, String field) {
        return new BklogException(ErrorCode.INVALID_INDEX_SET, message, field, Map.of(), null);
    }
}
