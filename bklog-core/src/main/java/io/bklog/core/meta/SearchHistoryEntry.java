package io.bklog.core.meta;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;

/**
 * One search a user ran (append-only).
 *
 * @param params   the rest of the request (time range, addition filters...) as JSON
 * @param unmasked run by a caller holding {@code unmasked}: the query may hold raw values, so a masked reader never
 *                 sees it (docs/security.md)
 */
public record SearchHistoryEntry(long id, String username, long indexSetId, String keyword, JsonNode params,
                                 Instant createdAt, boolean unmasked) {

    public SearchHistoryEntry {
        Rows.max(Rows.required(username, "search history username"), 255, "username");
        keyword = keyword == null ? "" : keyword;
        params = Rows.object(params);
        createdAt = Rows.ms(createdAt);
    }

    public static SearchHistoryEntry of(String username, long indexSetId, String keyword, JsonNode params) {
        return of(username, indexSetId, keyword, params, false);
    }

    public static SearchHistoryEntry of(String username, long indexSetId, String keyword, JsonNode params,
                                        boolean unmasked) {
        return new SearchHistoryEntry(0, username, indexSetId, keyword, params, null, unmasked);
    }
}
