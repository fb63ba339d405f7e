package io.bklog.core.meta;

import java.time.Instant;

/**
 * One mined pattern of an index set, as every instance shares it (table {@code patterns}).
 *
 * @param mergedInto the pattern that absorbed this one, or null
 * @param count      lines assigned to it, all instances together
 * @param firstSeen  when an instance first assigned a line to it
 * @param lastSeen   when an instance last assigned a line to it (as of the last batch written)
 * @param label      a user's name for it, or null
 */
public record PatternRecord(String indexSet, String id, String template, String mergedInto, long count,
                            Instant firstSeen, Instant lastSeen, String label) {
}
