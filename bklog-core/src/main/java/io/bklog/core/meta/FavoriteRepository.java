package io.bklog.core.meta;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Favorites. */
public final class FavoriteRepository {
    static final String TABLE = "favorites";
    private final Table<Favorite> table;

    FavoriteRepository(Db db) {
        this.table = Table.<Favorite>builder(db, TABLE, "favorite")
                .mapper((rs, ctx) -> new Favorite(rs.getLong("id"), rs.getString("name"), rs.getString("space_uid"),
                        rs.getLong("index_set_id"), rs.getString("visible_type"), rs.getString("keyword"),
                        db.jsonNode(rs, "addition"), db.stringList(rs, "display_fields"),
                        rs.getString("group_name"), rs.getString("created_by"), rs.getLong("version"),
                        Db.instant(rs, "created_at"), Db.instant(rs, "updated_at"), rs.getString("start_time"),
                        rs.getString("end_time"), rs.getBoolean("unmasked")))
                .id(Favorite::id).version(Favorite::version).name(Favorite::name)
                .columns(f -> Db.cols("name", f.name(), "space_uid", f.spaceUid(), "index_set_id", f.indexSetId(),
                        "visible_type", f.visibleType(), "keyword", f.keyword(), "addition", db.json(f.addition()),
                        "display_fields", db.json(f.displayFields()), "group_name", f.groupName(),
                        "created_by", f.createdBy(), "start_time", f.startTime(), "end_time", f.endTime(),
                        "unmasked", f.unmasked()))
                .build();
    }

    /** Creates it; {@link DuplicateNameException} if the space has a favorite of that name. */
    public Favorite create(Favorite favorite) {
        return table.insert(favorite);
    }

    public Favorite update(Favorite favorite) {
        return table.update(favorite);
    }

    public void delete(Favorite favorite) {
        table.delete(favorite);
    }

    public Optional<Favorite> findById(long id) {
        return table.find(id);
    }

    /** What {@code username} sees in the space: every public favorite and their own private ones. */
    public List<Favorite> listVisibleTo(String spaceUid, String username) {
        return table.list("space_uid = :s AND (visible_type = :pub OR created_by = :u)",
                Map.of("s", spaceUid, "pub", Favorite.PUBLIC, "u", username), "group_name, name", 0);
    }

    /**
     * What {@code username} sees in the space when {@code masked}: as {@link #listVisibleTo(String, String)}
     * without the favorites saved by an unmasked caller ({@link Favorite#unmasked}).
     */
    public List<Favorite> listVisibleTo(String spaceUid, String username, boolean masked) {
        if (!masked) return listVisibleTo(spaceUid, username);
        return table.list("space_uid = :s AND (visible_type = :pub OR created_by = :u) AND unmasked = :f",
                Map.of("s", spaceUid, "pub", Favorite.PUBLIC, "u", username, "f", false), "group_name, name", 0);
    }

    public List<Favorite> listBySpace(String spaceUid) {
        return table.list("space_uid = :s", Map.of("s", spaceUid), "group_name, name", 0);
    }
}
