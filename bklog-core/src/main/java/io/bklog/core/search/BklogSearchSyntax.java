package io.bklog.core.search;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.query.QueryFields;
import io.bklog.core.query.QueryRegexLimits;
import io.bklog.core.query.QueryStringParser;
import io.bklog.core.query.QuerySyntaxException;
import io.bklog.core.query.QueryValidationException;
import io.bklog.core.query.StructuredFilter;
import io.bklog.core.query.StructuredFilters;
import io.bklog.core.query.TimeExpressions;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * bklog's search syntax: the Lucene-style query string ({@link QueryStringParser}), structured filters
 * ({@link StructuredFilters}) and time expressions ({@link TimeExpressions}), with fields checked by
 * {@link QueryFields}. Their exceptions become {@code bad_query}, {@code unknown_field} and {@code bad_request}.
 */
public final class BklogSearchSyntax implements SearchSyntax {

    @Override
    public Query keyword(String keyword, IndexSet indexSet) {
        Query q;
        try {
            q = QueryStringParser.parse(keyword);
        } catch (QuerySyntaxException e) {
            throw new BklogException(ErrorCode.BAD_QUERY, "keyword does not parse: " + e.getMessage(), "keyword",
                    Map.of("position", e.position()), e);
        }
        validate(q, indexSet, "keyword");
        try {
            QueryRegexLimits.check(q);
        } catch (RegexTooComplexException e) {
            throw SearchService.regexTooComplex(e);
        }
        return q;
    }

    @Override
    public Query additions(List<Addition> additions, IndexSet indexSet) {
        List<StructuredFilter> filters = new ArrayList<>(additions.size());
        for (int i = 0; i < additions.size(); i++) {
            Addition a = additions.get(i);
            String where = "addition[" + i + "]";
            if (a.condition() != null && !a.condition().isBlank() && !a.condition().equalsIgnoreCase("and")) {
                throw new BklogException(ErrorCode.BAD_REQUEST, where + ".condition must be \"and\" (filters are all"
                        + " applied; use OR in the keyword for alternatives), got \"" + a.condition() + "\"",
                        where + ".condition");
            }
            if (a.field() == null || a.operator() == null) {
                throw new BklogException(ErrorCode.BAD_REQUEST, where + " needs a field and an operator", where);
            }
            try {
                filters.add(new StructuredFilter(a.field(), a.operator(), a.value()));
            } catch (IllegalArgumentException e) {
                throw new BklogException(ErrorCode.BAD_REQUEST, where + ": " + e.getMessage(), where + ".operator");
            }
        }
        Query q = StructuredFilters.toQuery(filters);
        validate(q, indexSet, "addition");
        return q;
    }

    @Override
    public Instant time(String expression, Instant now, String param) {
        try {
            return TimeExpressions.parse(expression, Clock.fixed(now, ZoneOffset.UTC));
        } catch (IllegalArgumentException e) {
            throw new BklogException(ErrorCode.BAD_REQUEST, param + ": " + e.getMessage(), param);
        }
    }

    private static void validate(Query q, IndexSet set, String where) {
        try {
            QueryFields.validate(q, set.schema());
        } catch (QueryValidationException e) {
            if (e.field() != null && set.schema().field(e.field()).isEmpty()) {
                throw SearchService.unknownField(set, e.field(), where);
            }
            throw new BklogException(ErrorCode.BAD_QUERY, where + ": " + e.getMessage(), where, Map.of(), e);
        }
    }
}
