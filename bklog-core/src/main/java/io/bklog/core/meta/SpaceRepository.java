package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Spaces, keyed by {@code spaceUid}. */
public final class SpaceRepository {
    static final String TABLE = "spaces";
    private final Db db;
    private final Table<Space> table;

    SpaceRepository(Db db) {
        this.db = db;
        this.table = Table.<Space>builder(db, TABLE, "space")
                .mapper((rs, ctx) -> new Space(rs.getLong("id"), rs.getString("space_uid"), rs.getString("name"),
                        rs.getString("description"), rs.getLong("version"), Db.instant(rs, "created_at"),
                        Db.instant(rs, "updated_at")))
                .id(Space::id).version(Space::version).name(Space::spaceUid)
                .columns(s -> Db.cols("space_uid", s.spaceUid(), "name", s.name(), "description", s.description()))
                .build();
    }

    /** Creates the space; {@link DuplicateNameException} if the uid is taken. */
    public Space create(Space space) {
        return table.insert(space);
    }

    /** Saves name and description (optimistically locked); the uid cannot change. */
    public Space update(Space space) {
        return db.write(table.entity, space.spaceUid(), () -> db.jdbi.inTransaction(h -> {
            Space stored = table.find(h, space.id()).orElseThrow(() -> new MetadataNotFoundException("space",
                    space.spaceUid(), "space '" + space.spaceUid() + "' (id " + space.id()
                    + ") does not exist; it may have been deleted by someone else"));
            if (!stored.spaceUid().equals(space.spaceUid())) {
                throw new IllegalArgumentException("space uid cannot change ('" + stored.spaceUid() + "' -> '"
                        + space.spaceUid() + "'); create a new space instead");
            }
            return table.update(h, space);
        }));
    }

    /** Deletes the space; {@link MetadataReferenceException} while index sets, tokens or favorites use it. */
    public void delete(Space space) {
        table.delete(space);
    }

    public Optional<Space> findById(long id) {
        return table.find(id);
    }

    public Optional<Space> findByUid(String spaceUid) {
        return table.findOne("space_uid = :uid", Map.of("uid", spaceUid));
    }

    /** The space, or {@link MetadataNotFoundException} naming it. */
    public Space getByUid(String spaceUid) {
        return findByUid(spaceUid).orElseThrow(() -> new MetadataNotFoundException("space", spaceUid));
    }

    public List<Space> list() {
        return table.list(null, Map.of(), "space_uid", 0);
    }
}
