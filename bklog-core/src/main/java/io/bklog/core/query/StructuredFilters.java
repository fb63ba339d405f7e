package io.bklog.core.query;

import io.bklog.spi.query.Query;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Turns bklog's structured filters ({@code addition}) into the query AST. The filters of a list are AND-ed; the
 * values of one filter are OR-ed (negative operators: none of them may match).
 *
 * <table>
 *   <caption>operator → AST</caption>
 *   <tr><td>is, =, eq, is one of, in</td><td>{@code Term} per value, any</td></tr>
 *   <tr><td>is not, !=, neq, is not one of, not in</td><td>no value's {@code Term}</td></tr>
 *   <tr><td>contains / not contains</td><td>{@code Wildcard *value*} (value's {@code * ? \} escaped), any / none</td></tr>
 *   <tr><td>&gt;, &gt;=, &lt;, &lt;= (gt, gte, lt, lte)</td><td>half-open {@code Range} per value, any</td></tr>
 *   <tr><td>exists / does not exists, not exists</td><td>{@code Exists} / its negation; values ignored</td></tr>
 *   <tr><td>=~ / !=~, &amp;!=~ / &amp;=~</td><td>{@code Wildcard} with the value as pattern, any / none / all</td></tr>
 *   <tr><td>is true / is false</td><td>{@code Term(field, "true" | "false")}; values ignored</td></tr>
 *   <tr><td>contains match phrase / not contains match phrase / all contains match phrase</td>
 *       <td>{@code Phrase} per value, any / none / all</td></tr>
 * </table>
 */
public final class StructuredFilters {
    private StructuredFilters() {}

    /** The AND of every filter; an empty or null list is {@link Query.MatchAll}. */
    public static Query toQuery(List<StructuredFilter> filters) {
        if (filters == null || filters.isEmpty()) return Query.matchAll();
        List<Query> parts = new ArrayList<>(filters.size());
        for (StructuredFilter f : filters) parts.add(toQuery(f));
        return parts.size() == 1 ? parts.get(0) : Bool.and(parts);
    }

    /** The AST of one filter. */
    public static Query toQuery(StructuredFilter filter) {
        String field = filter.field();
        List<String> values = filter.values();
        return switch (filter.kind()) {
            case IS -> any(values, v -> new Term(field, v));
            case IS_NOT -> none(values, v -> new Term(field, v));
            case CONTAINS -> any(values, v -> contains(field, v));
            case NOT_CONTAINS -> none(values, v -> contains(field, v));
            case GT -> any(values, v -> Range.greaterThan(field, v));
            case GTE -> any(values, v -> Range.atLeast(field, v));
            case LT -> any(values, v -> Range.lessThan(field, v));
            case LTE -> any(values, v -> Range.atMost(field, v));
            case EXISTS -> new Exists(field);
            case NOT_EXISTS -> Bool.not(new Exists(field));
            case WILDCARD -> any(values, v -> new Wildcard(field, v));
            case NOT_WILDCARD -> none(values, v -> new Wildcard(field, v));
            case ALL_WILDCARD -> all(values, v -> new Wildcard(field, v));
            case IS_TRUE -> new Term(field, "true");
            case IS_FALSE -> new Term(field, "false");
            case MATCH_PHRASE -> any(values, v -> new Phrase(field, v));
            case NOT_MATCH_PHRASE -> none(values, v -> new Phrase(field, v));
            case ALL_MATCH_PHRASE -> all(values, v -> new Phrase(field, v));
        };
    }

    private static Query contains(String field, String value) {
        StringBuilder p = new StringBuilder(value.length() + 4).append('*');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '*' || c == '?' || c == '\\') p.append('\\');
            p.append(c);
        }
        return new Wildcard(field, p.append('*').toString());
    }

    private static List<Query> map(List<String> values, Function<String, Query> f) {
        List<Query> out = new ArrayList<>(values.size());
        for (String v : values) out.add(f.apply(v));
        return out;
    }

    private static Query any(List<String> values, Function<String, Query> f) {
        List<Query> qs = map(values, f);
        return qs.size() == 1 ? qs.get(0) : Bool.or(qs);
    }

    private static Query all(List<String> values, Function<String, Query> f) {
        List<Query> qs = map(values, f);
        return qs.size() == 1 ? qs.get(0) : Bool.and(qs);
    }

    private static Query none(List<String> values, Function<String, Query> f) {
        return new Bool(List.of(), List.of(), map(values, f));
    }
}
