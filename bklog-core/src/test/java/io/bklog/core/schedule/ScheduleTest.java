package io.bklog.core.schedule;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScheduleTest {

    private static Instant t(String s) {
        return Instant.parse(s);
    }

    @Test
    void unixCronPeriodStartIsTheLatestFiringAtOrBeforeNow() {
        Schedule every5 = Schedule.cron("*/5 * * * *");
        assertThat(every5.periodStartAtOrBefore(t("2026-11-25T10:07:30Z"))).contains(t("2026-11-25T10:05:00Z"));
        assertThat(every5.periodStartAtOrBefore(t("2026-11-25T10:05:00Z"))).contains(t("2026-11-25T10:05:00Z"));
        assertThat(every5.periodStartAtOrBefore(t("2026-11-25T10:05:00.500Z"))).contains(t("2026-11-25T10:05:00Z"));
        assertThat(every5.periodStartAtOrBefore(t("2026-11-25T10:05:35Z"))).contains(t("2026-11-25T10:05:00Z"));
        assertThat(every5.nextPeriodStartAfter(t("2026-11-25T10:05:00Z"))).isEqualTo(t("2026-11-25T10:10:00Z"));
    }

    @Test
    void dailyCronFollowsItsZone() {
        Schedule oneAm = Schedule.cron("0 1 * * *", ZoneId.of("Asia/Shanghai"));
        assertThat(oneAm.periodStartAtOrBefore(t("2026-11-25T10:00:00Z"))).contains(t("2026-11-24T17:00:00Z"));
        assertThat(Schedule.cron("30 3 * * *").periodStartAtOrBefore(t("2026-11-25T03:29:59Z")))
                .contains(t("2026-11-24T03:30:00Z"));
    }

    @Test
    void sixFieldCronHasSecondsFirst() {
        Schedule every10s = Schedule.cron("*/10 * * * * *");
        assertThat(every10s.periodStartAtOrBefore(t("2026-11-25T10:00:17Z"))).contains(t("2026-11-25T10:00:10Z"));
        assertThat(every10s.nextPeriodStartAfter(t("2026-11-25T10:00:10Z"))).isEqualTo(t("2026-11-25T10:00:20Z"));
    }

    @Test
    void dayOfWeekSevenIsSunday() {
        Schedule sunday = Schedule.cron("0 0 * * 7");
        assertThat(sunday.periodStartAtOrBefore(t("2026-11-25T10:00:00Z"))).contains(t("2026-11-22T00:00:00Z"));
    }

    @Test
    void rejectsCronWithWrongFieldCountOrBadValues() {
        assertThatThrownBy(() -> Schedule.cron("* * * *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has 4 fields; expected 5");
        assertThatThrownBy(() -> Schedule.cron("61 * * * *"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad cron expression '61 * * * *'");
    }

    @Test
    void fixedRatePeriodsAreAlignedToTheEpochSoEveryInstanceCutsTheSame() {
        Schedule minute = Schedule.every(Duration.ofMinutes(1));
        assertThat(minute.periodStartAtOrBefore(t("2026-11-25T10:07:42.123Z"))).contains(t("2026-11-25T10:07:00Z"));
        assertThat(minute.nextPeriodStartAfter(t("2026-11-25T10:07:00Z"))).isEqualTo(t("2026-11-25T10:08:00Z"));
        Schedule anchored = Schedule.every(Duration.ofHours(12), t("2026-11-25T06:00:00Z"));
        assertThat(anchored.periodStartAtOrBefore(t("2026-11-25T05:59:59Z"))).isEmpty();
        assertThat(anchored.periodStartAtOrBefore(t("2026-11-26T01:00:00Z"))).contains(t("2026-11-25T18:00:00Z"));
        assertThatThrownBy(() -> Schedule.every(Duration.ZERO)).hasMessageContaining("at least 1 ms");
    }
}
