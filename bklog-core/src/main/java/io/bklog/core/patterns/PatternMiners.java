package io.bklog.core.patterns;

/** Makes the miner of an index set. */
public final class PatternMiners {
    private PatternMiners() {
    }

    public static PatternMiner create(PatternSettings s) {
        return new PlaceholderPatternMiner(s);
    }
}
