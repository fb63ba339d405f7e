package io.bklog.core.alert;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The rule state machine, on its own: no clock, no store. */
class AlertTransitionTest {
    static final Instant T = Instant.parse("2026-03-01T10:00:00Z");

    static AlertRule rule(Duration forDuration, Duration repeat) {
        return new AlertRule(1L, "default", "r", "app", null, null, AlertCondition.countAbove(0),
                Duration.ofMinutes(1), null, forDuration, repeat, null, Map.of(), null, null, null, null,
                List.of("c"), null, null, null, null, null, null);
    }

    static AlertTransition.Result step(RuleState s, AlertRule r, int minute, boolean held, boolean noData,
                                       boolean muted) {
        return AlertTransition.next(s, r, T.plus(Duration.ofMinutes(minute)), held ? 1 : 0, held, noData, muted);
    }

    @Test
    void okPendingFiringResolvedOk() {
        AlertRule r = rule(Duration.ofMinutes(2), Duration.ZERO);
        RuleState s = RuleState.initial(1, T);
        var a = step(s, r, 1, true, false, false);
        assertThat(a.next().state()).isEqualTo(AlertState.PENDING);
        assertThat(a.send()).isEqualTo(AlertTransition.Notify.NONE);
        var b = step(a.next(), r, 2, true, false, false);
        assertThat(b.next().state()).isEqualTo(AlertState.PENDING);
        assertThat(b.changed()).isFalse();
        var c = step(b.next(), r, 3, true, false, false);
        assertThat(c.next().state()).isEqualTo(AlertState.FIRING);
        assertThat(c.send()).isEqualTo(AlertTransition.Notify.FIRING);
        assertThat(c.next().since()).isEqualTo(T.plus(Duration.ofMinutes(3)));
        var d = step(c.next(), r, 4, true, false, false);
        assertThat(d.send()).isEqualTo(AlertTransition.Notify.NONE); // no repeat interval
        var e = step(d.next(), r, 5, false, false, false);
        assertThat(e.next().state()).isEqualTo(AlertState.RESOLVED);
        assertThat(e.send()).isEqualTo(AlertTransition.Notify.RESOLVED);
        var f = step(e.next(), r, 6, false, false, false);
        assertThat(f.next().state()).isEqualTo(AlertState.OK);
        assertThat(f.send()).isEqualTo(AlertTransition.Notify.NONE);
    }

    @Test
    void aPendingRuleThatStopsHoldingGoesBackToOkWithoutANotification() {
        AlertRule r = rule(Duration.ofMinutes(5), Duration.ZERO);
        var a = step(RuleState.initial(1, T), r, 1, true, false, false);
        var b = step(a.next(), r, 2, false, false, false);
        assertThat(b.next().state()).isEqualTo(AlertState.OK);
        assertThat(b.send()).isEqualTo(AlertTransition.Notify.NONE);
        // and the for duration starts again
        var c = step(b.next(), r, 3, true, false, false);
        assertThat(c.next().pendingSince()).isEqualTo(T.plus(Duration.ofMinutes(3)));
    }

    @Test
    void aMutedFiringIsNotifiedOnceUnmutedAndItsResolveOnlyIfItWasNotified() {
        AlertRule r = rule(Duration.ZERO, Duration.ZERO);
        var a = step(RuleState.initial(1, T), r, 1, true, false, true);
        assertThat(a.next().state()).isEqualTo(AlertState.FIRING);
        assertThat(a.send()).isEqualTo(AlertTransition.Notify.NONE);
        var quiet = step(a.next(), r, 2, false, false, false);
        assertThat(quiet.send()).isEqualTo(AlertTransition.Notify.NONE); // never announced: no resolve either
        var b = step(a.next(), r, 2, true, false, false);
        assertThat(b.send()).isEqualTo(AlertTransition.Notify.FIRING);
        var c = step(b.next(), r, 3, false, false, false);
        assertThat(c.send()).isEqualTo(AlertTransition.Notify.RESOLVED);
    }

    @Test
    void repeatIntervalNotifiesAgainWhileFiring() {
        AlertRule r = rule(Duration.ZERO, Duration.ofMinutes(3));
        var s = step(RuleState.initial(1, T), r, 0, true, false, false);
        int sent = 1;
        for (int m = 1; m <= 9; m++) {
            s = step(s.next(), r, m, true, false, false);
            if (s.send() == AlertTransition.Notify.FIRING) sent++;
        }
        assertThat(sent).isEqualTo(4); // minutes 0, 3, 6, 9
    }

    @Test
    void noDataEndsAFiringWithAResolveAndIsNotOk() {
        AlertRule r = rule(Duration.ZERO, Duration.ZERO);
        var a = step(RuleState.initial(1, T), r, 1, true, false, false);
        var b = step(a.next(), r, 2, false, true, false);
        assertThat(b.next().state()).isEqualTo(AlertState.NO_DATA);
        assertThat(b.send()).isEqualTo(AlertTransition.Notify.RESOLVED);
        var c = step(b.next(), r, 3, false, true, false);
        assertThat(c.changed()).isFalse();
        var d = step(c.next(), r, 4, false, false, false);
        assertThat(d.next().state()).isEqualTo(AlertState.OK);
    }

    @Test
    void templatesFillKnownNamesAndKeepUnknownOnes() {
        assertThat(AlertTemplate.render("{{rule}} saw {{ count }} ({{nope}}) $1 \\", Map.of("rule", "r", "count", "3")))
                .isEqualTo("r saw 3 ({{nope}}) $1 \\");
    }
}
