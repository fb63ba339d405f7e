package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Backup records, newest first. */
public final class BackupRecordRepository {
    static final String TABLE = "backup_records";
    private final Table<BackupRecord> table;

    BackupRecordRepository(Db db) {
        this.table = Table.<BackupRecord>builder(db, TABLE, "backup").assignedId("id")
                .mapper((rs, ctx) -> new BackupRecord(rs.getString("id"), BackupRecord.Kind.parse(rs.getString("kind")),
                        rs.getString("parent_id"), db.jsonNode(rs, "manifest"), rs.getString("status"),
                        rs.getString("error"), rs.getLong("version"), Db.instant(rs, "created_at"),
                        Db.instant(rs, "updated_at")))
                .id(BackupRecord::id).version(BackupRecord::version).name(BackupRecord::id)
                .columns(b -> Db.cols("kind", b.kind().wireName(), "parent_id", b.parentId(),
                        "manifest", db.json(b.manifest()), "status", b.status(), "error", b.error()))
                .build();
    }

    /** Records a backup; {@link DuplicateNameException} if the id is taken. */
    public BackupRecord create(BackupRecord record) {
        return table.insert(record);
    }

    public BackupRecord update(BackupRecord record) {
        return table.update(record);
    }

    public void delete(BackupRecord record) {
        table.delete(record);
    }

    public Optional<BackupRecord> findById(String id) {
        return table.find(id);
    }

    public BackupRecord getById(String id) {
        return findById(id).orElseThrow(() -> new MetadataNotFoundException("backup", id));
    }

    /** The newest successful backup of any kind (what an incremental backup builds on). */
    public Optional<BackupRecord> latestSuccessful() {
        return table.list("status = :s", Map.of("s", BackupRecord.SUCCESS), "created_at DESC, id DESC", 1)
                .stream().findFirst();
    }

    public Optional<BackupRecord> latestSuccessful(BackupRecord.Kind kind) {
        return table.list("status = :s AND kind = :k", Map.of("s", BackupRecord.SUCCESS, "k", kind.wireName()),
                "created_at DESC, id DESC", 1).stream().findFirst();
    }

    /** Newest first; {@code limit} 0 = all. */
    public List<BackupRecord> list(int limit) {
        return table.list(null, Map.of(), "created_at DESC, id DESC", limit);
    }

    /** The incremental backups built directly on {@code parentId}. */
    public List<BackupRecord> listChildren(String parentId) {
        return table.list("parent_id = :p", Map.of("p", parentId), "created_at, id", 0);
    }
}
