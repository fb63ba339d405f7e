package io.bklog.lucene;

import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.CollectionTerminatedException;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.FilterCollector;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.search.SortedNumericSortField;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldCollector;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TopFieldDocs;
import org.apache.lucene.search.Weight;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The top hits of a search sorted by a time field first, in segments kept in that field's order the other way round.
 * Lucene's collector stops reading a segment after the page only where the search's sort leads the segment's index
 * sort; elsewhere it reads every match. Indices are created oldest first (documents arrive so, and a flush of a buffer
 * already in index order skips re-sorting it: {@link SearchSort#indexSort}), while the default search is newest
 * first; indices created before keep their documents newest first, and an oldest-first search reads them the other
 * way round. Such a segment is left out of the main pass's top hits ({@link #skipping}) and read afterwards from the
 * end of its documents ({@link #complete}): a first window of document ids near the page's size, then one eight times
 * larger, then the rest, each collected by a fresh collector (doc values go forward only) and merged into the page.
 * A segment stops once the page holds its hits and the last one's time is strictly ahead of every document not read
 * yet (documents at the boundary's millisecond are read: the id decides among them), and is narrowed to the search's
 * own time range and its {@code searchAfter} cursor first, so a deep page starts at the cursor. The hits are exactly
 * those of one collector over every document: the same sort, ties broken by the document number.
 */
final class TimeOrderedTop {
    private static final int FIRST_WINDOW = 512;
    private static final int GROWTH = 8;

    private final Sort sort;
    private final FieldDoc after;
    private final int n;
    private final boolean descending;
    private final List<Reversed> reversed;
    private final boolean[] skip;

    /** A segment read from its end; {@code [from, to)} the documents in the search's time range. */
    private record Reversed(LeafReaderContext ctx, TimeSortedLeaf leaf, int from, int to, long best) {}

    private TimeOrderedTop(Sort sort, FieldDoc after, int n, boolean descending, List<Reversed> reversed,
                           int leaves) {
        this.sort = sort;
        this.after = after;
        this.n = n;
        this.descending = descending;
        this.reversed = reversed;
        this.skip = new boolean[leaves];
        for (Reversed r : reversed) skip[r.ctx.ord] = true;
    }

    /**
     * The segments of {@code reader} kept in the opposite order of {@code sort}'s first key, a long field every
     * document of the segment holds once; {@code lo..hi} (inclusive) the search's time range on {@code rangeField}
     * (null: no range known). Empty when the sort does not start with a long field.
     */
    static TimeOrderedTop of(Sort sort, FieldDoc after, int n, IndexReader reader, String rangeField, long lo,
                             long hi) throws IOException {
        SortField first = sort.getSort()[0];
        List<Reversed> reversed = new ArrayList<>();
        boolean descending = first.getReverse();
        if (n > 0 && first instanceof SortedNumericSortField sn && sn.getNumericType() == SortField.Type.LONG) {
            String field = sn.getField();
            long from = field.equals(rangeField) ? lo : Long.MIN_VALUE;
            long to = field.equals(rangeField) ? hi : Long.MAX_VALUE;
            // the cursor: the next page lies at or behind its time (at it: the id decides)
            if (after != null && after.fields[0] instanceof Long t) {
                if (descending) to = Math.min(to, t);
                else from = Math.max(from, t);
            }
            for (LeafReaderContext ctx : reader.leaves()) {
                TimeSortedLeaf leaf = TimeSortedLeaf.of(ctx.reader(), field);
                // a segment in the search's order is Lucene's own early stop; a document without a value would sort
                // as the missing value, so such segments are read whole as before
                if (leaf == null || leaf.ascending() != descending || !leaf.everyDocHasValue()) continue;
                int[] run = from > to ? new int[] {0, 0} : leaf.run(from, to);
                if (run == null || run[0] >= run[1]) {
                    reversed.add(new Reversed(ctx, leaf, 0, 0, 0));
                    continue;
                }
                reversed.add(new Reversed(ctx, leaf, run[0], run[1], leaf.valueAt(run[1] - 1)));
            }
            // the segment holding the best time first: the page fills from it and the others stop sooner
            Comparator<Reversed> byBest = Comparator.comparingLong(Reversed::best);
            reversed.sort(descending ? byBest.reversed() : byBest);
        }
        return new TimeOrderedTop(sort, after, n, descending, reversed, reader.leaves().size());
    }

    /** {@code top} for the main pass: it collects every segment but the reversed ones. */
    Collector skipping(TopFieldCollector top) {
        if (reversed.isEmpty()) return top;
        return new FilterCollector(top) {
            @Override
            public LeafCollector getLeafCollector(LeafReaderContext context) throws IOException {
                if (skip[context.ord]) throw new CollectionTerminatedException();
                return super.getLeafCollector(context);
            }
        };
    }

    /** The page: {@code others} (the main pass's hits of the other segments) merged with the reversed segments'. */
    TopDocs complete(IndexSearcher searcher, Query query, TopFieldDocs others) throws IOException {
        if (reversed.isEmpty()) return others;
        TopFieldDocs page = others;
        Weight weight = null;
        for (Reversed r : reversed) {
            int end = r.to;
            long firstWindow = Math.max(FIRST_WINDOW, 2L * n);
            for (int round = 0; end > r.from; round++) {
                if (full(page, r.leaf.valueAt(end - 1))) break;
                // a window near the page's size, one GROWTH times larger, then the rest at once: each window
                // builds the query's scorer again (for a wildcard, the bit set of its matches in the segment)
                long window = round == 0 ? firstWindow : round == 1 ? firstWindow * GROWTH : Long.MAX_VALUE;
                int start = window >= end - r.from ? r.from : (int) (end - window);
                if (weight == null) {
                    weight = searcher.createWeight(searcher.rewrite(query), ScoreMode.COMPLETE_NO_SCORES, 1f);
                }
                BulkScorer scorer = weight.bulkScorer(r.ctx);
                if (scorer == null) break; // nothing in the segment matches
                TopFieldCollector c = new TopFieldCollectorManager(sort, n, after, n, false).newCollector();
                try {
                    LeafCollector lc = c.getLeafCollector(r.ctx);
                    scorer.score(lc, r.ctx.reader().getLiveDocs(), start, end);
                    lc.finish();
                } catch (CollectionTerminatedException done) {
                    // the window's collector needs no more of it
                }
                page = TopDocs.merge(sort, n, new TopFieldDocs[] {page, c.topDocs()});
                end = start;
            }
        }
        return page;
    }

    /** Whether the page holds its hits and the last one's time is strictly ahead of {@code next}. */
    private boolean full(TopFieldDocs page, long next) {
        if (page.scoreDocs.length < n) return false;
        Object v = ((FieldDoc) page.scoreDocs[n - 1]).fields[0];
        if (!(v instanceof Long last)) return false;
        return descending ? last > next : last < next;
    }
}
