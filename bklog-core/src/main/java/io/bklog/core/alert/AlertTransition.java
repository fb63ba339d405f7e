package io.bklog.core.alert;

import java.time.Duration;
import java.time.Instant;

/**
 * The state machine of a rule: given its stored state, what an evaluation saw and the evaluation time, the next
 * state and what to notify. Pure: no clock, no I/O.
 *
 * <ul>
 *   <li>the condition holds: {@code pending} until it has held for the rule's {@code for}, then {@code firing}
 *       (notify {@code firing}); while firing, notify again every {@code repeat_interval} (0 = never), and as soon
 *       as a firing that was not notified (silence, maintenance) can be</li>
 *   <li>it does not hold: {@code firing} → {@code resolved} (notify {@code resolved}, only if the firing was
 *       notified), {@code pending}, {@code resolved}, {@code no_data} → {@code ok}</li>
 *   <li>no data: → {@code no_data}; a firing rule notifies {@code resolved} ("no data")</li>
 * </ul>
 */
public final class AlertTransition {
    private AlertTransition() {}

    /** What to send: nothing, a firing or a resolved notification. */
    public enum Notify { NONE, FIRING, RESOLVED }

    /**
     * @param next   the state to store
     * @param send   what to send
     * @param changed whether the state changed (a history entry)
     */
    public record Result(RuleState next, Notify send, boolean changed) {}

    /**
     * @param held   whether the condition held ({@code false} when {@code noData})
     * @param noData whether the window had no line at all and the condition needs some
     * @param muted  whether notifications are suppressed now (silence or maintenance window)
     */
    public static Result next(RuleState s, AlertRule rule, Instant period, double value, boolean held, boolean noData,
                              boolean muted) {
        AlertState from = s.state();
        if (noData) {
            boolean notify = from == AlertState.FIRING && s.lastNotified() != null && !muted;
            RuleState n = new RuleState(s.ruleId(), AlertState.NO_DATA, from == AlertState.NO_DATA ? s.since() : period,
                    null, period, value, null, s.fence());
            return new Result(n, notify ? Notify.RESOLVED : Notify.NONE, from != AlertState.NO_DATA);
        }
        if (held) {
            if (from == AlertState.FIRING) {
                Duration repeat = rule.repeatInterval();
                boolean due = s.lastNotified() == null
                        || (!repeat.isZero() && !s.lastNotified().plus(repeat).isAfter(period));
                boolean send = due && !muted;
                RuleState n = new RuleState(s.ruleId(), AlertState.FIRING, s.since(), s.pendingSince(), period, value,
                        send ? period : s.lastNotified(), s.fence());
                return new Result(n, send ? Notify.FIRING : Notify.NONE, false);
            }
            Instant pendingSince = from == AlertState.PENDING && s.pendingSince() != null ? s.pendingSince() : period;
            if (!pendingSince.plus(rule.forDuration()).isAfter(period)) {
                RuleState n = new RuleState(s.ruleId(), AlertState.FIRING, period, pendingSince, period, value,
                        muted ? null : period, s.fence());
                return new Result(n, muted ? Notify.NONE : Notify.FIRING, true);
            }
            RuleState n = new RuleState(s.ruleId(), AlertState.PENDING, from == AlertState.PENDING ? s.since() : period,
                    pendingSince, period, value, null, s.fence());
            return new Result(n, Notify.NONE, from != AlertState.PENDING);
        }
        if (from == AlertState.FIRING) {
            boolean notify = s.lastNotified() != null && !muted;
            RuleState n = new RuleState(s.ruleId(), AlertState.RESOLVED, period, null, period, value, null, s.fence());
            return new Result(n, notify ? Notify.RESOLVED : Notify.NONE, true);
        }
        RuleState n = new RuleState(s.ruleId(), AlertState.OK, from == AlertState.OK ? s.since() : period, null, period,
                value, null, s.fence());
        return new Result(n, Notify.NONE, from != AlertState.OK);
    }
}
