package io.bklog.lucene;

import io.bklog.spi.FieldSpec;
import io.bklog.spi.FieldType;
import io.bklog.spi.IndexNames;
import io.bklog.spi.IndexSetSchema;
import io.bklog.spi.LogDocument;
import io.bklog.spi.SearchRequest;
import io.bklog.spi.SearchResult;
import io.bklog.spi.query.Aggregation;
import io.bklog.spi.query.Query;
import io.bklog.spi.query.Sort;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * New indices keep their documents oldest first (documents arrive so, and a flush then skips re-sorting them);
 * indices created before keep them newest first. Every search must answer the same over either, and over a store
 * holding both: the same hits in the same order (the time, then the id on a tie), the same totals, histograms and
 * search_after pages, newest first and oldest first, with and without a query or a time range.
 */
class AscendingIndexSortTest {
    static final String TIME = IndexSetSchema.DEFAULT_TIME_FIELD;
    static final IndexSetSchema SCHEMA = IndexSetSchema.of("app", List.of(FieldSpec.of("log", FieldType.TEXT),
            FieldSpec.of("n", FieldType.LONG)));
    static final LocalDate DAY1 = LocalDate.of(2024, 3, 1);
    static final LocalDate DAY2 = LocalDate.of(2024, 3, 2);

    @TempDir
    Path dir;

    /**
     * Documents over a few minutes of {@code day}, in ascending time as they arrive, many sharing a millisecond
     * (ids drawn at random, so a tie is decided by the id, not by the arrival); one in 997 says "rare".
     */
    static List<LogDocument> docs(LocalDate day, String prefix, int n, Random rnd) {
        Instant start = day.atStartOfDay(java.time.ZoneOffset.UTC).toInstant().plusSeconds(3_600);
        List<Long> offsets = new ArrayList<>();
        for (int i = 0; i < n; i++) offsets.add(rnd.nextInt(400) * 1_000L + rnd.nextInt(3));
        offsets.sort(null);
        List<LogDocument> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String id = prefix + String.format(java.util.Locale.ROOT, "%06d", rnd.nextInt(1_000_000)) + "-" + i;
            String word = i % 997 == 5 ? "rare" : "word" + (i % 5);
            out.add(new LogDocument(id, start.plusMillis(offsets.get(i)), Map.of("log", "line " + word, "n", i)));
        }
        return out;
    }

    /** The order of a search: the time (newest first unless {@code asc}), then the id. */
    static Comparator<LogDocument> order(boolean asc) {
        Comparator<LogDocument> byTime = Comparator.comparing(LogDocument::timestamp);
        return (asc ? byTime : byTime.reversed()).thenComparing(LogDocument::id);
    }

    /** Writes {@code docs} into the day's index as the build before did: newest first, packed ids, 3 segments. */
    private static void writeOldLayout(Path dir, LocalDate day, List<LogDocument> docs) throws Exception {
        Path path = dir.resolve("indices").resolve(IndexNames.daily("app", day, 0));
        IndexSetMapping mapping = IndexSetMapping.of(SCHEMA);
        IndexWriterConfig c = PhysicalIndex.config(new TextAnalyzer(), 16);
        c.setIndexSort(SearchSort.descendingIndexSort(TIME));
        try (FSDirectory d = FSDirectory.open(path); IndexWriter w = new IndexWriter(d, c)) {
            w.setLiveCommitData(Map.of("bklog.id_format", "packed").entrySet());
            for (int i = 0; i < docs.size(); i++) {
                LogDocument ld = docs.get(i);
                var lucene = DocumentMapper.prepare(mapping, ld).document();
                DocumentMapper.addId(lucene, ld.id(), true);
                w.addDocument(lucene);
                if (i % (docs.size() / 3 + 1) == docs.size() / 3) w.commit();
            }
        }
    }

    private static void assertLayout(Path dir, LocalDate day, org.apache.lucene.search.Sort expected)
            throws Exception {
        Path path = dir.resolve("indices").resolve(IndexNames.daily("app", day, 0));
        try (DirectoryReader r = DirectoryReader.open(FSDirectory.open(path))) {
            assertThat(r.leaves()).isNotEmpty();
            for (LeafReaderContext leaf : r.leaves()) {
                assertThat(leaf.reader().getMetaData().getSort()).isEqualTo(expected);
            }
        }
    }

    @Test
    void ascendingDescendingAndMixedIndicesAnswerEverySearchTheSame() throws Exception {
        Random rnd = new Random(26);
        List<LogDocument> day1 = docs(DAY1, "a", 7_000, rnd);
        List<LogDocument> day2 = docs(DAY2, "b", 3_000, rnd);
        // replacements: the same ids again, some at another time of their day (a delete and an add)
        List<LogDocument> replaced = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            LogDocument old = (i % 2 == 0 ? day1 : day2).get(rnd.nextInt(i % 2 == 0 ? day1.size() : day2.size()));
            if (replaced.stream().anyMatch(d -> d.id().equals(old.id()))) continue;
            replaced.add(new LogDocument(old.id(), old.timestamp().plusMillis(rnd.nextInt(2) * 5_000L),
                    Map.of("log", "line replaced rare", "n", -i)));
        }
        Map<String, LogDocument> live = new LinkedHashMap<>();
        for (LogDocument d : day1) live.put(d.id(), d);
        for (LogDocument d : day2) live.put(d.id(), d);
        for (LogDocument d : replaced) live.put(d.id(), d);
        List<LogDocument> all = new ArrayList<>(live.values());

        List<List<Object>> answers = new ArrayList<>();
        for (String layout : List.of("ascending", "descending", "mixed")) {
            Path storeDir = dir.resolve(layout);
            Files.createDirectories(storeDir);
            try (LuceneLogStore store = LuceneLogStore.builder().dataDir(storeDir).build()) {
                store.ensureIndexSet(SCHEMA);
            }
            if (!layout.equals("ascending")) writeOldLayout(storeDir, DAY1, day1);
            if (layout.equals("descending")) writeOldLayout(storeDir, DAY2, day2);
            try (LuceneLogStore store = LuceneLogStore.builder().dataDir(storeDir).build()) {
                if (layout.equals("ascending")) index(store, day1);
                if (!layout.equals("descending")) index(store, day2);
                store.index("app", replaced);
                store.refresh("app");
                answers.add(searches(store, all));
            }
            assertLayout(storeDir, DAY1, layout.equals("ascending") ? SearchSort.indexSort(TIME)
                    : SearchSort.descendingIndexSort(TIME));
            assertLayout(storeDir, DAY2, layout.equals("descending") ? SearchSort.descendingIndexSort(TIME)
                    : SearchSort.indexSort(TIME));
        }
        assertThat(answers.get(1)).isEqualTo(answers.get(0));
        assertThat(answers.get(2)).isEqualTo(answers.get(0));
    }

    /** Three segments: one of 4,000+ documents (more than two read windows), then two smaller. */
    private static void index(LuceneLogStore store, List<LogDocument> docs) {
        int a = Math.min(docs.size(), 5_000);
        int b = a + (docs.size() - a) / 2;
        for (List<LogDocument> part : List.of(docs.subList(0, a), docs.subList(a, b), docs.subList(b, docs.size()))) {
            if (part.isEmpty()) continue;
            for (int i = 0; i < part.size(); i += 1_000) {
                assertThat(store.index("app", part.subList(i, Math.min(part.size(), i + 1_000))).allOk()).isTrue();
            }
            store.refresh("app");
        }
    }

    /** Every search shape, each checked against the documents; the answers, for comparing the layouts. */
    private static List<Object> searches(LuceneLogStore store, List<LogDocument> all) {
        List<Object> out = new ArrayList<>();
        Instant d1 = DAY1.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        Instant d2 = DAY2.atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
        Instant[][] ranges = {
                {null, null},
                {d1, d2.plus(Duration.ofDays(1))},
                {d1.plusSeconds(3_700), d1.plusSeconds(3_800)}, // inside day 1
                {d1.plusSeconds(3_650), d2.plusSeconds(3_700)}, // across both days
                {d2.plusSeconds(3_600 + 123), d2.plusSeconds(3_600 + 123).plusMillis(1)}, // one millisecond
        };
        List<Query> queries = List.of(new Query.MatchAll(), new Query.Term("log", "rare"),
                new Query.Term("log", "word3"), new Query.Range("n", "100", "6500", true, false));
        for (Instant[] range : ranges) {
            for (Query q : queries) {
                Predicate<LogDocument> matches = d -> (range[0] == null || !d.timestamp().isBefore(range[0]))
                        && (range[1] == null || d.timestamp().isBefore(range[1])) && matches(q, d);
                for (boolean asc : List.of(false, true)) {
                    List<String> expected = all.stream().filter(matches).sorted(order(asc))
                            .map(LogDocument::id).toList();
                    SearchRequest.Builder b = SearchRequest.builder("app").query(q).timeRange(range[0], range[1]);
                    if (asc) b.sort(Sort.asc(TIME));
                    // first page, an offset page
                    SearchResult first = store.search(b.size(50).build());
                    assertThat(first.total()).isEqualTo(expected.size());
                    assertThat(ids(first)).isEqualTo(expected.subList(0, Math.min(50, expected.size())));
                    out.add(first.hits());
                    SearchResult offset = store.search(b.offset(30).size(25).build());
                    assertThat(ids(offset)).isEqualTo(expected.subList(Math.min(30, expected.size()),
                            Math.min(55, expected.size())));
                    out.add(offset.hits());
                    b.offset(0);
                    // every page by search_after: pages of 137, then one of 1 past a tie
                    List<String> walked = new ArrayList<>();
                    List<Object> cursor = null;
                    for (int page = 0; page < 200; page++) {
                        SearchResult p = store.search(b.size(137).searchAfter(cursor).build());
                        if (p.hits().isEmpty()) break;
                        walked.addAll(ids(p));
                        out.add(p.hits());
                        cursor = p.hits().get(p.hits().size() - 1).sortValues();
                    }
                    b.searchAfter(null);
                    assertThat(walked).isEqualTo(expected);
                    // a page of one after every hit sharing a millisecond with the next
                    if (range[0] == null && q instanceof Query.MatchAll) {
                        List<LogDocument> sorted = all.stream().sorted(order(asc)).toList();
                        int checked = 0;
                        for (int i = 0; i + 1 < sorted.size() && checked < 20; i += 7) {
                            if (!sorted.get(i).timestamp().equals(sorted.get(i + 1).timestamp())) continue;
                            checked++;
                            SearchResult at = store.search(b.size(1).offset(i).build());
                            SearchResult next = store.search(b.size(1).offset(0)
                                    .searchAfter(at.hits().get(0).sortValues()).build());
                            b.searchAfter(null);
                            assertThat(ids(next)).containsExactly(sorted.get(i + 1).id());
                        }
                        assertThat(checked).isPositive();
                    }
                }
                // the total alone, and the histogram: time-range-only path (match all) and general path (a query)
                if (range[0] != null) {
                    SearchResult h = store.search(SearchRequest.builder("app").query(q).timeRange(range[0], range[1])
                            .size(10).aggregation("h", Aggregation.DateHistogram.fixed(TIME, Duration.ofSeconds(30)))
                            .build());
                    assertThat(h.total()).isEqualTo(all.stream().filter(matches).count());
                    out.add(h.hits());
                    out.add(h.aggregations());
                }
                SearchResult count = store.search(SearchRequest.builder("app").query(q).timeRange(range[0], range[1])
                        .size(0).build());
                assertThat(count.total()).isEqualTo(all.stream().filter(matches).count());
            }
        }
        // highlighted hits of a text query, newest first
        SearchResult hl = store.search(SearchRequest.builder("app").query(new Query.Term("log", "rare"))
                .highlight(true).size(20).build());
        assertThat(hl.hits()).allSatisfy(h -> assertThat(h.highlights()).isNotEmpty());
        out.add(hl.hits());
        return out;
    }

    private static boolean matches(Query q, LogDocument d) {
        String log = (String) d.fields().get("log");
        long n = ((Number) d.fields().get("n")).longValue();
        if (q instanceof Query.Term t) return List.of(log.split(" ")).contains(t.value());
        if (q instanceof Query.Range r) return n >= Long.parseLong(r.lower()) && n < Long.parseLong(r.upper());
        return true;
    }

    private static List<String> ids(SearchResult r) {
        return r.hits().stream().map(SearchResult.Hit::id).toList();
    }
}
