package io.bklog.core.patterns;

/** Creates pattern miners. */
public final class PatternMiners {

    private PatternMiners() {
    }

    /** A new, empty miner for these settings (see docs/patterns-algorithm.md for the algorithm). */
    public static PatternMiner create(PatternSettings s) {
        return new OnlinePatternMiner(s, OnlinePatternMiner.DEFAULT_MAX_PATTERNS);
    }
}
