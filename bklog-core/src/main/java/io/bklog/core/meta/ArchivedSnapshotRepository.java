package io.bklog.core.meta;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Snapshots taken by archiving; incremental backups list those created since the last backup. */
public final class ArchivedSnapshotRepository {
    static final String TABLE = "archived_snapshots";
    private final Table<ArchivedSnapshot> table;

    ArchivedSnapshotRepository(Db db) {
        this.table = Table.<ArchivedSnapshot>builder(db, TABLE, "archived snapshot")
                .mapper((rs, ctx) -> new ArchivedSnapshot(rs.getLong("id"), rs.getLong("archive_config_id"),
                        rs.getString("snapshot_name"), db.stringList(rs, "indices"), rs.getString("state"),
                        rs.getLong("version"), Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(ArchivedSnapshot::id).version(ArchivedSnapshot::version).name(ArchivedSnapshot::snapshotName)
                .columns(s -> Db.cols("archive_config_id", s.archiveConfigId(), "snapshot_name", s.snapshotName(),
                        "indices", db.json(s.indices()), "state", s.state()))
                .build();
    }

    /** Records the snapshot; {@link DuplicateNameException} if the archive config already has that name. */
    public ArchivedSnapshot create(ArchivedSnapshot snapshot) {
        return table.insert(snapshot);
    }

    public ArchivedSnapshot update(ArchivedSnapshot snapshot) {
        return table.update(snapshot);
    }

    public void delete(ArchivedSnapshot snapshot) {
        table.delete(snapshot);
    }

    public Optional<ArchivedSnapshot> findById(long id) {
        return table.find(id);
    }

    public Optional<ArchivedSnapshot> findByName(long archiveConfigId, String snapshotName) {
        return table.findOne("archive_config_id = :a AND snapshot_name = :n",
                Map.of("a", archiveConfigId, "n", snapshotName));
    }

    public List<ArchivedSnapshot> listByArchiveConfig(long archiveConfigId) {
        return table.list("archive_config_id = :a", Map.of("a", archiveConfigId), "created_at, id", 0);
    }

    /** Snapshots recorded at or after {@code since}, oldest first. */
    public List<ArchivedSnapshot> listCreatedSince(Instant since) {
        return table.list("created_at >= :t", Map.of("t", Db.ts(since)), "created_at, id", 0);
    }

    /** The archive config's snapshots recorded before {@code before} (expiry by {@code snapshotDays}). */
    public List<ArchivedSnapshot> listCreatedBefore(long archiveConfigId, Instant before) {
        return table.list("archive_config_id = :a AND created_at < :t",
                Map.of("a", archiveConfigId, "t", Db.ts(before)), "created_at, id", 0);
    }
}
