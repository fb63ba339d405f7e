package io.bklog.core.schedule;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The roles and pace of the scheduler a {@link io.bklog.core.LogPlatform} runs. A deployment runs every instance with
 * the same tasks and chooses per instance: a beat ({@code beat}; one is active across instances, the others stand by)
 * and {@code workers} worker threads (0 = none: an API-only instance that only queues ad-hoc tasks).
 *
 * @param beat         whether this instance runs a beat, which publishes the periodic tasks
 * @param workers      worker threads of this instance; 0 runs none
 * @param tickInterval how often the beat looks for due periods (default 1 s)
 * @param pollWait     how long a worker's receive waits for a task (default 1 s)
 * @param retryBackoff first back-off before a failed run is retried, doubled per attempt (default 5 s)
 * @param schedules    schedule overrides by periodic task name, e.g. {@code ops.retention -> cron(0 3 * * *)}; a name
 *                     no registered periodic task has fails the platform's build
 * @param queues       queues the workers consume, in priority order (default {@code high, default})
 */
public record SchedulerSettings(boolean beat, int workers, Duration tickInterval, Duration pollWait,
                                Duration retryBackoff, Map<String, Schedule> schedules, List<String> queues) {

    public static final Duration DEFAULT_TICK = Duration.ofSeconds(1);
    public static final Duration DEFAULT_POLL_WAIT = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(5);
    public static final int DEFAULT_WORKERS = 2;

    public SchedulerSettings {
        if (workers < 0) throw new IllegalArgumentException("scheduler workers must be >= 0, got " + workers);
        tickInterval = positive(tickInterval, DEFAULT_TICK, "tick_interval");
        pollWait = positive(pollWait, DEFAULT_POLL_WAIT, "poll_wait");
        retryBackoff = positive(retryBackoff, DEFAULT_RETRY_BACKOFF, "retry_backoff");
        schedules = schedules == null ? Map.of() : Map.copyOf(schedules);
        queues = queues == null || queues.isEmpty() ? List.of(io.bklog.spi.TaskBroker.QUEUE_HIGH,
                io.bklog.spi.TaskBroker.QUEUE_DEFAULT) : List.copyOf(queues);
    }

    private static Duration positive(Duration d, Duration dflt, String what) {
        if (d == null) return dflt;
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("scheduler " + what + " must be positive, got " + d);
        }
        return d;
    }

    /** Beat and {@value #DEFAULT_WORKERS} workers: a single instance that does everything ({@code bklog serve}). */
    public static SchedulerSettings defaults() {
        return new SchedulerSettings(true, DEFAULT_WORKERS, null, null, null, null, null);
    }

    /**
     * {@value #DEFAULT_WORKERS} workers and no beat: ad-hoc tasks run, periodic ones only when some beat publishes
     * them. The library's default, so that an embedded platform does not start deleting indices on its own.
     */
    public static SchedulerSettings workersOnly() {
        return new SchedulerSettings(false, DEFAULT_WORKERS, null, null, null, null, null);
    }

    /** Neither beat nor workers: an API-only instance that queues ad-hoc tasks for the worker instances. */
    public static SchedulerSettings apiOnly() {
        return new SchedulerSettings(false, 0, null, null, null, null, null);
    }

    public SchedulerSettings withBeat(boolean on) {
        return new SchedulerSettings(on, workers, tickInterval, pollWait, retryBackoff, schedules, queues);
    }

    public SchedulerSettings withWorkers(int n) {
        return new SchedulerSettings(beat, n, tickInterval, pollWait, retryBackoff, schedules, queues);
    }

    public SchedulerSettings withTickInterval(Duration d) {
        return new SchedulerSettings(beat, workers, Objects.requireNonNull(d), pollWait, retryBackoff, schedules, queues);
    }

    public SchedulerSettings withPollWait(Duration d) {
        return new SchedulerSettings(beat, workers, tickInterval, Objects.requireNonNull(d), retryBackoff, schedules,
                queues);
    }

    public SchedulerSettings withRetryBackoff(Duration d) {
        return new SchedulerSettings(beat, workers, tickInterval, pollWait, Objects.requireNonNull(d), schedules,
                queues);
    }

    /** Runs the periodic task {@code task} on {@code schedule} instead of its default one. */
    public SchedulerSettings withSchedule(String task, Schedule schedule) {
        Map<String, Schedule> m = new java.util.HashMap<>(schedules);
        m.put(Objects.requireNonNull(task, "task"), Objects.requireNonNull(schedule, "schedule"));
        return new SchedulerSettings(beat, workers, tickInterval, pollWait, retryBackoff, m, queues);
    }

    /**
     * Parses a schedule as written in a config file: a 5- or 6-field cron expression ({@code 0 1 * * *}), or a fixed
     * rate as an ISO-8601 duration ({@code PT10M}) or a number with a unit {@code ms}, {@code s}, {@code m},
     * {@code h}, {@code d} ({@code 10m}).
     */
    public static Schedule parseSchedule(String text) {
        Objects.requireNonNull(text, "schedule");
        String t = text.trim();
        if (t.contains(" ")) return Schedule.cron(t);
        if (t.regionMatches(true, 0, "P", 0, 1)) {
            try {
                return Schedule.every(Duration.parse(t));
            } catch (java.time.format.DateTimeParseException e) {
                throw new IllegalArgumentException("bad schedule '" + text + "': " + e.getMessage(), e);
            }
        }
        var m = java.util.regex.Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)").matcher(t.toLowerCase(java.util.Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("bad schedule '" + text + "': expected a cron expression such as "
                    + "'0 1 * * *' or a fixed rate such as '10m', '30s' or 'PT1H'");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        return Schedule.every(d);
    }

    /** A scheduler over {@code registry} with these roles and pace (broker, lock, stores are the caller's). */
    public Scheduler.Builder apply(Scheduler.Builder b) {
        return b.beat(beat).worker(workers > 0).workerThreads(Math.max(1, workers)).tickInterval(tickInterval)
                .pollWait(pollWait).retryBackoff(retryBackoff).queues(queues);
    }
}
