package io.bklog.lucene;

import io.bklog.spi.BackendException;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.AggregationResult;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.MultiReader;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.BooleanClause.Occur;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.Collector;
import org.apache.lucene.search.FieldDoc;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MultiCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopFieldCollector;
import org.apache.lucene.search.TopFieldCollectorManager;
import org.apache.lucene.search.TotalHitCountCollector;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.util.BytesRef;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The read side of a {@link LuceneLogStore}: a {@link SearchRequest} over the physical indices of its index sets and
 * time range — query translation ({@link QueryTranslator}), time filter, sort and paging ({@link SearchSort}),
 * aggregations ({@link AggregationCollector}) and highlight ({@link Highlighter}) in one pass over a
 * {@link MultiReader}. An index that was search idle is refreshed before it is searched.
 */
final class StoreSearcher {
    private final IndexCatalog catalog;
    private final long searchIdleNanos;
    private final int maxOpenIndices;

    StoreSearcher(IndexCatalog catalog, Duration searchIdleAfter, int maxOpenIndices) {
        this.catalog = catalog;
        this.searchIdleNanos = searchIdleAfter.toNanos();
        this.maxOpenIndices = maxOpenIndices;
    }

    SearchResult search(SearchRequest r) {
        try {
            return searchChecked(r);
        } catch (IndexSearcher.TooManyClauses e) {
            throw new SearchRequest.InvalidRequestException("the query has more than "
                    + IndexSearcher.getMaxClauseCount() + " clauses once expanded (each term, phrase or range on"
                    + " each field it searches counts); simplify the query", "keyword", e);
        }
    }

    private SearchResult searchChecked(SearchRequest r) {
        long started = System.nanoTime();
        List<IndexSetMapping> mappings = r.indexSets().stream().map(catalog::mapping).filter(Objects::nonNull).toList();
        Map<String, FieldType> types = new HashMap<>();
        for (IndexSetMapping m : mappings) m.types().forEach(types::putIfAbsent);
        String defaultTimeField = mappings.isEmpty() ? IndexSetSchema.DEFAULT_TIME_FIELD : mappings.get(0).timeField();
        List<PhysicalIndex> targets = catalog.indicesOf(r.indexSets(), r.from(), r.to());
        SearchSort sort = SearchSort.of(r, types, defaultTimeField);

        Query query = new QueryTranslator(types).translate(r.query());
        Set<String> timeFields = new LinkedHashSet<>();
        for (IndexSetMapping m : mappings) timeFields.add(m.timeField());
        if (r.from() != null || r.to() != null) {
            long lo = r.from() == null ? Long.MIN_VALUE : millis(r.from());
            long hi = r.to() == null ? Long.MAX_VALUE : millis(r.to()) - 1;
            BooleanQuery.Builder time = new BooleanQuery.Builder();
            for (String tf : timeFields) time.add(LongRangeQuery.of(tf, lo, hi), Occur.SHOULD);
            query = new BooleanQuery.Builder().add(query, Occur.FILTER).add(time.build(), Occur.FILTER).build();
        }

        List<PhysicalIndex.HeldReader> acquired = new ArrayList<>(targets.size());
        List<PhysicalIndex> held = new ArrayList<>(targets.size());
        try {
            for (PhysicalIndex idx : targets) {
                long now = System.nanoTime();
                try {
                    // the writer's reader when it is open (refreshed first if the index was search idle), else a
                    // read-only reader of the last commit: a closed index was committed as it closed
                    acquired.add(idx.acquireReader(now - idx.lastSearchNanos >= searchIdleNanos));
                } catch (AlreadyClosedException ignored) {
                    continue; // deleted meanwhile
                }
                idx.lastSearchNanos = now;
                held.add(idx);
            }
            IndexReader[] readers = acquired.stream().map(h -> h.reader).toArray(IndexReader[]::new);
            try (MultiReader reader = new MultiReader(readers, false)) {
                return run(r, types, timeFields, held, readers, reader, query, sort, started);
            }
        } catch (IOException e) {
            throw new BackendException("lucene search failed: " + e.getMessage(), e);
        } finally {
            for (PhysicalIndex.HeldReader h : acquired) {
                try {
                    h.close();
                } catch (RuntimeException e) {
                    // a reader of a deleted index: it goes with it
                }
            }
            catalog.enforceMaxOpenReaders(maxOpenIndices);
        }
    }

    /** Epoch millis of a search bound, clamped (an Instant past the long range of millis matches as far as it can). */
    private static long millis(Instant t) {
        if (t.getEpochSecond() >= Long.MAX_VALUE / 1000 - 1) return Long.MAX_VALUE;
        if (t.getEpochSecond() <= Long.MIN_VALUE / 1000 + 1) return Long.MIN_VALUE + 1;
        return t.toEpochMilli();
    }

    private SearchResult run(SearchRequest r, Map<String, FieldType> types, Set<String> timeFields,
                             List<PhysicalIndex> held,
                             IndexReader[] readers, MultiReader reader,
                             Query query, SearchSort sort, long started) throws IOException {
        IndexSearcher searcher = new IndexSearcher(reader);
        Map<String, AggregationCollector> aggs = new LinkedHashMap<>();
        r.aggregations().forEach((name, a) ->
                aggs.put(name, AggregationCollector.create(name, a, types.get(a.field()), r.from(), r.to())));
        int window = r.offset() + r.size();
        TimeRangeOnly range = TimeRangeOnly.of(r, types, timeFields, reader, aggs);
        if (range != null) {
            return collectRangeOnly(r, types, held, readers, searcher, range, aggs, sort, window, started);
        }
        // the top hits stop at the page in a segment kept in the search's order (SearchSort.indexSort), and a
        // segment kept the other way round is read from its end afterwards (TimeOrderedTop); the exact total comes
        // from the counter, which counts from the index statistics where it can
        FieldDoc after = sort.after(r.searchAfter());
        boolean ranged = (r.from() != null || r.to() != null) && timeFields.size() == 1;
        TimeOrderedTop reversed = TimeOrderedTop.of(sort.sort(), after, window, reader,
                ranged ? timeFields.iterator().next() : null,
                r.from() == null ? Long.MIN_VALUE : millis(r.from()),
                r.to() == null ? Long.MAX_VALUE : millis(r.to()) - 1);
        TopFieldCollector top = window > 0
                ? new TopFieldCollectorManager(sort.sort(), window, after, window, false).newCollector()
                : null;
        TotalHitCountCollector counter = new TotalHitCountCollector();
        List<Collector> collectors = new ArrayList<>();
        if (top != null) collectors.add(reversed.skipping(top));
        collectors.add(counter);
        collectors.addAll(aggs.values());
        searcher.search(query, MultiCollector.wrap(collectors));
        TopDocs page = top == null ? null : reversed.complete(searcher, query, top.topDocs());
        return answer(r, types, held, readers, searcher, sort, counter.getTotalHits(), page, aggs, started);
    }

    /**
     * A search for every document of a time range (no query, no filter) whose aggregations are date histograms
     * on the time field: the search screen's first request. Over a wide range it matches millions of documents,
     * and visiting each one (for the exact total, the histogram and the top hits) is what it costs; instead the
     * total and each bucket are counted without visiting documents: in a segment sorted by time a bucket is a run
     * of document ids found by binary search (deleted documents subtracted from the live-docs bits), in another
     * from the time field's points (a BKD count reads a few tree cells), and the top hits are collected alone, so
     * the sort on time skips the documents that cannot make the page. Same answer as the general path, exact total
     * included.
     */
    private record TimeRangeOnly(String timeField, long lo, long hi) {
        static TimeRangeOnly of(SearchRequest r, Map<String, FieldType> types, Set<String> timeFields,
                                IndexReader reader, Map<String, AggregationCollector> aggs) throws IOException {
            if (!(r.query() instanceof io.bklog.spi.query.Query.MatchAll) || r.from() == null || r.to() == null
                    || timeFields.size() != 1) {
                return null;
            }
            String tf = timeFields.iterator().next();
            if (types.get(tf) != FieldType.DATE && types.get(tf) != FieldType.LONG) return null;
            // a segment sorted by the time field counts each bucket as a run of document ids, deleted ones
            // subtracted (a binary search per bucket, so many buckets are fine); another needs a point per document
            // (a count of points is a count of documents), no deleted documents, whose points still count (a count
            // would then visit every document), and few buckets (a BKD count each)
            boolean allSorted = true;
            for (var leaf : reader.leaves()) {
                if (TimeSortedLeaf.of(leaf.reader(), tf) != null) continue;
                allSorted = false;
                if (leaf.reader().hasDeletions()) return null;
                // each document with a value needs a point: the time field's points are no longer written, so a
                // segment of an index written unsorted before may lack some or all of them
                org.apache.lucene.index.PointValues pv = leaf.reader().getPointValues(tf);
                long withValue = org.apache.lucene.index.DocValues.getSortedNumeric(leaf.reader(), tf).cost();
                if (pv == null ? withValue > 0 : pv.getDocCount() != pv.size() || pv.getDocCount() < withValue) {
                    return null;
                }
            }
            for (var e : r.aggregations().entrySet()) {
                if (!(e.getValue() instanceof io.bklog.spi.query.Aggregation.DateHistogram h) || !h.field().equals(tf)
                        || !(aggs.get(e.getKey()) instanceof AggregationCollector.HistogramCollector c)
                        || !(allSorted ? c.hasDenseBuckets() : c.denseBuckets())) {
                    return null;
                }
            }
            return new TimeRangeOnly(tf, millis(r.from()), millis(r.to()) - 1);
        }
    }

    private SearchResult collectRangeOnly(SearchRequest r, Map<String, FieldType> types, List<PhysicalIndex> held,
                                          IndexReader[] readers, IndexSearcher searcher, TimeRangeOnly range,
                                          Map<String, AggregationCollector> aggs, SearchSort sort, int window,
                                          long started) throws IOException {
        Query query = LongRangeQuery.of(range.timeField(), range.lo(), range.hi());
        long total = -1;
        for (AggregationCollector c : aggs.values()) {
            long counted = ((AggregationCollector.HistogramCollector) c)
                    .countTimeRange(searcher.getIndexReader().leaves(), range.lo(), range.hi());
            // one value per document in every segment: the buckets' sum is the number of documents
            if (counted >= 0) total = counted;
        }
        if (total < 0) total = searcher.count(query);
        TopDocs page = null;
        if (window > 0) {
            FieldDoc after = sort.after(r.searchAfter());
            TopFieldCollector top = new TopFieldCollectorManager(sort.sort(), window, after, window, false)
                    .newCollector();
            TimeOrderedTop reversed = TimeOrderedTop.of(sort.sort(), after, window, searcher.getIndexReader(),
                    range.timeField(), range.lo(), range.hi());
            searcher.search(query, reversed.skipping(top));
            page = reversed.complete(searcher, query, top.topDocs());
        }
        return answer(r, types, held, readers, searcher, sort, total, page, aggs, started);
    }

    private SearchResult answer(SearchRequest r, Map<String, FieldType> types, List<PhysicalIndex> held,
                                IndexReader[] readers, IndexSearcher searcher, SearchSort sort, long total,
                                TopDocs page, Map<String, AggregationCollector> aggs, long started)
            throws IOException {
        List<SearchResult.Hit> hits = new ArrayList<>();
        if (page != null) {
            ScoreDoc[] window = page.scoreDocs;
            ScoreDoc[] onPage = r.offset() >= window.length ? new ScoreDoc[0]
                    : Arrays.copyOfRange(window, r.offset(), Math.min(window.length, r.offset() + r.size()));
            int[] starts = new int[held.size()];
            int base = 0;
            for (int i = 0; i < held.size(); i++) {
                starts[i] = base;
                base += readers[i].maxDoc();
            }
            Highlighter highlighter = r.highlight() ? new Highlighter(types, r.query()) : null;
            var stored = searcher.storedFields();
            var leaves = searcher.getIndexReader().leaves();
            Set<String> sourceOnly = Set.of(DocumentMapper.SOURCE);
            for (ScoreDoc sd : onPage) {
                FieldDoc fd = (FieldDoc) sd;
                String index = held.get(ReaderUtil.subIndex(fd.doc, starts)).name;
                BytesRef json = stored.document(fd.doc, sourceOnly).getBinaryValue(DocumentMapper.SOURCE);
                var leaf = leaves.get(ReaderUtil.subIndex(fd.doc, leaves));
                Map<String, Object> source = DocumentMapper.storedSource(json, leaf.reader(), fd.doc - leaf.docBase);
                String id = DocumentMapper.idString((BytesRef) fd.fields[fd.fields.length - 1]);
                Map<String, List<String>> highlights = highlighter == null || highlighter.isEmpty()
                        ? Map.of() : highlighter.highlight(source);
                hits.add(new SearchResult.Hit(index, id, select(source, r.fields()), highlights, sort.values(fd)));
            }
        }
        Map<String, AggregationResult> results = new LinkedHashMap<>();
        aggs.forEach((name, c) -> results.put(name, c.result()));
        return new SearchResult(total, hits, results, (System.nanoTime() - started) / 1_000_000);
    }

    private static Map<String, Object> select(Map<String, Object> source, List<String> fields) {
        if (fields.isEmpty()) return source;
        Map<String, Object> out = new LinkedHashMap<>();
        for (String f : fields) {
            if (source.containsKey(f)) out.put(f, source.get(f));
        }
        return out;
    }
}
