package io.bklog.spi;

import java.util.List;

/**
 * Reports the health of one dependency. {@link #namespace()} groups indicators ({@code mysql}, {@code redis},
 * {@code kafka}, {@code elasticsearch}, {@code scheduler}, {@code service}). {@link #check()} may block; the
 * collector runs it with a timeout and reports a timeout as a failure.
 */
public interface HealthIndicator {
    String namespace();

    List<HealthzMetric> check();
}
