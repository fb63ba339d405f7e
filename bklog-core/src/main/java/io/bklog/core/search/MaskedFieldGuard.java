package io.bklog.core.search;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.query.Query;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Keeps masked values from being inferred through what matches (issue 14): for a caller whose results are masked,
 * a query, filter, sort or aggregation on a field the index set masks is refused with {@link ErrorCode#MASKED_FIELD}
 * (a range or prefix query with a binary search on {@code total} would otherwise recover a masked token), and free
 * text without a field is kept off masked keyword fields.
 *
 * <p>Raw text fields (type {@code text}, e.g. {@code log}) are masked inside by patterns but stay searchable by
 * words; docs/security.md says what that leaves open.
 */
public final class MaskedFieldGuard {
    private MaskedFieldGuard() {}

    /** Whether {@code field} may not be queried, sorted or aggregated by a caller masked by {@code masker}. */
    public static boolean guarded(IndexSet set, Masker masker, String field) {
        if (masker.isEmpty() || field == null || !masker.masks(field)) return false;
        return set.schema().field(field).map(f -> f.type() != FieldType.TEXT).orElse(true);
    }

    /** Refuses a use of a guarded field; {@code where} is the request parameter, e.g. {@code sort_list[0]}. */
    public static void check(IndexSet set, Masker masker, String field, String where) {
        if (guarded(set, masker, field)) throw refused(set, field, where);
    }

    /**
     * The query with every leaf checked: a leaf on a guarded field is refused; a leaf without a field becomes an OR
     * of the same leaf on every text and keyword field that is not guarded (what "any field" means to the stores),
     * when some keyword field is guarded. {@code _exists_} stays allowed.
     */
    public static Query check(Query q, IndexSet set, Masker masker, String where) {
        if (masker.isEmpty()) return q;
        if (q instanceof Query.Bool b) {
            return new Query.Bool(each(b.must(), set, masker, where), each(b.should(), set, masker, where),
                    each(b.mustNot(), set, masker, where));
        }
        if (q instanceof Query.Term t) return leaf(t.field(), set, masker, where, f -> new Query.Term(f, t.value()), q);
        if (q instanceof Query.Phrase p) return leaf(p.field(), set, masker, where, f -> new Query.Phrase(f, p.text()), q);
        if (q instanceof Query.Wildcard w) {
            return leaf(w.field(), set, masker, where, f -> new Query.Wildcard(f, w.pattern()), q);
        }
        if (q instanceof Query.Regex r) return leaf(r.field(), set, masker, where, f -> new Query.Regex(f, r.pattern()), q);
        if (q instanceof Query.Range r) {
            check(set, masker, r.field(), where);
            return q;
        }
        return q; // MatchAll, Exists
    }

    private static List<Query> each(List<Query> qs, IndexSet set, Masker masker, String where) {
        List<Query> out = new ArrayList<>(qs.size());
        for (Query q : qs) out.add(check(q, set, masker, where));
        return out;
    }

    private static Query leaf(String field, IndexSet set, Masker masker, String where, Function<String, Query> on,
                              Query original) {
        if (field != null) {
            check(set, masker, field, where);
            return original;
        }
        List<String> any = new ArrayList<>();
        boolean guardedAny = false;
        for (FieldSpec f : set.fields()) {
            if (f.type() != FieldType.TEXT && f.type() != FieldType.KEYWORD) continue;
            if (guarded(set, masker, f.name())) guardedAny = true;
            else any.add(f.name());
        }
        if (!guardedAny) return original;
        if (any.isEmpty()) return Query.Bool.not(Query.matchAll()); // nothing left to match
        List<Query> or = new ArrayList<>();
        for (String f : any) or.add(on.apply(f));
        return or.size() == 1 ? or.get(0) : Query.Bool.or(or);
    }

    private static BklogException refused(IndexSet set, String field, String where) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("masked_field", field);
        return new BklogException(ErrorCode.MASKED_FIELD, "field '" + field + "' is masked in index set '"
                + set.name() + "' and this token has no 'unmasked' role: it cannot be queried, filtered, sorted or"
                + " aggregated (in " + where + "), as matching on it would reveal its raw values", where, details, null);
    }
}
