package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Async task status rows. */
public final class AsyncTaskRepository {
    static final String TABLE = "async_tasks";
    private final Table<AsyncTask> table;

    AsyncTaskRepository(Db db) {
        this.table = Table.<AsyncTask>builder(db, TABLE, "async task").assignedId("id")
                .mapper((rs, ctx) -> new AsyncTask(rs.getString("id"), rs.getString("kind"), rs.getString("status"),
                        rs.getDouble("progress"), rs.getString("message"), db.jsonNode(rs, "result"),
                        rs.getLong("version"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(AsyncTask::id).version(AsyncTask::version).name(AsyncTask::id)
                .columns(t -> Db.cols("kind", t.kind(), "status", t.status(), "progress", t.progress(),
                        "message", t.message(), "result", db.json(t.result())))
                .build();
    }

    public AsyncTask create(AsyncTask task) {
        return table.insert(task);
    }

    public AsyncTask update(AsyncTask task) {
        return table.update(task);
    }

    public Optional<AsyncTask> findById(String id) {
        return table.find(id);
    }

    public AsyncTask getById(String id) {
        return findById(id).orElseThrow(() -> new MetadataNotFoundException("async task", id));
    }

    public List<AsyncTask> listByStatus(String status) {
        return table.list("status = :s", Map.of("s", status), "created_at, id", 0);
    }

    public List<AsyncTask> listByKind(String kind, int limit) {
        return table.list("kind = :k", Map.of("k", kind), "created_at DESC, id DESC", limit);
    }

    /** Drops every row (before a backup's metadata is imported); returns how many. */
    public int deleteAll() {
        return table.deleteWhere("1 = 1", Map.of());
    }

    /** Drops finished tasks last updated before {@code before}; returns how many. */
    public int deleteFinishedBefore(Instant before) {
        return table.deleteWhere("status IN (:ok, :failed) AND updated_at < :t",
                Map.of("ok", AsyncTask.SUCCESS, "failed", AsyncTask.FAILED, "t", Db.ts(before)));
    }
}
