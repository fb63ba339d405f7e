package io.bklog.core.alert;

import java.time.Instant;

/**
 * The stored state of one rule.
 *
 * @param since        when the rule entered {@code state} (for {@code firing}: when it fired)
 * @param pendingSince when the condition started to hold (pending and firing); null otherwise
 * @param lastPeriod   the start of the last period evaluated; null before the first
 * @param lastValue    the value the last evaluation saw
 * @param lastNotified when the current firing was last notified; null when it was not (yet): silenced, or in a
 *                     maintenance window
 */
public record RuleState(long ruleId, AlertState state, Instant since, Instant pendingSince, Instant lastPeriod,
                        Double lastValue, Instant lastNotified, long fence) {

    static RuleState initial(long ruleId, Instant now) {
        return new RuleState(ruleId, AlertState.OK, now, null, null, null, null, 0);
    }
}
