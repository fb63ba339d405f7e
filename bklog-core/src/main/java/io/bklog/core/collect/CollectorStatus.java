package io.bklog.core.collect;

import java.time.Instant;

/**
 * The state of a collector's source in this process.
 *
 * @param state  {@code running}, {@code stopped} (inactive, or not started) or {@code failed}
 * @param reason why it failed, or null
 * @param detail what the running source reports (files tailed, ports listened on...), or null
 * @param since  when it entered this state
 */
public record CollectorStatus(String state, String reason, String detail, Instant since) {
    public static final String RUNNING = "running";
    public static final String STOPPED = "stopped";
    public static final String FAILED = "failed";

    public static CollectorStatus stopped(Instant since) {
        return new CollectorStatus(STOPPED, null, null, since);
    }
}
