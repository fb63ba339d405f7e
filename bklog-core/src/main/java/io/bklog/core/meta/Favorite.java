package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;

/**
 * A saved search (bklog {@code Favorite}).
 *
 * @param name          unique within the space, at most 256 characters in bklog (255 here)
 * @param visibleType   {@link #PRIVATE} (only {@code createdBy} sees it) or {@link #PUBLIC}
 * @param addition      bklog {@code addition} filters, default {@code []}
 * @param displayFields columns shown
 * @param groupName     favorite group; null = ungrouped
 * @param startTime     the time range the search opens with, as the search API takes it ({@code now-15m}, ISO-8601,
 *                      epoch millis); null = open
 * @param endTime       end of that range; null = open (now)
 * @param unmasked      saved by a caller holding {@code unmasked}: its query may hold raw values, so a masked reader
 *                      never sees it (docs/security.md)
 */
public record Favorite(long id, String name, String spaceUid, long indexSetId, String visibleType, String keyword,
                       JsonNode addition, List<String> displayFields, String groupName, String createdBy,
                       long version, Instant createdAt, Instant updatedAt, String startTime, String endTime,
                       boolean unmasked) {

    public static final String PRIVATE = "private";
    public static final String PUBLIC = "public";

    public Favorite {
        Rows.max(Rows.required(name, "favorite name"), 255, "favorite name");
        Rows.required(spaceUid, "space uid of favorite '" + name + "'");
        visibleType = visibleType == null ? PRIVATE : visibleType;
        if (!PRIVATE.equals(visibleType) && !PUBLIC.equals(visibleType)) {
            throw new IllegalArgumentException("favorite '" + name + "' visibleType must be private or public, got '"
                    + visibleType + "'");
        }
        keyword = keyword == null ? "" : keyword;
        addition = Rows.array(addition);
        displayFields = Rows.strings(displayFields);
        Rows.required(createdBy, "creator of favorite '" + name + "'");
        Rows.max(startTime, 64, "favorite start time");
        Rows.max(endTime, 64, "favorite end time");
        createdAt = Rows.ms(createdAt);
        updatedAt = Rows.ms(updatedAt);
    }

    public static Favorite of(String name, String spaceUid, long indexSetId, String keyword, String createdBy) {
        return new Favorite(0, name, spaceUid, indexSetId, PRIVATE, keyword, null, null, null, createdBy, 0, null,
                null, null, null, false);
    }

    /** A copy marked as saved by an unmasked (or masked) caller. */
    public Favorite withUnmasked(boolean newUnmasked) {
        return new Favorite(id, name, spaceUid, indexSetId, visibleType, keyword, addition, displayFields, groupName,
                createdBy, version, createdAt, updatedAt, startTime, endTime, newUnmasked);
    }

    public Favorite withSearch(String newKeyword, JsonNode newAddition, List<String> newDisplayFields) {
        return new Favorite(id, name, spaceUid, indexSetId, visibleType, newKeyword, newAddition, newDisplayFields,
                groupName, createdBy, version, createdAt, updatedAt, startTime, endTime, unmasked);
    }

    /** A copy with another time range (null = open). */
    public Favorite withTimeRange(String newStartTime, String newEndTime) {
        return new Favorite(id, name, spaceUid, indexSetId, visibleType, keyword, addition, displayFields, groupName,
                createdBy, version, createdAt, updatedAt, newStartTime, newEndTime, unmasked);
    }

    /** A copy with another name and index set. */
    public Favorite withTarget(String newName, long newIndexSetId) {
        return new Favorite(id, newName, spaceUid, newIndexSetId, visibleType, keyword, addition, displayFields,
                groupName, createdBy, version, createdAt, updatedAt, startTime, endTime, unmasked);
    }

    public Favorite withVisibility(String newVisibleType, String newGroupName) {
        return new Favorite(id, name, spaceUid, indexSetId, newVisibleType, keyword, addition, displayFields,
                newGroupName, createdBy, version, createdAt, updatedAt, startTime, endTime, unmasked);
    }
}
