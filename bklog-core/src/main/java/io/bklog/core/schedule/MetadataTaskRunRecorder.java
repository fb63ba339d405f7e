package io.bklog.core.schedule;

import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.MetadataConflictException;
import io.bklog.core.meta.MetadataStore;
import io.bklog.core.meta.TaskRunRepository;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link TaskRunRecorder} in the metadata database ({@code task_runs}), shared by every instance: one row per run id
 * (a periodic run {@code task@periodStart} or an ad-hoc task id) holding its latest attempt: task, queue, period,
 * start, end, outcome ({@code success}, {@code failure}, {@code timeout}), attempts, duration and, for a failed
 * attempt, the error. A retry that succeeds overwrites the failure of the attempt before it.
 */
public final class MetadataTaskRunRecorder implements TaskRunRecorder {
    private static final int WRITE_TRIES = 5;

    private final TaskRunRepository runs;

    public MetadataTaskRunRecorder(MetadataStore meta) {
        this.runs = Objects.requireNonNull(meta, "meta").taskRuns();
    }

    @Override
    public void record(TaskRun run) {
        for (int i = 1; ; i++) {
            try {
                write(run);
                return;
            } catch (DuplicateNameException | MetadataConflictException
                     | io.bklog.core.meta.MetadataNotFoundException e) {
                // another writer created or changed the row meanwhile: read it again
                if (i >= WRITE_TRIES) throw e;
            }
        }
    }

    private void write(TaskRun run) {
        Optional<io.bklog.core.meta.TaskRun> before = runs.findByRunId(run.runId());
        if (before.isPresent() && before.get().attempts() > run.attempt()) return; // a late report of an older attempt
        boolean ok = run.outcome() == TaskRun.Outcome.SUCCESS;
        io.bklog.core.meta.TaskRun row = new io.bklog.core.meta.TaskRun(run.runId(), run.task(),
                run.queue() == null ? "" : run.queue(), run.periodStart(), run.startedAt(), run.endedAt(),
                run.outcome().tag(), run.attempt(), ok ? null : run.message(), run.duration().toMillis(),
                before.map(io.bklog.core.meta.TaskRun::version).orElse(0L), null, null);
        if (before.isPresent()) runs.update(row); else runs.create(row);
    }

    @Override
    public boolean succeeded(String runId) {
        return runs.findByRunId(runId).map(r -> io.bklog.core.meta.TaskRun.SUCCESS.equals(r.outcome())).orElse(false);
    }

    @Override
    public List<TaskRun> recent(String task, int limit) {
        return runs.listByTask(task, Math.max(1, limit)).stream().map(MetadataTaskRunRecorder::toRun).toList();
    }

    @Override
    public List<TaskRun> recent(int limit) {
        return runs.listRecent(Math.max(1, limit)).stream().map(MetadataTaskRunRecorder::toRun).toList();
    }

    @Override
    public long failedSince(Instant since) {
        return runs.countFailedSince(since);
    }

    static TaskRun toRun(io.bklog.core.meta.TaskRun r) {
        TaskRun.Outcome outcome = switch (r.outcome()) {
            case io.bklog.core.meta.TaskRun.SUCCESS -> TaskRun.Outcome.SUCCESS;
            case "timeout" -> TaskRun.Outcome.TIMEOUT;
            default -> TaskRun.Outcome.FAILURE;
        };
        Instant started = r.startedAt() != null ? r.startedAt() : r.createdAt();
        Instant ended = r.endedAt() != null ? r.endedAt() : started;
        return new TaskRun(r.runId(), r.task(), r.queue(), r.scheduledFor(), r.attempts(), started, ended, outcome,
                r.error());
    }
}
