package io.bklog.core.patterns;

import io.bklog.core.meta.IndexSet;
import io.bklog.core.search.Addition;
import io.bklog.core.search.SearchSyntax;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.query.Query;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link SearchSyntax} that understands patterns on index sets that cluster: {@code __pattern:<id>} matches the
 * lines of every id that resolves to the same pattern (an id merged into another finds the lines of the one it
 * resolves to, and the other way round), and {@code __pattern_label:"disk full"} the lines of the patterns with that
 * label (case-insensitive, whole label). Everything else is the delegate's.
 */
final class PatternSearchSyntax implements SearchSyntax {
    private final SearchSyntax delegate;
    private final PatternService patterns;

    PatternSearchSyntax(SearchSyntax delegate, PatternService patterns) {
        this.delegate = delegate;
        this.patterns = patterns;
    }

    @Override
    public Query keyword(String keyword, IndexSet indexSet) {
        if (!clusters(indexSet)) return delegate.keyword(keyword, indexSet);
        return rewrite(delegate.keyword(keyword, withLabelField(indexSet)), indexSet.name());
    }

    @Override
    public Query additions(List<Addition> additions, IndexSet indexSet) {
        if (!clusters(indexSet)) return delegate.additions(additions, indexSet);
        return rewrite(delegate.additions(additions, withLabelField(indexSet)), indexSet.name());
    }

    @Override
    public Instant time(String expression, Instant now, String param) {
        return delegate.time(expression, now, param);
    }

    private static boolean clusters(IndexSet set) {
        return set.schema().field(PatternConfig.PATTERN_FIELD).isPresent();
    }

    /** The index set as the parser sees it: with the search-only keyword field {@code __pattern_label}. */
    private static IndexSet withLabelField(IndexSet set) {
        if (set.schema().field(PatternConfig.LABEL_FIELD).isPresent()) return set;
        List<FieldSpec> fields = new ArrayList<>(set.fields());
        fields.add(FieldSpec.of(PatternConfig.LABEL_FIELD, FieldType.KEYWORD));
        return set.withFields(fields);
    }

    private Query rewrite(Query q, String indexSet) {
        if (q instanceof Query.Bool b) {
            return new Query.Bool(rewriteAll(b.must(), indexSet), rewriteAll(b.should(), indexSet),
                    rewriteAll(b.mustNot(), indexSet));
        }
        String field = fieldOf(q);
        String value = valueOf(q);
        if (field == null || value == null) return q;
        if (field.equals(PatternConfig.PATTERN_FIELD)) {
            return anyOf(patterns.idsResolvingTo(indexSet, value));
        }
        if (field.equals(PatternConfig.LABEL_FIELD)) {
            return anyOf(patterns.idsLabelled(indexSet, value));
        }
        return q;
    }

    private List<Query> rewriteAll(List<Query> qs, String indexSet) {
        List<Query> out = new ArrayList<>(qs.size());
        for (Query q : qs) out.add(rewrite(q, indexSet));
        return out;
    }

    private static String fieldOf(Query q) {
        if (q instanceof Query.Term t) return t.field();
        if (q instanceof Query.Phrase p) return p.field();
        return null;
    }

    private static String valueOf(Query q) {
        if (q instanceof Query.Term t) return t.value();
        if (q instanceof Query.Phrase p) return p.text();
        return null;
    }

    /** Matches a line whose pattern is one of {@code ids}; nothing when there are none. */
    private static Query anyOf(List<String> ids) {
        if (ids.isEmpty()) return Query.Bool.not(Query.matchAll());
        if (ids.size() == 1) return new Query.Term(PatternConfig.PATTERN_FIELD, ids.get(0));
        return Query.Bool.or(ids.stream().<Query>map(id -> new Query.Term(PatternConfig.PATTERN_FIELD, id)).toList());
    }
}
