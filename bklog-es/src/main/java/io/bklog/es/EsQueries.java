package io.bklog.es;

import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.query_dsl.Operator;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch._types.query_dsl.SpanQuery;
import co.elastic.clients.elasticsearch._types.query_dsl.UntypedRangeQuery;
import co.elastic.clients.json.JsonData;
import io.bklog.spi.FieldType;
import io.bklog.spi.FieldValues;
import io.bklog.spi.query.Query.Bool;
import io.bklog.spi.query.Query.Exists;
import io.bklog.spi.query.Query.MatchAll;
import io.bklog.spi.query.Query.Phrase;
import io.bklog.spi.query.Query.Range;
import io.bklog.spi.query.Query.Regex;
import io.bklog.spi.query.Query.Term;
import io.bklog.spi.query.Query.Wildcard;
import io.bklog.spi.query.TextAnalysis;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Translates the bklog query AST into Elasticsearch query DSL with the semantics of {@link io.bklog.spi.query.Query}:
 * per field type, a {@code null} field meaning every text field (analyzed) and every keyword field (exact), and a
 * value that does not parse for a field's type (or a field the index set does not have) matching nothing.
 */
final class EsQueries {
    private static final Query MATCH_NONE = Query.of(q -> q.matchNone(m -> m));
    private static final Query MATCH_ALL = Query.of(q -> q.matchAll(m -> m));

    private final Map<String, FieldType> fields;

    /** @param fields the mapped fields of the searched index sets, by name */
    EsQueries(Map<String, FieldType> fields) {
        this.fields = fields;
    }

    Query translate(io.bklog.spi.query.Query q) {
        if (q instanceof MatchAll) return MATCH_ALL;
        if (q instanceof Term t) return t.field() == null ? anyField(t.value(), this::termOnText, EsQueries::exact)
                : onField(t.field(), (f, type) -> term(f, type, t.value()));
        if (q instanceof Phrase p) return p.field() == null ? anyField(p.text(), this::phraseOnText, EsQueries::exact)
                : onField(p.field(), (f, type) -> type == FieldType.TEXT ? phraseOnText(f, p.text())
                        : term(f, type, p.text()));
        if (q instanceof Wildcard w) return w.field() == null
                ? anyField(w.pattern(), EsQueries::wildcardOnText, EsQueries::wildcard)
                : onField(w.field(), (f, type) -> switch (type) {
                    case TEXT -> wildcardOnText(f, w.pattern());
                    case KEYWORD -> wildcard(f, w.pattern());
                    default -> MATCH_NONE;
                });
        if (q instanceof Regex r) return r.field() == null
                ? anyField(r.pattern(), EsQueries::regexOnText, EsQueries::regex)
                : onField(r.field(), (f, type) -> switch (type) {
                    case TEXT -> regexOnText(f, r.pattern());
                    case KEYWORD -> regex(f, r.pattern());
                    default -> MATCH_NONE;
                });
        if (q instanceof Range r) return onField(r.field(), (f, type) -> range(f, r, type));
        if (q instanceof Exists e) return onField(e.field(), (f, type) -> Query.of(x -> x.exists(ex -> ex.field(f))));
        if (q instanceof Bool b) return bool(b);
        throw new IllegalArgumentException("unknown query node " + q.getClass().getName());
    }

    private Query bool(Bool b) {
        if (b.must().isEmpty() && b.should().isEmpty() && b.mustNot().isEmpty()) return MATCH_ALL;
        return Query.of(q -> q.bool(x -> {
            x.must(b.must().stream().map(this::translate).toList());
            x.should(b.should().stream().map(this::translate).toList());
            x.mustNot(b.mustNot().stream().map(this::translate).toList());
            if (!b.should().isEmpty()) x.minimumShouldMatch("1");
            if (b.must().isEmpty() && b.should().isEmpty()) x.must(MATCH_ALL);
            return x;
        }));
    }

    /**
     * The query on one field; on {@code log}, also on the field a {@link DerivedLog derived} {@code log} was kept
     * as, in the documents marked so.
     */
    private Query onField(String field, BiFunction<String, FieldType, Query> byType) {
        FieldType type = fields.get(field);
        if (type == null) return MATCH_NONE;
        Query own = byType.apply(field, type);
        if (!field.equals(DerivedLog.LOG) || type != FieldType.TEXT) return own;
        List<Query> should = new ArrayList<>();
        should.add(own);
        for (String from : DerivedLog.SOURCES) {
            if (fields.get(from) != FieldType.TEXT) continue;
            Query onFrom = byType.apply(from, FieldType.TEXT);
            Query marked = exact(EsMappings.LOG_FROM, from);
            should.add(Query.of(q -> q.bool(b -> b.must(onFrom).filter(marked))));
        }
        if (should.size() == 1) return own;
        return Query.of(q -> q.bool(b -> b.should(should).minimumShouldMatch("1")));
    }

    /** Every text field analyzed, every keyword field exact, at least one matching. */
    private Query anyField(String value, java.util.function.BiFunction<String, String, Query> onText,
                           java.util.function.BiFunction<String, String, Query> onKeyword) {
        List<Query> should = new ArrayList<>();
        fields.forEach((name, type) -> {
            if (type == FieldType.TEXT) should.add(onText.apply(name, value));
            else if (type == FieldType.KEYWORD) should.add(onKeyword.apply(name, value));
        });
        if (should.isEmpty()) return MATCH_NONE;
        if (should.size() == 1) return should.get(0);
        return Query.of(q -> q.bool(b -> b.should(should).minimumShouldMatch("1")));
    }

    private Query termOnText(String field, String value) {
        return Query.of(q -> q.match(m -> m.field(field).query(value).operator(Operator.And)));
    }

    private Query phraseOnText(String field, String text) {
        return Query.of(q -> q.matchPhrase(m -> m.field(field).query(text)));
    }

    private static Query exact(String field, String value) {
        return Query.of(q -> q.term(t -> t.field(field).value(value)));
    }

    /**
     * One token per {@link TextAnalysis#wildcardParts part}: a single part is a wildcard on one token, several are
     * consecutive tokens in order ({@code span_near}, slop 0; a part without wildcards is a {@code span_term}).
     */
    private static Query wildcardOnText(String field, String pattern) {
        List<String> parts = TextAnalysis.wildcardParts(pattern);
        if (parts.isEmpty()) return MATCH_NONE;
        if (parts.size() == 1) return wildcard(field, parts.get(0));
        List<SpanQuery> clauses = new ArrayList<>(parts.size());
        for (String part : parts) {
            clauses.add(part.indexOf('*') < 0 && part.indexOf('?') < 0
                    ? SpanQuery.of(s -> s.spanTerm(t -> t.field(field).value(part)))
                    : SpanQuery.of(s -> s.spanMulti(m -> m.match(wildcard(field, part)))));
        }
        return Query.of(q -> q.spanNear(n -> n.clauses(clauses).slop(0).inOrder(true)));
    }

    private static Query wildcard(String field, String pattern) {
        return Query.of(q -> q.wildcard(w -> w.field(field).value(pattern)));
    }

    private static Query regexOnText(String field, String pattern) {
        return regex(field, pattern.toLowerCase(Locale.ROOT));
    }

    private static Query regex(String field, String pattern) {
        return Query.of(q -> q.regexp(r -> r.field(field).value(pattern)));
    }

    private Query term(String field, FieldType type, String value) {
        FieldValue v = switch (type) {
            case TEXT -> null;
            case KEYWORD -> FieldValue.of(value);
            case IP -> FieldValues.isIp(value) ? FieldValue.of(value.trim()) : null;
            case LONG -> {
                Long l = FieldValues.parseLong(value);
                yield l == null ? null : FieldValue.of(l);
            }
            case DOUBLE -> {
                Double d = FieldValues.parseDouble(value);
                yield d == null ? null : FieldValue.of(d);
            }
            case DATE -> {
                Long millis = FieldValues.parseDateMillis(value);
                yield millis == null ? null : FieldValue.of(millis);
            }
            case BOOLEAN -> {
                String s = value.trim().toLowerCase(Locale.ROOT);
                yield s.equals("true") || s.equals("false") ? FieldValue.of(Boolean.parseBoolean(s)) : null;
            }
        };
        if (type == FieldType.TEXT) return termOnText(field, value);
        if (v == null) return MATCH_NONE;
        return Query.of(q -> q.term(t -> t.field(field).value(v)));
    }

    private static Query range(String field, Range r, FieldType type) {
        JsonData lower = r.lower() == null ? null : bound(type, r.lower());
        JsonData upper = r.upper() == null ? null : bound(type, r.upper());
        if (type == FieldType.TEXT || (r.lower() != null && lower == null) || (r.upper() != null && upper == null)) {
            return MATCH_NONE;
        }
        UntypedRangeQuery.Builder b = new UntypedRangeQuery.Builder().field(field);
        if (lower != null) {
            if (r.includeLower()) b.gte(lower); else b.gt(lower);
        }
        if (upper != null) {
            if (r.includeUpper()) b.lte(upper); else b.lt(upper);
        }
        if (type == FieldType.DATE) b.format("epoch_millis");
        UntypedRangeQuery range = b.build();
        return Query.of(q -> q.range(x -> x.untyped(range)));
    }

    private static JsonData bound(FieldType type, String v) {
        return switch (type) {
            case LONG, DOUBLE -> {
                BigDecimal d = FieldValues.parseDecimal(v);
                yield d == null ? null : JsonData.of(d);
            }
            case DATE -> {
                Long millis = FieldValues.parseDateMillis(v);
                yield millis == null ? null : JsonData.of(millis);
            }
            case IP -> FieldValues.isIp(v) ? JsonData.of(v.trim()) : null;
            case BOOLEAN -> {
                String s = v.trim().toLowerCase(Locale.ROOT);
                yield s.equals("true") || s.equals("false") ? JsonData.of(Boolean.parseBoolean(s)) : null;
            }
            case KEYWORD -> JsonData.of(v);
            case TEXT -> null;
        };
    }
}
