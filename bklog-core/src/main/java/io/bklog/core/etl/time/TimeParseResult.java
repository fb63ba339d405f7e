package io.bklog.core.etl.time;

import java.time.Instant;
import java.util.Optional;

/**
 * Outcome of {@link TimeFormats#test}: either the instant (with its epoch millis, as bklog stores it) or the
 * reason the value does not match.
 */
public record TimeParseResult(String value, String format, Instant instant, String reason) {

    public static TimeParseResult parsed(String value, String format, Instant instant) {
        return new TimeParseResult(value, format, instant, null);
    }

    public static TimeParseResult failed(String value, String format, String reason) {
        return new TimeParseResult(value, format, null, reason);
    }

    public boolean ok() {
        return instant != null;
    }

    public Optional<Long> epochMillis() {
        return ok() ? Optional.of(instant.toEpochMilli()) : Optional.empty();
    }
}
