package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Archive configs. */
public final class ArchiveConfigRepository {
    static final String TABLE = "archive_configs";
    private final Table<ArchiveConfig> table;

    ArchiveConfigRepository(Db db) {
        this.table = Table.<ArchiveConfig>builder(db, TABLE, "archive config")
                .mapper((rs, ctx) -> new ArchiveConfig(rs.getLong("id"), rs.getLong("index_set_id"),
                        rs.getInt("snapshot_days"), rs.getString("repository"), rs.getLong("version"),
                        Db.instant(rs, "created_at"), Db.instant(rs, "updated_at")))
                .id(ArchiveConfig::id).version(ArchiveConfig::version)
                .name(a -> "index set " + a.indexSetId() + " to " + a.repository())
                .columns(a -> Db.cols("index_set_id", a.indexSetId(), "snapshot_days", a.snapshotDays(),
                        "repository", a.repository()))
                .build();
    }

    /** Creates it; {@link DuplicateNameException} if the index set is already archived to that repository. */
    public ArchiveConfig create(ArchiveConfig config) {
        return table.insert(config);
    }

    public ArchiveConfig update(ArchiveConfig config) {
        return table.update(config);
    }

    /** Deletes it; {@link MetadataReferenceException} while snapshots or restores refer to it. */
    public void delete(ArchiveConfig config) {
        table.delete(config);
    }

    public Optional<ArchiveConfig> findById(long id) {
        return table.find(id);
    }

    public ArchiveConfig getById(long id) {
        return findById(id).orElseThrow(() -> new MetadataNotFoundException("archive config", String.valueOf(id)));
    }

    public List<ArchiveConfig> listByIndexSet(long indexSetId) {
        return table.list("index_set_id = :i", Map.of("i", indexSetId), "id", 0);
    }

    public List<ArchiveConfig> list() {
        return table.all();
    }
}
