package io.bklog.core.meta;

import java.time.Instant;

/**
 * A space (bklog's {@code space_uid}, e.g. {@code bkcc__2}): the tenant that owns index sets, tokens and
 * favorites.
 *
 * @param id          generated; 0 before the row is created
 * @param spaceUid    unique, immutable key other rows refer to
 * @param version     optimistic-lock version; 1 after create, +1 per update
 */
public record Space(long id, String spaceUid, String name, String description, long version, Instant createdAt,
                    Instant updatedAt) {

    public Space {
        Rows.max(Rows.required(spaceUid, "space uid"), 128, "space uid");
        Rows.max(Rows.required(name, "space name"), 255, "space name");
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static Space of(String spaceUid, String name) {
        return new Space(0, spaceUid, name, null, 0, null, null);
    }

    public Space withName(String newName) {
        return new Space(id, spaceUid, newName, description, version, createdAt, updatedAt);
    }

    public Space withDescription(String newDescription) {
        return new Space(id, spaceUid, name, newDescription, version, createdAt, updatedAt);
    }
}
