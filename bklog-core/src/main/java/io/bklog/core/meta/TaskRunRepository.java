package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Task run records, newest first. */
public final class TaskRunRepository {
    static final String TABLE = "task_runs";
    private final Table<TaskRun> table;

    TaskRunRepository(Db db) {
        this.table = Table.<TaskRun>builder(db, TABLE, "task run").assignedId("run_id")
                .mapper((rs, ctx) -> new TaskRun(rs.getString("run_id"), rs.getString("task"), rs.getString("queue"),
                        Db.instant(rs, "scheduled_for"), Db.instant(rs, "started_at"), Db.instant(rs, "ended_at"),
                        rs.getString("outcome"), rs.getInt("attempts"), rs.getString("error"),
                        Db.nullableLong(rs, "duration_ms"), rs.getLong("version"), Db.instant(rs, "created_at"),
                        Db.instant(rs, "updated_at")))
                .id(TaskRun::runId).version(TaskRun::version).name(TaskRun::runId)
                .columns(t -> Db.cols("task", t.task(), "queue", t.queue(), "scheduled_for", t.scheduledFor(),
                        "started_at", t.startedAt(), "ended_at", t.endedAt(), "outcome", t.outcome(),
                        "attempts", t.attempts(), "error", t.error(), "duration_ms", t.durationMs()))
                .build();
    }

    /** Records a run; {@link DuplicateNameException} if the run id was already recorded. */
    public TaskRun create(TaskRun run) {
        return table.insert(run);
    }

    public TaskRun update(TaskRun run) {
        return table.update(run);
    }

    public Optional<TaskRun> findByRunId(String runId) {
        return table.find(runId);
    }

    /** The task's runs, newest first; {@code limit} 0 = all. */
    public List<TaskRun> listByTask(String task, int limit) {
        return table.list("task = :t", Map.of("t", task), "created_at DESC, run_id DESC", limit);
    }

    public Optional<TaskRun> latest(String task) {
        return listByTask(task, 1).stream().findFirst();
    }

    /** Every task's runs, newest first. */
    public List<TaskRun> listRecent(int limit) {
        return table.list(null, Map.of(), "created_at DESC, run_id DESC", limit);
    }

    /** How many runs ended at or after {@code since} with an outcome other than success, running or skipped. */
    public long countFailedSince(Instant since) {
        return table.count("ended_at >= :t AND outcome NOT IN (:ok, :running, :skipped)", Map.of("t", Db.ts(since),
                "ok", TaskRun.SUCCESS, "running", TaskRun.RUNNING, "skipped", TaskRun.SKIPPED));
    }

    /** Drops every record (before a backup's metadata is imported); returns how many. */
    public int deleteAll() {
        return table.deleteWhere("1 = 1", Map.of());
    }

    /** Drops records created before {@code before}; returns how many. */
    public int deleteCreatedBefore(Instant before) {
        return table.deleteWhere("created_at < :t", Map.of("t", Db.ts(before)));
    }
}
