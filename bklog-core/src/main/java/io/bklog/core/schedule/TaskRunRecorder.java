package io.bklog.core.schedule;

import java.time.Instant;
import java.util.List;

/** Records every executed attempt; answers whether a run id already succeeded (workers skip those). */
public interface TaskRunRecorder {

    void record(TaskRun run);

    /** True when an attempt of {@code runId} succeeded. */
    boolean succeeded(String runId);

    /** The latest runs of a task, newest first, at most {@code limit}. */
    List<TaskRun> recent(String task, int limit);

    /** The latest runs of every task, newest first, at most {@code limit}. */
    List<TaskRun> recent(int limit);

    /** How many runs ended at or after {@code since} as a failure or a timeout. */
    long failedSince(Instant since);
}
