package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Async export jobs. */
public final class ExportJobRepository {
    static final String TABLE = "export_jobs";
    private final Table<ExportJob> table;
    private final Db db;

    ExportJobRepository(Db db) {
        this.db = db;
        this.table = Table.<ExportJob>builder(db, TABLE, "export").assignedId("id")
                .mapper((rs, ctx) -> new ExportJob(rs.getString("id"), rs.getString("space_uid"),
                        rs.getLong("index_set_id"), db.jsonNode(rs, "request"), rs.getString("status"),
                        rs.getString("file_path"), rs.getLong("size_bytes"), rs.getLong("row_count"),
                        rs.getString("error"), Db.instant(rs, "expires_at"), rs.getLong("version"),
                        Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(ExportJob::id).version(ExportJob::version).name(ExportJob::id)
                .columns(e -> Db.cols("space_uid", e.spaceUid(), "index_set_id", e.indexSetId(),
                        "request", db.json(e.request()), "status", e.status(), "file_path", e.filePath(),
                        "size_bytes", e.sizeBytes(), "row_count", e.rowCount(), "error", e.error(),
                        "expires_at", e.expiresAt()))
                .build();
    }

    public ExportJob create(ExportJob job) {
        return table.insert(job);
    }

    public ExportJob update(ExportJob job) {
        return table.update(job);
    }

    public void delete(ExportJob job) {
        table.delete(job);
    }

    public Optional<ExportJob> findById(String id) {
        return table.find(id);
    }

    public ExportJob getById(String id) {
        return findById(id).orElseThrow(() -> new MetadataNotFoundException("export", id));
    }

    /** The space's exports, newest first; {@code limit} 0 = all. */
    public List<ExportJob> listBySpace(String spaceUid, int limit) {
        return table.list("space_uid = :s", Map.of("s", spaceUid), "created_at DESC, id DESC", limit);
    }

    /**
     * Marks the running jobs {@code ids} alive now ({@code updated_at}, not the version: the job's own updates keep
     * theirs); returns how many rows it touched.
     */
    public int touchRunning(java.util.Collection<String> ids) {
        if (ids.isEmpty()) return 0;
        var now = Db.ts(db.now());
        return db.jdbi.withHandle(h -> h.createUpdate("UPDATE " + TABLE + " SET updated_at = :now WHERE id IN (<ids>)"
                        + " AND status = :s").bind("now", now).bindList("ids", List.copyOf(ids))
                .bind("s", ExportJob.DOWNLOAD_LOG).execute());
    }

    /** Running jobs no instance marked alive since {@code before}: their instance stopped or died. */
    public List<ExportJob> listRunningSilentSince(Instant before) {
        return table.list("status = :s AND updated_at < :before", Map.of("s", ExportJob.DOWNLOAD_LOG,
                "before", Db.ts(before)), "created_at, id", 0);
    }

    /** Successful exports whose file expired at {@code now} (for the export-cleanup task). */
    public List<ExportJob> listExpired(Instant now) {
        return table.list("expires_at IS NOT NULL AND expires_at <= :now AND status = :s",
                Map.of("now", Db.ts(now), "s", ExportJob.SUCCESS), "expires_at, id", 0);
    }
}
