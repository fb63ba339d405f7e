package io.bklog.core.search;

import io.bklog.core.BklogException;
import io.bklog.core.ErrorCode;
import io.bklog.core.indexset.IndexSetService;
import io.bklog.core.mask.Masker;
import io.bklog.core.meta.IndexSet;
import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.LogStore;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.AggregationResult;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * bklog's field analysis over the matches of a search: the top values of a field with counts and share, the
 * distinct count, and for numeric fields min/max/avg and percentiles. Values of masked fields are masked (top
 * values merged after masking) and their numeric statistics are left out.
 */
public final class FieldAnalysisService {
    public static final int DEFAULT_LIMIT = 5;
    public static final List<Double> PERCENTS = List.of(50.0, 90.0, 95.0, 99.0);

    /** One top value: its (masked) text, count, and share of the matches that have the field. */
    public record TopValue(String value, long count, double share) {}

    /**
     * @param total       matches of the search
     * @param withField   matches that have the field (counted by the top-values aggregation)
     * @param numbers     null unless the field is numeric and not masked
     */
    public record FieldStats(String field, String type, long total, long withField, long distinctCount,
                             List<TopValue> topValues, Numbers numbers) {
        public FieldStats {
            topValues = List.copyOf(topValues);
        }
    }

    /** Numeric statistics; values are null when no match has the field. */
    public record Numbers(Double min, Double max, Double avg, Map<Double, Double> percentiles) {}

    private final IndexSetService indexSets;
    private final SearchService search;
    private final LogStore store;

    public FieldAnalysisService(IndexSetService indexSets, SearchService search, LogStore store) {
        this.indexSets = Objects.requireNonNull(indexSets, "indexSets");
        this.search = Objects.requireNonNull(search, "search");
        this.store = Objects.requireNonNull(store, "store");
    }

    public FieldStats analyze(String indexSet, String field, SearchParams params, Integer limit, Masker masker) {
        IndexSet set = indexSets.get(indexSet);
        if (field == null || field.isBlank()) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "agg_field is required", "agg_field");
        }
        FieldSpec f = set.schema().field(field).orElseThrow(() -> SearchService.unknownField(set, field, "agg_field"));
        MaskedFieldGuard.check(set, masker, f.name(), "agg_field");
        if (f.type() == FieldType.TEXT) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "text field '" + field + "' has no values to analyze;"
                    + " pick a keyword, number, date or boolean field", "agg_field");
        }
        int k = limit == null ? DEFAULT_LIMIT : limit;
        if (k < 1 || k > SearchRequest.MAX_RESULT_WINDOW) {
            throw new BklogException(ErrorCode.BAD_REQUEST, "limit must be 1.." + SearchRequest.MAX_RESULT_WINDOW
                    + ", got " + k, "limit");
        }
        boolean numeric = f.type() == FieldType.LONG || f.type() == FieldType.DOUBLE;
        boolean masked = masker.masks(field);
        SearchRequest.Builder b = search.request(indexSet, params.withPage(0, 0, null).withAggs(null), masker).toBuilder()
                .highlight(false)
                .aggregation("top", new Aggregation.Terms(field, k))
                .aggregation("distinct", new Aggregation.Cardinality(field));
        if (numeric && !masked) {
            b.aggregation("stats", new Aggregation.Stats(field));
            b.aggregation("pct", new Aggregation.Percentiles(field, PERCENTS));
        }
        SearchResult r = store.search(b.build());
        AggregationResult.TermsResult top = masker.maskTerms(field, (AggregationResult.TermsResult) r.aggregations().get("top"));
        long withField = top.otherCount() + top.buckets().stream().mapToLong(AggregationResult.Bucket::count).sum();
        List<TopValue> values = new ArrayList<>();
        for (AggregationResult.Bucket bucket : top.buckets()) {
            values.add(new TopValue(bucket.key(), bucket.count(), withField == 0 ? 0 : (double) bucket.count() / withField));
        }
        long distinct = ((AggregationResult.CardinalityResult) r.aggregations().get("distinct")).value();
        Numbers numbers = null;
        if (numeric && !masked) {
            var s = (AggregationResult.StatsResult) r.aggregations().get("stats");
            var p = (AggregationResult.PercentilesResult) r.aggregations().get("pct");
            numbers = new Numbers(s.min(), s.max(), s.avg(), p.values());
        }
        return new FieldStats(field, f.type().wireName(), r.total(), withField, distinct, values, numbers);
    }
}
