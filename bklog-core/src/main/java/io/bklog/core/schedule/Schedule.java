package io.bklog.core.schedule;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinition;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;

/**
 * When a periodic task runs. A schedule cuts time into periods; a period is named by its start, which is the same
 * on every instance (so the run id {@code task@periodStart} is too).
 */
public sealed interface Schedule permits Schedule.CronSchedule, Schedule.FixedRate {

    /** The start of the period {@code now} falls in: the latest start at or before {@code now}; empty before the first. */
    Optional<Instant> periodStartAtOrBefore(Instant now);

    /** The first period start strictly after {@code t}. */
    Instant nextPeriodStartAfter(Instant t);

    /**
     * A cron expression in UTC: unix crontab's 5 fields ({@code minute hour day-of-month month day-of-week}), or 6
     * with seconds first ({@code second minute hour day-of-month month day-of-week}).
     */
    static Schedule cron(String expression) {
        return cron(expression, ZoneOffset.UTC);
    }

    /** A cron expression evaluated in {@code zone} (see {@link #cron(String)}). */
    static Schedule cron(String expression, ZoneId zone) {
        return new CronSchedule(expression, zone);
    }

    /** Every {@code period}, with periods aligned to the epoch (so every instance cuts the same periods). */
    static Schedule every(Duration period) {
        return new FixedRate(period, Instant.EPOCH);
    }

    /** Every {@code period} from {@code anchor} on. */
    static Schedule every(Duration period, Instant anchor) {
        return new FixedRate(period, anchor);
    }

    /** A cron schedule; parsed and validated when made. */
    final class CronSchedule implements Schedule {
        private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
        private static final CronParser WITH_SECONDS = new CronParser(withSeconds());

        private final String expression;
        private final ZoneId zone;
        private final ExecutionTime executionTime;
        private final ChronoUnit granularity;

        CronSchedule(String expression, ZoneId zone) {
            Objects.requireNonNull(expression, "cron expression");
            this.zone = Objects.requireNonNull(zone, "zone");
            String e = expression.trim().replaceAll("\\s+", " ");
            int fields = e.isEmpty() ? 0 : e.split(" ").length;
            if (fields != 5 && fields != 6) {
                throw new IllegalArgumentException("cron expression '" + expression + "' has " + fields
                        + " fields; expected 5 (minute hour day-of-month month day-of-week) or 6 (seconds first)");
            }
            Cron cron;
            try {
                cron = (fields == 5 ? UNIX : WITH_SECONDS).parse(e);
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("bad cron expression '" + expression + "': " + ex.getMessage(), ex);
            }
            this.expression = e;
            this.executionTime = ExecutionTime.forCron(cron);
            this.granularity = fields == 5 ? ChronoUnit.MINUTES : ChronoUnit.SECONDS;
        }

        private static CronDefinition withSeconds() {
            return CronDefinitionBuilder.defineCron()
                    .withSeconds().withStrictRange().and()
                    .withMinutes().withStrictRange().and()
                    .withHours().withStrictRange().and()
                    .withDayOfMonth().withStrictRange().and()
                    .withMonth().withStrictRange().and()
                    .withDayOfWeek().withValidRange(0, 7).withMondayDoWValue(1).withIntMapping(7, 0)
                    .withStrictRange().and()
                    .instance();
        }

        public String expression() {
            return expression;
        }

        public ZoneId zone() {
            return zone;
        }

        @Override
        public Optional<Instant> periodStartAtOrBefore(Instant now) {
            ZonedDateTime t = now.atZone(zone);
            ZonedDateTime tick = t.truncatedTo(granularity);
            if (executionTime.isMatch(tick)) return Optional.of(tick.toInstant());
            return executionTime.lastExecution(t).map(ZonedDateTime::toInstant);
        }

        @Override
        public Instant nextPeriodStartAfter(Instant t) {
            return executionTime.nextExecution(t.atZone(zone)).map(ZonedDateTime::toInstant)
                    .orElseThrow(() -> new IllegalStateException("cron '" + expression + "' never fires after " + t));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof CronSchedule c && c.expression.equals(expression) && c.zone.equals(zone);
        }

        @Override
        public int hashCode() {
            return Objects.hash(expression, zone);
        }

        @Override
        public String toString() {
            return "cron(" + expression + (zone.equals(ZoneOffset.UTC) ? "" : " " + zone) + ")";
        }
    }

    /** Every {@code period} from {@code anchor}. */
    record FixedRate(Duration period, Instant anchor) implements Schedule {
        public FixedRate {
            Objects.requireNonNull(period, "period");
            Objects.requireNonNull(anchor, "anchor");
            if (period.toMillis() < 1) throw new IllegalArgumentException("fixed rate must be at least 1 ms, got " + period);
        }

        @Override
        public Optional<Instant> periodStartAtOrBefore(Instant now) {
            long since = now.toEpochMilli() - anchor.toEpochMilli();
            if (since < 0) return Optional.empty();
            long p = period.toMillis();
            return Optional.of(anchor.plusMillis(since / p * p));
        }

        @Override
        public Instant nextPeriodStartAfter(Instant t) {
            long since = t.toEpochMilli() - anchor.toEpochMilli();
            if (since < 0) return anchor;
            long p = period.toMillis();
            return anchor.plusMillis((since / p + 1) * p);
        }

        @Override
        public String toString() {
            return "every(" + period + ")";
        }
    }
}
