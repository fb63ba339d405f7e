package io.bklog.es;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.FieldValue;
import co.elastic.clients.elasticsearch._types.SortOptions;
import co.elastic.clients.elasticsearch._types.SortOrder;
import co.elastic.clients.elasticsearch._types.query_dsl.Query;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.elasticsearch.core.search.Hit;
import co.elastic.clients.json.JsonData;
import io.bklog.spi.BackendException;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;
import io.bklog.spi.query.RegexTooComplexException;
import io.bklog.spi.query.Sort;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The read side of an {@link EsLogStore}: the query AST translated to query DSL ({@link EsQueries}) with the time
 * range, sort (missing last, id tie-break), paging or {@code search_after}, aggregations ({@link EsAggregations},
 * "auto" histogram intervals) and highlight; hits' sources read back as their mapped types ({@link StoredValues}).
 */
final class EsSearcher {
    private final EsConnection connection;
    private final ElasticsearchClient client;
    private final EsHttp http;
    private final EsIndexSets indexSets;

    EsSearcher(EsConnection connection, EsHttp http, EsIndexSets indexSets) {
        this.connection = connection;
        this.client = connection.searchClient();
        this.http = http;
        this.indexSets = indexSets;
    }

    SearchResult search(SearchRequest request) {
        List<IndexSetSchema> sets = new ArrayList<>();
        for (String s : request.indexSets()) {
            IndexSetSchema schema = indexSets.loadSchema(s);
            if (schema != null) sets.add(schema);
        }
        Map<String, FieldType> fields = new LinkedHashMap<>();
        for (IndexSetSchema s : sets) {
            for (FieldSpec f : s.fields()) fields.putIfAbsent(f.name(), f.type());
        }
        if (sets.isEmpty()) {
            return new SearchResult(0, List.of(), emptyAggregations(request), 0);
        }
        Set<String> timeFields = new LinkedHashSet<>();
        sets.forEach(s -> timeFields.add(s.timeField()));
        String timeField = timeFields.iterator().next();

        Query query = new EsQueries(fields).translate(request.query());
        List<Query> filters = new ArrayList<>();
        if (request.from() != null || request.to() != null) {
            List<Query> ranges = new ArrayList<>();
            for (String tf : timeFields) {
                ranges.add(Query.of(q -> q.range(r -> r.untyped(u -> {
                    u.field(tf).format("epoch_millis");
                    if (request.from() != null) u.gte(JsonData.of(request.from().toEpochMilli()));
                    if (request.to() != null) u.lt(JsonData.of(request.to().toEpochMilli()));
                    return u;
                }))));
            }
            filters.add(ranges.size() == 1 ? ranges.get(0)
                    : Query.of(q -> q.bool(b -> b.should(ranges).minimumShouldMatch("1"))));
        }
        Query full = filters.isEmpty() ? query : Query.of(q -> q.bool(b -> b.must(query).filter(filters)));

        List<SortOptions> sort = new ArrayList<>();
        List<Sort> keys = request.sort().isEmpty() ? List.of(Sort.desc(timeField)) : request.sort();
        for (Sort s : keys) {
            FieldType type = fields.get(s.field());
            if (type == FieldType.TEXT) {
                throw new IllegalArgumentException("cannot sort on text field '" + s.field()
                        + "'; sort on a keyword, numeric, boolean, ip or date field");
            }
            var unmapped = esType(type);
            SortOrder order = s.order() == Sort.Order.ASC ? SortOrder.Asc : SortOrder.Desc;
            sort.add(SortOptions.of(o -> o.field(f -> f.field(s.field()).order(order).missing("_last")
                    .unmappedType(unmapped))));
        }
        sort.add(SortOptions.of(o -> o.field(f -> f.field(EsMappings.DOC_ID).order(SortOrder.Asc))));

        Map<String, Duration> intervals = histogramIntervals(request, timeField);
        EsAggregations aggs = new EsAggregations(fields);
        var esAggs = aggs.build(request.aggregations(), request.from(), request.to(), intervals);

        List<String> highlightFields = new ArrayList<>();
        if (request.highlight()) {
            fields.forEach((name, type) -> {
                if (type == FieldType.TEXT || type == FieldType.KEYWORD) highlightFields.add(name);
            });
        }

        SearchResponse<Map> response;
        try {
            response = client.search(s -> {
                s.index(request.indexSets()).ignoreUnavailable(true).allowNoIndices(true)
                        .query(full).sort(sort).size(request.size()).trackTotalHits(t -> t.enabled(true));
                if (request.searchAfter() != null) {
                    s.searchAfter(request.searchAfter().stream().map(EsSearcher::fieldValue).toList());
                } else {
                    s.from(request.offset());
                }
                if (!request.fields().isEmpty()) s.source(src -> src.filter(f -> f.includes(sourceIncludes(request))));
                if (!esAggs.isEmpty()) s.aggregations(esAggs);
                if (!highlightFields.isEmpty()) {
                    s.highlight(h -> {
                        h.preTags("<mark>").postTags("</mark>").numberOfFragments(0).requireFieldMatch(true)
                                .maxAnalyzedOffset(1_000_000);
                        for (String f : highlightFields) h.fields(f, hf -> hf);
                        return h;
                    });
                }
                return s;
            }, Map.class);
        } catch (ElasticsearchException e) {
            if (e.status() == 400) {
                RegexTooComplexException tooComplex = regexTooComplex(request.query(), e);
                if (tooComplex != null) throw tooComplex;
                throw new IllegalArgumentException("Elasticsearch rejected the search: " + EsErrors.describe(e.error()), e);
            }
            throw backendError("search " + request.indexSets(), e);
        } catch (IOException e) {
            throw backendError("search " + request.indexSets(), e);
        }

        List<SearchResult.Hit> hits = new ArrayList<>();
        for (Hit<Map> h : response.hits().hits()) {
            Map<String, Object> source = new LinkedHashMap<>();
            if (h.source() != null) {
                for (Object o : h.source().entrySet()) {
                    Map.Entry<?, ?> e = (Map.Entry<?, ?>) o;
                    String name = String.valueOf(e.getKey());
                    if (name.equals(EsMappings.DOC_ID)) continue;
                    source.put(name, StoredValues.normalize(e.getValue(), fields.get(name)));
                }
            }
            Map<String, List<String>> highlights = new LinkedHashMap<>(h.highlight());
            DerivedLog.restore(source, highlights);
            if (!request.fields().isEmpty()) source.keySet().retainAll(request.fields());
            List<Object> sortValues = h.sort().stream().map(EsSearcher::sortValue).toList();
            hits.add(new SearchResult.Hit(h.index(), h.id(), source, highlights, new ArrayList<>(sortValues)));
        }
        long total = response.hits().total() == null ? hits.size() : response.hits().total().value();
        Map<String, AggregationResult> aggResults = request.aggregations().isEmpty() ? Map.of()
                : aggs.parse(request.aggregations(), response.aggregations(), intervals);
        return new SearchResult(total, hits, aggResults, response.took());
    }

    /** The requested fields, and what a derived {@code log} is read from when it is one of them. */
    private static List<String> sourceIncludes(SearchRequest request) {
        if (!request.fields().contains(DerivedLog.LOG)) return request.fields();
        List<String> out = new ArrayList<>(request.fields());
        out.add(EsMappings.LOG_FROM);
        out.addAll(DerivedLog.SOURCES);
        return out;
    }

    private Map<String, AggregationResult> emptyAggregations(SearchRequest request) {
        Map<String, AggregationResult> out = new LinkedHashMap<>();
        request.aggregations().forEach((name, a) -> {
            if (a instanceof Aggregation.Terms) {
                out.put(name, new AggregationResult.TermsResult(List.of(), 0));
            } else if (a instanceof Aggregation.DateHistogram h) {
                out.put(name, new AggregationResult.HistogramResult(
                        h.interval() != null ? h.interval() : Duration.ofMinutes(1), List.of()));
            } else if (a instanceof Aggregation.Stats) {
                out.put(name, new AggregationResult.StatsResult(0, null, null, null, null));
            } else if (a instanceof Aggregation.Cardinality) {
                out.put(name, new AggregationResult.CardinalityResult(0));
            } else if (a instanceof Aggregation.Percentiles) {
                out.put(name, new AggregationResult.PercentilesResult(Map.of()));
            }
        });
        return out;
    }

    /** Fixed intervals as given; "auto" over the searched range, or over the data's time span when it is open. */
    private Map<String, Duration> histogramIntervals(SearchRequest request, String timeField) {
        Map<String, Duration> out = new HashMap<>();
        for (Map.Entry<String, Aggregation> e : request.aggregations().entrySet()) {
            if (!(e.getValue() instanceof Aggregation.DateHistogram h)) continue;
            if (h.interval() != null) {
                out.put(e.getKey(), h.interval());
                continue;
            }
            Instant from = request.from();
            Instant to = request.to();
            if (from == null || to == null) {
                Instant[] span = dataSpan(request, h.field());
                from = from != null ? from : span[0];
                to = to != null ? to : span[1];
            }
            out.put(e.getKey(), EsAggregations.interval(h, from, to));
        }
        return out;
    }

    private Instant[] dataSpan(SearchRequest request, String field) {
        SearchRequest probe = new SearchRequest(request.indexSets(), request.query(), request.from(), request.to(),
                List.of(), 0, 0, null, false, List.of(), Map.of("min", new Aggregation.Stats(field)));
        AggregationResult.StatsResult stats = (AggregationResult.StatsResult) search(probe).aggregations().get("min");
        if (stats.count() == 0) return new Instant[] {Instant.EPOCH, Instant.EPOCH.plusSeconds(60)};
        return new Instant[] {Instant.ofEpochMilli(stats.min().longValue()),
                Instant.ofEpochMilli(stats.max().longValue() + 1)};
    }

    private static co.elastic.clients.elasticsearch._types.mapping.FieldType esType(FieldType type) {
        if (type == null) return co.elastic.clients.elasticsearch._types.mapping.FieldType.Keyword;
        return switch (type) {
            case KEYWORD -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Keyword;
            case TEXT -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Text;
            case LONG -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Long;
            case DOUBLE -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Double;
            case BOOLEAN -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Boolean;
            case IP -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Ip;
            case DATE -> co.elastic.clients.elasticsearch._types.mapping.FieldType.Date;
        };
    }

    static FieldValue fieldValue(Object v) {
        if (v == null) return FieldValue.NULL;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return FieldValue.of(((Number) v).longValue());
        }
        if (v instanceof Number n) return FieldValue.of(n.doubleValue());
        if (v instanceof Boolean b) return FieldValue.of(b);
        return FieldValue.of(v.toString());
    }

    static Object sortValue(FieldValue v) {
        if (v.isNull()) return null;
        if (v.isLong()) return v.longValue();
        if (v.isDouble()) return v.doubleValue();
        if (v.isBoolean()) return v.booleanValue();
        if (v.isString()) return v.stringValue();
        return v._get();
    }

    /**
     * Elasticsearch's refusal of a regexp query whose automaton is too large
     * ({@code too_complex_to_determinize_exception}, usually inside a 400 {@code search_phase_execution_exception}),
     * as the SPI's exception; null for other errors.
     */
    static RegexTooComplexException regexTooComplex(io.bklog.spi.query.Query query, ElasticsearchException e) {
        StringBuilder all = new StringBuilder(EsErrors.describe(e.error()));
        if (e.error() != null) {
            for (ErrorCause c : e.error().rootCause()) all.append(' ').append(EsErrors.describe(c));
            if (e.error().metadata() != null) all.append(' ').append(e.error().metadata());
        }
        String text = all.toString();
        if (!text.contains("too_complex_to_determinize") && !text.contains("Determinizing")
                && !text.contains("maxDeterminizedStates")) {
            return null;
        }
        io.bklog.spi.query.Query.Regex r = firstRegex(query);
        return new RegexTooComplexException(r == null ? null : r.field(), r == null ? "?" : r.pattern(),
                "Elasticsearch refused to determinize it (too_complex_to_determinize_exception)", e);
    }

    private static io.bklog.spi.query.Query.Regex firstRegex(io.bklog.spi.query.Query q) {
        if (q instanceof io.bklog.spi.query.Query.Regex r) return r;
        if (q instanceof io.bklog.spi.query.Query.Bool b) {
            for (List<io.bklog.spi.query.Query> l : List.of(b.must(), b.should(), b.mustNot())) {
                for (io.bklog.spi.query.Query c : l) {
                    io.bklog.spi.query.Query.Regex r = firstRegex(c);
                    if (r != null) return r;
                }
            }
        }
        return null;
    }

    private BackendException backendError(String what, Exception e) {
        return http.unreachable(what, e);
    }
}
