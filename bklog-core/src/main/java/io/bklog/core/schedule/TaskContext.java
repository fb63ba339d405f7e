package io.bklog.core.schedule;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/** What a running task knows about its run, and how it reports progress. */
public interface TaskContext {

    /** The run id: {@code task@periodStart} for a periodic run, the task id for an ad-hoc one. */
    String runId();

    String task();

    /** Arguments of the run (the periodic task's args, or those given to {@code submit}). */
    Map<String, String> args();

    /** 1 for the first attempt, +1 per retry. */
    int attempt();

    /** For a periodic run, the start of its period. */
    Optional<Instant> periodStart();

    /** Reports progress between 0 and 1 (clamped) with a short message; kept in the task's status. */
    void progress(double fraction, String message);
}
