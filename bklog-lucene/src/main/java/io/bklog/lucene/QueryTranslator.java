package io.bklog.lucene;

import io.bklog.spi.FieldValues;
import io.bklog.spi.FieldType;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.spi.query.TextAnalysis;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.InetAddressPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.index.Term;
import org.apache.lucene.queries.spans.SpanMultiTermQueryWrapper;
import org.apache.lucene.queries.spans.SpanNearQuery;
import org.apache.lucene.queries.spans.SpanQuery;
import org.apache.lucene.queries.spans.SpanTermQuery;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.RegexpQuery;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermRangeQuery;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.util.automaton.Operations;
import org.apache.lucene.util.automaton.TooComplexToDeterminizeException;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** Translates the query AST to a Lucene query, with the per-type semantics documented on {@link Query}. */
final class QueryTranslator {
    private final Map<String, FieldType> types;

    QueryTranslator(Map<String, FieldType> types) {
        this.types = types;
    }

    org.apache.lucene.search.Query translate(Query q) {
        if (q instanceof Query.MatchAll) return new MatchAllDocsQuery();
        if (q instanceof Query.Term t) return perField(t.field(), f -> term(f, types.get(f), t.value()));
        if (q instanceof Query.Phrase p) return perField(p.field(), f -> phrase(f, types.get(f), p.text()));
        if (q instanceof Query.Wildcard w) return perField(w.field(), f -> wildcard(f, types.get(f), w.pattern()));
        if (q instanceof Query.Regex r) return perField(r.field(), f -> regex(f, types.get(f), r.pattern()));
        if (q instanceof Query.Range r) return perField(r.field(), f -> range(f, r));
        if (q instanceof Query.Exists e) {
            if (!types.containsKey(e.field())) return new MatchNoDocsQuery("unmapped");
            return onField(e.field(), f -> f.equals(e.field()) ? exists(f, types.get(f)) : new MatchAllDocsQuery());
        }
        if (q instanceof Query.Bool b) return bool(b);
        throw new IllegalArgumentException("unknown query node " + q.getClass().getName());
    }

    /**
     * The documents holding a value of {@code field}. Text is indexed without norms or doc values, so a text field's
     * documents are those with any term of it (every term, one constant-score pass over their postings); other
     * types have doc values.
     */
    private static org.apache.lucene.search.Query exists(String field, FieldType type) {
        if (type == FieldType.TEXT) return new TermRangeQuery(field, null, null, true, true);
        return new FieldExistsQuery(field);
    }

    private org.apache.lucene.search.Query bool(Query.Bool b) {
        if (b.must().isEmpty() && b.should().isEmpty() && b.mustNot().isEmpty()) return new MatchAllDocsQuery();
        BooleanQuery.Builder bq = new BooleanQuery.Builder();
        for (Query q : b.must()) bq.add(translate(q), Occur.FILTER);
        for (Query q : b.should()) bq.add(translate(q), Occur.SHOULD);
        for (Query q : b.mustNot()) bq.add(translate(q), Occur.MUST_NOT);
        if (!b.should().isEmpty()) bq.setMinimumNumberShouldMatch(1);
        if (b.must().isEmpty() && b.should().isEmpty()) bq.add(new MatchAllDocsQuery(), Occur.FILTER);
        return bq.build();
    }

    private interface FieldQuery {
        org.apache.lucene.search.Query on(String field);
    }

    /** A named field, or — for a null field — every text and keyword field. */
    private org.apache.lucene.search.Query perField(String field, FieldQuery fq) {
        if (field != null) {
            return types.containsKey(field) ? onField(field, fq)
                    : new MatchNoDocsQuery("field '" + field + "' is unmapped");
        }
        List<org.apache.lucene.search.Query> any = new ArrayList<>();
        types.forEach((name, type) -> {
            if (type == FieldType.TEXT || type == FieldType.KEYWORD) any.add(fq.on(name));
        });
        if (any.isEmpty()) return new MatchNoDocsQuery("no text or keyword field");
        if (any.size() == 1) return any.get(0);
        BooleanQuery.Builder bq = new BooleanQuery.Builder();
        for (org.apache.lucene.search.Query q : any) bq.add(q, Occur.SHOULD);
        return bq.build();
    }

    /**
     * The query on one mapped field; on {@code log} (text), also on the field a {@link DerivedLog kept-once}
     * {@code log} came from, in the documents marked so. Every other field, and every document written with its
     * {@code log} (all of them before), is searched as it always was. Bare words (no field) need nothing more: they
     * search every text field, the source field included.
     */
    private org.apache.lucene.search.Query onField(String field, FieldQuery fq) {
        org.apache.lucene.search.Query own = fq.on(field);
        if (!field.equals(DerivedLog.LOG) || types.get(field) != FieldType.TEXT) return own;
        BooleanQuery.Builder bq = null;
        for (String from : DerivedLog.SOURCES) {
            if (types.get(from) != FieldType.TEXT) continue;
            if (bq == null) bq = new BooleanQuery.Builder().add(own, Occur.SHOULD);
            bq.add(new BooleanQuery.Builder()
                    .add(fq.on(from), Occur.FILTER)
                    .add(new TermQuery(new Term(DerivedLog.MARKER, from)), Occur.FILTER)
                    .build(), Occur.SHOULD);
        }
        return bq == null ? own : bq.setMinimumNumberShouldMatch(1).build();
    }

    private static org.apache.lucene.search.Query term(String field, FieldType type, String value) {
        return switch (type) {
            case TEXT -> allTokens(field, TextAnalysis.tokens(value));
            case KEYWORD -> new TermQuery(new Term(field, value));
            case IP -> Optional.ofNullable(FieldValues.canonicalIp(value)).<org.apache.lucene.search.Query>map(
                    v -> new TermQuery(new Term(field, v))).orElseGet(() -> none(field, value));
            case LONG -> Optional.ofNullable(FieldValues.parseLong(value)).map(v -> LongRangeQuery.of(field, v, v))
                    .orElseGet(() -> none(field, value));
            case DATE -> Optional.ofNullable(FieldValues.parseDateMillis(value)).map(v -> LongRangeQuery.of(field, v, v))
                    .orElseGet(() -> none(field, value));
            case DOUBLE -> parseDouble(value).map(v -> DoublePoint.newExactQuery(field, v))
                    .orElseGet(() -> none(field, value));
            case BOOLEAN -> Optional.ofNullable(FieldValues.parseBoolean(value)).<org.apache.lucene.search.Query>map(
                    v -> new TermQuery(new Term(field, v.toString()))).orElseGet(() -> none(field, value));
        };
    }

    private static org.apache.lucene.search.Query allTokens(String field, List<String> tokens) {
        if (tokens.isEmpty()) return new MatchNoDocsQuery("no tokens");
        if (tokens.size() == 1) return new TermQuery(new Term(field, tokens.get(0)));
        BooleanQuery.Builder bq = new BooleanQuery.Builder();
        for (String t : tokens) bq.add(new TermQuery(new Term(field, t)), Occur.FILTER);
        return bq.build();
    }

    private static org.apache.lucene.search.Query phrase(String field, FieldType type, String text) {
        if (type == FieldType.TEXT) {
            List<String> tokens = TextAnalysis.tokens(text);
            if (tokens.size() <= 1) return allTokens(field, tokens);
            return new PhraseQuery(field, tokens.toArray(String[]::new));
        }
        return term(field, type, text);
    }

    private static org.apache.lucene.search.Query wildcard(String field, FieldType type, String pattern) {
        return switch (type) {
            case TEXT -> wildcardOnText(field, pattern);
            case KEYWORD, IP -> new WildcardQuery(new Term(field, pattern));
            default -> pattern.indexOf('*') < 0 && pattern.indexOf('?') < 0 ? term(field, type, pattern)
                    : new MatchNoDocsQuery("wildcard on " + type.wireName() + " field '" + field + "'");
        };
    }

    /**
     * One token per {@link TextAnalysis#wildcardParts part}: a single part is a wildcard on one token, several are
     * consecutive tokens in order (a span phrase; a part without wildcards is a plain term).
     */
    private static org.apache.lucene.search.Query wildcardOnText(String field, String pattern) {
        List<String> parts = TextAnalysis.wildcardParts(pattern);
        if (parts.isEmpty()) return new MatchNoDocsQuery("wildcard '" + pattern + "' has no token");
        if (parts.size() == 1) return tokenWildcard(field, parts.get(0));
        SpanQuery[] clauses = new SpanQuery[parts.size()];
        for (int i = 0; i < clauses.length; i++) {
            String part = parts.get(i);
            clauses[i] = hasWildcard(part) ? new SpanMultiTermQueryWrapper<>(new WildcardQuery(new Term(field, part)))
                    : new SpanTermQuery(new Term(field, part));
        }
        return new SpanNearQuery(clauses, 0, true);
    }

    private static org.apache.lucene.search.Query tokenWildcard(String field, String part) {
        return hasWildcard(part) ? new WildcardQuery(new Term(field, part)) : new TermQuery(new Term(field, part));
    }

    private static boolean hasWildcard(String part) {
        return part.indexOf('*') >= 0 || part.indexOf('?') >= 0;
    }

    private static org.apache.lucene.search.Query regex(String field, FieldType type, String pattern) {
        try {
            return switch (type) {
                case TEXT -> new RegexpQuery(new Term(field, pattern.toLowerCase(Locale.ROOT)));
                case KEYWORD, IP -> new RegexpQuery(new Term(field, pattern));
                default -> new MatchNoDocsQuery("regex on " + type.wireName() + " field '" + field + "'");
            };
        } catch (TooComplexToDeterminizeException e) {
            throw tooComplex(field, pattern, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad regular expression '" + pattern + "' on field '" + field + "': "
                    + e.getMessage(), e);
        }
    }

    /** Lucene's refusal to determinize a regex, as the SPI's exception (a 400, not a 500). */
    static RegexTooComplexException tooComplex(String field, String pattern, TooComplexToDeterminizeException e) {
        return new RegexTooComplexException(field, pattern, "its automaton needs more than "
                + Operations.DEFAULT_DETERMINIZE_WORK_LIMIT + " units of determinization work", e);
    }

    private org.apache.lucene.search.Query range(String field, Query.Range r) {
        FieldType type = types.get(field);
        if (type == null) return new MatchNoDocsQuery("field '" + field + "' is unmapped");
        switch (type) {
            case LONG, DATE -> {
                long lo = Long.MIN_VALUE;
                long hi = Long.MAX_VALUE;
                if (r.lower() != null) {
                    Optional<Long> v = LuceneValues.longBound(type, r.lower(), true, r.includeLower());
                    if (v.isEmpty()) return none(field, r.lower());
                    lo = v.get();
                }
                if (r.upper() != null) {
                    Optional<Long> v = LuceneValues.longBound(type, r.upper(), false, r.includeUpper());
                    if (v.isEmpty()) return none(field, r.upper());
                    hi = v.get();
                }
                return LongRangeQuery.of(field, lo, hi);
            }
            case DOUBLE -> {
                double lo = Double.NEGATIVE_INFINITY;
                double hi = Double.POSITIVE_INFINITY;
                if (r.lower() != null) {
                    Optional<Double> v = parseDouble(r.lower());
                    if (v.isEmpty()) return none(field, r.lower());
                    lo = r.includeLower() ? v.get() : Math.nextUp(v.get());
                }
                if (r.upper() != null) {
                    Optional<Double> v = parseDouble(r.upper());
                    if (v.isEmpty()) return none(field, r.upper());
                    hi = r.includeUpper() ? v.get() : Math.nextDown(v.get());
                }
                return DoublePoint.newRangeQuery(field, lo, hi);
            }
            case BOOLEAN -> {
                long lo = 0;
                long hi = 1;
                if (r.lower() != null) {
                    Optional<Boolean> v = Optional.ofNullable(FieldValues.parseBoolean(r.lower()));
                    if (v.isEmpty()) return none(field, r.lower());
                    lo = (v.get() ? 1 : 0) + (r.includeLower() ? 0 : 1);
                }
                if (r.upper() != null) {
                    Optional<Boolean> v = Optional.ofNullable(FieldValues.parseBoolean(r.upper()));
                    if (v.isEmpty()) return none(field, r.upper());
                    hi = (v.get() ? 1 : 0) - (r.includeUpper() ? 0 : 1);
                }
                return SortedNumericDocValuesField.newSlowRangeQuery(field, lo, hi);
            }
            case IP -> {
                InetAddress lo = null;
                InetAddress hi = null;
                if (r.lower() != null) {
                    Optional<InetAddress> v = Optional.ofNullable(FieldValues.parseIp(r.lower()));
                    if (v.isEmpty()) return none(field, r.lower());
                    lo = r.includeLower() ? v.get() : InetAddressPoint.nextUp(v.get());
                }
                if (r.upper() != null) {
                    Optional<InetAddress> v = Optional.ofNullable(FieldValues.parseIp(r.upper()));
                    if (v.isEmpty()) return none(field, r.upper());
                    hi = r.includeUpper() ? v.get() : InetAddressPoint.nextDown(v.get());
                }
                if (lo == null) lo = InetAddressPoint.MIN_VALUE;
                if (hi == null) hi = InetAddressPoint.MAX_VALUE;
                return InetAddressPoint.newRangeQuery(field, lo, hi);
            }
            case TEXT -> {
                return TermRangeQuery.newStringRange(field,
                        r.lower() == null ? null : r.lower().toLowerCase(Locale.ROOT),
                        r.upper() == null ? null : r.upper().toLowerCase(Locale.ROOT),
                        r.includeLower(), r.includeUpper());
            }
            default -> {
                return TermRangeQuery.newStringRange(field, r.lower(), r.upper(), r.includeLower(), r.includeUpper());
            }
        }
    }

    static Optional<Double> parseDouble(String s) {
        try {
            return Optional.of(Double.parseDouble(s.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static org.apache.lucene.search.Query none(String field, String value) {
        return new MatchNoDocsQuery("value '" + value + "' does not fit field '" + field + "'");
    }
}
