package io.bklog.core.patterns;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How an index set's lines are mined into patterns.
 *
 * @param field     the document field whose text is mined (default {@code log})
 * @param maskers   which kinds of variables are replaced by a typed placeholder before mining (default: all)
 * @param precision 0..1, how much evidence the miner wants before it turns a position holding plain words into a
 *                  variable: a position becomes {@code <*>} once {@code 2 + round(4 × precision)} distinct words were
 *                  seen there in lines otherwise identical. 0 = eager (two words suffice: fewer, broader patterns),
 *                  1 = cautious (six words: more, narrower patterns). Default 0.5 (four words). See
 *                  docs/patterns-algorithm.md.
 */
public record PatternSettings(String field, Set<Masker> maskers, double precision) {

    /** The kinds of variables the miner masks. */
    public enum Masker { NUMBER, IP, ID, HEX, PATH, UUID, TIMESTAMP }

    public PatternSettings {
        Objects.requireNonNull(field, "field");
        maskers = maskers == null || maskers.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(maskers));
        if (!(precision >= 0 && precision <= 1)) {
            throw new IllegalArgumentException("precision must be between 0 and 1, got " + precision);
        }
    }

    /** Field {@code log}, every masker on, precision 0.5. */
    public static PatternSettings defaults() {
        return new PatternSettings("log", EnumSet.allOf(Masker.class), 0.5);
    }

    /** Distinct words a position needs before it becomes a variable (2..6). */
    int distinctValuesForVariable() {
        return 2 + (int) Math.round(4 * precision);
    }
}
