package io.bklog.core.search;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.meta.IndexSet;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.core.mask.Masker;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.spi.query.Sort;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Runs bklog-shaped searches ({@link SearchParams}) on one index set: parses the keyword and filters, checks every
 * field against the index set, resolves the time range and sort, and asks the store.
 */
public final class SearchService {
    /** bklog's sort group: appended, in the same order, when sorting by the time field. */
    static final List<String> SORT_GROUP = List.of("gseIndex", "iterationIndex");

    private final IndexSetService indexSets;
    private final LogStore store;
    private final SearchSyntax syntax;
    private final Clock clock;
    private final Timer timer;

    public SearchService(IndexSetService indexSets, LogStore store, SearchSyntax syntax, Clock clock,
                         MeterRegistry meters) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.store = Objects.requireNonNull(store, "store");
        this.syntax = Objects.requireNonNull(syntax, "syntax");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.timer = Timer.builder("bklog.search").description("searches answered").register(meters);
    }

    /**
     * Searches one index set without masking (library use, trusted callers); bad input fails with a
     * {@link BklogException} naming the field.
     */
    public SearchResponse search(String indexSet, SearchParams params) {
        return search(indexSet, params, Masker.none());
    }

    /**
     * Searches one index set and masks what it returns with {@code masker}: hit sources, highlight fragments,
     * sort values of masked fields and terms keys; numeric statistics are not computed on masked fields.
     */
    public SearchResponse search(String indexSet, SearchParams params, Masker masker) {
        return timer.record(() -> {
            SearchRequest request = request(indexSet, params, masker);
            SearchResult result;
            try {
                result = store.search(request);
            } catch (RegexTooComplexException e) {
                throw regexTooComplex(e);
            }
            List<SearchResult.Hit> hits = result.hits();
            if (!masker.isEmpty()) {
                List<SearchResult.Hit> masked = new ArrayList<>(hits.size());
                for (SearchResult.Hit h : hits) masked.add(maskSortValues(masker.maskHit(h), request.sort(), masker));
                hits = masked;
            }
            Map<String, AggregationResult> aggs = new LinkedHashMap<>();
            result.aggregations().forEach((name, r) -> {
                if (r instanceof AggregationResult.TermsResult t && name.startsWith(TERMS_PREFIX)) {
                    r = masker.maskTerms(name.substring(TERMS_PREFIX.length()), t);
                }
                aggs.put(name, r);
            });
            return new SearchResponse(result.total(), result.tookMillis(), hits, aggs);
        });
    }

    /**
     * The 400 {@code regex_too_complex} for a query regex a store (or {@link io.bklog.core.query.QueryRegexLimits})
     * refused.
     */
    public static BklogException regexTooComplex(RegexTooComplexException e) {
        return new BklogException(ErrorCode.REGEX_TOO_COMPLEX, e.getMessage(), "keyword",
                Map.of("pattern", e.pattern()), e);
    }

    /** Name prefix of a terms aggregation in {@link SearchResponse#aggregations()}. */
    public static final String TERMS_PREFIX = "terms.";
    /** Name of the date histogram in {@link SearchResponse#aggregations()}. */
    public static final String HISTOGRAM = "histogram";
    private static final java.util.regex.Pattern INTERVAL = java.util.regex.Pattern.compile("(\\d+)([smhd])");

    private static SearchResult.Hit maskSortValues(SearchResult.Hit hit, List<Sort> sort, Masker masker) {
        List<Object> values = new ArrayList<>(hit.sortValues());
        boolean changed = false;
        for (int i = 0; i < Math.min(sort.size(), values.size()); i++) {
            if (values.get(i) != null && masker.masks(sort.get(i).field())) {
                values.set(i, masker.maskValue(sort.get(i).field(), values.get(i)));
                changed = true;
            }
        }
        return changed ? new SearchResult.Hit(hit.index(), hit.id(), hit.source(), hit.highlights(), values) : hit;
    }

    private static void aggregations(SearchRequest.Builder b, IndexSet set, SearchAggs aggs, Instant from,
                                     Instant to, Masker masker) {
        if (aggs == null) return;
        if (aggs.histogram() != null) {
            String iv = aggs.histogram().interval();
            if (iv == null || iv.isBlank() || iv.equals("auto")) {
                if (from == null || to == null) {
                    throw badRequest("aggs.histogram with interval auto needs start_time and end_time (the interval"
                            + " is picked for about " + SearchAggs.Histogram.AUTO_BUCKETS + " buckets over them);"
                            + " give both or a fixed interval such as 1m", "aggs.histogram.interval");
                }
                b.aggregation(HISTOGRAM, Aggregation.DateHistogram.auto(set.timeField(),
                        SearchAggs.Histogram.AUTO_BUCKETS));
            } else {
                java.util.regex.Matcher m = INTERVAL.matcher(iv);
                // at most 9 digits: 999,999,999 days fits a Duration and its milliseconds fit a long
                if (!m.matches() || m.group(1).length() > 9 || Long.parseLong(m.group(1)) == 0) {
                    throw badRequest("aggs.histogram.interval must be auto or a positive duration like 30s, 5m, 1h,"
                            + " 1d (at most 9 digits); got \"" + iv + "\"", "aggs.histogram.interval");
                }
                long n = Long.parseLong(m.group(1));
                java.time.Duration d = switch (m.group(2)) {
                    case "s" -> java.time.Duration.ofSeconds(n);
                    case "m" -> java.time.Duration.ofMinutes(n);
                    case "h" -> java.time.Duration.ofHours(n);
                    default -> java.time.Duration.ofDays(n);
                };
                if (from != null && to != null) {
                    long buckets = java.time.Duration.between(from, to).toMillis() / d.toMillis() + 1;
                    if (buckets > SearchRequest.MAX_BUCKETS) {
                        throw new BklogException(ErrorCode.BAD_REQUEST, "aggs.histogram.interval " + iv + " over "
                                + from + " .. " + to + " makes " + buckets + " buckets, more than "
                                + SearchRequest.MAX_BUCKETS + "; use a larger interval (or auto) or a shorter time"
                                + " range", "aggs.histogram.interval", Map.of("max_buckets", SearchRequest.MAX_BUCKETS),
                                null);
                    }
                }
                b.aggregation(HISTOGRAM, Aggregation.DateHistogram.fixed(set.timeField(), d));
            }
        }
        for (int i = 0; i < aggs.terms().size(); i++) {
            SearchAggs.Terms t = aggs.terms().get(i);
            String where = "aggs.terms[" + i + "]";
            if (t.field() == null) throw badRequest(where + ".field is required", where + ".field");
            FieldSpec f = field(set, t.field(), where + ".field");
            MaskedFieldGuard.check(set, masker, f.name(), where + ".field");
            if (f.type() == FieldType.TEXT) {
                throw badRequest(where + ": text field '" + f.name() + "' cannot be aggregated; use a keyword,"
                        + " number or date field", where + ".field");
            }
            int size = t.size() == null ? SearchAggs.Terms.DEFAULT_SIZE : t.size();
            if (size < 1 || size > SearchRequest.MAX_RESULT_WINDOW) {
                throw badRequest(where + ".size must be 1.." + SearchRequest.MAX_RESULT_WINDOW + ", got " + size,
                        where + ".size");
            }
            b.aggregation(TERMS_PREFIX + f.name(), new Aggregation.Terms(f.name(), size));
        }
    }

    /**
     * Runs a request built by {@link #request} (e.g. with aggregations added through
     * {@link SearchRequest#toBuilder()}) on the store, as it is: raw values, no masking. The request's index sets
     * were checked when it was built.
     */
    public io.bklog.spi.SearchResult execute(SearchRequest request) {
        return store.search(Objects.requireNonNull(request, "request"));
    }

    /** The name of the store backend searches run on ({@code lucene}, {@code elasticsearch}, ...). */
    public String backendName() {
        return store.backendName();
    }

    /** The store request for these parameters (validated), without running it, for a caller who sees raw values. */
    public SearchRequest request(String indexSet, SearchParams params) {
        return request(indexSet, params, Masker.none());
    }

    /**
     * The store request for these parameters (validated), without running it, for a caller whose results
     * {@code masker} masks: a query, {@code addition} filter, sort key (and so {@code search_after}) or terms
     * aggregation on a field it masks is refused with {@link ErrorCode#MASKED_FIELD}, and free text is kept off
     * masked keyword fields ({@link MaskedFieldGuard}).
     */
    public SearchRequest request(String indexSet, SearchParams params, Masker masker) {
        Objects.requireNonNull(masker, "masker");
        // every search reads its set: a read at most RECENT_TTL old, read again when the request does not fit it
        // (a field added on another instance a moment ago is not refused as unknown)
        IndexSet recent = indexSets.getRecent(indexSet);
        try {
            return request(recent, params, masker);
        } catch (BklogException e) {
            // fields are only ever added (never retyped or removed): only an unknown field can come from a stale read
            if (e.code() != ErrorCode.UNKNOWN_FIELD) throw e;
            IndexSet fresh = indexSets.get(indexSet);
            if (fresh.equals(recent)) throw e;
            return request(fresh, params, masker);
        }
    }

    private SearchRequest request(IndexSet set, SearchParams params, Masker masker) {
        int begin = params.begin() == null ? 0 : params.begin();
        int size = params.size() == null ? SearchParams.DEFAULT_SIZE : params.size();
        if (begin < 0) throw badRequest("begin must be >= 0, got " + begin, "begin");
        if (size < 0) throw badRequest("size must be >= 0, got " + size, "size");
        if (params.searchAfter() != null && begin != 0) {
            throw badRequest("begin must be 0 with search_after, got " + begin, "begin");
        }
        if (params.searchAfter() == null && (long) begin + size > SearchRequest.MAX_RESULT_WINDOW) {
            throw new BklogException(ErrorCode.RESULT_WINDOW_TOO_LARGE, "begin + size = " + ((long) begin + size)
                    + " passes the result window of " + SearchRequest.MAX_RESULT_WINDOW + "; to page deeper, send"
                    + " search_after with the sort_values of the last hit of the previous page, and begin 0",
                    "size", Map.of("max_result_window", SearchRequest.MAX_RESULT_WINDOW), null);
        }

        String keyword = params.keyword() == null || params.keyword().isBlank() ? "*" : params.keyword();
        List<Query> must = new ArrayList<>();
        Query q = MaskedFieldGuard.check(syntax.keyword(keyword, set), set, masker, "keyword");
        if (!(q instanceof Query.MatchAll)) must.add(q);
        if (!params.addition().isEmpty()) {
            must.add(MaskedFieldGuard.check(syntax.additions(params.addition(), set), set, masker, "addition"));
        }
        Query query = must.isEmpty() ? Query.matchAll() : must.size() == 1 ? must.get(0) : Query.Bool.and(must);

        Instant now = clock.instant();
        Instant from = params.startTime() == null || params.startTime().isBlank() ? null
                : syntax.time(params.startTime(), now, "start_time");
        Instant to = params.endTime() == null || params.endTime().isBlank() ? null
                : syntax.time(params.endTime(), now, "end_time");
        if (from != null && to != null && from.isAfter(to)) {
            throw badRequest("start_time " + from + " is after end_time " + to, "start_time");
        }

        for (int i = 0; i < params.fields().size(); i++) {
            field(set, params.fields().get(i), "fields[" + i + "]");
        }
        List<Sort> sort = sort(set, params.sortList(), masker);
        checkSearchAfter(set, sort, params.searchAfter());
        SearchRequest.Builder b = SearchRequest.builder(set.name())
                .query(query)
                .timeRange(from, to)
                .sort(sort)
                .offset(begin)
                .size(size)
                .searchAfter(params.searchAfter())
                .highlight(Boolean.TRUE.equals(params.highlight()))
                .fields(params.fields());
        aggregations(b, set, params.aggs(), from, to, masker);
        return b.build();
    }

    /**
     * {@code search_after} must be the {@code sort_values} of a hit: one value per sort key plus the document id,
     * each a scalar, a number (or a time) for a numeric or date key.
     */
    private static void checkSearchAfter(IndexSet set, List<Sort> sort, List<Object> after) {
        if (after == null) return;
        List<String> keys = new ArrayList<>();
        sort.forEach(s -> keys.add(s.field()));
        keys.add("the document id");
        if (after.size() != keys.size()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "search_after has " + after.size() + " values but the"
                    + " sort has " + keys.size() + " keys " + keys + "; send the sort_values of the last hit of the"
                    + " previous page, with the same sort_list", "search_after",
                    Map.of("expected", keys.size()), null);
        }
        for (int i = 0; i < after.size(); i++) {
            Object v = after.get(i);
            if (v == null) continue;
            String where = "search_after[" + i + "]";
            if (v instanceof Map || v instanceof List) {
                throw badRequest(where + " must be a string, a number, a boolean or null, got " + json(v), where);
            }
            if (i == sort.size() || v instanceof Number || v instanceof Boolean) continue;
            FieldType type = set.schema().field(sort.get(i).field()).map(FieldSpec::type).orElse(FieldType.KEYWORD);
            if ((type == FieldType.LONG || type == FieldType.DOUBLE || type == FieldType.DATE)
                    && !isNumberOrTime(String.valueOf(v))) {
                throw badRequest(where + " is \"" + v + "\" but sort key '" + sort.get(i).field() + "' is "
                        + type.wireName() + "; send the number of that hit's sort_values", where);
            }
        }
    }

    private static boolean isNumberOrTime(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            try {
                io.bklog.core.query.TimeExpressions.parse(s, java.time.Clock.fixed(Instant.EPOCH,
                        java.time.ZoneOffset.UTC));
                return !s.trim().startsWith("now");
            } catch (IllegalArgumentException notATime) {
                return false;
            }
        }
    }

    private static String json(Object v) {
        String s = String.valueOf(v);
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static List<Sort> sort(IndexSet set, List<List<String>> sortList, Masker masker) {
        List<Sort> sorts = new ArrayList<>();
        if (sortList.isEmpty()) {
            sorts.add(Sort.desc(set.timeField()));
        }
        for (int i = 0; i < sortList.size(); i++) {
            List<String> entry = sortList.get(i);
            String where = "sort_list[" + i + "]";
            if (entry.size() != 2 || entry.get(0) == null || entry.get(1) == null) {
                throw badRequest(where + " must be [field, \"asc\"|\"desc\"], got " + entry, where);
            }
            FieldSpec f = field(set, entry.get(0), where);
            MaskedFieldGuard.check(set, masker, f.name(), where);
            if (f.type() == FieldType.TEXT) {
                throw badRequest(where + ": text field '" + f.name() + "' cannot be a sort key; sort by a keyword,"
                        + " number or date field", where);
            }
            Sort.Order order = switch (entry.get(1).toLowerCase(Locale.ROOT)) {
                case "asc" -> Sort.Order.ASC;
                case "desc" -> Sort.Order.DESC;
                default -> throw badRequest(where + ": order must be \"asc\" or \"desc\", got \"" + entry.get(1) + "\"",
                        where);
            };
            sorts.add(new Sort(f.name(), order));
        }
        List<Sort> grouped = new ArrayList<>(sorts);
        for (Sort s : sorts) {
            if (!s.field().equals(set.timeField())) continue;
            for (String g : SORT_GROUP) {
                boolean present = grouped.stream().anyMatch(x -> x.field().equals(g));
                if (!present && set.schema().field(g).isPresent()) grouped.add(new Sort(g, s.order()));
            }
        }
        return grouped;
    }

    private static FieldSpec field(IndexSet set, String name, String where) {
        return set.schema().field(name).orElseThrow(() -> unknownField(set, name, where));
    }

    /** {@link ErrorCode#UNKNOWN_FIELD} naming the field, where it was used, and the fields the index set has. */
    public static BklogException unknownField(IndexSet set, String name, String where) {
        List<String> known = set.fields().stream().map(FieldSpec::name).toList();
        return new BklogException(ErrorCode.UNKNOWN_FIELD, "unknown field '" + name + "' in " + where
                + "; index set '" + set.name() + "' has: " + String.join(", ", known), where,
                Map.of("unknown", name, "known", known), null);
    }

    private static BklogException badRequest(String message, String field) {
        return new BklogException(ErrorCode.BAD_REQUEST, message, field);
    }
}
