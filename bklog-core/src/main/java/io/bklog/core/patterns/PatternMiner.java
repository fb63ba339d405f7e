package io.bklog.core.patterns;
import java.util.List;
/** Online log-pattern miner for one index set. Thread-safe. */
public interface PatternMiner {
    /** Assigns one line (the configured field's text) to a pattern, creating or generalising one. */
    Assignment assign(String text);
    /** Every pattern known, including ones merged into another (mergedInto != null). */
    List<PatternState> snapshot();
    /** Learns patterns mined elsewhere (another instance, the database): idempotent, order-independent. */
    void absorb(List<PatternState> states);
    /** Resolves an id through merges to the pattern a user sees now. */
    String resolve(String patternId);
    record Assignment(String patternId, String template, boolean created) {}
    /** template: tokens joined by single spaces, variables as "<*>" or typed "<NUM>", "<IP>", "<HEX>", "<UUID>",
     *  "<PATH>", "<TS>"...; mergedInto: id of the pattern that absorbed this one, or null. */
    record PatternState(String id, String template, String mergedInto, long count) {}
}
