package io.bklog.server.config;

import io.bklog.core.schedule.Schedule;
import io.bklog.core.schedule.SchedulerSettings;

import java.time.Duration;

/**
 * Health checks ({@code health.*}).
 *
 * @param checkTimeout how long each check of {@code /healthz} may take before it is reported as timed out, e.g.
 *                     {@code 2s} or {@code 500ms}; default {@code 2s}
 */
public record HealthConfig(String checkTimeout) {
    public HealthConfig {
        checkTimeout = checkTimeout == null || checkTimeout.isBlank() ? "2s" : checkTimeout.trim();
        timeout(checkTimeout); // validates
    }

    public static HealthConfig defaults() {
        return new HealthConfig("2s");
    }

    /** The per-check timeout. */
    public Duration timeout() {
        return timeout(checkTimeout);
    }

    private static Duration timeout(String text) {
        Schedule s;
        try {
            s = SchedulerSettings.parseSchedule(text);
        } catch (IllegalArgumentException e) {
            s = null;
        }
        if (!(s instanceof Schedule.FixedRate rate)) {
            throw new IllegalArgumentException("health.check_timeout must be a duration such as 2s or 500ms, got '"
                    + text + "'");
        }
        return rate.period();
    }
}
