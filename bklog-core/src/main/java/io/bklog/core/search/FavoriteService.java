package io.bklog.core.search;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.meta.DuplicateNameException;
import io.bklog.core.meta.Favorite;
import io.bklog.core.meta.FavoriteRepository;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.meta.MetadataConflictException;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Saved searches (bklog's favorites) of a user in a space: a name, an index set, a query string, structured filters,
 * a time range and the columns shown. A favorite is private to its creator unless made {@code public}; only the
 * creator changes or deletes it. Every search part is validated like a search of the index set, so a favorite always
 * opens. The index set must belong to the caller's space.
 */
public final class FavoriteService {
    private static final TypeReference<List<Addition>> ADDITIONS = new TypeReference<>() {};

    private final FavoriteRepository favorites;
    private final IndexSetService indexSets;
    private final SearchService search;
    private final ObjectMapper json = new ObjectMapper();

    public FavoriteService(FavoriteRepository favorites, IndexSetService indexSets, SearchService search) {
        this.favorites = Objects.requireNonNull(favorites, "favorites");
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.search = Objects.requireNonNull(search, "search");
    }

    /**
     * What a client sends to create or replace a favorite.
     *
     * @param name          unique in the space, 1..255 characters; required
     * @param indexSet      the index set searched; required, of the caller's space
     * @param keyword       query string; blank = everything
     * @param addition      structured filters
     * @param startTime     start of the time range ({@code now-15m}, ISO-8601, epoch millis); null = open
     * @param endTime       end of the time range; null = open
     * @param displayFields columns shown; each must be a field of the index set
     * @param visibleType   {@code private} (default) or {@code public} (every user of the space sees it)
     * @param groupName     optional group
     */
    public record Spec(String name, String indexSet, String keyword, List<Addition> addition, String startTime,
                       String endTime, List<String> displayFields, String visibleType, String groupName) {}

    /** A favorite as the API shows it. */
    public record View(long id, String name, String indexSet, String keyword, List<Addition> addition,
                       String startTime, String endTime, List<String> displayFields, String visibleType,
                       String groupName, String createdBy, Instant createdAt, Instant updatedAt) {}

    /**
     * The favorites {@code user} sees in the space: their own and the public ones, by group and name. A
     * {@code masked} reader never sees one saved by an unmasked caller: its query may hold raw values.
     */
    public List<View> list(String spaceUid, String user, boolean masked) {
        Map<Long, String> names = indexSetNames();
        return favorites.listVisibleTo(spaceUid, user, masked).stream().map(f -> view(f, names)).toList();
    }

    /** One favorite the user sees, or {@link ErrorCode#FAVORITE_NOT_FOUND}. */
    public View get(String spaceUid, String user, long id, boolean masked) {
        return view(visible(spaceUid, user, id, masked), indexSetNames());
    }

    /** Creates a favorite owned by {@code user}, marked unmasked when the caller is not {@code masked}. */
    public View create(String spaceUid, String user, Spec spec, boolean masked) {
        IndexSet set = validate(spaceUid, spec);
        Favorite f = Favorite.of(spec.name(), spaceUid, set.id(), spec.keyword(), user).withUnmasked(!masked);
        f = fill(f, spec);
        try {
            return view(favorites.create(f), indexSetNames());
        } catch (DuplicateNameException e) {
            throw duplicate(spec.name(), e);
        }
    }

    /** Replaces every part of a favorite the user owns. */
    public View update(String spaceUid, String user, long id, Spec spec, boolean masked) {
        Favorite current = owned(spaceUid, user, id, masked);
        IndexSet set = validate(spaceUid, spec);
        Favorite f = fill(current.withTarget(spec.name(), set.id()).withSearch(spec.keyword(), null, null), spec)
                .withUnmasked(!masked);
        try {
            return view(favorites.update(f), indexSetNames());
        } catch (DuplicateNameException e) {
            throw duplicate(spec.name(), e);
        } catch (MetadataConflictException e) {
            throw new BklogException(ErrorCode.CONFLICT, "favorite " + id + " was changed meanwhile; read it again"
                    + " and retry", "id", Map.of(), e);
        }
    }

    /** Deletes a favorite the user owns. */
    public void delete(String spaceUid, String user, long id, boolean masked) {
        favorites.delete(owned(spaceUid, user, id, masked));
    }

    private Favorite fill(Favorite f, Spec spec) {
        JsonNode addition = json.valueToTree(spec.addition() == null ? List.of() : spec.addition());
        String visibility = spec.visibleType() == null || spec.visibleType().isBlank() ? Favorite.PRIVATE
                : spec.visibleType();
        return f.withSearch(spec.keyword(), addition, spec.displayFields())
                .withTimeRange(blankToNull(spec.startTime()), blankToNull(spec.endTime()))
                .withVisibility(visibility, blankToNull(spec.groupName()));
    }

    private IndexSet validate(String spaceUid, Spec spec) {
        if (spec == null) throw bad("the body must be a favorite: {name, index_set, keyword, ...}", null);
        if (spec.name() == null || spec.name().isBlank()) throw bad("name is required", "name");
        if (spec.name().length() > 255) {
            throw bad("name is " + spec.name().length() + " characters long; at most 255 are allowed", "name");
        }
        if (spec.indexSet() == null || spec.indexSet().isBlank()) throw bad("index_set is required", "index_set");
        if (spec.visibleType() != null && !spec.visibleType().isBlank() && !Favorite.PRIVATE.equals(spec.visibleType())
                && !Favorite.PUBLIC.equals(spec.visibleType())) {
            throw bad("visible_type must be private or public, got \"" + spec.visibleType() + "\"", "visible_type");
        }
        for (String t : new String[] {spec.startTime(), spec.endTime()}) {
            if (t != null && t.length() > 64) throw bad("start_time and end_time are at most 64 characters", "start_time");
        }
        IndexSet set = indexSets.find(spec.indexSet()).filter(s -> s.spaceUid().equals(spaceUid))
                .orElseThrow(() -> new BklogException(ErrorCode.INDEX_SET_NOT_FOUND, "no index set named '"
                        + spec.indexSet() + "' in space '" + spaceUid + "'", "index_set"));
        search.request(set.name(), new SearchParams(spec.keyword(), spec.addition(), spec.startTime(), spec.endTime(),
                0, 0, null, null, spec.displayFields(), null, null));
        return set;
    }

    private Favorite visible(String spaceUid, String user, long id, boolean masked) {
        return favorites.findById(id)
                .filter(f -> f.spaceUid().equals(spaceUid) && !(masked && f.unmasked())
                        && (f.createdBy().equals(user) || Favorite.PUBLIC.equals(f.visibleType())))
                .orElseThrow(() -> notFound(id, spaceUid));
    }

    private Favorite owned(String spaceUid, String user, long id, boolean masked) {
        Favorite f = visible(spaceUid, user, id, masked);
        if (!f.createdBy().equals(user)) {
            throw new BklogException(ErrorCode.FAVORITE_NOT_FOUND, "favorite " + id + " is public but belongs to '"
                    + f.createdBy() + "'; only its creator can change or delete it", "id");
        }
        return f;
    }

    private View view(Favorite f, Map<Long, String> indexSetNames) {
        List<Addition> addition = json.convertValue(f.addition(), ADDITIONS);
        return new View(f.id(), f.name(), indexSetNames.get(f.indexSetId()), f.keyword(), addition, f.startTime(),
                f.endTime(), f.displayFields(), f.visibleType(), f.groupName(), f.createdBy(), f.createdAt(),
                f.updatedAt());
    }

    private Map<Long, String> indexSetNames() {
        return indexSets.list().stream().collect(Collectors.toMap(IndexSet::id, IndexSet::name, (a, b) -> a));
    }

    private static BklogException notFound(long id, String spaceUid) {
        return new BklogException(ErrorCode.FAVORITE_NOT_FOUND, "no favorite " + id + " of yours (or public) in space '"
                + spaceUid + "'", "id");
    }

    private static BklogException duplicate(String name, Exception cause) {
        return new BklogException(ErrorCode.CONFLICT, "a favorite named '" + name + "' exists already in this space;"
                + " pick another name", "name", Map.of(), cause);
    }

    private static BklogException bad(String message, String field) {
        return new BklogException(ErrorCode.BAD_REQUEST, message, field);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
