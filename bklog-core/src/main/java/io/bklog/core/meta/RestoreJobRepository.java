package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Restore jobs. */
public final class RestoreJobRepository {
    static final String TABLE = "restore_jobs";
    private final Table<RestoreJob> table;

    RestoreJobRepository(Db db) {
        this.table = Table.<RestoreJob>builder(db, TABLE, "restore")
                .mapper((rs, ctx) -> new RestoreJob(rs.getLong("id"), rs.getLong("archive_config_id"),
                        Db.nullableLong(rs, "index_set_id"), rs.getString("index_set_name"),
                        Db.instant(rs, "start_time"), Db.instant(rs, "end_time"), Db.instant(rs, "expired_time"),
                        rs.getBoolean("is_done"), rs.getLong("duration_ms"), rs.getLong("total_store_size"),
                        rs.getLong("total_doc_count"), rs.getLong("complete_doc_count"), rs.getDouble("progress"),
                        rs.getString("status"), rs.getString("error"), rs.getLong("version"),
                        Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(RestoreJob::id).version(RestoreJob::version).name(RestoreJob::indexSetName)
                .columns(r -> Db.cols("archive_config_id", r.archiveConfigId(), "index_set_id", r.indexSetId(),
                        "index_set_name", r.indexSetName(), "start_time", r.startTime(), "end_time", r.endTime(),
                        "expired_time", r.expiredTime(), "is_done", r.done(), "duration_ms", r.durationMs(),
                        "total_store_size", r.totalStoreSize(), "total_doc_count", r.totalDocCount(),
                        "complete_doc_count", r.completeDocCount(), "progress", r.progress(), "status", r.status(),
                        "error", r.error()))
                .build();
    }

    public RestoreJob create(RestoreJob job) {
        return table.insert(job);
    }

    public RestoreJob update(RestoreJob job) {
        return table.update(job);
    }

    public void delete(RestoreJob job) {
        table.delete(job);
    }

    public Optional<RestoreJob> findById(long id) {
        return table.find(id);
    }

    /** The restore, or {@link MetadataNotFoundException} (bklog {@code RestoreNotFound}). */
    public RestoreJob getById(long id) {
        return findById(id).orElseThrow(() -> new MetadataNotFoundException("restore", String.valueOf(id)));
    }

    public List<RestoreJob> listByArchiveConfig(long archiveConfigId) {
        return table.list("archive_config_id = :a", Map.of("a", archiveConfigId), "id", 0);
    }

    /** Restores whose {@code expiredTime} has passed and that are not yet marked expired. */
    public List<RestoreJob> listExpired(Instant now) {
        return table.list("expired_time <= :now AND status <> :e", Map.of("now", Db.ts(now), "e", RestoreJob.EXPIRED),
                "expired_time, id", 0);
    }

    /** Restores still running (bklog's every-minute "is it done?" check). */
    public List<RestoreJob> listNotDone() {
        return table.list("is_done = :f", Map.of("f", false), "id", 0);
    }

    public List<RestoreJob> list() {
        return table.all();
    }
}
