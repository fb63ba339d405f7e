package io.bklog.server.config;

import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.SchedulerSettings;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The roles of this instance's scheduler ({@code scheduler.*}). A deployment of several instances on shared Redis and
 * MariaDB runs the beat on some (one is active at a time, the others take over within one lease) and workers on
 * those that should do the work; {@code beat: false, workers: 0} makes an API-only instance.
 *
 * @param beat         run a beat, which publishes the periodic maintenance tasks; default true
 * @param workers      worker threads running tasks; 0 = none; default 2
 * @param tickInterval how often the beat looks for due periods, e.g. {@code 1s}; default {@code 1s}
 * @param schedules    schedule overrides by periodic task name (see docs/tasks.md): a cron expression
 *                     ({@code "0 3 * * *"}) or a fixed rate ({@code 10m}, {@code PT1H})
 */
public record SchedulerConfig(boolean beat, int workers, String tickInterval, Map<String, String> schedules) {
    public SchedulerConfig {
        if (workers < 0) throw new IllegalArgumentException("scheduler.workers must be >= 0, got " + workers);
        tickInterval = tickInterval == null || tickInterval.isBlank() ? "1s" : tickInterval.trim();
        schedules = schedules == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(schedules));
        settings(tickInterval, schedules); // validates
    }

    public static SchedulerConfig defaults() {
        return new SchedulerConfig(true, SchedulerSettings.DEFAULT_WORKERS, "1s", Map.of());
    }

    /** No beat, no workers: an instance that serves the API and queues tasks for others. */
    public static SchedulerConfig apiOnly() {
        return new SchedulerConfig(false, 0, "1s", Map.of());
    }

    public SchedulerConfig withBeat(boolean on) {
        return new SchedulerConfig(on, workers, tickInterval, schedules);
    }

    /** The core settings these keys describe. */
    public SchedulerSettings toSettings() {
        return settings(tickInterval, schedules).withBeat(beat).withWorkers(workers);
    }

    private static SchedulerSettings settings(String tickInterval, Map<String, String> schedules) {
        Schedule tick = SchedulerSettings.parseSchedule(tickInterval);
        if (!(tick instanceof Schedule.FixedRate rate)) {
            throw new IllegalArgumentException("scheduler.tick_interval must be a duration such as 1s, got '"
                    + tickInterval + "'");
        }
        SchedulerSettings s = SchedulerSettings.defaults().withTickInterval(rate.period());
        Map<String, Schedule> parsed = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : schedules.entrySet()) {
            try {
                parsed.put(e.getKey(), SchedulerSettings.parseSchedule(e.getValue()));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException("scheduler.schedules." + e.getKey() + ": " + ex.getMessage(), ex);
            }
        }
        for (Map.Entry<String, Schedule> e : parsed.entrySet()) s = s.withSchedule(e.getKey(), e.getValue());
        return s;
    }
}
