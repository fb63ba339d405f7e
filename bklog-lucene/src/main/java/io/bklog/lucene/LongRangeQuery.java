package io.bklog.lucene;

import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;

import java.io.IOException;
import java.util.Objects;

/**
 * The documents whose long (or date) field holds a value in {@code [lo, hi]}, in whichever form each segment keeps
 * the field: in a segment sorted by the field first (every time-sorted segment, by its time field) a run of document
 * ids found by binary search over the doc values, as Lucene's {@code IndexSortSortedNumericDocValuesRangeQuery} does;
 * else the field's points when the segment has a point for every document with a value (fields other than the time
 * field, and segments written before the time field lost its points); else the doc values, read document by
 * document. The time field has no points in segments written since (DocumentMapper): its doc values, kept for the
 * index sort, histograms and hits, answer its ranges in a sorted segment at least as fast.
 */
final class LongRangeQuery extends Query {
    private final String field;
    private final long lo;
    private final long hi;

    private LongRangeQuery(String field, long lo, long hi) {
        this.field = field;
        this.lo = lo;
        this.hi = hi;
    }

    /** The range {@code [lo, hi]} (inclusive) of {@code field}. */
    static Query of(String field, long lo, long hi) {
        if (lo > hi) return new MatchNoDocsQuery("empty range of " + field);
        return new LongRangeQuery(field, lo, hi);
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        Weight points = searcher.createWeight(searcher.rewrite(LongPoint.newRangeQuery(field, lo, hi)), scoreMode,
                boost);
        Weight values = searcher.createWeight(searcher.rewrite(
                SortedNumericDocValuesField.newSlowRangeQuery(field, lo, hi)), scoreMode, boost);
        return new ConstantScoreWeight(this, boost) {
            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
                int[] run = sortedRun(context.reader());
                if (run == null) return fallback(context.reader(), points, values).scorerSupplier(context);
                if (run[0] >= run[1]) return null;
                Weight self = this;
                return new ScorerSupplier() {
                    @Override
                    public Scorer get(long leadCost) {
                        return new ConstantScoreScorer(self, score(), scoreMode,
                                DocIdSetIterator.range(run[0], run[1]));
                    }

                    @Override
                    public long cost() {
                        return run[1] - run[0];
                    }
                };
            }

            @Override
            public Scorer scorer(LeafReaderContext context) throws IOException {
                ScorerSupplier s = scorerSupplier(context);
                return s == null ? null : s.get(Long.MAX_VALUE);
            }

            @Override
            public int count(LeafReaderContext context) throws IOException {
                int[] run = sortedRun(context.reader());
                if (run == null) return fallback(context.reader(), points, values).count(context);
                return TimeSortedLeaf.liveCount(context.reader().getLiveDocs(), run[0], run[1]);
            }

            @Override
            public boolean isCacheable(LeafReaderContext ctx) {
                return DocValues.isCacheable(ctx, field);
            }
        };
    }

    /** The run of matching documents in a segment sorted by the field, or null when it is not (or cannot tell). */
    private int[] sortedRun(LeafReader reader) throws IOException {
        TimeSortedLeaf sorted = TimeSortedLeaf.of(reader, field);
        return sorted == null ? null : sorted.run(lo, hi);
    }

    /** The points when every document with a value has one (a segment may hold both kinds, merged), else the values. */
    private Weight fallback(LeafReader reader, Weight points, Weight values) throws IOException {
        PointValues pv = reader.getPointValues(field);
        if (pv == null) return values;
        long withValue = DocValues.getSortedNumeric(reader, field).cost();
        return pv.getDocCount() >= withValue ? points : values;
    }

    @Override
    public void visit(QueryVisitor visitor) {
        if (visitor.acceptField(field)) visitor.visitLeaf(this);
    }

    @Override
    public String toString(String f) {
        return (field.equals(f) ? "" : field + ":") + "[" + lo + " TO " + hi + "]";
    }

    @Override
    public boolean equals(Object o) {
        return sameClassAs(o) && field.equals(((LongRangeQuery) o).field) && lo == ((LongRangeQuery) o).lo
                && hi == ((LongRangeQuery) o).hi;
    }

    @Override
    public int hashCode() {
        return Objects.hash(classHash(), field, lo, hi);
    }
}
