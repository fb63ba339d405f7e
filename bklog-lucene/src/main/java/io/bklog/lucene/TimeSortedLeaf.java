package io.bklog.lucene;

import org.apache.lucene.index.DocValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

import java.io.IOException;

/**
 * A segment whose documents are kept in the order of a long field (its index sort's first key, either direction)
 * that holds one value per document: the documents with a value in {@code [a, b)} are then one run of document ids,
 * found by a binary search over the doc values (as Lucene's {@code IndexSortSortedNumericDocValuesRangeQuery} does),
 * so a date histogram counts its buckets in {@code O(buckets × log n)} instead of reading every document's value.
 * A document without a value sorts as the sort's missing value, and is refused by {@link #bucketBounds} when that
 * value would fall into a counted bucket.
 */
final class TimeSortedLeaf {
    private final LeafReader reader;
    private final String field;
    private final boolean ascending;
    private final long missing;
    private NumericDocValues values;

    private TimeSortedLeaf(LeafReader reader, String field, boolean ascending, long missing) {
        this.reader = reader;
        this.field = field;
        this.ascending = ascending;
        this.missing = missing;
    }

    /** The segment as sorted by {@code field}, or null when it is not sorted by it first or holds several values. */
    static TimeSortedLeaf of(LeafReader reader, String field) throws IOException {
        Sort sort = reader.getMetaData().getSort();
        if (sort == null || sort.getSort().length == 0) return null;
        SortField first = sort.getSort()[0];
        if (!(first instanceof SortedNumericSortField sn) || !sn.getField().equals(field)
                || sn.getNumericType() != SortField.Type.LONG) {
            return null;
        }
        // single-valued in this segment: the codec hands such a field out as a singleton
        if (DocValues.unwrapSingleton(reader.getSortedNumericDocValues(field)) == null) return null;
        long missing = sn.getMissingValue() instanceof Long l ? l : 0L;
        return new TimeSortedLeaf(reader, field, !sn.getReverse(), missing);
    }

    /** The value of {@code doc}, or the sort's missing value; cheapest when called with growing {@code doc}. */
    long valueAt(int doc) throws IOException {
        if (values == null || values.docID() >= doc) {
            values = DocValues.unwrapSingleton(reader.getSortedNumericDocValues(field)); // doc values go forward only
        }
        return values.advanceExact(doc) ? values.longValue() : missing;
    }

    /** Whether {@code doc} comes before the documents past threshold {@code v} in doc order. */
    private boolean before(int doc, long v) throws IOException {
        long x = valueAt(doc);
        return ascending ? x < v : x >= v;
    }

    /**
     * The first document at or after {@code fromDoc} that lies past {@code v}: ascending, the first with a value
     * {@code >= v}; descending, the first with a value {@code < v}. Gallops forward from {@code fromDoc} (one doc
     * values iterator moving forward), then searches the last step; doc values only move forward, so each step back
     * opens the iterator again, and a short last stretch is read forward instead.
     */
    private int boundary(long v, int fromDoc) throws IOException {
        int maxDoc = reader.maxDoc();
        if (fromDoc >= maxDoc || !before(fromDoc, v)) return fromDoc;
        int lo = fromDoc + 1; // the answer is in [lo, hi]; hi is past v, or maxDoc
        int hi = maxDoc;
        for (long step = 1; ; step <<= 1) {
            long probe = fromDoc + step;
            if (probe >= maxDoc) break;
            if (!before((int) probe, v)) {
                hi = (int) probe;
                break;
            }
            lo = (int) probe + 1;
        }
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            if (before(mid, v)) lo = mid + 1;
            else hi = mid;
        }
        while (lo < hi && before(lo, v)) lo++;
        return lo;
    }

    /**
     * Document runs of {@code slots} buckets {@code [base + k·step, base + (k+1)·step)}, each clipped to
     * {@code [lo, hiExclusive)}: slot {@code k} holds documents {@code [b[k], b[k+1])} ascending and
     * {@code [b[k+1], b[k])} descending. Null when a bound overflows or documents without a value would be counted.
     */
    int[] bucketBounds(long base, long step, int slots, long lo, long hiExclusive) throws IOException {
        long[] thresholds = new long[slots + 1];
        try {
            for (int k = 0; k <= slots; k++) {
                long t = Math.addExact(base, Math.multiplyExact(step, (long) k));
                thresholds[k] = Math.max(lo, Math.min(hiExclusive, t));
            }
        } catch (ArithmeticException e) {
            return null;
        }
        if (missing >= thresholds[0] && missing < thresholds[slots]) return null;
        int[] bounds = new int[slots + 1];
        if (ascending) {
            int from = 0;
            for (int k = 0; k <= slots; k++) from = bounds[k] = boundary(thresholds[k], from);
        } else {
            int from = 0;
            for (int k = slots; k >= 0; k--) from = bounds[k] = boundary(thresholds[k], from);
        }
        return bounds;
    }

    /**
     * The run of documents {@code [from, to)} holding a value in {@code [lo, hi]} (both inclusive), or null when the
     * run would take in documents without a value (the sort's missing value lies in the range and some document has
     * no value).
     */
    int[] run(long lo, long hi) throws IOException {
        if (lo > hi) return new int[] {0, 0};
        if (missing >= lo && missing <= hi && !everyDocHasValue()) return null;
        int maxDoc = reader.maxDoc();
        int from;
        int to;
        if (ascending) {
            from = boundary(lo, 0);
            to = hi == Long.MAX_VALUE ? maxDoc : boundary(hi + 1, from);
        } else {
            from = hi == Long.MAX_VALUE ? 0 : boundary(hi + 1, 0);
            to = lo == Long.MIN_VALUE ? maxDoc : boundary(lo, from);
        }
        return new int[] {from, to};
    }

    boolean everyDocHasValue() throws IOException {
        // the codec's iterator of a field every document holds costs maxDoc; a sparse one costs its document count
        NumericDocValues all = DocValues.unwrapSingleton(reader.getSortedNumericDocValues(field));
        return all != null && all.cost() == reader.maxDoc();
    }

    boolean ascending() {
        return ascending;
    }

    /** Live documents among {@code [from, to)}. */
    static int liveCount(Bits live, int from, int to) {
        if (to <= from) return 0;
        if (live == null) return to - from;
        if (live instanceof FixedBitSet bits) {
            long[] words = bits.getBits();
            int first = from >>> 6;
            int last = (to - 1) >>> 6;
            long firstMask = -1L << from; // shifts are mod 64
            long lastMask = -1L >>> (63 - ((to - 1) & 63));
            if (first == last) return Long.bitCount(words[first] & firstMask & lastMask);
            int n = Long.bitCount(words[first] & firstMask) + Long.bitCount(words[last] & lastMask);
            for (int w = first + 1; w < last; w++) n += Long.bitCount(words[w]);
            return n;
        }
        int n = 0;
        for (int d = from; d < to; d++) {
            if (live.get(d)) n++;
        }
        return n;
    }
}
