package io.bklog.core.patterns;

import java.util.EnumSet;

/**
 * How one index set's lines are mined.
 *
 * @param field     the field whose text is mined (default {@code log}, the raw line)
 * @param maskers   which variables are masked before mining
 * @param precision 0 (coarse: few, general patterns) .. 1 (fine: many, specific patterns)
 */
public record PatternSettings(String field, java.util.Set<Masker> maskers, double precision) {
    public enum Masker { NUMBER, IP, ID, HEX, PATH, UUID, TIMESTAMP }

    public static PatternSettings defaults() {
        return new PatternSettings("log", EnumSet.allOf(Masker.class), 0.5);
    }
}
